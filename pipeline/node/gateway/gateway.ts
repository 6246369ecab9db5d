/**
 * The gateway: one HTTP + WebSocket server on 127.0.0.1 (the LAN only when the streamer turns it
 * on). It serves the console's static files, `GET /api/health`, and the HostApi over WebSocket.
 *
 * Every socket needs the console token, offered as a WebSocket subprotocol
 * (`bitbrat.token.<token>`) so it never appears in a URL or a server log; a browser's Origin must
 * be this server's own. Frames are JSON RPC messages (pipeline/core/rpc.ts); params are parsed
 * with the HostApi schemas before the host sees them.
 */
import { timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  parseHostParams,
  type ConsoleProtocol,
  type HostApi,
  type HostProtocol,
  type HostPushes,
  type HostTopic,
} from '../../core/host-api.js';
import { CONSOLE_CSP } from '../../core/console-csp.js';
import type { EventSummary } from '../../core/protocol/pipeline.js';
import {
  CLOSE_UNAUTHORIZED,
  CONSOLE_WS_PATH,
  CONSOLE_WS_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
} from '../../core/protocol/websocket.js';
import { createPeer, type LogLevel, type Peer, type RpcMessage, type Transport } from '../../core/rpc.js';

const MAX_FRAME_BYTES = 1024 * 1024;
/** Live-feed pushes per socket are batched: at most this many per second. */
const PUSH_INTERVAL_MS = 50;
/** A console this far behind loses live-feed batches (it re-pages from the host) instead of the host's memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface GatewayHost {
  readonly api: HostApi;
  subscribe(listener: <T extends HostTopic>(topic: T, data: HostPushes[T]) => void): () => void;
}

export interface GatewayOptions {
  host: GatewayHost;
  token: string;
  port: number;
  /** Listen on every interface (LAN consoles). Off: loopback only. */
  lan?: boolean;
  /** The built console (dist/renderer). */
  staticDir: string;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** Extra HTTP routes, tried before the built-in ones (overlay, webhooks): resolve true when handled. */
  routes?: readonly GatewayRoute[];
  /** Extra WebSocket paths (the client API); each handler owns its upgrade: token, Origin, protocol. */
  upgrades?: Readonly<Record<string, GatewayUpgrade>>;
}

