/**
 * Connections → Discord and Settings → On-air safety in Chromium against a real host: the Discord
 * bot token is stored write-only (never in the page, never in the settings answer), the server,
 * channels, role mapping and announce channel are validated field by field and saved, and the
 * `discord` connector's health is what the host reports (the real discord.js client connecting to a
 * local Discord gateway). The safety layers are switched and tuned, saved, and kept over a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DISCORD_API_URL_ENV } from '../../pipeline/core/protocol/discord.js';
import { startDiscordServer, type DiscordServer } from '../support/discord-server.js';
import {
  connected,
  ensureRendererBuilt,
  launchChromium,
  openConsole,
  screenshot,
  startTestHost,
  step,
  type ConsolePage,
  type TestHost,
} from './support.js';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAx.Gabcde.console-e2e-discord-secret';
const GUILD_ID = '81384788765712384';
const CHANNEL_ID = '81384788765712385';
const ANNOUNCE_ID = '81384788765712386';

let host: TestHost;
let browser: Browser;
let discord: DiscordServer;
let mod: ConsolePage;

beforeAll(async () => {
  discord = await startDiscordServer({
    token: TOKEN,
    guild: {
      id: GUILD_ID,
      name: 'Streamer HQ',
      roles: [{ id: '500', name: 'Mods' }],
      channels: [
        { id: CHANNEL_ID, name: 'chat' },
        { id: ANNOUNCE_ID, name: 'live' },
      ],
    },
  });
  // Read by the host when it connects (this file is its own process): never the real Discord.
  process.env[DISCORD_API_URL_ENV] = discord.apiUrl;
  // Built before the host starts: the gateway reads the renderer's index.html (its asset names) when it serves.
  await ensureRendererBuilt();
  const [started, launched] = await Promise.all([startTestHost(), launchChromium()]);
  host = started;
  browser = launched;
  mod = await openConsole(browser, host.url, 'mod-dee');
  await connected(mod.page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await discord?.close();
});

describe('Discord and safety settings in the console', () => {
  it('stores the Discord token write-only, validates and saves the server settings, and shows the connector', async () => {
    await step(mod, 'discord', async () => {
      await mod.page.keyboard.press('0');
      const section = mod.page.getByRole('region', { name: 'Discord' });
      await section.getByTestId('discord-health').filter({ hasText: 'not running' }).waitFor();
      const save = section.getByRole('button', { name: 'Save Discord settings' });

      await section.getByLabel('Server id').fill('my server');
      await section.getByText('must be a Discord id (digits)').waitFor();
      expect(await save.isDisabled()).toBe(true);
      await section.getByLabel('Server id').fill(GUILD_ID);
      await section.getByLabel('Channel ids (one per line)').fill(`${CHANNEL_ID}\n#general`);
      await section.getByText('#general: must be a Discord id (digits)').waitFor();
      await section.getByLabel('Channel ids (one per line)').fill(CHANNEL_ID);
      await section.getByLabel('Announce channel id').fill(ANNOUNCE_ID);
      await section.getByRole('button', { name: '+ Role' }).click();
      await section.getByText('name the Discord role').waitFor();
      await section.getByLabel('Discord role 1').fill('Mods');
      await section.getByLabel('BitBrat role 1').selectOption('moderator');
      await section.getByRole('button', { name: '+ Role' }).click();
      await section.getByLabel('Discord role 2').fill('VIP');
      await section.getByLabel('BitBrat role 2').selectOption('vip');
      await save.click();
      await mod.page.locator('.notice', { hasText: 'Discord settings saved.' }).waitFor();

      const token = section.getByLabel('Discord bot token');
      await token.fill(TOKEN);
      expect(await token.getAttribute('type')).toBe('password');
      await section.getByRole('button', { name: 'Store token' }).click();
      await section.getByTestId('discord-token-result').filter({ hasText: 'stored in the secret store' }).waitFor();
      expect(await token.inputValue()).toBe('');
      // The host's health, as the real discord.js client reached the (local) gateway.
      await section.locator('[data-testid=discord-health][data-state=connected]').waitFor();
      await section.scrollIntoViewIfNeeded();
      await screenshot(mod.page, 'console-connections-discord');
    });
    expect(discord.identifies.map((identify) => identify.token)).toContain(TOKEN);
    const settings = await host.served.host.api['settings.get']({});
    expect(settings.discord).toEqual({
      guildId: GUILD_ID,
      channelIds: [CHANNEL_ID],
      roleMap: { Mods: 'moderator', VIP: 'vip' },
      announceChannelId: ANNOUNCE_ID,
    });
    expect(JSON.stringify(settings)).not.toContain(TOKEN);
    expect(await mod.page.content()).not.toContain(TOKEN);

    // A reload shows the saved settings (never the token).
    await step(mod, 'discord reload', async () => {
      await mod.page.reload();
      await connected(mod.page);
      await mod.page.keyboard.press('0');
      const section = mod.page.getByRole('region', { name: 'Discord' });
      expect(await section.getByLabel('Server id').inputValue()).toBe(GUILD_ID);
      expect(await section.getByLabel('Discord role 2').inputValue()).toBe('VIP');
      expect(await section.getByLabel('Discord bot token').inputValue()).toBe('');
      await section.getByRole('button', { name: 'Unlink' }).click();
      await section.getByTestId('discord-token-result').filter({ hasText: 'token removed' }).waitFor();
      await section.locator('[data-testid=discord-health]:not([data-state=connected])').waitFor();
    });
    expect(await mod.page.content()).not.toContain(TOKEN);
    expect(mod.problems).toEqual([]);
  });

  it('switches and tunes the safety layers, saves them, and keeps them over a reload', async () => {
    const form = () => mod.page.getByRole('form', { name: 'On-air safety' });
    await step(mod, 'safety', async () => {
      await mod.page.keyboard.press('9');
      await form().getByLabel('Detector link').selectOption('off');
      await form().getByLabel('Request risk scam').selectOption('filter');
      await form().getByRole('checkbox', { name: 'Request risks' }).uncheck();
      expect(await form().getByLabel('Request risk hate').inputValue()).toBe('off');
      await form().getByRole('checkbox', { name: 'Request risks' }).check();
      await form().getByLabel('Request risk scam').selectOption('filter');
      await form().getByRole('combobox', { name: 'Judge mode' }).selectOption('model');
      await form().getByLabel('Judge endpoint URL').fill('ftp://guard.local');
      await form().getByText('must be an http(s) URL').waitFor();
      expect(await form().getByRole('button', { name: 'Save safety settings' }).isDisabled()).toBe(true);
      await form().getByLabel('Judge endpoint URL').fill('http://127.0.0.1:11434/v1');
      await form().getByLabel('Judge model').fill('llama-guard3:1b');
      await form().getByLabel('Judge timeout (ms)').fill('4000');
      await form().getByRole('button', { name: 'Save safety settings' }).click();
      await mod.page.locator('.notice', { hasText: 'Safety settings saved.' }).waitFor();
      await form().scrollIntoViewIfNeeded();
      await screenshot(mod.page, 'console-settings-safety');
    });
    const safety = (await host.served.host.api['settings.get']({})).llm.safety;
    expect(safety.detectors).toMatchObject({ link: 'off', 'personal-data': 'hold' });
    expect(safety.requests).toMatchObject({ scam: 'filter', hate: 'filter', 'prompt-extraction': 'hold' });
    expect(safety.judge).toEqual({
      mode: 'model',
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama-guard3:1b',
      timeoutMs: 4000,
    });

    await step(mod, 'safety reload', async () => {
      await mod.page.reload();
      await connected(mod.page);
      await mod.page.keyboard.press('9');
      expect(await form().getByLabel('Detector link').inputValue()).toBe('off');
      expect(await form().getByLabel('Request risk scam').inputValue()).toBe('filter');
      expect(await form().getByRole('combobox', { name: 'Judge mode' }).inputValue()).toBe('model');
      expect(await form().getByLabel('Judge model').inputValue()).toBe('llama-guard3:1b');
      // Saving the LLM form afterwards must not reset them.
      await mod.page.getByRole('form', { name: 'LLM settings' }).getByLabel('Model').fill('llama3');
      await mod.page.getByRole('button', { name: 'Save LLM settings' }).click();
      await mod.page.locator('.notice', { hasText: 'LLM settings saved.' }).waitFor();
      expect(await form().getByLabel('Detector link').inputValue()).toBe('off');
    });
    const llm = (await host.served.host.api['settings.get']({})).llm;
    expect(llm.model).toBe('llama3');
    expect(llm.safety.detectors.link).toBe('off');
    expect(llm.safety.judge.model).toBe('llama-guard3:1b');
    expect(mod.problems).toEqual([]);
  });
});
