/** Serves the overlay page (`/overlay`) and its two assets; nothing else under `/overlay/`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OVERLAY_CSP, OVERLAY_CSS, OVERLAY_HTML, OVERLAY_JS } from './overlay-page.js';

export const OVERLAY_PATH = '/overlay';

const ASSETS: Record<string, { type: string; body: string }> = {
  [OVERLAY_PATH]: { type: 'text/html; charset=utf-8', body: OVERLAY_HTML },
  [`${OVERLAY_PATH}/overlay.css`]: { type: 'text/css; charset=utf-8', body: OVERLAY_CSS },
  [`${OVERLAY_PATH}/overlay.js`]: { type: 'text/javascript; charset=utf-8', body: OVERLAY_JS },
};

/** The URL to paste into an OBS browser source, with theme options. */
export function overlayUrl(base: string, token: string, theme: Record<string, string> = {}): string {
  const url = new URL(OVERLAY_PATH, base);
  url.searchParams.set('token', token);
  for (const [key, value] of Object.entries(theme)) url.searchParams.set(key, value);
  return url.toString();
}

export function overlayRoute(request: IncomingMessage, response: ServerResponse, url: URL): boolean {
  if (url.pathname !== OVERLAY_PATH && !url.pathname.startsWith(`${OVERLAY_PATH}/`)) return false;
  const asset = Object.hasOwn(ASSETS, url.pathname) ? ASSETS[url.pathname] : undefined;
  if (!asset) {
    response.writeHead(404).end();
    return true;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return true;
  }
  response.writeHead(200, {
    'Content-Type': asset.type,
    'Content-Security-Policy': OVERLAY_CSP,
    // The page holds a token in its URL: never cache it, never send it on as a referrer.
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
  });
  response.end(request.method === 'HEAD' ? undefined : asset.body);
  return true;
}
