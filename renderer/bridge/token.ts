/**
 * The browser console's access token. `bitbrat serve` prints `http://127.0.0.1:PORT/#token=T`:
 * the fragment never reaches the server's logs or a Referer header. We keep the token for this tab
 * only (sessionStorage) and take it out of the address bar so it is not shared by a screenshot.
 */
export const TOKEN_STORAGE_KEY = 'bitbrat.token';

export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Returns the token from the fragment (remembering it) or from storage; null when there is none. */
export function readToken(hash: string, storage: TokenStorage): { token: string | null; fromHash: boolean } {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const fromHash = params.get('token')?.trim();
  if (fromHash) {
    storage.setItem(TOKEN_STORAGE_KEY, fromHash);
    return { token: fromHash, fromHash: true };
  }
  const stored = storage.getItem(TOKEN_STORAGE_KEY);
  return { token: stored && stored.length > 0 ? stored : null, fromHash: false };
}

/** WebSocket subprotocols must be RFC 7230 tokens; anything else would make the browser throw. */
export function isValidToken(token: string): boolean {
  return /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,512}$/.test(token);
}
