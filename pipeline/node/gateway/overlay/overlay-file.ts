/**
 * Writes the overlay as a local file for OBS ("Local file" browser source), so the overlay works
 * when OBS starts before BitBrat: the file loads at once, shows nothing, and connects when the app
 * is up. It holds a read-only client token, so it is written 0600 in the data folder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClientIdentity } from '../clients/client-tokens.js';
import { overlayFileHtml } from './overlay-page.js';

export const OVERLAY_FILE = 'obs-overlay.html';

export type OverlayFileResult = { ok: true; value: { path: string; fileUrl: string } } | { ok: false; error: string };

export function writeOverlayFile(options: {
  dataDir: string;
  /** host:port of the running gateway. */
  gateway: string;
  token: string;
  theme: Record<string, string>;
  authenticate(token: string): ClientIdentity | null;
}): OverlayFileResult {
  const client = options.authenticate(options.token);
  if (!client) return { ok: false, error: 'that token is unknown or revoked: create a read-only client token first' };
  if (client.scopes.some((scope) => scope !== 'read-only')) {
    return {
      ok: false,
      error: 'the overlay file may only hold a read-only token (a file on disk can be read by other programs)',
    };
  }
  const query = new URLSearchParams({ ...options.theme, token: options.token }).toString();
  const path = join(options.dataDir, OVERLAY_FILE);
  writeFileSync(path, overlayFileHtml({ gateway: options.gateway, query }), { mode: 0o600 });
  return { ok: true, value: { path, fileUrl: pathToFileURL(path).href } };
}
