/**
 * No secret in any error, log, row or answer: the real host, the real `openai` SDK in the reaction
 * worker, and a local OpenAI-compatible server that answers 401 quoting the key in full (as many
 * proxies do; OpenAI itself masks it). The database file, its WAL, every log line and the
 * HostApi answers are scanned for the key.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startOpenAiServer } from '../../../test/support/openai-server.js';
import { PipelineHost } from './pipeline-host.js';

const KEY = 'sk-proj-Zq81mK3vVt0a9redactme4417XYZ';

describe('secret redaction', () => {
  it('keeps a key that an endpoint quotes in its 401 out of the database, the WAL, the logs and the answers', async () => {
    const server = await startOpenAiServer();
    server.setDefault({ kind: 'error', status: 401, message: `Incorrect API key provided: ${KEY}` });
    const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-redaction-'));
    const logs: string[] = [];
    const host = await PipelineHost.start({
      dataDir,
      log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
      twitch: { enabled: false },
    });
    const scanned: string[] = [];
    try {
      const llm = (await host.api['settings.get']({})).llm;
      expect(
        await host.api['settings.set']({
          key: 'llm',
          value: { ...llm, baseUrl: server.baseUrl, model: 'test-model', maxRetries: 0, stream: false },
        }),
      ).toMatchObject({ ok: true });
      expect(await host.api['llm.setApiKey']({ key: KEY })).toMatchObject({ ok: true });

      const [submitted] = await host.submit('test', [
        {
          type: 'chat.message.v1',
          ingress: { connector: 'test', channel: 'chan' },
          identity: { external: { id: 'id-ann', login: 'ann', displayName: 'ann', roles: [] } },
          message: { text: '@bitbrat what game is this?' },
        },
      ]);
      if (!submitted?.ok) throw new Error('not accepted');
      await host.waitForSettled(submitted.id, { terminalOnly: true });
      // The provider really answered with the key: the request reached it and failed.
      expect(server.chatRequests().length).toBeGreaterThan(0);

      const tested = await host.api['llm.test']({});
      expect(tested.ok).toBe(false);
      expect(tested.message).toContain('Incorrect API key provided: [redacted');
      const detail = await host.api['events.get']({ id: submitted.id });
      const failedStep = [...detail!.event.routing.history, ...detail!.event.routing.slip].find((step) => step.error);
      expect(failedStep?.error?.message).toContain('[redacted LLM API key]');
      scanned.push(
        tested.message,
        JSON.stringify(detail),
        JSON.stringify(await host.api['events.list']({ limit: 50 })),
      );

      await host.flush();
      for (const file of ['bitbrat.db', 'bitbrat.db-wal']) {
        if (existsSync(join(dataDir, file))) scanned.push(readFileSync(join(dataDir, file)).toString('latin1'));
      }
    } finally {
      await host.stop();
      await server.close();
    }
    scanned.push(readFileSync(join(dataDir, 'bitbrat.db')).toString('latin1'), logs.join('\n'));
    rmSync(dataDir, { recursive: true, force: true });
    expect(logs.length).toBeGreaterThan(0);
    for (const text of scanned) expect(text.includes(KEY)).toBe(false);
  });
});
