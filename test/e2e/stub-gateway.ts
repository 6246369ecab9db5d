/**
 * A stand-in for the host's gateway, for renderer tests until the real host runs in the suite:
 * it serves the built console (dist/renderer), speaks the gateway's WebSocket handshake
 * (subprotocols `bitbrat.v1` + `bitbrat.token.T`, close 4401 on a bad token) and answers HostApi
 * calls with handlers the test supplies. Pushes go to every connected console.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer } from 'ws';
import type { HostProtocol, HostPushes, HostTopic } from '../../pipeline/core/host-api.js';
import { createPeer, type Peer, type RequestHandlers, type RpcMessage } from '../../pipeline/core/rpc.js';
import type { ConsoleSide } from '../../renderer/bridge/ws-bridge.js';

export const RENDERER_DIR = join(import.meta.dirname, '../../dist/renderer');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};

export interface StubGateway {
  port: number;
  url: string;
  calls: { method: string; params: unknown }[];
  push<T extends HostTopic>(topic: T, data: HostPushes[T]): void;
  close(): Promise<void>;
}

export async function startStubGateway(options: {
  token: string;
  port?: number;
  handlers?: Partial<RequestHandlers<HostProtocol>>;
}): Promise<StubGateway> {
  const calls: { method: string; params: unknown }[] = [];
  const http = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(RENDERER_DIR, path === '/' ? 'index.html' : path);
    if (!file.startsWith(RENDERER_DIR) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  const wss = new WebSocketServer({
    server: http,
    path: '/api/ws',
    handleProtocols: (protocols) => (protocols.has('bitbrat.v1') ? 'bitbrat.v1' : false),
  });
  const consoles = new Set<Peer<ConsoleSide>>();
  wss.on('connection', (socket, request) => {
    const offered = String(request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((part) => part.trim());
    if (!offered.includes(`bitbrat.token.${options.token}`)) {
      socket.close(4401, 'bad token');
      return;
    }
    let receive: ((message: RpcMessage) => void) | undefined;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as RpcMessage;
      if (message.type === 'request') calls.push({ method: message.method, params: message.params });
      receive?.(message);
    });
    const peer = createPeer<HostProtocol, ConsoleSide>(
      {
        send: (message) => socket.send(JSON.stringify(message)),
        onMessage: (receiver) => {
          receive = receiver;
          return () => (receive = undefined);
        },
      },
      { handlers: options.handlers ?? {} },
    );
    consoles.add(peer);
    socket.on('close', () => {
      consoles.delete(peer);
      peer.close('socket closed');
    });
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/#token=${options.token}`,
    calls,
    push: (topic, data) => {
      for (const peer of consoles) peer.push(topic, data);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
