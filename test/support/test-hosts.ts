/**
 * Real hosts on temporary data folders, for tests that run the whole pipeline: every host a test
 * started is stopped after it, and every folder it made is removed. Call `useTestHosts` at the top
 * of a test file (it registers the `afterEach`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { InboundEvent, Role } from '../../pipeline/core/envelope.js';
import { PipelineHost } from '../../pipeline/node/host/pipeline-host.js';

export function useTestHosts(prefix: string): {
  tempDir(): string;
  startHost(dataDir?: string): Promise<PipelineHost>;
} {
  const hosts: PipelineHost[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  return {
    tempDir,
    async startHost(dataDir = tempDir()) {
      const host = await PipelineHost.start({ dataDir, log: () => undefined, twitch: { enabled: false } });
      hosts.push(host);
      return host;
    },
  };
}

/** A viewer's chat line through the pipeline: the text of its first delivery once the event ended. */
export async function replyTo(
  host: PipelineHost,
  text: string,
  from: { login?: string; displayName?: string; roles?: Role[] } = {},
): Promise<string | undefined> {
  const login = from.login ?? 'ann';
  const displayName = from.displayName ?? (from.login ? login : 'Ann');
  const event: InboundEvent = {
    type: 'chat.message.v1',
    ingress: { connector: 'test', channel: 'chan' },
    identity: { external: { id: `id-${login}`, login, displayName, roles: from.roles ?? ['viewer'] } },
    message: { text },
  };
  const [result] = await host.submit('test', [event]);
  if (!result?.ok) throw new Error('not accepted');
  await host.waitForSettled(result.id, { terminalOnly: true });
  await host.flush();
  return (await host.api['events.get']({ id: result.id }))?.deliveries[0]?.text;
}
