/**
 * The gateway against the real host, with real WebSocket and HTTP clients on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RpcMessage } from '../../core/rpc.js';
import { serve, type Served } from '../cli/serve.js';
import {
  CLOSE_UNAUTHORIZED,
  CONSOLE_WS_PATH,
  CONSOLE_WS_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
} from '../../core/protocol/websocket.js';

let served: Served;
let dataDir: string;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-gateway-'));
  served = await serve({ dataDir, port: 0, lan: false, demo: null, log: () => undefined });
  token = new URL(served.gateway.consoleUrl).hash.replace('#token=', '');
});

afterAll(async () => {
  await served.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function open(protocols: string[], headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${served.gateway.port}${CONSOLE_WS_PATH}`, protocols, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

function next(ws: WebSocket, predicate: (message: RpcMessage) => boolean): Promise<RpcMessage> {
  return new Promise((resolve) => {
    const listener = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as RpcMessage;
      if (predicate(message)) {
        ws.off('message', listener);
        resolve(message);
      }
    };
    ws.on('message', listener);
  });
}

async function call(ws: WebSocket, id: number, method: string, params: unknown) {
  const answer = next(ws, (message) => message.type === 'response' && message.id === id);
  ws.send(JSON.stringify({ type: 'request', id, method, params }));
  return (await answer) as Extract<RpcMessage, { type: 'response' }>;
}

describe('gateway', () => {
  it('listens on loopback only by default', () => {
    expect(served.gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /api/health with every worker state, only with the token', async () => {
    const url = `${served.gateway.url}/api/health`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const health = (await response.json()) as { workers: { role: string; state: string }[] };
    expect(health.workers.map((worker) => worker.role).sort()).toEqual([
      'egress',
      'enrichment',
      'ingress',
      'reaction',
      'router',
      'store',
    ]);
    expect(health.workers.every((worker) => worker.state === 'ready')).toBe(true);
  });

  it('closes a socket with no token or a wrong token with code 4401', async () => {
    expect(await closed(await open([CONSOLE_WS_PROTOCOL]))).toBe(CLOSE_UNAUTHORIZED);
    expect(await closed(await open([CONSOLE_WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}nope`]))).toBe(CLOSE_UNAUTHORIZED);
  });

  it('refuses a browser socket from a foreign origin', async () => {
    await expect(
      open([CONSOLE_WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { Origin: 'https://evil.example' }),
    ).rejects.toThrow(/403/);
  });

  it('serves the HostApi: valid calls answer, bad params name the field, unknown methods are refused', async () => {
    const ws = await open([CONSOLE_WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { Origin: served.gateway.url });
    try {
      const settings = await call(ws, 1, 'settings.get', {});
      expect(settings.result).toMatchObject({ botName: 'bitbrat' });
      const bad = await call(ws, 2, 'events.list', { limit: 'lots' });
      expect(bad.error).toMatchObject({ code: 'INVALID_PARAMS' });
      expect(bad.error!.message).toMatch(/limit/);
      const unknown = await call(ws, 3, 'fs.readFile', { path: '/etc/passwd' });
      expect(unknown.error).toMatchObject({ code: 'UNKNOWN_METHOD' });
      const setting = await call(ws, 4, 'settings.set', { key: 'retentionDays', value: -3 });
      expect(setting.result).toMatchObject({ ok: false });
    } finally {
      ws.close();
    }
  });

  it('answers a garbage frame with a warning and keeps the socket open', async () => {
    const ws = await open([CONSOLE_WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`]);
    try {
      const warning = next(ws, (message) => message.type === 'log');
      ws.send('{not json');
      expect(await warning).toMatchObject({ type: 'log', level: 'warn' });
      const settings = await call(ws, 9, 'settings.get', {});
      expect(settings.error).toBeUndefined();
    } finally {
      ws.close();
    }
  });

  it('closes a socket that sends an oversized frame', async () => {
    const ws = await open([CONSOLE_WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`]);
    const code = closed(ws);
    ws.send(
      JSON.stringify({ type: 'request', id: 1, method: 'events.list', params: { text: 'x'.repeat(2 * 1024 * 1024) } }),
    );
    expect(await code).toBe(1009);
  });

  it('pushes the live feed to a connected console in batches', async () => {
    const ws = await open([CONSOLE_WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`]);
    try {
      const feed = next(
        ws,
        (message) =>
          message.type === 'push' &&
          message.topic === 'feed' &&
          (message.data as { disposition: string | null }[]).some((item) => item.disposition === 'replied'),
      );
      await served.host.submit('test', [
        {
          type: 'chat.message.v1',
          ingress: { connector: 'test', channel: 'c' },
          identity: { external: { id: '9', login: 'nina', displayName: 'Nina', roles: [] } },
          message: { text: '!hello' },
        },
      ]);
      const push = (await feed) as Extract<RpcMessage, { type: 'push' }>;
      expect((push.data as { login: string }[])[0]!.login).toBe('nina');
    } finally {
      ws.close();
    }
  });

  it('refuses path traversal for static files', async () => {
    const response = await fetch(`${served.gateway.url}/..%2f..%2fetc%2fpasswd`);
    expect(response.status).toBe(403);
    const body = await response.text();
    expect(body).not.toMatch(/root:/);
  });
});
