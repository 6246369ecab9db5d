/**
 * The console's connection views in Chromium against a real host: the first-run wizard keeps the
 * keyboard to itself; Connections links the bot account through the device-code login against a
 * local Twitch OAuth server (the test approves the code, as the streamer would at twitch.tv/activate)
 * and stores the LLM key write-only; the event detail deletes a Twitch chat message through a local
 * Helix server; Overlay & clients creates the overlay URL, client tokens and webhooks.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { CLIENT_WS_PATH, CLIENT_WS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../pipeline/core/protocol/websocket.js';
import { TWITCH_ENDPOINT_ENV } from '../../pipeline/node/twitch-integration/endpoints.js';
import { startTwitchHelixServer, type TwitchHelixServer } from '../support/twitch-helix-server.js';
import { startTwitchOAuthServer, type TwitchOAuthServer } from '../support/twitch-oauth-server.js';
import {
  connected,
  ensureRendererBuilt,
  launchChromium,
  openConsole,
  screenshot,
  startTestHost,
  step,
  submit,
  type ConsolePage,
  type TestHost,
} from './support.js';

const CLIENT_ID = 'e2eclientid';
const CHANNEL = 'e2e_channel';
/** The streamer uses their own account as the bot, so the bot may moderate their channel. */
const BOT_USER = { login: CHANNEL, userId: '777' };

/**
 * The Electron shell denies every permission request, the clipboard's included: play that here so
 * the fallback (select the text) is what the test sees.
 */
const DENY_CLIPBOARD = `Object.defineProperty(Navigator.prototype, 'clipboard', {
  get: () => ({ writeText: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) }),
});`;

let host: TestHost;
let browser: Browser;
let oauth: TwitchOAuthServer;
let helix: TwitchHelixServer;
let mod: ConsolePage;