export type GatewayRoute = (request: IncomingMessage, response: ServerResponse, url: URL) => boolean | Promise<boolean>;
export type GatewayUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface Gateway {
  readonly port: number;
  readonly url: string;
  /** The URL to open the console with, token in the fragment (never sent to the server). */
  readonly consoleUrl: string;
  readonly connections: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function tokensEqual(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { host, token, log } = options;
  const staticRoot = resolve(options.staticDir);
  const server: Server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      log('error', 'gateway request failed', { error: String(error) });
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  const handleHttp = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    for (const route of options.routes ?? []) if (await route(request, response, url)) return;
    if (url.pathname === '/api/health') {
      const auth = request.headers.authorization ?? '';
      const offered = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!tokensEqual(offered, token)) {
        response
          .writeHead(401, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: 'missing or wrong token' }));
        return;
      }
      const health = await host.api['health.get']({});
      const ok = health.workers.every((worker) => worker.state === 'ready');
      response.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify(health));
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    serveStatic(url.pathname, response);
  };

  const serveStatic = (pathname: string, response: ServerResponse) => {
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      response.writeHead(400).end('bad path');
      return;
    }
    if (relative.includes('\0')) {
      response.writeHead(400).end('bad path');
      return;
    }
    if (relative === '/' || relative === '') relative = '/index.html';
    const file = normalize(join(staticRoot, relative));
    if (!file.startsWith(staticRoot + sep)) {
      response.writeHead(403).end('forbidden');
      return;
    }
    const target = existsSync(file) && statSync(file).isFile() ? file : join(staticRoot, 'index.html');
    if (!existsSync(target)) {
      response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('The console is not built yet. Run `npm run build` in the BitBrat folder, then reload.');
      return;
    }
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONSOLE_CSP,
      'Cache-Control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    createReadStream(target).pipe(response);
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has(CONSOLE_WS_PROTOCOL) ? CONSOLE_WS_PROTOCOL : false),
  });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const extra =
      options.upgrades && Object.hasOwn(options.upgrades, url.pathname) ? options.upgrades[url.pathname] : undefined;
    if (extra) return extra(request, socket, head);
    if (url.pathname !== CONSOLE_WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !isOwnOrigin(origin, request.headers.host)) {
      log('warn', 'refused a console socket from a foreign origin', { origin });
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      // Oversized or malformed frames end the socket (ws closes it with 1009/1002); log, never crash.
      ws.on('error', (error) => log('warn', 'console socket error', { error: error.message }));
      const offered = String(request.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((part) => part.trim())
        .find((part) => part.startsWith(TOKEN_PROTOCOL_PREFIX));
      if (!offered || !tokensEqual(offered.slice(TOKEN_PROTOCOL_PREFIX.length), token)) {
        ws.close(CLOSE_UNAUTHORIZED, 'missing or wrong token');
        return;
      }
      connect(ws);
    });
  });

  const sockets = new Set<WebSocket>();
  const connect = (ws: WebSocket) => {
    sockets.add(ws);
    const transport = wsTransport(ws, log);
    const peer: Peer<ConsoleProtocol> = createPeer<HostProtocol, ConsoleProtocol>(transport, {
      handlers: host.api,
      validate: parseHostParams,
    });
    // Batched pushes: the feed coalesced by event id, sent at most every PUSH_INTERVAL_MS.
    const feed = new Map<string, EventSummary>();
    let approvals: HostPushes['approvals'] = [];
    let health: HostPushes['health'] | null = null;
    let dropped = 0;
    const timer = setInterval(() => {
      if (ws.readyState !== ws.OPEN) return;
      if (feed.size > 0) {
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          dropped += feed.size;
        } else peer.push('feed', [...feed.values()]);
        feed.clear();
      }
      if (approvals.length > 0) peer.push('approvals', approvals);
      approvals = [];
      if (health) peer.push('health', health);
      health = null;
    }, PUSH_INTERVAL_MS);
    const unsubscribe = host.subscribe((topic, data) => {
      if (topic === 'feed') for (const summary of data as EventSummary[]) feed.set(summary.id, summary);
      else if (topic === 'approvals') approvals = approvals.concat(data as HostPushes['approvals']);
      else health = data as HostPushes['health'];
    });
    ws.on('close', () => {
      sockets.delete(ws);
      clearInterval(timer);
      unsubscribe();
      peer.close('socket closed');
      if (dropped > 0) log('info', `a slow console missed ${dropped} live-feed updates`);
    });
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.lan ? '0.0.0.0' : '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  log('info', `gateway listening on ${options.lan ? `all interfaces (LAN access on), port ${port}` : url}`);
  return {
    port,
    url,
    consoleUrl: `${url}/#token=${token}`,
    get connections() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const ws of sockets) ws.close(1001, 'server stopping');
        wss.close();
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

export function isOwnOrigin(origin: string, hostHeader: string | undefined): boolean {
  try {
    return new URL(origin).host === hostHeader;
  } catch {
    return false;
  }
}

/** RPC over a WebSocket: JSON text frames; a frame that is not a valid message is answered, not fatal. */
export function wsTransport(
  ws: WebSocket,
  log: (level: LogLevel, message: string, fields?: Record<string, unknown>) => void,
): Transport {
  let receiver: ((message: RpcMessage) => void) | undefined;
  ws.on('message', (data, isBinary) => {
    if (isBinary) return sendError('binary frames are not accepted');
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return sendError('a frame was not valid JSON');
    }
    if (!isWellFormed(message)) return sendError('a frame was not a request or cancel message');
    receiver?.(message);
  });
  const sendError = (text: string) => {
    log('warn', `console socket: ${text}`);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'log', level: 'warn', message: text }));
  };
  return {
    send(message) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    },
    onMessage(receive) {
      receiver = receive;
      return () => {
        receiver = undefined;
      };
    },
  };
}

/** Consoles may send requests and cancels; anything else is refused before the RPC layer. */
function isWellFormed(value: unknown): value is RpcMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message.type === 'request') return Number.isSafeInteger(message.id) && typeof message.method === 'string';
  if (message.type === 'cancel') return Number.isSafeInteger(message.id);
  return false;
}
