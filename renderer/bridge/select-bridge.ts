/**
 * Picks the transport: the Electron preload's bridge when it exists, else the WebSocket gateway
 * of the host that served this page, authenticated with the token from the tokened URL.
 */
import { CONSOLE_WS_PATH } from '../../pipeline/core/protocol/websocket.js';
import type { Bridge } from '../../pipeline/core/bridge.js';
import { openBrowserSocket } from './browser-socket.js';
import { isValidToken, readToken } from './token.js';
import { createWsBridge } from './ws-bridge.js';

export type BridgeChoice = { ok: true; bridge: Bridge } | { ok: false; error: string };

const CONSOLE_ID_KEY = 'bitbrat.consoleId';

function browserConsoleId(): string {
  const known = sessionStorage.getItem(CONSOLE_ID_KEY);
  if (known) return known;
  const id = `web-${crypto.randomUUID().slice(0, 8)}`;
  sessionStorage.setItem(CONSOLE_ID_KEY, id);
  return id;
}

export function selectBridge(): BridgeChoice {
  if (window.bitbrat) return { ok: true, bridge: window.bitbrat };
  const { token, fromHash } = readToken(location.hash, sessionStorage);
  if (fromHash) history.replaceState(null, '', location.pathname + location.search);
  if (!token) {
    return {
      ok: false,
      error: 'No access token. Open the console with the URL that `bitbrat serve` printed (…/#token=…).',
    };
  }
  if (!isValidToken(token)) return { ok: false, error: 'The access token in the URL is malformed.' };
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const bridge = createWsBridge({
    url: `${scheme}://${location.host}${CONSOLE_WS_PATH}`,
    token,
    consoleId: browserConsoleId(),
    openSocket: openBrowserSocket,
  });
  return { ok: true, bridge };
}
