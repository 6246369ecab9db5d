/**
 * No secret in any error, log, row or answer: the real host (and `serve` with its gateway) and
 * local servers that quote the secret they were sent in their errors — an OpenAI-compatible
 * endpoint answering 401 with the key in full (as many proxies do; OpenAI itself masks it), a
 * Twitch-like OAuth server refusing a refresh token by quoting it, an outbound webhook target
 * answering with its secret — and a client presenting a wrong token. Every file in the data
 * folder (the database, its WAL), every log line, every HostApi answer and push is scanned.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CLIENT_WS_PATH,
  CLIENT_WS_PROTOCOL,
  CLOSE_UNAUTHORIZED,
  CONSOLE_WS_PATH,
  CONSOLE_WS_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
} from '../../core/protocol/websocket.js';
import { startOpenAiServer } from '../../../test/support/openai-server.js';
import { startTwitchIrcServer } from '../../../test/support/twitch-irc-server.js';
import { startTwitchOAuthServer } from '../../../test/support/twitch-oauth-server.js';
import { startTwitchHelixServer } from '../../../test/support/twitch-helix-server.js';
import { serve } from '../cli/serve.js';
import { CLIENT_TOKEN_PREFIX } from '../gateway/clients/client-tokens.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from '../gateway/webhooks/signature.js';
import { PipelineHost } from './pipeline-host.js';
import { dataFolderFiles } from '../../../test/support/data-folder.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Every file in the data folder (database, WAL, keys, sealed secrets, backups), as bytes read as latin1,
 * except `console-token`: the console token's own 0600 file, which the CLI reads to print the
 * console URL (the token's one home by design).
 */
function dataFolderTexts(dataDir: string): string[] {
  return dataFolderFiles(dataDir)
    .filter(({ file }) => file !== 'console-token')
    .map(({ file, bytes }) => `${file}: ${bytes.toString('latin1')}`);
}

/** Which of `secrets` appear in clear in any of `texts` (the failure names them). */
function inClear(secrets: Record<string, string>, texts: string[]): string[] {
  return Object.entries(secrets)
    .filter(([, secret]) => texts.some((text) => text.includes(secret)))
    .map(([name]) => name);
}

/** Resolves with the close code once the socket closes. */
function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.on('error', () => undefined);
    ws.once('close', (code) => resolve(code));
  });
}

const KEY = 'sk-proj-Zq81mK3vVt0a9redactme4417XYZ';

describe('secret redaction', () => {
  it('keeps a key that an endpoint quotes in its 401 out of the database, the WAL, the logs and the answers', async () => {
    const server = await startOpenAiServer();
    server.setDefault({ kind: 'error', status: 401, message: `Incorrect API key provided: ${KEY}` });
    const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-redaction-'));
    const logs: string[] = [];
    const host = await PipelineHost.start({
      dataDir,
      log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
      twitch: { enabled: false },
    });
    const scanned: string[] = [];
    try {
      const llm = (await host.api['settings.get']({})).llm;
      expect(
        await host.api['settings.set']({
          key: 'llm',
          value: { ...llm, baseUrl: server.baseUrl, model: 'test-model', maxRetries: 0, stream: false },
        }),
      ).toMatchObject({ ok: true });
      expect(await host.api['llm.setApiKey']({ key: KEY })).toMatchObject({ ok: true });

      const [submitted] = await host.submit('test', [
        {
          type: 'chat.message.v1',
          ingress: { connector: 'test', channel: 'chan' },
          identity: { external: { id: 'id-ann', login: 'ann', displayName: 'ann', roles: [] } },
          message: { text: '@bitbrat what game is this?' },
        },
      ]);
      if (!submitted?.ok) throw new Error('not accepted');
      await host.waitForSettled(submitted.id, { terminalOnly: true });
      // The provider really answered with the key: the request reached it and failed.
      expect(server.chatRequests().length).toBeGreaterThan(0);

      const tested = await host.api['llm.test']({});
      expect(tested.ok).toBe(false);
      expect(tested.message).toContain('Incorrect API key provided: [redacted');
      const detail = await host.api['events.get']({ id: submitted.id });
      const failedStep = [...detail!.event.routing.history, ...detail!.event.routing.slip].find((step) => step.error);
      expect(failedStep?.error?.message).toContain('[redacted LLM API key]');
      scanned.push(
        tested.message,
        JSON.stringify(detail),
        JSON.stringify(await host.api['events.list']({ limit: 50 })),
      );

      await host.flush();
      for (const file of ['bitbrat.db', 'bitbrat.db-wal']) {
        if (existsSync(join(dataDir, file))) scanned.push(readFileSync(join(dataDir, file)).toString('latin1'));
      }
    } finally {
      await host.stop();
      await server.close();
    }
    scanned.push(readFileSync(join(dataDir, 'bitbrat.db')).toString('latin1'), logs.join('\n'));
    rmSync(dataDir, { recursive: true, force: true });
    expect(logs.length).toBeGreaterThan(0);
    for (const text of scanned) expect(text.includes(KEY)).toBe(false);
  });
});

