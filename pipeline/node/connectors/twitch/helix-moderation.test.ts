import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTwitchHelixServer, type TwitchHelixServer } from '../../../../test/support/twitch-helix-server.js';
import { startTwitchOAuthServer, type TwitchOAuthServer } from '../../../../test/support/twitch-oauth-server.js';
import { pollDeviceToken, requestDeviceCode, TwitchTokenManager } from './device-auth.js';
import { createHelixModeration, moderationErrorForEvent, type HelixModeration } from './helix-moderation.js';
import { BROADCASTER_SCOPES } from './scopes.js';
import { keyFileCipher, TwitchTokenStore } from './token-store.js';

const CLIENT_ID = 'public-client-id';
const MOD_SCOPES = ['moderator:manage:banned_users', 'moderator:manage:chat_messages'];
let helix: TwitchHelixServer;
let oauth: TwitchOAuthServer;
let manager: TwitchTokenManager;
let moderation: HelixModeration;

/** A real device-code login against the local OAuth server: the token manager holds access-1 / refresh-1. */
beforeEach(async () => {
  helix = await startTwitchHelixServer({ clientId: CLIENT_ID });
  oauth = await startTwitchOAuthServer({ clientId: CLIENT_ID });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbrat-helix-'));
  const store = new TwitchTokenStore(
    path.join(dir, 'tokens.enc'),
    keyFileCipher(path.join(dir, 'key'), () => undefined),
  );
  const auth = { clientId: CLIENT_ID, baseUrl: oauth.baseUrl };
  const code = await requestDeviceCode(auth, MOD_SCOPES);
  oauth.approve(code.userCode);
  const token = await pollDeviceToken(auth, code, MOD_SCOPES);
  manager = new TwitchTokenManager('broadcaster', store, auth);
  manager.link({ ...token, userId: '1001' });
  helix.tokens.set(token.accessToken, { userId: '1001', scopes: MOD_SCOPES });
  moderation = createHelixModeration({
    clientId: CLIENT_ID,
    broadcasterId: '1001',
    moderatorId: '1001',
    tokens: manager,
    baseUrl: helix.baseUrl,
  });
});
afterEach(async () => {
  await helix.close();
  await oauth.close();
});

describe('Helix moderation against a local Helix server', () => {
  it('times out, bans and deletes, returning a result record for each', async () => {
    helix.messages.add('7b1c9a8e-0000-4000-8000-000000000001');
    const before = Date.now();
    const timeout = await moderation.timeout('2002', 600, 'spam links');
    const ban = await moderation.ban('2003', 'hate speech');
    const removed = await moderation.deleteMessage('7b1c9a8e-0000-4000-8000-000000000001');
    expect(timeout).toMatchObject({ action: 'timeout', target: '2002', ok: true, status: 200, durationSeconds: 600 });
    expect(ban).toMatchObject({ action: 'ban', target: '2003', ok: true });
    expect(removed).toMatchObject({
      action: 'delete',
      target: '7b1c9a8e-0000-4000-8000-000000000001',
      ok: true,
      status: 204,
    });
    expect(timeout.at).toBeGreaterThanOrEqual(before);
    expect(helix.bans).toEqual([
      { userId: '2002', duration: 600, reason: 'spam links', moderatorId: '1001' },
      { userId: '2003', duration: null, reason: 'hate speech', moderatorId: '1001' },
    ]);
    expect(helix.deleted).toEqual(['7b1c9a8e-0000-4000-8000-000000000001']);
    expect(moderationErrorForEvent(ban)).toBeNull();
  });

  it('refreshes once after a 401 and succeeds with the new token', async () => {
    helix.tokens.clear();
    // The local OAuth server issues access-2 for the refresh; Helix accepts it.
    helix.tokens.set('access-2', { userId: '1001', scopes: MOD_SCOPES });
    const result = await moderation.ban('2002');
    expect(result).toMatchObject({ ok: true });
    expect(manager.refreshCount).toBe(1);
    expect(oauth.calls.refresh).toBe(1);
  });

  it('reports a revoked token clearly and marks the account as needing login', async () => {
    helix.tokens.clear();
    oauth.revokeRefreshToken('refresh-1');
    const result = await moderation.timeout('2002', 60);
    expect(result).toMatchObject({ action: 'timeout', ok: false, code: 'unauthorized' });
    expect(result.error).toMatch(/log in/i);
    expect(manager.state).toBe('needs-login');
    expect(moderationErrorForEvent(result)).toMatchObject({
      source: 'helix-moderation',
      code: 'moderation.timeout.unauthorized',
    });
    // Still needs login: no further refresh storms, the same clear answer.
    const again = await moderation.ban('2002');
    expect(again).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(oauth.calls.refresh).toBe(1);
  });

  it('reports a 429 with the time until the bucket refills, without retrying', async () => {
    helix.rateLimitNext(1, 5);
    const result = await moderation.ban('2002', 'spam');
    expect(result).toMatchObject({ ok: false, code: 'rate-limited', status: 429 });
    expect(result.retryAfterMs).toBeGreaterThan(3000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(6000);
    expect(helix.requests).toBe(1);
    expect(helix.bans).toEqual([]);
  });

  it('reports a message that is gone as not-found', async () => {
    const result = await moderation.deleteMessage('7b1c9a8e-0000-4000-8000-00000000dead');
    expect(result).toMatchObject({ action: 'delete', ok: false, code: 'not-found', status: 404 });
    expect(result.error).toMatch(/gone/);
  });

  it('refuses bad input without calling Twitch', async () => {
    const results = await Promise.all([
      moderation.timeout('viewer_one', 60),
      moderation.timeout('2002', 0),
      moderation.timeout('2002', 1_209_601),
      moderation.deleteMessage('../../users'),
    ]);
    expect(results.every((result) => !result.ok && result.code === 'invalid')).toBe(true);
    expect(helix.requests).toBe(0);
  });

  it('reports a token without the moderator scope, and a user who is not the moderator', async () => {
    helix.tokens.set('access-1', { userId: '1001', scopes: [] });
    helix.tokens.set('access-2', { userId: '1001', scopes: [] });
    const unscoped = await moderation.ban('2002');
    expect(unscoped).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(unscoped.error).toContain('moderator:manage:banned_users');

    const notModerator = createHelixModeration({
      clientId: CLIENT_ID,
      broadcasterId: '1001',
      moderatorId: '9999',
      tokens: { accessToken: async () => 'other-token', refresh: async () => ({ accessToken: 'other-token' }) },
      baseUrl: helix.baseUrl,
    });
    helix.tokens.set('other-token', { userId: '5005', scopes: MOD_SCOPES });
    expect(await notModerator.ban('2002')).toMatchObject({ ok: false, code: 'forbidden', status: 403 });
    expect(BROADCASTER_SCOPES).toEqual(expect.arrayContaining(MOD_SCOPES));
  });
});
