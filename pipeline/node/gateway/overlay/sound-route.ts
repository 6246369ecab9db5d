/**
 * Serves alert sounds to the overlay: `/overlay/sounds/<name>?token=<client token>`. Only a token
 * that may receive alerts (`read-only` or `receive`) gets a file; the name is checked before the data
 * folder is touched, so nothing but a stored sound can be read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TOPIC_SCOPES } from '../../../core/client-protocol.js';
import { readSound } from '../../alerts/sounds.js';
import type { ClientIdentity } from '../clients/client-tokens.js';
import { OVERLAY_PATH } from './overlay-route.js';

export const SOUNDS_PATH = `${OVERLAY_PATH}/sounds/`;

export function soundRoute(deps: {
  dataDir: string;
  authenticate(token: string): ClientIdentity | null;
}): (request: IncomingMessage, response: ServerResponse, url: URL) => boolean {
  return (request, response, url) => {
    if (!url.pathname.startsWith(SOUNDS_PATH)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return true;
    }
    const client = deps.authenticate(url.searchParams.get('token') ?? '');
    if (!client || !client.scopes.some((scope) => TOPIC_SCOPES.alerts.includes(scope))) {
      response.writeHead(401, { 'Cache-Control': 'no-store' }).end();
      return true;
    }
    const sound = readSound(deps.dataDir, decodeURIComponent(url.pathname.slice(SOUNDS_PATH.length)));
    if (!sound) {
      response.writeHead(404, { 'Cache-Control': 'no-store' }).end();
      return true;
    }
    response.writeHead(200, {
      'Content-Type': sound.contentType,
      'Content-Length': String(sound.body.length),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : sound.body);
    return true;
  };
}
