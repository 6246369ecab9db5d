/**
 * The browser console's WebSocket bridge against a real WebSocket server speaking the gateway's
 * handshake (subprotocols `bitbrat.v1` + `bitbrat.token.T`, close 4401 on a bad token) and the
 * HostApi RPC: calls, pushes, a refused token, and a host restart on the same port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { HostProtocol } from '../../pipeline/core/host-api.js';
import { SettingsSchema } from '../../pipeline/core/host-api.js';
import { createPeer, type Peer, type RequestHandlers, type RpcMessage } from '../../pipeline/core/rpc.js';
import type { ConnectionStatus } from '../../renderer/bridge/bridge.js';
import {
  createWsBridge,
  type ConsoleSide,
  type SocketFactory,
  type WsBridge,
} from '../../renderer/bridge/ws-bridge.js';

const TOKEN = 'secret-token_1';

const openNodeSocket: SocketFactory = (url, protocols, handlers) => {
  const socket = new WebSocket(url, protocols);
  socket.on('open', () => handlers.onOpen(socket.protocol));
  socket.on('message', (data) => handlers.onMessage(data.toString()));
  socket.on('close', (code, reason) => handlers.onClose(code, reason.toString()));
  // A refused connection emits 'error' before 'close'; the close handler does the reporting.
  socket.on('error', () => {});
  return { send: (data) => socket.send(data), close: (code, reason) => socket.close(code, reason) };
};

interface TestHost {
  port: number;
  consoles: Peer<ConsoleSide>[];
  close(): Promise<void>;
}

async function startHost(port = 0, handlers: Partial<RequestHandlers<HostProtocol>> = {}): Promise<TestHost> {
  const http: Server = createServer();
  const wss = new WebSocketServer({
    server: http,
    path: '/api/ws',
    handleProtocols: (protocols) => (protocols.has('bitbrat.v1') ? 'bitbrat.v1' : false),
  });
  const consoles: Peer<ConsoleSide>[] = [];
  wss.on('connection', (socket, request) => {
    const offered = String(request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((part) => part.trim());
    if (!offered.includes(`bitbrat.token.${TOKEN}`)) {
      socket.close(4401, 'bad token');
      return;
    }
    let receive: ((message: RpcMessage) => void) | undefined;
    socket.on('message', (data) => receive?.(JSON.parse(data.toString()) as RpcMessage));
    const peer = createPeer<HostProtocol, ConsoleSide>(
      {
        send: (message) => socket.send(JSON.stringify(message)),
        onMessage: (receiver) => {
          receive = receiver;
          return () => (receive = undefined);
        },
      },
      { handlers: { 'settings.get': () => SettingsSchema.parse({ channel: 'somechannel' }), ...handlers } },
    );
    consoles.push(peer);
    socket.on('close', () => peer.close('socket closed'));
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    consoles,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}

function waitForStatus(bridge: WsBridge, wanted: ConnectionStatus): Promise<string | null> {
  return new Promise((resolve) => {
    if (bridge.status() === wanted) return resolve(null);
    const off = bridge.onStatus((status, detail) => {
      if (status !== wanted) return;
      off();
      resolve(detail);
    });
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function bridgeTo(port: number, token = TOKEN): WsBridge {
  const bridge = createWsBridge({
    url: `ws://127.0.0.1:${port}/api/ws`,
    token,
    consoleId: 'web-test',
    openSocket: openNodeSocket,
    delayMs: () => 20,
  });
  cleanups.push(() => bridge.dispose());
  return bridge;
}

describe('the WebSocket bridge', () => {
  it('calls the host and receives its pushes', async () => {
    const host = await startHost();
    cleanups.push(() => host.close());
    const bridge = bridgeTo(host.port);
    await waitForStatus(bridge, 'open');
    await expect(bridge.call('settings.get', {})).resolves.toMatchObject({ channel: 'somechannel' });

    const received = new Promise<string[]>((resolve) => {
      const off = bridge.subscribe('feed', (items) => {
        off();
        resolve(items.map((item) => item.id));
      });
    });
    host.consoles[0]!.push('feed', [{ id: 'e1' } as never, { id: 'e2' } as never]);
    await expect(received).resolves.toEqual(['e1', 'e2']);
  });

  it('carries a host error back with its code', async () => {
    const host = await startHost(0, {
      'rules.delete': () => {
        throw Object.assign(new Error('no such rule'), { code: 'NOT_FOUND' });
      },
    });
    cleanups.push(() => host.close());
    const bridge = bridgeTo(host.port);
    await waitForStatus(bridge, 'open');
    await expect(bridge.call('rules.delete', { id: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no such rule',
    });
  });

  it('reports a refused token and stops trying', async () => {
    const host = await startHost();
    cleanups.push(() => host.close());
    const bridge = bridgeTo(host.port, 'wrong-token');
    const detail = await waitForStatus(bridge, 'closed');
    expect(detail).toMatch(/refused the access token/);
    await expect(bridge.call('settings.get', {})).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('reconnects when the host restarts on the same port, and says so in between', async () => {
    const first = await startHost();
    const port = first.port;
    const bridge = bridgeTo(port);
    await waitForStatus(bridge, 'open');
    const statuses: ConnectionStatus[] = [];
    bridge.onStatus((status) => statuses.push(status));

    const closed = waitForStatus(bridge, 'closed');
    await first.close();
    expect(await closed).toMatch(/lost/);
    await expect(bridge.call('settings.get', {})).rejects.toMatchObject({ code: 'CLOSED' });

    const second = await startHost(port);
    cleanups.push(() => second.close());
    await waitForStatus(bridge, 'open');
    expect(statuses[0]).toBe('closed');
    expect(statuses).toContain('connecting');
    await expect(bridge.call('settings.get', {})).resolves.toMatchObject({ channel: 'somechannel' });
  });
});