describe('secret redaction: every configured secret', () => {
  it('keeps a refresh token that Twitch quotes when refusing it out of the data folder, the logs and the answers', async () => {
    const CLIENT_ID = 'localtestclient';
    const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-redaction-twitch-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const irc = await startTwitchIrcServer();
    cleanups.push(() => irc.close());
    const oauth = await startTwitchOAuthServer({ clientId: CLIENT_ID });
    cleanups.push(() => oauth.close());
    const helix = await startTwitchHelixServer({ clientId: CLIENT_ID });
    cleanups.push(() => helix.close());
    const logs: string[] = [];
    const host = await PipelineHost.start({
      dataDir,
      log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
      twitch: {
        endpoints: {
          irc: { host: '127.0.0.1', port: irc.port, secure: false },
          authUrl: oauth.baseUrl,
          helixUrl: helix.baseUrl,
        },
      },
    });
    cleanups.push(() => host.stop());
    const pushes: string[] = [];
    host.subscribe((topic, data) => pushes.push(`${topic} ${JSON.stringify(data)}`));
    expect(await host.api['settings.set']({ key: 'twitchClientId', value: CLIENT_ID })).toMatchObject({ ok: true });
    expect(await host.api['settings.set']({ key: 'channel', value: 'streamer' })).toMatchObject({ ok: true });

    const started = await host.api['twitch.login.start']({ account: 'bot' });
    if (!started.ok) throw new Error(started.error);
    oauth.approve(started.value.userCode, { login: 'bitbrat_bot', userId: '9001' });
    await host.twitch.loginSettled('bot');
    const [firstAccess, linked] = [...oauth.accessTokens].at(-1)!;
    expect(linked.login).toBe('bitbrat_bot');
    const firstRefresh = `refresh-${firstAccess.slice('access-'.length)}`;
    // One good refresh: the single-use refresh token is replaced (and the old one consumed).
    expect(await host.twitch.refresh('bot')).toBe(true);
    const [accessToken] = [...oauth.accessTokens].at(-1)!;
    const refreshToken = `refresh-${accessToken.slice('access-'.length)}`;
    expect(refreshToken).not.toBe(firstRefresh);
    // Then the server refuses the (revoked) refresh token and quotes it, the consumed one and both access tokens.
    oauth.revokeRefreshToken(refreshToken);
    oauth.refusedRefreshMessage = (sent) =>
      `Invalid refresh token ${sent}; ${firstRefresh} was already used (access tokens ${accessToken}, ${firstAccess})`;
    expect(await host.twitch.refresh('bot')).toBe(false);

    const bot = (await host.api['twitch.accounts']({})).find((entry) => entry.account === 'bot');
    // The refusal really carried the token and reached the account's status, redacted.
    expect(bot?.error).toMatch(/refused the refresh token: Invalid refresh token \[redacted /);
    const answers = [JSON.stringify(bot), JSON.stringify(await host.api['health.get']({}))];
    expect(logs.join('\n')).toContain('[redacted twitch.bot.refreshToken]');
    await host.flush();
    const secrets = {
      'refresh token': refreshToken,
      'access token': accessToken,
      'consumed refresh token': firstRefresh,
      'earlier access token': firstAccess,
    };
    expect(inClear(secrets, [...answers, ...pushes, logs.join('\n'), ...dataFolderTexts(dataDir)])).toEqual([]);
  });

  it('registers webhook secrets and client tokens with the host, and no provoked error shows one in clear', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-redaction-gateway-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // The outbound target refuses every delivery and quotes the secret it was configured with.
    const quoted: { secret: string } = { secret: '' };
    let deliveries = 0;
    const target: Server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        deliveries += 1;
        response
          .writeHead(400, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: `signature does not match secret ${quoted.secret}` }));
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => target.close(resolve)));
    const logs: string[] = [];
    const served = await serve({
      dataDir,
      port: 0,
      lan: false,
      demo: null,
      log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    });
    cleanups.push(() => served.stop());
    const { host } = served;
    const pushes: string[] = [];
    host.subscribe((topic, data) => pushes.push(`${topic} ${JSON.stringify(data)}`));
    const answers: string[] = [];

    const inbound = await host.api['webhooks.create']({
      direction: 'in',
      name: 'kofi',
      template: { type: 'webhook.kofi.v1', text: 'data.message', displayName: 'data.from_name' },
    });
    const outbound = await host.api['webhooks.create']({
      direction: 'out',
      name: 'relay',
      url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/hook`,
    });
    const client = await host.api['clients.create']({ name: 'deck', scopes: ['send'] });
    if (!inbound.ok || !outbound.ok || !client.ok) throw new Error('could not create the webhooks and the client');
    quoted.secret = outbound.value.secret;
    const consoleToken = served.gateway.consoleUrl.split('#')[1]?.split('token=')[1] ?? '';
    const secrets = {
      'inbound webhook secret': inbound.value.secret,
      'outbound webhook secret': outbound.value.secret,
      'client token': client.value.token,
      'console token': decodeURIComponent(consoleToken),
    };
    expect(secrets['console token'].length).toBeGreaterThan(8);
    // The one redactor knows each of them (before this change it knew only the console token).
    for (const [name, secret] of Object.entries(secrets)) {
      expect(host.redactor.redact(`quoted: ${secret}`), name).not.toContain(secret);
    }

    // A reply delivered to the outbound webhook, whose target answers with the secret.
    const [submitted] = await host.submit('test', [
      {
        type: 'chat.message.v1',
        ingress: { connector: 'test', channel: 'chan' },
        identity: { external: { id: 'id-ann', login: 'ann', displayName: 'ann', roles: [] } },
        message: { text: '!hello' },
      },
    ]);
    if (!submitted?.ok) throw new Error('not accepted');
    await host.waitForSettled(submitted.id, { terminalOnly: true });
    expect(deliveries).toBeGreaterThan(0);
    const detail = await host.api['events.get']({ id: submitted.id });
    expect(JSON.stringify(detail)).toContain('dropped');
    answers.push(JSON.stringify(detail), JSON.stringify(await host.api['events.list']({ limit: 50 })));

    // An inbound webhook signed with a wrong secret.
    const post = (secret: string) => {
      const body = JSON.stringify({ data: { message: `hello ${secret}`, from_name: 'kim' } });
      const at = Date.now();
      return fetch(`${served.gateway.url}/hooks/kofi`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [TIMESTAMP_HEADER]: String(at),
          [SIGNATURE_HEADER]: signBody(secret, at, body),
        },
        body,
      });
    };
    answers.push(await (await post('whsec_not-the-secret-at-all')).text());

    // Clients presenting a wrong token, on the client API and on the console socket.
    const wrongClientToken = `${CLIENT_TOKEN_PREFIX}${'x'.repeat(43)}`;
    const wrongConsoleToken = 'not-the-console-token-0123456789';
    const badClient = new WebSocket(`ws://127.0.0.1:${served.gateway.port}${CLIENT_WS_PATH}`, [
      CLIENT_WS_PROTOCOL,
      `${TOKEN_PROTOCOL_PREFIX}${wrongClientToken}`,
    ]);
    const badConsole = new WebSocket(`ws://127.0.0.1:${served.gateway.port}${CONSOLE_WS_PATH}`, [
      CONSOLE_WS_PROTOCOL,
      `${TOKEN_PROTOCOL_PREFIX}${wrongConsoleToken}`,
    ]);
    expect(await closeCode(badClient)).toBe(CLOSE_UNAUTHORIZED);
    expect(await closeCode(badConsole)).toBe(CLOSE_UNAUTHORIZED);
    const stats = await host.api['clients.stats']({});
    expect(stats.clients.refused['UNAUTHORIZED']).toBeGreaterThan(0);
    answers.push(JSON.stringify(stats));

    await host.flush();
    const texts = [...answers, ...pushes, logs.join('\n'), ...dataFolderTexts(dataDir)];
    expect(
      inClear({ ...secrets, 'wrong client token': wrongClientToken, 'wrong console token': wrongConsoleToken }, texts),
    ).toEqual([]);
  });
});
