/**
 * The client WebSocket API against the real gateway and the real host: real `ws` clients on
 * loopback, tokens created through the admin handlers and stored (hashed) in the real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerFrame } from '../../../core/client-protocol.js';
import {
  CLIENT_WS_PATH,
  CLIENT_WS_PROTOCOL,
  CLOSE_REVOKED,
  CLOSE_SUBPROTOCOL_REQUIRED,
  CLOSE_UNAUTHORIZED,
  TOKEN_PROTOCOL_PREFIX,
} from '../../../core/protocol/websocket.js';
import { serve, type Served } from '../../cli/serve.js';
import { SUBPROTOCOL_REQUIRED_REASON } from './client-hub.js';
import { hashToken } from './client-tokens.js';

const HEARTBEAT_MS = 300;
let served: Served;
let dataDir: string;
let sender: string;
let receiver: string;
let overlay: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-clients-'));
  served = await serve({
    dataDir,
    port: 0,
    lan: false,
    demo: null,
    log: () => undefined,
    clientLimits: { heartbeatMs: HEARTBEAT_MS, ratePerSecond: 5, burst: 10, maxFrameBytes: 4096 },
  });
  const admin = served.extensions.clients;
  const make = async (name: string, scopes: ('send' | 'receive' | 'read-only')[]) => {
    const created = await admin.create({ name, scopes });
    if (!created.ok) throw new Error(created.error);
    return created.value.token;
  };
  sender = await make('deck', ['send']);
  receiver = await make('widget', ['send', 'receive']);
  overlay = await make('obs', ['read-only']);
  // Client replies reach clients through the gateway-clients egress service.
  const saved = await served.host.api['rules.save']({
    rule: {
      id: 'deliver-console',
      stage: 'egress',
      when: true,
      slip: ['console', 'gateway-clients'],
      approval: { mode: 'auto' },
    },
  });
  expect(saved.ok).toBe(true);
});

afterAll(async () => {
  await served.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Client {
  ws: WebSocket;
  frames: ServerFrame[];
  next(predicate: (frame: ServerFrame) => boolean): Promise<ServerFrame>;
  send(frame: unknown): void;
  closed: Promise<number>;
}

function connect(token: string | null, options: { autoPong?: boolean; origin?: string } = {}): Promise<Client> {
  const protocols = [CLIENT_WS_PROTOCOL, ...(token ? [`${TOKEN_PROTOCOL_PREFIX}${token}`] : [])];
  const ws = new WebSocket(`ws://127.0.0.1:${served.gateway.port}${CLIENT_WS_PATH}`, protocols, {
    autoPong: options.autoPong ?? true,
    ...(options.origin ? { headers: { Origin: options.origin } } : {}),
  });
  const frames: ServerFrame[] = [];
  const waiters: { predicate: (frame: ServerFrame) => boolean; resolve: (frame: ServerFrame) => void }[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as ServerFrame;
    frames.push(frame);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const client: Client = {
    ws,
    frames,
    closed,
    next: (predicate) => {
      const found = frames.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

const errorFor = (id: unknown) => (frame: ServerFrame) => frame.type === 'error' && frame.id === id;
const ackFor = (id: unknown) => (frame: ServerFrame) => frame.type === 'ack' && frame.id === id;

describe('client API: authentication', () => {
  it('stores only the hash of a token, never the token', () => {
    const db = new Database(served.host.dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT token_hash FROM client_tokens').all() as { token_hash: string }[];
      expect(rows.map((row) => row.token_hash)).toContain(hashToken(sender));
      const dump = JSON.stringify(db.prepare('SELECT * FROM client_tokens').all());
      expect(dump).not.toContain(sender);
    } finally {
      db.close();
    }
  });

  it('refuses a missing, wrong or revoked token with an error frame and close code 4401', async () => {
    for (const token of [null, 'bbc_not-a-real-token']) {
      const client = await connect(token);
      const error = await client.next((frame) => frame.type === 'error');
      expect(error.payload).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await client.closed).toBe(CLOSE_UNAUTHORIZED);
    }
    const created = await served.extensions.clients.create({ name: 'temp', scopes: ['send'] });
    if (!created.ok) throw new Error(created.error);
    const live = await connect(created.value.token);
    await live.next((frame) => frame.type === 'welcome');
    expect(await served.extensions.clients.revoke({ id: created.value.client.id })).toEqual({ ok: true });
    expect(await live.closed).toBe(CLOSE_REVOKED);
    const again = await connect(created.value.token);
    expect((await again.next((frame) => frame.type === 'error')).payload).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await again.closed).toBe(CLOSE_UNAUTHORIZED);
    const listed = await served.extensions.clients.list();
    expect(listed.find((client) => client.name === 'temp')?.revokedAt).toEqual(expect.any(Number));
    expect(served.extensions.hub.counters().refused.UNAUTHORIZED).toBeGreaterThanOrEqual(3);
  });

  it('closes a client that offers its token but not bitbrat.client.v1 with 4400 and a reason a standard client shows', async () => {
    // The plain `ws` client aborts (1006, no reason) when the server answers with no subprotocol.
    const ws = new WebSocket(`ws://127.0.0.1:${served.gateway.port}${CLIENT_WS_PATH}`, [
      `${TOKEN_PROTOCOL_PREFIX}${sender}`,
    ]);
    const errors: Error[] = [];
    ws.on('error', (error) => errors.push(error));
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(data.toString()));
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      ws.once('close', (closeCode, closeReason) => resolve([closeCode, closeReason.toString()])),
    );
    expect(errors).toEqual([]);
    expect(code).toBe(CLOSE_SUBPROTOCOL_REQUIRED);
    expect(reason).toBe(SUBPROTOCOL_REQUIRED_REASON);
    expect(reason).toContain(CLIENT_WS_PROTOCOL);
    expect(JSON.parse(frames[0]!)).toMatchObject({ type: 'error', payload: { code: 'UNAUTHORIZED' } });
  });

  it('lets a local file (Origin "null", the OBS overlay file) in with a read-only token only', async () => {
    const fromFile = await connect(sender, { origin: 'null' });
    expect(await fromFile.closed).toBe(CLOSE_UNAUTHORIZED);
    const created = await served.extensions.clients.create({ name: 'file-overlay', scopes: ['read-only'] });
    if (!created.ok) throw new Error(created.error);
    const overlay = await connect(created.value.token, { origin: 'null' });
    expect((await overlay.next((frame) => frame.type === 'welcome')).type).toBe('welcome');
    overlay.ws.close();
  });

  it('refuses a browser socket from a foreign origin', async () => {
    await expect(connect(sender, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });

  it('welcomes a client with its name, scopes and limits', async () => {
    const client = await connect(sender);
    const welcome = await client.next((frame) => frame.type === 'welcome');
    expect(welcome.payload).toMatchObject({
      version: 1,
      client: { name: 'deck', scopes: ['send'] },
      limits: { burst: 10 },
    });
    client.ws.close();
  });
});

describe('client API: sending events', () => {
  it('accepts a chat message as the token’s client and delivers the bot’s reply back to it', async () => {
    const client = await connect(receiver);
    await client.next((frame) => frame.type === 'welcome');
    client.send({ type: 'subscribe', id: 's1', payload: { topics: ['deliveries'] } });
    await client.next(ackFor('s1'));
    client.send({ type: 'client.chat.v1', id: 'c1', payload: { text: '!hello', messageId: 'm-1' } });
    const ack = await client.next(ackFor('c1'));
    const eventId = (ack.payload as { eventId: string }).eventId;
    const delivery = await client.next((frame) => frame.type === 'delivery' && frame.payload.eventId === eventId);
    expect(delivery.payload).toMatchObject({ client: 'widget', replyTo: 'm-1', channel: 'client:widget' });
    expect((delivery.payload as { text: string }).text.length).toBeGreaterThan(0);
    const settled = await served.host.waitForSettled(eventId, { terminalOnly: true });
    expect(settled).toMatchObject({ disposition: 'replied', login: 'widget', connector: 'gateway-clients' });
    const detail = await served.host.api['events.get']({ id: eventId });
    expect(detail?.event.identity.external).toMatchObject({ platform: 'gateway', login: 'widget', roles: [] });
    // Recorded on the slip with its result, and once in the delivery ledger.
    const step = detail?.event.routing.slip.find((s) => s.id === 'gateway-clients');
    expect(step).toMatchObject({ status: 'OK' });
    expect(step?.notes?.join(' ')).toMatch(/delivered via gateway-clients/);
    expect(detail?.deliveries.filter((d) => d.connector === 'gateway-clients')).toHaveLength(1);
    client.ws.close();
  });

  it('accepts a custom trigger with a name and arguments', async () => {
    const client = await connect(sender);
    client.send({ type: 'client.trigger.v1', id: 7, payload: { name: 'scene.switch', args: { scene: 'brb', n: 2 } } });
    const ack = await client.next(ackFor(7));
    const eventId = (ack.payload as { eventId: string }).eventId;
    const settled = await served.host.waitForSettled(eventId, { terminalOnly: true });
    const detail = await served.host.api['events.get']({ id: eventId });
    expect(detail?.event).toMatchObject({
      type: 'client.trigger.v1',
      details: { name: 'scene.switch', args: { scene: 'brb', n: 2 } },
    });
    expect(settled.disposition).toBe('ignored');
    client.ws.close();
  });

  it('refuses forged event types and impersonation, naming the reason', async () => {
    const client = await connect(sender);
    client.send({ type: 'chat.message.v1', id: 'f1', payload: { text: 'hi' } });
    expect((await client.next(errorFor('f1'))).payload).toMatchObject({ code: 'FORBIDDEN_TYPE' });
    client.send({ type: 'twitch.sub.v1', id: 'f2', payload: {} });
    expect((await client.next(errorFor('f2'))).payload).toMatchObject({ code: 'FORBIDDEN_TYPE' });
    client.send({
      type: 'client.chat.v1',
      id: 'f3',
      payload: { text: 'I am the streamer', identity: { external: { login: 'streamer', roles: ['broadcaster'] } } },
    });
    const impersonation = await client.next(errorFor('f3'));
    expect(impersonation.payload).toMatchObject({ code: 'FORBIDDEN_FIELD' });
    expect((impersonation.payload as { message: string }).message).toMatch(/payload\.identity/);
    client.send({ type: 'client.chat.v1', id: 'f4', payload: { text: 'x' }, ingress: { connector: 'twitch-chat' } });
    expect((await client.next(errorFor('f4'))).payload).toMatchObject({ code: 'FORBIDDEN_FIELD' });
    client.send({ type: 'client.chat.v1', id: 'f5', payload: { text: '' } });
    expect((await client.next(errorFor('f5'))).payload).toMatchObject({ code: 'INVALID_PAYLOAD' });
    client.send('{not json');
    expect((await client.next((frame) => frame.type === 'error' && frame.payload.code === 'BAD_FRAME')).id).toBeNull();
    // Still usable afterwards.
    client.send({ type: 'ping', id: 'p' });
    expect(await client.next((frame) => frame.type === 'pong' && frame.id === 'p')).toMatchObject({
      type: 'pong',
      id: 'p',
    });
    client.ws.close();
  });

  it('enforces scopes: read-only cannot send, send-only cannot read events', async () => {
    const obs = await connect(overlay);
    obs.send({ type: 'client.chat.v1', id: 'o1', payload: { text: 'hello' } });
    expect((await obs.next(errorFor('o1'))).payload).toMatchObject({ code: 'SCOPE' });
    obs.send({ type: 'subscribe', id: 'o2', payload: { topics: ['events'] } });
    expect((await obs.next(errorFor('o2'))).payload).toMatchObject({ code: 'SCOPE' });
    obs.send({ type: 'subscribe', id: 'o3', payload: { topics: ['replies', 'alerts'] } });
    expect(await obs.next(ackFor('o3'))).toMatchObject({ type: 'ack', id: 'o3' });
    const deck = await connect(sender);
    deck.send({ type: 'subscribe', id: 'd1', payload: { topics: ['events'] } });
    expect((await deck.next(errorFor('d1'))).payload).toMatchObject({ code: 'SCOPE' });
    obs.ws.close();
    deck.ws.close();
  });
});

describe('client API: catching up', () => {
  it('replays recent replies to a client that subscribes with `since` (the overlay after a reconnect)', async () => {
    const since = Date.now();
    const [result] = await served.host.submit('test', [
      {
        type: 'chat.message.v1',
        ingress: { connector: 'test', channel: 'c' },
        identity: { external: { id: '77', login: 'zoe', displayName: 'Zoe', roles: [] } },
        message: { text: '!hello' },
      },
    ]);
    if (!result?.ok) throw new Error('not accepted');
    await served.host.waitForSettled(result.id, { terminalOnly: true });
    const late = await connect(overlay);
    late.send({ type: 'subscribe', id: 'late', payload: { topics: ['replies'], since } });
    const reply = await late.next((frame) => frame.type === 'reply' && frame.payload.eventId === result.id);
    expect(reply.payload).toMatchObject({ to: { login: 'zoe', displayName: 'Zoe' } });
    late.ws.close();
  });
});

describe('client API: limits', () => {
  it('refuses an oversized frame with an error frame and keeps the socket; a huge one closes it', async () => {
    const client = await connect(sender);
    client.send({ type: 'client.chat.v1', id: 'big', payload: { text: 'x'.repeat(5000) } });
    const tooLarge = await client.next((frame) => frame.type === 'error' && frame.payload.code === 'FRAME_TOO_LARGE');
    expect((tooLarge.payload as { message: string }).message).toMatch(/4096/);
    client.send({ type: 'ping', id: 'after' });
    expect(await client.next((frame) => frame.type === 'pong' && frame.id === 'after')).toMatchObject({
      type: 'pong',
      id: 'after',
    });
    client.send('x'.repeat(300 * 1024));
    expect(await client.closed).toBe(1009);
  });

  it('rate-limits a flooding client while another client is unaffected', async () => {
    const created = await served.extensions.clients.create({ name: 'flooder', scopes: ['send'] });
    if (!created.ok) throw new Error(created.error);
    const flood = await connect(created.value.token);
    const calm = await connect(receiver);
    await flood.next((frame) => frame.type === 'welcome');
    await calm.next((frame) => frame.type === 'welcome');
    for (let i = 0; i < 60; i++) flood.send({ type: 'ping', id: `f${i}` });
    const limited = await flood.next((frame) => frame.type === 'error' && frame.payload.code === 'RATE_LIMITED');
    expect((limited.payload as { message: string }).message).toMatch(/per second/);
    calm.send({ type: 'ping', id: 'calm' });
    const started = Date.now();
    await calm.next((frame) => frame.type === 'pong' && frame.id === 'calm');
    expect(Date.now() - started).toBeLessThan(500);
    // Wait for every answer to the flood, then count: burst of 10 answered, the rest refused.
    await flood.next(() => flood.frames.filter((f) => f.type === 'pong' || f.type === 'error').length >= 60);
    const pongs = flood.frames.filter((frame) => frame.type === 'pong').length;
    expect(pongs).toBeGreaterThanOrEqual(10);
    expect(pongs).toBeLessThan(20);
    const stats = await served.extensions.admin['clients.stats']({});
    expect(stats.clients.refused.RATE_LIMITED).toBeGreaterThanOrEqual(40);
    flood.ws.close();
    calm.ws.close();
  });

  it('closes a dead socket that stops answering pings', async () => {
    const before = served.extensions.hub.counters().refused.DEAD_SOCKET ?? 0;
    const dead = await connect(receiver, { autoPong: false });
    const code = await dead.closed;
    expect(code).toBe(1006);
    expect(served.extensions.hub.counters().refused.DEAD_SOCKET).toBe(before + 1);
    // A live client answering pings stays.
    const live = await connect(receiver);
    let pings = 0;
    await new Promise<void>((resolve) =>
      live.ws.on('ping', () => {
        if (++pings === 3) resolve();
      }),
    );
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    live.ws.close();
  });
});
