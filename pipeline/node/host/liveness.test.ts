/**
 * Liveness with the real host and its six real workers: a host thread blocked for seconds (as a
 * large read or parse blocks it) restarts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineHost } from './pipeline-host.js';
import { waitUntil } from '../../../test/support/wait.js';

describe('liveness of the real pipeline', () => {
  it('restarts no worker while the host thread is blocked for 2.5 s under a stream of events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bitbrat-liveness-'));
    const logs: string[] = [];
    const host = await PipelineHost.start({
      dataDir: dir,
      log: (level, message) => logs.push(`${level}: ${message}`),
      twitch: { enabled: false },
      demo: { ratePerSecond: 200, scripted: false },
    });
    try {
      const blockedUntil = Date.now() + 2500;
      while (Date.now() < blockedUntil) {
        // the host thread is busy; the workers keep running on their own threads
      }
      await waitUntil('the supervisor to look at the workers after the block', () =>
        host.workers.health().every((worker) => (worker.lastPongAt ?? 0) > blockedUntil),
      );
      await host.workers.settled();
      expect(host.workers.health().map((worker) => [worker.role, worker.state, worker.restarts])).toEqual(
        host.workers.health().map((worker) => [worker.role, 'ready', 0]),
      );
      expect(logs.filter((line) => line.includes('restarting'))).toEqual([]);
    } finally {
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
