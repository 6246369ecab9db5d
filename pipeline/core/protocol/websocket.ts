/**
 * The gateway's two WebSockets, named once for both ends: the console (`/api/ws`, the HostApi RPC,
 * renderer/bridge/ws-bridge.ts ↔ pipeline/node/gateway/gateway.ts) and the client API
 * (`/api/clients`, core/client-protocol.ts frames, the OBS overlay and external tools ↔
 * gateway/clients/client-hub.ts). Both carry their token as a subprotocol (`bitbrat.token.<token>`,
 * next to the protocol's own name) because a browser cannot set headers on a WebSocket.
 * docs/client-api.md is the prose version.
 */

export const CONSOLE_WS_PATH = '/api/ws';
export const CLIENT_WS_PATH = '/api/clients';

/** The console's subprotocol; the gateway answers with it, or the console refuses the socket. */
export const CONSOLE_WS_PROTOCOL = 'bitbrat.v1';
/** The subprotocol a client offers, next to its token. */
export const CLIENT_WS_PROTOCOL = 'bitbrat.client.v1';
/** Either socket's token travels as this prefix + the token. */
export const TOKEN_PROTOCOL_PREFIX = 'bitbrat.token.';

/** The client did not offer `bitbrat.client.v1` (like HTTP 400: the request cannot be served as sent). */
export const CLOSE_SUBPROTOCOL_REQUIRED = 4400;
/** A missing or wrong token (the console shows "bad token", not "host down"). */
export const CLOSE_UNAUTHORIZED = 4401;
/** The client's token was revoked while it was connected. */
export const CLOSE_REVOKED = 4403;
/** The client stopped answering pings. */
export const CLOSE_TOO_SLOW = 4408;
