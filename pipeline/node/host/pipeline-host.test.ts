/**
 * The whole pipeline with real worker threads and a real SQLite file: the default flow, invalid
 * input, approvals through the host, supervision of crashed and hung workers, and restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../core/envelope.js';
import { serve } from '../cli/serve.js';
import { PipelineHost } from './pipeline-host.js';
import { HOLD_HELLO } from '../../../test/support/rules.js';
import { startOpenAiServer, type OpenAiTestServer } from '../../../test/support/openai-server.js';
import { waitUntil } from '../../../test/support/wait.js';

const hosts: PipelineHost[] = [];
const dirs: string[] = [];
const stops: (() => Promise<void>)[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bitbrat-host-'));
  dirs.push(dir);
  return dir;
}

async function startHost(dataDir = tempDir()): Promise<PipelineHost> {
  const host = await PipelineHost.start({ dataDir, log: () => undefined });
  hosts.push(host);
  return host;
}

afterEach(async () => {
  for (const host of hosts.splice(0)) await host.stop();
  for (const stop of stops.splice(0)) await stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

let sequence = 0;
function chat(text: string, login = 'viewer1', roles: string[] = ['viewer']): InboundEvent {
  sequence += 1;
  return {
    type: 'chat.message.v1',
    ingress: { connector: 'test', channel: 'chan' },
    identity: { external: { id: `id-${login}`, login, displayName: login, roles: roles as never } },
    message: { id: `msg-${sequence}`, text },
  };
}

async function submitOne(host: PipelineHost, event: unknown): Promise<string> {
  const [result] = await host.submit('test', [event]);
  if (!result?.ok) throw new Error(`not accepted: ${result?.ok === false ? result.error : '?'}`);
  return result.id;
}

/** A command with no cooldowns, so every one of many events gets a reply. */
async function installPing(host: PipelineHost): Promise<void> {
  const saved = await host.api['commands.save']({
    command: {
      id: 'ping',
      enabled: true,
      trigger: { kind: 'exact', text: '!ping' },
      template: 'pong {user}',
      roles: [],
      userCooldownSeconds: 0,
      globalCooldownSeconds: 0,
    },
  });
  expect(saved.ok).toBe(true);
}

describe('PipelineHost: the default flow on real workers and a real database', () => {
  it('answers a chat command, persists every transition, and delivers exactly once', async () => {
    const host = await startHost();
    const id = await submitOne(host, chat('!hello'));
    const summary = await host.waitForSettled(id);
    expect(summary.disposition).toBe('replied');
    await host.flush();
    const detail = await host.api['events.get']({ id });
    expect(detail).not.toBeNull();
    const { event, transitions, deliveries } = detail!;
    expect(event.disposition).toBe('replied');
    expect(event.identity.user?.messageCount).toBe(1);
    const steps = [...event.routing.history, ...event.routing.slip].map((s) => `${s.phase}:${s.id}:${s.status}`);
    expect(steps).toEqual([
      'enrichment:auth:OK',
      'enrichment:query-analyzer:OK',
      'reaction:giveaways:SKIP',
      'reaction:counters:SKIP',
      'reaction:commands:OK',
      'egress:console:OK',
      'egress:gateway-clients:OK',
      'egress:webhook:SKIP',
    ]);
    expect(transitions.map((t) => `${t.service}:${t.status}`)).toEqual([
      'auth:RUNNING',
      'auth:OK',
      'query-analyzer:RUNNING',
      'query-analyzer:OK',
      'giveaways:RUNNING',
      'giveaways:SKIP',
      'counters:RUNNING',
      'counters:SKIP',
      'commands:RUNNING',
      'commands:OK',
      'console:RUNNING',
      'console:OK',
      'gateway-clients:RUNNING',
      'gateway-clients:OK',
      'webhook:RUNNING',
      'webhook:SKIP',
    ]);
    expect(transitions.map((t) => t.seq)).toEqual([...transitions.map((t) => t.seq)].sort((a, b) => a - b));
    // One delivery per place, each claimed under its own idempotency key.
    expect(deliveries.map((d) => `${d.connector}:${d.status}`).sort()).toEqual([
      'console:sent',
      'gateway-clients:sent',
    ]);
    expect(deliveries[0]!.text.length).toBeGreaterThan(0);
  });

  it('ignores ordinary chat, and lists events newest first with filters and full-text search', async () => {
    const host = await startHost();
    const first = await submitOne(host, chat('what a lovely potato', 'ann'));
    const second = await submitOne(host, chat('!hello', 'bob'));
    await host.waitForSettled(first);
    await host.waitForSettled(second);
    await host.flush();
    expect((await host.api['events.get']({ id: first }))!.event.disposition).toBe('ignored');
    const page = await host.api['events.list']({ limit: 10 });
    expect(page.items.map((item) => item.id)).toEqual([second, first]);
    // Search is indexed off the pipeline's commits and may lag by up to about a second.
    const search = await waitUntil('the message searchable', async () => {
      const page = await host.api['events.list']({ text: 'potato' });
      return page.items.length > 0 && page;
    });
    expect(search.items.map((item) => item.id)).toEqual([first]);
    const replied = await host.api['events.list']({ disposition: 'replied' });
    expect(replied.items.map((item) => item.id)).toEqual([second]);
  });

  it('rejects invalid input with an error that names the field, records it, and keeps running', async () => {
    const host = await startHost();
    const results = await host.submit('test', [
      {
        type: 'chat.message.v1',
        ingress: { connector: 'test', channel: 'c' },
        identity: { external: { id: '1', login: 'x', displayName: 'x' } },
        message: { text: 'x'.repeat(20_000) },
      },
      {
        type: 'NOT A TYPE',
        ingress: { connector: 'test', channel: 'c' },
        identity: { external: { id: '1', login: 'x', displayName: 'x' } },
      },
      'garbage',
      chat('!hello'),
    ]);
    expect(results[0]).toMatchObject({ ok: false });
    expect(results[0]!.ok === false && results[0]!.error).toMatch(/^message\.text: /);
    expect(results[1]!.ok === false && results[1]!.error).toMatch(/^type: /);
    expect(results[2]).toMatchObject({ ok: false });
    expect(results[3]!.ok).toBe(true);
    await host.waitForSettled((results[3] as { id: string }).id);
    const stats = await host.api['stats.get']({});
    expect(stats.rejected).toBe(3);
  });
});

