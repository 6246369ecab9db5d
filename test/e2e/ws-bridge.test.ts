/**
 * The browser console's WebSocket bridge (renderer/bridge/ws-bridge.ts), run in Node over the `ws`
 * package against the real host's gateway: calls, live pushes, an error carried back with its
 * code, a refused token, and a host restart on the same port and data folder.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ConnectionStatus } from '../../pipeline/core/bridge.js';
import { createWsBridge, type SocketFactory, type WsBridge } from '../../renderer/bridge/ws-bridge.js';
import { chat, startTestHost, type TestHost } from './support.js';
import { CONSOLE_WS_PATH } from '../../pipeline/core/protocol/websocket.js';

const openNodeSocket: SocketFactory = (url, protocols, handlers) => {
  const socket = new WebSocket(url, protocols);
  socket.on('open', () => handlers.onOpen(socket.protocol));
  socket.on('message', (data) => handlers.onMessage(data.toString()));
  socket.on('close', (code, reason) => handlers.onClose(code, reason.toString()));
  // A refused connection emits 'error' before 'close'; the close handler does the reporting.
  socket.on('error', () => {});
  return { send: (data) => socket.send(data), close: (code, reason) => socket.close(code, reason) };
};

let host: TestHost;
let token: string;

beforeAll(async () => {
  host = await startTestHost({ channel: 'somechannel' });
  token = new URL(host.url).hash.replace('#token=', '');
}, 30_000);

afterAll(async () => {
  await host?.close();
});

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

const bridges: WsBridge[] = [];
afterEach(() => {
  for (const bridge of bridges.splice(0)) bridge.dispose();
});

function bridgeTo(withToken = token, delayMs = () => 100): WsBridge {
  const bridge = createWsBridge({
    url: `ws://127.0.0.1:${host.port}${CONSOLE_WS_PATH}`,
    token: withToken,
    consoleId: 'web-test',
    openSocket: openNodeSocket,
    delayMs,
  });
  bridges.push(bridge);
  return bridge;
}

describe('the WebSocket bridge against the real gateway', () => {
  it('calls the host and receives its live pushes', async () => {
    const bridge = bridgeTo();
    await waitForStatus(bridge, 'open');
    await expect(bridge.call('settings.get', {})).resolves.toMatchObject({ channel: 'somechannel' });

    const [accepted] = await host.served.host.submit('test', [chat('hello over the bridge', 'vic')]);
    if (!accepted?.ok) throw new Error('not accepted');
    const seen = await new Promise<string>((resolve) => {
      const off = bridge.subscribe('feed', (items) => {
        const mine = items.find((item) => item.id === accepted.id);
        if (!mine) return;
        off();
        resolve(mine.text ?? '');
      });
    });
    expect(seen).toBe('hello over the bridge');
  });

  it('carries a host error back with its code', async () => {
    const bridge = bridgeTo();
    await waitForStatus(bridge, 'open');
    await expect(bridge.call('events.list', { limit: 100_000 })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: expect.stringMatching(/limit/),
    });
  });

  it('reports a refused token and stops trying', async () => {
    const bridge = bridgeTo('wrong-token');
    const detail = await waitForStatus(bridge, 'closed');
    expect(detail).toMatch(/refused the access token/);
    await expect(bridge.call('settings.get', {})).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('reconnects when the host restarts on the same port, and says so in between', async () => {
    const bridge = bridgeTo();
    await waitForStatus(bridge, 'open');
    const statuses: ConnectionStatus[] = [];
    bridge.onStatus((status) => statuses.push(status));

    const closed = waitForStatus(bridge, 'closed');
    await host.stop();
    expect(await closed).toMatch(/lost/);
    await expect(bridge.call('settings.get', {})).rejects.toMatchObject({ code: 'CLOSED' });

    await host.restart();
    await waitForStatus(bridge, 'open');
    expect(statuses[0]).toBe('closed');
    expect(statuses).toContain('connecting');
    // Same data folder: the setting saved before the restart is still there.
    await expect(bridge.call('settings.get', {})).resolves.toMatchObject({ channel: 'somechannel' });
  });
});
