/**
 * The app://bitbrat/ protocol that serves the built renderer (dist/renderer) to the window.
 * A custom standard+secure scheme gives the page a real origin (so 'self' in the CSP means
 * something) where file:// would give it the whole disk
 * (https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { SECURITY_HEADERS } from './csp.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'bitbrat';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Passed to protocol.registerSchemesAsPrivileged before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true },
} as const;

/** True for any URL on our own origin. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    // Node's URL gives non-special schemes an origin of "null", so compare the parts instead.
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppPathResolution =
  | { kind: 'file'; relativePath: string; fallbackToIndex: boolean }
  | { kind: 'refused'; status: 400 | 403 | 404; reason: string };

/**
 * Maps a request URL to a path inside the renderer folder. Refuses other hosts, encoded
 * separators, NUL bytes and anything that would leave the folder. Extension-less paths fall back to
 * index.html (client-side routes).
 */
export function resolveAppPath(requestUrl: string): AppPathResolution {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { kind: 'refused', status: 400, reason: 'malformed URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
    return { kind: 'refused', status: 404, reason: 'unknown host' };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return { kind: 'refused', status: 400, reason: 'malformed path encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) {
    return { kind: 'refused', status: 400, reason: 'forbidden character in path' };
  }
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) {
    return { kind: 'refused', status: 403, reason: 'path traversal' };
  }
  if (segments.length === 0) return { kind: 'file', relativePath: 'index.html', fallbackToIndex: false };
  const relativePath = segments.join('/');
  const fallbackToIndex = path.posix.extname(relativePath) === '';
  return { kind: 'file', relativePath, fallbackToIndex };
}

export interface AppProtocolOptions {
  /** The built renderer folder (dist/renderer). */
  rootDir: string;
}

function plainResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

async function insideRoot(root: string, file: string): Promise<string | null> {
  try {
    const real = await realpath(file);
    const relative = path.relative(root, real);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
    const info = await stat(real);
    return info.isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The handler for protocol.handle(APP_SCHEME, ...): a web Request in, a web Response out. */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const rootPromise = realpath(options.rootDir).catch(() => path.resolve(options.rootDir));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plainResponse(405, 'method not allowed');
    const resolution = resolveAppPath(request.url);
    if (resolution.kind === 'refused') return plainResponse(resolution.status, resolution.reason);
    const root = await rootPromise;
    let file = await insideRoot(root, path.join(root, ...resolution.relativePath.split('/')));
    if (!file && resolution.fallbackToIndex) file = await insideRoot(root, path.join(root, 'index.html'));
    if (!file) return plainResponse(404, 'not found');
    const body = request.method === 'HEAD' ? null : await readFile(file);
    const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Cache-Control': 'no-cache' },
    });
  };
}