describe('PipelineHost: approvals', () => {
  it('holds a reply, lets the first of two moderators decide, and both see who decided', async () => {
    const host = await startHost();
    expect((await host.api['rules.save']({ rule: HOLD_HELLO })).ok).toBe(true);
    const pushed: string[] = [];
    host.subscribe((topic, data) => {
      if (topic === 'approvals')
        for (const approval of data as { state: string; decidedBy: string | null }[])
          pushed.push(`${approval.state}:${approval.decidedBy}`);
    });
    const id = await submitOne(host, chat('!hello'));
    expect((await host.waitForSettled(id)).stage).toBe('approval');
    const [held] = await host.api['approvals.list']({});
    expect(held!.event.id).toBe(id);
    const [first, second] = await Promise.all([
      host.api['approvals.decide']({
        approvalId: held!.approval.id,
        decision: { action: 'edit', text: 'Edited hello!' },
        moderator: 'alice',
        console: 'desktop',
      }),
      host.api['approvals.decide']({
        approvalId: held!.approval.id,
        decision: { action: 'reject' },
        moderator: 'bob',
        console: 'web-1',
      }),
    ]);
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, code: 'ALREADY_DECIDED' });
    const summary = await host.waitForSettled(id, { terminalOnly: true });
    expect(summary.disposition).toBe('replied');
    expect(summary.reply).toBe('Edited hello!');
    await host.flush();
    const detail = await host.api['events.get']({ id });
    expect(detail!.approvals[0]).toMatchObject({
      state: 'edited',
      decidedBy: 'alice',
      console: 'desktop',
      finalText: 'Edited hello!',
    });
    // The approvals push travels separately from the feed: wait for it rather than race it.
    await expect.poll(() => pushed, { timeout: 10_000 }).toContain('edited:alice');
  });

  it('keeps held replies across a restart and can approve them afterwards', async () => {
    const dataDir = tempDir();
    const host = await startHost(dataDir);
    await host.api['rules.save']({ rule: HOLD_HELLO });
    const id = await submitOne(host, chat('!hello'));
    await host.waitForSettled(id);
    await host.stop();
    hosts.splice(hosts.indexOf(host), 1);

    const again = await startHost(dataDir);
    const [held] = await again.api['approvals.list']({});
    expect(held?.event.id).toBe(id);
    const result = await again.api['approvals.decide']({
      approvalId: held!.approval.id,
      decision: { action: 'approve' },
      moderator: 'carol',
      console: 'web',
    });
    expect(result.ok).toBe(true);
    expect((await again.waitForSettled(id, { terminalOnly: true })).disposition).toBe('replied');
  });
});

