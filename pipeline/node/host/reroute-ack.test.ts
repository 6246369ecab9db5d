/**
 * `events.reroute` answers only after its writes are committed: the real host, a held LLM reply
 * (the real `openai` SDK against a local OpenAI-compatible server), and the database's write lock
 * held by a second SQLite connection (as a DB browser mid-edit would). The order of "lock
 * released" and "answer arrived" is recorded; the answer must come second, and what it promised
 * must be on disk when it comes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { startOpenAiServer } from '../../../test/support/openai-server.js';
import { PipelineHost } from './pipeline-host.js';
import { waitUntil } from '../../../test/support/wait.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('answers a re-route only once its writes are committed, not while another connection holds the write lock', async () => {
  const server = await startOpenAiServer();
  cleanups.push(() => server.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-reroute-ack-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const host = await PipelineHost.start({ dataDir, log: () => undefined, twitch: { enabled: false } });
  cleanups.push(() => host.stop());
  const llm = (await host.api['settings.get']({})).llm;
  expect(
    await host.api['settings.set']({
      key: 'llm',
      value: { ...llm, baseUrl: server.baseUrl, model: 'test-model', maxRetries: 0, stream: false },
    }),
  ).toMatchObject({ ok: true });
  expect(await host.api['llm.setApiKey']({ key: 'sk-test-reroute-key' })).toMatchObject({ ok: true });

  const [submitted] = await host.submit('test', [
    {
      type: 'chat.message.v1',
      ingress: { connector: 'test', channel: 'chan' },
      identity: { external: { id: 'id-ann', login: 'ann', displayName: 'ann', roles: [] } },
      message: { text: '@bitbrat what game is this?' },
    },
  ]);
  if (!submitted?.ok) throw new Error('not accepted');
  expect((await host.waitForSettled(submitted.id)).stage).toBe('approval');
  await host.flush();
  const [held] = (await host.api['approvals.list']({})).filter((item) => item.event.id === submitted.id);
  expect(held?.approval.state).toBe('held');

  // The store stalls: a second connection holds the write lock.
  const locker = new Database(join(dataDir, 'bitbrat.db'), { timeout: 10_000 });
  cleanups.push(() => locker.close());
  locker.exec('BEGIN IMMEDIATE');
  const order: string[] = [];
  const requestsBefore = server.chatRequests().length;
  const answered = host.api['events.reroute']({
    eventId: submitted.id,
    stage: 'reaction',
    hint: 'say the name of the game',
    moderator: 'mod',
  });
  void answered.then(() => order.push('answered'));
  // The router has taken the re-route once the regenerate reaches the LLM server; the lock still holds.
  await waitUntil('the re-route to reach the reaction phase', () => server.chatRequests().length > requestsBefore);
  order.push('released');
  locker.exec('ROLLBACK');
  const result = await answered;
  expect(result).toMatchObject({ ok: true });
  expect(order).toEqual(['released', 'answered']);

  // What the answer promised is on disk, read by another connection: the held approval is regenerating.
  const row = locker
    .prepare<[string], { state: string }>('SELECT state FROM approvals WHERE id = ?')
    .get(held!.approval.id);
  expect(row?.state).toBe('regenerating');
});