beforeAll(async () => {
  [oauth, helix] = await Promise.all([
    startTwitchOAuthServer({ clientId: CLIENT_ID }),
    startTwitchHelixServer({ clientId: CLIENT_ID }),
  ]);
  // Read by the host when it starts (this file is its own process): never the real Twitch.
  process.env[TWITCH_ENDPOINT_ENV.authUrl] = oauth.baseUrl;
  process.env[TWITCH_ENDPOINT_ENV.helixUrl] = helix.baseUrl;
  const [started, launched] = await Promise.all([
    startTestHost({ channel: '' }),
    launchChromium(),
    ensureRendererBuilt(),
  ]);
  host = started;
  browser = launched;
  mod = await openConsole(browser, host.url, 'mod-cat', { init: DENY_CLIPBOARD });
  await connected(mod.page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await oauth?.close();
  await helix?.close();
});

/** Info notices sit over the bottom of the page for a few seconds: close them before clicking there. */
async function dismissNotices(): Promise<void> {
  const buttons = mod.page.locator('.notices').getByRole('button', { name: 'Dismiss' });
  while ((await buttons.count()) > 0) await buttons.first().click();
}
const accountState = (account: string, state: string) =>
  mod.page.locator(`[data-testid=account-${account}][data-state=${state}]`);
const activeView = () => mod.page.locator('.tab.active').innerText();
/** Page-side checks are strings: this file compiles without DOM types. */
const focusInside = (label: string) =>
  mod.page.evaluate(`Boolean(document.activeElement?.closest('[aria-label=${JSON.stringify(label)}]'))`);

async function chatFromTwitch(text: string, id: string): Promise<void> {
  host.irc.chat({ channel: `#${CHANNEL}`, login: 'ann', text, id, userId: '42' });
  const row = mod.page.locator('.feed-row', { hasText: text });
  await row.click();
  await mod.page.getByTestId('event-detail').locator('blockquote', { hasText: text }).waitFor();
}

describe('connections, overlay and clients in the console', () => {
  it('keeps keyboard focus inside the first-run wizard, then starts reading the channel', async () => {
    await step(mod, 'wizard', async () => {
      const wizard = mod.page.getByRole('dialog', { name: 'First run' });
      await wizard.waitFor();
      expect(await focusInside('First run')).toBe(true);
      await wizard.getByLabel('Channel').fill(CHANNEL);
      for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
        await mod.page.keyboard.press(key);
        expect(await focusInside('First run')).toBe(true);
      }
      // On the button, a view's number key or the help key would act on the view behind: not here.
      await wizard.getByRole('button', { name: 'Start reading chat' }).focus();
      await mod.page.keyboard.press('3');
      await mod.page.keyboard.press('?');
      expect(await activeView()).toBe('Live');
      expect(await mod.page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
      // A click on the backdrop drops focus on the page; the next key goes back into the wizard.
      await mod.page.mouse.click(8, 800);
      await mod.page.keyboard.press('2');
      expect(await activeView()).toBe('Live');
      expect(await focusInside('First run')).toBe(true);
      await screenshot(mod.page, 'console-first-run');
      await wizard.getByRole('button', { name: 'Start reading chat' }).click();
      await wizard.waitFor({ state: 'detached' });
    });
    await host.irc.waitForJoins(`#${CHANNEL}`, 1);
    expect((await host.served.host.api['settings.get']({})).channel).toBe(CHANNEL);
    expect(mod.problems).toEqual([]);
  });

  it('says why a Twitch message cannot be deleted while no account is linked', async () => {
    await step(mod, 'delete unlinked', async () => {
      await chatFromTwitch('this message must go', 'msg-unlinked');
      await mod.page.getByRole('button', { name: 'Delete message on Twitch' }).click();
      await mod.page.getByTestId('delete-result').filter({ hasText: 'Link the broadcaster account' }).waitFor();
      await mod.page.keyboard.press('Escape');
    });
    expect(helix.deleted).toEqual([]);
  });

  it('links the bot account with a device code and stores the LLM key write-only', async () => {
    await step(mod, 'connections', async () => {
      await mod.page.keyboard.press('0');
      const bot = mod.page.getByTestId('account-bot');
      await accountState('bot', 'none').waitFor();
      // No client id yet: the host says what to do, and the view shows it beside the button.
      await bot.getByRole('button', { name: 'Link', exact: true }).click();
      await bot
        .getByRole('alert')
        .filter({ hasText: /client id/i })
        .waitFor();

      await mod.page.getByLabel('Twitch client id').fill(CLIENT_ID);
      await mod.page.getByRole('region', { name: 'Twitch application' }).getByRole('button', { name: 'Save' }).click();
      await mod.page.locator('.notice', { hasText: 'Twitch client id saved.' }).waitFor();

      await bot.getByRole('button', { name: 'Link', exact: true }).click();
      const code = (await bot.getByTestId('device-code').innerText()).trim();
      expect(code).toMatch(/^CODE\d+$/);
      expect(await bot.getByTestId('verification-link').getAttribute('href')).toContain('twitch.tv/activate');
      expect(await bot.getByTestId('verification-link').getAttribute('target')).toBe('_blank');
      await screenshot(mod.page, 'console-connections-pending');
      oauth.approve(code, BOT_USER);
      // The view polls the host, which polls the (local) Twitch: no click needed.
      await accountState('bot', 'linked').waitFor();
      await bot.getByText(BOT_USER.login, { exact: true }).waitFor();
      await bot.getByRole('list', { name: 'Scopes' }).getByText('moderator:manage:chat_messages').waitFor();
      await mod.page.locator('.notice', { hasText: `Bot account linked as ${BOT_USER.login}` }).waitFor();

      const key = mod.page.getByLabel('New API key');
      await key.fill('sk-e2e-secret-key');
      await mod.page.getByRole('button', { name: 'Store key' }).click();
      await mod.page.getByTestId('api-key-result').filter({ hasText: 'stored in the secret store' }).waitFor();
      expect(await key.inputValue()).toBe('');
      await screenshot(mod.page, 'console-connections');
    });
    expect(await mod.page.content()).not.toContain('sk-e2e-secret-key');
    expect(JSON.stringify(await host.served.host.api['settings.get']({}))).not.toContain('sk-e2e-secret-key');
    const accounts = await host.served.host.api['twitch.accounts']({});
    expect(accounts.find((entry) => entry.account === 'bot')).toMatchObject({ state: 'linked', userId: '777' });
    expect(mod.problems).toEqual([]);
  });

  it('deletes a Twitch chat message through Helix; a login Twitch dropped shows as needs-login', async () => {
    const token = [...oauth.accessTokens.entries()].find(([, owner]) => owner.userId === BOT_USER.userId)?.[0];
    if (!token) throw new Error('the bot has no access token');
    helix.tokens.set(token, { userId: BOT_USER.userId, scopes: ['moderator:manage:chat_messages'] });
    helix.messages.add('msg-delete-me');
    await step(mod, 'delete linked', async () => {
      await mod.page.keyboard.press('1');
      await chatFromTwitch('spam spam spam', 'msg-delete-me');
      await mod.page.getByRole('button', { name: 'Delete message on Twitch' }).click();
      await mod.page
        .getByTestId('delete-result')
        .filter({ hasText: `message deleted (as ${BOT_USER.login})` })
        .waitFor();
      await mod.page.keyboard.press('Escape');
    });
    expect(helix.deleted).toEqual(['msg-delete-me']);

    // Twitch drops the login (password changed, app disconnected): Helix refuses the token and the
    // refresh token is dead. The next moderation action finds out, and Connections says so loudly.
    helix.tokens.delete(token);
    oauth.revokeRefreshToken(token.replace('access-', 'refresh-'));
    helix.messages.add('msg-after-revoke');
    await step(mod, 'needs login', async () => {
      await chatFromTwitch('more spam', 'msg-after-revoke');
      await mod.page.getByRole('button', { name: 'Delete message on Twitch' }).click();
      await mod.page.getByTestId('delete-result').and(mod.page.locator('.error-text')).waitFor();
      await mod.page.keyboard.press('Escape');
      await mod.page.keyboard.press('0');
      const bot = accountState('bot', 'needs-login');
      await bot.getByRole('alert').filter({ hasText: 'no longer accepts' }).waitFor();
      await screenshot(mod.page, 'console-connections-needs-login');
      await bot.getByRole('button', { name: 'Log out' }).click();
      await accountState('bot', 'none').waitFor();
    });
    expect(helix.deleted).toEqual(['msg-delete-me']);
    expect(mod.problems).toEqual([]);
  });

  it('builds the OBS overlay URL with a new read-only token, themed, with a copy that falls back to selecting', async () => {
    await step(mod, 'overlay', async () => {
      await mod.page.getByRole('button', { name: 'Overlay & clients' }).click();
      const exposed = mod.page.getByTestId('exposure');
      await exposed.getByTestId('exposure-scope').filter({ hasText: 'Loopback only' }).waitFor();
      expect(await exposed.getByTestId('gateway-url').innerText()).toBe(new URL(host.url).origin);

      const overlay = mod.page.getByRole('region', { name: 'OBS overlay' });
      await overlay.getByRole('button', { name: 'Create a read-only token' }).click();
      const field = overlay.getByLabel('Overlay URL');
      await field.waitFor();
      await overlay.getByLabel('Position').selectOption('top-right');
      await overlay.getByLabel('Accent colour').fill('#00ff00');
      const url = new URL(await field.inputValue());
      expect(url.origin + url.pathname).toBe(`${new URL(host.url).origin}/overlay`);
      expect(url.searchParams.get('token')).toMatch(/^bbc_/);
      expect(url.searchParams.get('position')).toBe('top-right');
      expect(url.searchParams.get('accent')).toBe('#00ff00');
      expect(await overlay.locator('iframe').getAttribute('src')).toBe(url.toString());
      // The preview is the real overlay page: connected to the client API with the token, themed.
      const preview = overlay.frameLocator('iframe[title="Overlay preview"]');
      await preview.locator('body[data-state=connected][data-position=top-right]').waitFor({ state: 'attached' });
      await submit(host, {
        type: 'twitch.follow.v1',
        ingress: { connector: 'test', channel: CHANNEL },
        identity: { external: { id: 'id-fay', login: 'fay', displayName: 'Fay', roles: [] } },
        details: {},
      });
      await preview.locator('.item.alert', { hasText: 'Fay followed!' }).waitFor();
      await dismissNotices();
      await overlay.locator('iframe').scrollIntoViewIfNeeded();
      await screenshot(mod.page, 'console-overlay');

      await overlay.getByRole('button', { name: 'Copy' }).click();
      await overlay.getByTestId('copy-selected').waitFor();
      // Focused and wholly selected: Ctrl+C copies it.
      expect(
        await mod.page.evaluate(
          `(() => { const input = document.activeElement; return input?.getAttribute('aria-label') === 'Overlay URL' &&
            input.selectionStart === 0 && input.selectionEnd === input.value.length; })()`,
        ),
      ).toBe(true);

      // The same overlay as a local file, for OBS started before BitBrat.
      await overlay.getByRole('button', { name: 'Save as a local file for OBS' }).click();
      const file = await overlay.getByLabel('Overlay file').inputValue();
      expect(file).toMatch(/obs-overlay\.html$/);
      expect(readFileSync(file, 'utf8')).toContain('"gateway":"127.0.0.1:');

      await overlay.getByLabel('Accent colour').fill('url(evil)');
      await overlay.getByText('a colour: #rrggbb').waitFor();
      expect(await overlay.getByLabel('Overlay URL').count()).toBe(0);
      await overlay.getByLabel('Accent colour').fill('#00ff00');
      const themed = await overlay.getByLabel('Overlay URL').inputValue();
      // Leaving the view and coming back keeps the URL (the token is shown only when it is created).
      await mod.page.getByRole('button', { name: 'Live', exact: true }).click();
      await mod.page.getByRole('button', { name: 'Overlay & clients' }).click();
      expect(await overlay.getByLabel('Overlay URL').inputValue()).toBe(themed);
    });
    const clients = await host.served.host.api['clients.list']({});
    expect(clients.map((client) => [client.name, client.scopes])).toEqual([['overlay', ['read-only']]]);
    expect(mod.problems).toEqual([]);
  });

  it('creates a client token shown once, which the client API accepts, then revokes it', async () => {
    let token = '';
    await step(mod, 'client tokens', async () => {
      const section = mod.page.getByRole('region', { name: 'Client tokens' });
      await section.getByLabel('Client name').fill('Stream Deck');
      await section.getByText('client names are lower-case').waitFor();
      await section.getByLabel('Client name').fill('deck');
      await section.getByRole('button', { name: 'Create token' }).click();
      token = await section.getByLabel('Token for deck').inputValue();
      expect(token).toMatch(/^bbc_/);
      await section.getByRole('button', { name: 'I have copied it' }).click();
      await section.getByLabel('Token for deck').waitFor({ state: 'detached' });
    });
    expect(await mod.page.content()).not.toContain(token);

    const welcome = await new Promise<unknown>((resolve, reject) => {
      const socket = new WebSocket(`ws://${new URL(host.url).host}${CLIENT_WS_PATH}`, [
        CLIENT_WS_PROTOCOL,
        `${TOKEN_PROTOCOL_PREFIX}${token}`,
      ]);
      socket.once('message', (data) => {
        resolve(JSON.parse(String(data)));
        socket.close();
      });
      socket.once('error', reject);
    });
    expect(welcome).toMatchObject({ type: 'welcome', payload: { client: { name: 'deck', scopes: ['send'] } } });

    await step(mod, 'revoke', async () => {
      const row = mod.page.locator('tr[data-client=deck]');
      await dismissNotices();
      await row.getByRole('button', { name: 'Revoke' }).click();
      await row.getByText('revoked').waitFor();
    });
    const deck = (await host.served.host.api['clients.list']({})).find((client) => client.name === 'deck');
    expect(deck?.revokedAt).toEqual(expect.any(Number));
    expect(mod.problems).toEqual([]);
  });

  it('creates inbound and outbound webhooks (the secret shown once), lists and deletes them', async () => {
    await step(mod, 'webhooks', async () => {
      const section = mod.page.getByRole('region', { name: 'Webhooks' });
      await section.getByLabel('Webhook name').fill('kofi');
      await section.getByLabel('Text field (path)').fill('data.message');
      await section.getByRole('button', { name: 'Create webhook' }).click();
      expect(await section.getByLabel('Secret for kofi').inputValue()).toMatch(/^whsec_/);
      await section.getByRole('button', { name: 'I have copied it' }).click();
      await section.locator('tr[data-webhook=kofi]', { hasText: '/hooks/kofi → webhook.kofi.v1' }).waitFor();

      await section.getByLabel('Direction').selectOption('out');
      await section.getByLabel('Webhook name').fill('relay');
      await section.getByLabel('URL').fill('ftp://example.invalid/');
      await section.getByText('only http and https URLs').waitFor();
      await section.getByLabel('URL').fill('http://127.0.0.1:9/replies');
      await section.getByRole('button', { name: 'Create webhook' }).click();
      await section.getByRole('button', { name: 'I have copied it' }).click();
      await section.locator('tr[data-webhook=relay]', { hasText: 'http://127.0.0.1:9/replies' }).waitFor();
      await screenshot(mod.page, 'console-clients');

      await dismissNotices();
      await section.locator('tr[data-webhook=kofi]').getByRole('button', { name: 'Delete' }).click();
      await section.locator('tr[data-webhook=kofi]').waitFor({ state: 'detached' });
    });
    const hooks = await host.served.host.api['webhooks.list']({});
    expect(hooks.map((hook) => [hook.name, hook.direction, hook.url])).toEqual([
      ['relay', 'out', 'http://127.0.0.1:9/replies'],
    ]);
    expect(mod.problems).toEqual([]);
  });
});
