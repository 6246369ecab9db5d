/**
 * Each worker serves its own role's control protocol (RoleProtocol[R] in core/protocol/pipeline.ts):
 * the requests every role answers, and a refusal for another role's request. Real worker threads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRole } from '../../core/protocol/pipeline.js';
import { PipelineHost } from './pipeline-host.js';

const ROLES: readonly WorkerRole[] = ['store', 'router', 'enrichment', 'reaction', 'egress', 'ingress'];

let dataDir: string;
let host: PipelineHost;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-roles-'));
  host = await PipelineHost.start({
    dataDir,
    log: () => undefined,
    twitch: { enabled: false },
    discord: { enabled: false },
  });
});

afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('per-role control protocols', () => {
  it('every role answers ping and threadInfo on its control line', async () => {
    for (const role of ROLES) {
      const line = host.workers.control(role);
      expect([role, typeof (await line.call('ping', undefined))]).toEqual([role, 'number']);
      const info = await line.call('threadInfo', undefined);
      expect([role, info.heapUsedBytes > 0]).toEqual([role, true]);
    }
  });

  it("refuses a request that belongs to another role's protocol", async () => {
    // Casts on purpose: the type system already refuses these calls; the workers must refuse them too.
    const refused = async (role: WorkerRole, method: string) =>
      host.workers
        .control(role)
        .call(method as never, undefined as never)
        .then(
          () => 'answered',
          (error: { code?: string }) => error.code,
        );
    expect(await refused('router', 'obs')).toBe('UNKNOWN_METHOD');
    expect(await refused('enrichment', 'twitch')).toBe('UNKNOWN_METHOD');
    expect(await refused('egress', 'reloadCommands')).toBe('UNKNOWN_METHOD');
    expect(await refused('ingress', 'stats')).toBe('UNKNOWN_METHOD');
    // ... while the role that owns it answers.
    expect(await host.workers.control('reaction').call('reloadCommands', undefined)).toBeUndefined();
    expect((await host.workers.control('router').call('stats', undefined)).accepted).toBe(0);
  });
});
