/**
 * `replay` with the real host and real workers while the ingress worker is killed under it: every
 * input line still gets its answer, and every line that was acked is on disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineHost } from '../host/pipeline-host.js';
import { parseJsonLine, replay } from './replay.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const LINES = 400;
const line = (index: number) =>
  JSON.stringify({
    type: 'chat.message.v1',
    ingress: { connector: 'twitch-chat', channel: 'mychannel' },
    identity: { external: { id: `id-${index}`, login: `viewer${index}`, displayName: `viewer${index}` } },
    message: { text: `line ${index}` },
  });

describe('replay through a worker restart', () => {
  it('answers every input line when the ingress worker dies mid-replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bitbrat-replay-restart-'));
    dirs.push(dir);
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, Array.from({ length: LINES }, (_, index) => line(index)).join('\n'));
    const host = await PipelineHost.start({
      dataDir: join(dir, 'data'),
      log: () => undefined,
      twitch: { enabled: false },
    });
    try {
      const ingress = host.workers.thread('ingress');
      // Kill the ingress worker while submits are in flight: as soon as the first events are stored.
      const kill = (async () => {
        const deadline = Date.now() + 20_000;
        while ((await host.api['events.list']({ limit: 5 })).items.length < 5) {
          if (Date.now() > deadline) throw new Error('no event was stored');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await ingress.terminate();
      })();
      const written: string[] = [];
      const results = await replay(host, file, {
        parse: parseJsonLine,
        connector: 'replay',
        approve: null,
        write: (text) => written.push(text),
      });
      await kill;
      expect(host.workers.health().find((worker) => worker.role === 'ingress')!.restarts).toBe(1);
      expect(results.map((result) => result.input)).toEqual(Array.from({ length: LINES }, (_, index) => index + 1));
      expect(written).toHaveLength(LINES);
      // Cut-off submits were sent again to the new ingress worker: every line ran.
      expect(results.filter((result) => !result.ok)).toEqual([]);
      expect(results.every((result) => result.event?.message?.text === `line ${result.input - 1}`)).toBe(true);
    } finally {
      await host.stop();
    }
  });
});