describe('PipelineHost: supervision', () => {
  // A bot mention whose model call is still open is provably in the reaction worker when it is
  // killed (the local model server has the request and has not answered).
  let llm: OpenAiTestServer;
  const saved = { ...process.env };
  beforeAll(async () => {
    llm = await startOpenAiServer({});
    // Workers read the environment when they start; this file runs in its own process.
    process.env.BITBRAT_LLM_BASE_URL = llm.baseUrl;
    process.env.BITBRAT_LLM_API_KEY = 'sk-test';
    process.env.BITBRAT_LLM_MODEL = 'test-model';
  });
  afterAll(async () => {
    for (const key of ['BITBRAT_LLM_BASE_URL', 'BITBRAT_LLM_API_KEY', 'BITBRAT_LLM_MODEL'])
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    await llm.close();
  });

  it('restarts a crashed reaction worker: no event lost, none delivered twice', async () => {
    const host = await startHost();
    await installPing(host);
    const ids: string[] = [];
    let mentionId = '';
    for (let i = 0; i < 200; i++) {
      ids.push(await submitOne(host, chat('!ping', `user${i}`)));
      if (i === 60) {
        // The first model call never answers; the one after the restart does.
        llm.script({ kind: 'hang' }, { kind: 'reply', texts: ['back after the restart'] });
        mentionId = await submitOne(host, chat('@bitbrat are you there?', 'mentioner'));
        await llm.waitForChatRequest(1);
        await host.workers.thread('reaction').terminate();
      }
    }
    const summaries = await Promise.all(
      ids.map((id) => host.waitForSettled(id, { terminalOnly: true, timeoutMs: 20_000 })),
    );
    expect(summaries.filter((summary) => summary.disposition !== 'replied').map((s) => s.reason)).toEqual([]);
    // The mention was in flight at the kill: its step ran again and its reply was drafted once.
    expect((await host.waitForSettled(mentionId, { timeoutMs: 20_000 })).stage).toBe('approval');
    await host.flush();
    const mention = (await host.api['events.get']({ id: mentionId }))!;
    expect(mention.transitions.map((t) => t.error?.code)).toContain('WORKER_RESTARTED');
    expect(mention.event.candidates.filter((c) => c.status === 'selected').map((c) => c.text)).toEqual([
      'back after the restart',
    ]);
    await host.flush();
    const health = await host.api['health.get']({});
    expect(health.workers.find((worker) => worker.role === 'reaction')).toMatchObject({ state: 'ready', restarts: 1 });
    let delivered = 0;
    for (const id of ids)
      delivered += (await host.api['events.get']({ id }))!.deliveries.filter((d) => d.connector === 'console').length;
    expect(delivered).toBe(200);
  });

  it('restarts a crashed egress worker without delivering any reply twice', async () => {
    // Served with its gateway: outbound webhooks are made through the gateway's admin handlers.
    const served = await serve({ dataDir: tempDir(), port: 0, lan: false, demo: null, log: () => undefined });
    stops.push(() => served.stop());
    const { host } = served;
    await installPing(host);
    // An outbound webhook that keeps the first POST of the reply to `in-flight` open: that reply
    // is provably in the egress worker when it is killed. Every other POST is answered at once.
    const posts: string[] = [];
    let holdOne = true;
    const hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const delivery = JSON.parse(body) as { eventId: string; to: { login: string } };
        posts.push(delivery.eventId);
        if (holdOne && delivery.to.login === 'in-flight') holdOne = false;
        else response.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const ids: string[] = [];
    let inFlightId = '';
    try {
      for (let i = 0; i < 150; i++) {
        if (i === 40) {
          const created = await host.api['webhooks.create']({
            direction: 'out',
            name: 'relay',
            url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
          });
          expect(created).toMatchObject({ ok: true });
          inFlightId = await submitOne(host, chat('!ping', 'in-flight'));
          ids.push(inFlightId);
          await expect.poll(() => posts, { timeout: 20_000 }).toContain(inFlightId);
          await host.workers.thread('egress').terminate();
        }
        ids.push(await submitOne(host, chat('!ping', `user${i}`)));
      }
      const summaries = await Promise.all(
        ids.map((id) => host.waitForSettled(id, { terminalOnly: true, timeoutMs: 20_000 })),
      );
      expect(summaries.filter((summary) => summary.disposition !== 'replied')).toEqual([]);
    } finally {
      hook.closeAllConnections();
      await new Promise((resolve) => hook.close(resolve));
    }
    await host.flush();
    // The reply whose webhook POST was open at the kill ran its egress slip again (the router
    // re-dispatched it), found the webhook's claim and did not POST a second time.
    const inFlight = (await host.api['events.get']({ id: inFlightId }))!;
    expect(inFlight.transitions.map((t) => t.error?.code)).toContain('WORKER_RESTARTED');
    const webhookStep = inFlight.event.routing.slip.find((step) => step.id === 'webhook')!;
    expect(webhookStep.notes).toContain('relay: already delivered before a restart');
    expect(posts.filter((id) => id === inFlightId)).toHaveLength(1);
    for (const id of ids) {
      const deliveries = (await host.api['events.get']({ id }))!.deliveries;
      expect(deliveries.filter((d) => d.connector === 'console')).toHaveLength(1);
      expect(deliveries.filter((d) => d.connector === 'gateway-clients')).toHaveLength(1);
    }
  });
});
