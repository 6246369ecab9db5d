/**
 * A local server playing Twitch's OAuth device endpoints for a public client
 * (https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#device-code-grant-flow):
 * POST /oauth2/device, POST /oauth2/token (device_code grant, refresh_token grant with single-use
 * refresh tokens, as Twitch does for public clients), GET /oauth2/validate (who the token belongs to) and
 * POST /oauth2/revoke. Tests approve codes (as a given user) and revoke tokens.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwitchOAuthServer {
  readonly baseUrl: string;
  /** Token requests seen, by grant type. */
  readonly calls: { device: number; deviceToken: number; refresh: number };
  /** Approves the code as `user` (default login `viewer`, id `1`): the issued token validates as that user. */
  approve(userCode: string, user?: TwitchOAuthUser): void;
  revokeRefreshToken(refreshToken: string): void;
  /** Access tokens issued and not revoked, newest last. */
  readonly accessTokens: ReadonlyMap<string, TwitchOAuthUser & { scopes: string[] }>;
  /** Makes each refresh answer this much later (to overlap concurrent callers). */
  refreshDelayMs: number;
  /**
   * The message of a refused refresh, given the refresh token sent (default "Invalid refresh
   * token"); some OAuth servers and proxies quote what they were sent.
   */
  refusedRefreshMessage: (refreshToken: string) => string;
  close(): Promise<void>;
}

export interface TwitchOAuthUser {
  login: string;
  userId: string;
}

export async function startTwitchOAuthServer(options: {
  clientId: string;
  expiresIn?: number;
}): Promise<TwitchOAuthServer> {
  const devices = new Map<string, { userCode: string; scopes: string[]; approved: boolean; user: TwitchOAuthUser }>();
  const refreshTokens = new Map<string, { scopes: string[]; user: TwitchOAuthUser }>();
  const accessTokens = new Map<string, TwitchOAuthUser & { scopes: string[] }>();
  const calls = { device: 0, deviceToken: 0, refresh: 0 };
  let serial = 0;
  const state = {
    refreshDelayMs: 0,
    refusedRefreshMessage: (_refreshToken: string): string => 'Invalid refresh token',
  };

  const issue = (scopes: string[], user: TwitchOAuthUser) => {
    serial += 1;
    const refresh = `refresh-${serial}`;
    refreshTokens.set(refresh, { scopes, user });
    accessTokens.set(`access-${serial}`, { ...user, scopes });
    return {
      access_token: `access-${serial}`,
      refresh_token: refresh,
      expires_in: options.expiresIn ?? 14_400,
      scope: scopes,
      token_type: 'bearer',
    };
  };

  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      const form = new URLSearchParams(raw);
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method === 'GET' && request.url === '/oauth2/validate') {
        const token = /^OAuth (.+)$/.exec(String(request.headers['authorization'] ?? ''))?.[1] ?? '';
        const owner = accessTokens.get(token);
        if (!owner) return reply(401, { status: 401, message: 'invalid access token' });
        return reply(200, {
          client_id: options.clientId,
          login: owner.login,
          scopes: owner.scopes,
          user_id: owner.userId,
          expires_in: options.expiresIn ?? 14_400,
        });
      }
      if (request.method !== 'POST') return reply(404, { status: 404, message: 'not found' });
      if (form.get('client_id') !== options.clientId) return reply(400, { status: 400, message: 'invalid client' });
      if (request.url === '/oauth2/device') {
        calls.device += 1;
        const deviceCode = `device-${devices.size + 1}`;
        const userCode = `CODE${devices.size + 1}`;
        devices.set(deviceCode, {
          userCode,
          scopes: (form.get('scopes') ?? '').split(' ').filter(Boolean),
          approved: false,
          user: { login: 'viewer', userId: '1' },
        });
        return reply(200, {
          device_code: deviceCode,
          expires_in: 1800,
          interval: 1,
          user_code: userCode,
          verification_uri: `https://www.twitch.tv/activate?device-code=${userCode}`,
        });
      }
      if (request.url === '/oauth2/revoke') {
        accessTokens.delete(form.get('token') ?? '');
        return reply(200, {});
      }
      if (request.url !== '/oauth2/token') return reply(404, { status: 404, message: 'not found' });
      const grant = form.get('grant_type');
      if (grant === 'urn:ietf:params:oauth:grant-type:device_code') {
        calls.deviceToken += 1;
        const device = devices.get(form.get('device_code') ?? '');
        if (!device) return reply(400, { status: 400, message: 'invalid device code' });
        if (!device.approved) return reply(400, { status: 400, message: 'authorization_pending' });
        devices.delete(form.get('device_code') ?? '');
        return reply(200, issue(device.scopes, device.user));
      }
      if (grant === 'refresh_token') {
        calls.refresh += 1;
        const token = form.get('refresh_token') ?? '';
        const grant = refreshTokens.get(token);
        // Public clients' refresh tokens are single-use: the first use consumes it.
        refreshTokens.delete(token);
        setTimeout(() => {
          if (!grant) reply(400, { status: 400, message: state.refusedRefreshMessage(token) });
          else reply(200, issue(grant.scopes, grant.user));
        }, state.refreshDelayMs);
        return;
      }
      return reply(400, { status: 400, message: 'unsupported grant type' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/oauth2`,
    calls,
    approve(userCode, user) {
      for (const device of devices.values()) {
        if (device.userCode !== userCode) continue;
        device.approved = true;
        if (user) device.user = user;
      }
    },
    accessTokens,
    revokeRefreshToken(token) {
      refreshTokens.delete(token);
    },
    get refreshDelayMs() {
      return state.refreshDelayMs;
    },
    set refreshDelayMs(ms: number) {
      state.refreshDelayMs = ms;
    },
    get refusedRefreshMessage() {
      return state.refusedRefreshMessage;
    },
    set refusedRefreshMessage(message: (refreshToken: string) => string) {
      state.refusedRefreshMessage = message;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
