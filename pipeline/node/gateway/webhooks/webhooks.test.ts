/**
 * Webhooks against the real gateway and host: inbound requests with real HTTP (fetch), outbound
 * deliveries to a real local HTTP server that fails before it succeeds.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from '../../cli/serve.js';
import { MAX_WEBHOOK_BODY_BYTES } from './inbound.js';
import { SECRET_KEY_FILE } from './secret-box.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, checkSignature, signBody } from './signature.js';

let served: Served;
let dataDir: string;
let inboundSecret: string;
let outboundSecret: string;
let receiver: Server;
const received: { body: string; headers: IncomingMessage['headers'] }[] = [];
let failuresLeft = 2;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-webhooks-'));
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString(), headers: request.headers });
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        response.writeHead(503).end();
      } else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  served = await serve({ dataDir, port: 0, lan: false, demo: null, log: () => undefined });
  const admin = served.extensions.webhooks;
  const inbound = await admin.create({
    direction: 'in',
    name: 'kofi',
    template: {
      type: 'webhook.kofi.v1',
      text: 'data.message',
      displayName: 'data.from_name',
      details: { amount: 'data.amount' },
    },
  });
  if (!inbound.ok) throw new Error(inbound.error);
  inboundSecret = inbound.value.secret;
  const outbound = await admin.create({
    direction: 'out',
    name: 'relay',
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/bitbrat`,
  });
  if (!outbound.ok) throw new Error(outbound.error);
  outboundSecret = outbound.value.secret;
});

afterAll(async () => {
  await served.stop();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

function post(body: string, headers: Record<string, string>, name = 'kofi') {
  return fetch(`${served.gateway.url}/hooks/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
}

function signed(body: string, timestamp = Date.now(), secret = inboundSecret) {
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signBody(secret, timestamp, body) };
}

describe('webhook secrets', () => {
  it('never stores a secret in clear: sealed in SQLite, key in a 0600 file', () => {
    const db = new Database(served.host.dbPath, { readonly: true });
    try {
      const dump = JSON.stringify(db.prepare('SELECT * FROM webhooks').all());
      expect(dump).not.toContain(inboundSecret);
      expect(dump).not.toContain(outboundSecret);
      expect(dump).toMatch(/"secret":"v1:/);
    } finally {
      db.close();
    }
    expect(statSync(join(dataDir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, SECRET_KEY_FILE), 'utf8')).not.toContain(inboundSecret);
  });
});

describe('inbound webhooks', () => {
  it('accepts a signed request and maps it to an event with the template', async () => {
    const body = JSON.stringify({
      data: { message: 'Keep it up!', from_name: 'Alice', amount: '5.00', role: 'broadcaster' },
    });
    const response = await post(body, signed(body));
    expect(response.status).toBe(202);
    const { eventId } = (await response.json()) as { eventId: string };
    await served.host.waitForSettled(eventId, { terminalOnly: true });
    const detail = await served.host.api['events.get']({ id: eventId });
    expect(detail?.event).toMatchObject({
      type: 'webhook.kofi.v1',
      ingress: { connector: 'webhooks', source: 'webhook:kofi' },
      identity: { external: { platform: 'webhook', login: 'kofi', displayName: 'Alice', roles: [] } },
      message: { text: 'Keep it up!' },
      details: { amount: '5.00' },
    });
  });

  it('refuses an unsigned request, a wrong signature and a stale timestamp', async () => {
    const body = JSON.stringify({ data: { message: 'hi' } });
    const unsigned = await post(body, {});
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: { code: 'UNSIGNED' } });
    const wrong = await post(body, signed(body, Date.now(), 'whsec_wrong'));
    expect(await wrong.json()).toMatchObject({ error: { code: 'BAD_SIGNATURE' } });
    const tampered = await post(`${body} `, signed(body));
    expect(tampered.status).toBe(401);
    const stale = await post(body, signed(body, Date.now() - 6 * 60_000));
    expect(await stale.json()).toMatchObject({ error: { code: 'STALE' } });
  });

  it('refuses a replay of a request it accepted', async () => {
    const body = JSON.stringify({ data: { message: 'once' } });
    const headers = signed(body);
    expect((await post(body, headers)).status).toBe(202);
    const replay = await post(body, headers);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ error: { code: 'REPLAY' } });
  });

  it('refuses an oversized body before reading it, and unknown webhooks', async () => {
    const body = JSON.stringify({ data: { message: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) } });
    const response = await post(body, signed(body));
    expect(response.status).toBe(413);
    expect((await post('{}', signed('{}'), 'nope')).status).toBe(404);
    expect((await fetch(`${served.gateway.url}/hooks/kofi`)).status).toBe(405);
    expect(served.extensions.inbound.counters().refused).toMatchObject({ TOO_LARGE: 1, REPLAY: 1, UNSIGNED: 1 });
  });
});

describe('outbound webhooks', () => {
  it('POSTs a delivered reply, signed, retrying with backoff, and records it on the slip', async () => {
    const saved = await served.host.api['rules.save']({
      rule: {
        id: 'deliver-console',
        stage: 'egress',
        when: true,
        slip: ['console', 'webhook'],
        approval: { mode: 'auto' },
      },
    });
    expect(saved.ok).toBe(true);
    const [result] = await served.host.submit('test', [
      {
        type: 'chat.message.v1',
        ingress: { connector: 'test', channel: 'c' },
        identity: { external: { id: '9', login: 'nina', displayName: 'Nina', roles: [] } },
        message: { text: '!hello' },
      },
    ]);
    if (!result?.ok) throw new Error('not accepted');
    const settled = await served.host.waitForSettled(result.id, { terminalOnly: true });
    expect({ disposition: settled.disposition, reason: settled.reason }).toMatchObject({ disposition: 'replied' });
    expect(received).toHaveLength(3);
    const last = received.at(-1)!;
    const check = checkSignature(
      outboundSecret,
      { signature: last.headers[SIGNATURE_HEADER] as string, timestamp: last.headers[TIMESTAMP_HEADER] as string },
      Buffer.from(last.body),
      Date.now(),
    );
    expect(check.ok).toBe(true);
    expect(JSON.parse(last.body)).toMatchObject({
      type: 'bitbrat.delivery.v1',
      eventId: result.id,
      to: { login: 'nina' },
      text: settled.reply,
    });
    const detail = await served.host.api['events.get']({ id: result.id });
    const step = detail?.event.routing.slip.find((s) => s.id === 'webhook');
    expect(step?.notes?.join(' ')).toMatch(/relay: sent \(3 attempts\)/);
    expect(detail?.deliveries.find((d) => d.connector === 'webhook:relay')).toMatchObject({ status: 'sent' });
  });
});
