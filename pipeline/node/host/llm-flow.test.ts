/**
 * The llm-bot inside the real pipeline: the real `openai` SDK in the reaction worker talking to a
 * local OpenAI-compatible server, configured the headless way (BITBRAT_LLM_* in the environment).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiTestServer } from '../../../test/support/openai-server.js';
import { PipelineHost } from './pipeline-host.js';

let server: OpenAiTestServer;
let host: PipelineHost;
let dataDir: string;

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: 'sk-test-secret' });
  // Workers read the environment when they start; this file runs in its own process.
  process.env.BITBRAT_LLM_BASE_URL = server.baseUrl;
  process.env.BITBRAT_LLM_API_KEY = 'sk-test-secret';
  process.env.BITBRAT_LLM_MODEL = 'test-model';
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-llm-'));
  host = await PipelineHost.start({ dataDir, log: () => undefined });
});

afterAll(async () => {
  await host.stop();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let sequence = 0;
async function mention(text: string, login = `viewer${++sequence}`): Promise<string> {
  const [result] = await host.submit('test', [
    {
      type: 'chat.message.v1',
      ingress: { connector: 'test', channel: 'chan' },
      identity: { external: { id: `id-${login}`, login, displayName: login, roles: [] } },
      message: { id: `m-${sequence}`, text },
    },
  ]);
  if (!result?.ok) throw new Error('not accepted');
  return result.id;
}

async function heldApproval(eventId: string) {
  const held = await host.api['approvals.list']({});
  const item = held.find((entry) => entry.event.id === eventId);
  if (!item) throw new Error('no held reply for the event');
  return item.approval;
}

describe('llm-bot in the pipeline', () => {
  it('drafts a reply for a bot mention, holds it for a moderator, and sends it when approved', async () => {
    server.script({ kind: 'reply', texts: ['It is a roguelike called Hades!'] });
    const id = await mention('@bitbrat what game is this?');
    expect((await host.waitForSettled(id)).stage).toBe('approval');
    const approval = await heldApproval(id);
    expect(approval.originalText).toBe('It is a roguelike called Hades!');
    expect(approval.reason).toMatch(/requires approval/);
    // The chat text reached the model fenced as data, never as the system prompt.
    const request = server.chatRequests().at(-1)!;
    const messages = (request.body as { messages: { role: string; content: string }[] }).messages;
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).not.toContain('what game is this');
    await host.api['approvals.decide']({
      approvalId: approval.id,
      decision: { action: 'approve' },
      moderator: 'mod',
      console: 'test',
    });
    const summary = await host.waitForSettled(id, { terminalOnly: true });
    expect(summary).toMatchObject({ disposition: 'replied', reply: 'It is a roguelike called Hades!' });
    const usage = await host.api['llm.usage']({});
    expect(usage.calls).toBeGreaterThanOrEqual(1);
    expect(usage.tokensIn).toBeGreaterThan(0);
  });

  it('holds unsafe model output with the reason, whatever the rule says', async () => {
    server.script({ kind: 'reply', texts: ['you are a fucking idiot'] });
    const id = await mention('bitbrat say something mean');
    await host.waitForSettled(id);
    const approval = await heldApproval(id);
    expect(approval.reason).toMatch(/profan|unsafe|safety/i);
    await host.api['approvals.decide']({
      approvalId: approval.id,
      decision: { action: 'reject' },
      moderator: 'mod',
      console: 'test',
    });
    expect((await host.waitForSettled(id, { terminalOnly: true })).disposition).toBe('rejected');
  });

  it('cancels the LLM call when a moderator rejects a reply that is being regenerated', async () => {
    server.script({ kind: 'reply', texts: ['First draft.'] });
    const id = await mention('@bitbrat tell me a joke');
    await host.waitForSettled(id);
    const first = await heldApproval(id);
    server.script({ kind: 'hang' });
    const before = server.chatRequests().length;
    await host.api['approvals.decide']({
      approvalId: first.id,
      decision: { action: 'regenerate', hint: 'shorter' },
      moderator: 'mod',
      console: 'test',
    });
    const regenerateRequest = await server.waitForChatRequest(before + 1);
    expect(JSON.stringify(regenerateRequest.body)).toContain('shorter');
    const result = await host.api['approvals.decide']({
      approvalId: first.id,
      decision: { action: 'reject' },
      moderator: 'mod',
      console: 'test',
    });
    expect(result.ok).toBe(true);
    const summary = await host.waitForSettled(id, { terminalOnly: true });
    expect(summary.disposition).toBe('rejected');
    // The hanging request was aborted by the worker, not left to run into its timeout.
    expect(await regenerateRequest.outcome).toBe('aborted');
  });

  it('retries provider errors per maxAttempts and shows them on the slip', async () => {
    server.script(
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
    );
    const id = await mention('@bitbrat are you there?');
    const summary = await host.waitForSettled(id, { terminalOnly: true });
    expect(summary.disposition).toBe('failed');
    await host.flush();
    const detail = await host.api['events.get']({ id });
    const step = detail!.event.routing.slip.find((s) => s.id === 'llm-bot')!;
    expect(step).toMatchObject({ status: 'ERROR', attempt: 3 });
    expect(step.error?.code).toMatch(/LLM/);
    expect(detail!.transitions.filter((t) => t.service === 'llm-bot' && t.status === 'ERROR')).toHaveLength(3);
  });

  it('answers llm.test through the same client', async () => {
    server.script({ kind: 'reply', texts: ['ok'] });
    const result = await host.api['llm.test']({});
    expect(result).toMatchObject({ ok: true });
    expect(result.message).toContain('ok');
  });

  it('never writes the API key into the database', async () => {
    await host.flush();
    const { readFileSync } = await import('node:fs');
    const bytes =
      readFileSync(join(dataDir, 'bitbrat.db')).toString('latin1') +
      readFileSync(join(dataDir, 'bitbrat.db-wal')).toString('latin1');
    expect(bytes).not.toContain('sk-test-secret');
  });
});
