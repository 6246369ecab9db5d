/**
 * The console's Alerts panel (Overlay & clients) in Chromium against a real host: the streamer
 * uploads a sound, picks it for raids, saves, and presses "Test raid"; the OBS overlay, open in its
 * own page as OBS would have it, shows the raid and plays the sound (the page's media events).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chimeWav } from '../../pipeline/node/alerts/chime.js';
import { overlayUrl } from '../../pipeline/node/gateway/overlay/overlay-route.js';
import { startObsWebSocketServer } from '../support/obs-websocket-server.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  connected,
  ensureRendererBuilt,
  openConsole,
  startTestHost,
  step,
  type ConsolePage,
  type TestHost,
} from './support.js';
import { waitUntil } from '../support/wait.js';

let host: TestHost;
let browser: Browser;
let mod: ConsolePage;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'bitbrat-alert-sound-'));
  const [started, launched] = await Promise.all([
    startTestHost(),
    // OBS's browser source plays sound without a click.
    chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    }),
    ensureRendererBuilt(),
  ]);
  host = started;
  browser = launched;
  mod = await openConsole(browser, host.url, 'mod-alerts');
  await connected(mod.page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('alerts in the console', () => {
  it('uploads a sound, picks it for raids, and plays a test raid on the overlay', async () => {
    const created = await host.served.extensions.clients.create({ name: 'obs', scopes: ['read-only'] });
    if (!created.ok) throw new Error(created.error);
    const overlay = await browser.newPage();
    const media: string[] = [];
    await overlay.exposeFunction('reportMedia', (entry: string) => media.push(entry));
    await overlay.addInitScript(`for (const type of ['play', 'playing', 'ended', 'error'])
      document.addEventListener(type, (event) => window.reportMedia(type + ' ' + event.target.src.split('?')[0].split('/').pop()), true);`);
    await overlay.goto(overlayUrl(host.served.gateway.url, created.value.token));
    await overlay.waitForSelector('body[data-state="connected"]', { state: 'attached' });

    await step(mod, 'alerts', async () => {
      await mod.page.getByRole('button', { name: 'Overlay & clients' }).click();
      const panel = mod.page.getByRole('region', { name: 'Alerts' });
      const file = join(folder, 'Air Horn.wav');
      writeFileSync(file, chimeWav(0.4));
      await panel.getByLabel(/Upload a sound/).setInputFiles(file);
      // The host stored it under a name it accepts; it is offered for every kind.
      await panel.getByLabel('Raid sound').locator('option[value="air-horn.wav"]').waitFor({ state: 'attached' });
      await panel.getByLabel('Raid sound').selectOption('air-horn.wav');
      await panel.getByLabel('Raid seconds').fill('2');
      await panel.getByLabel('Raid template').fill('{user} brought {headline}');
      await panel.getByRole('button', { name: 'Save alerts' }).click();
      await mod.page.getByText('Alerts saved.').waitFor();
      await panel.getByRole('button', { name: 'Test raid' }).click();
    });
    const item = await overlay.waitForSelector('.item.alert[data-alert="raid"]', { state: 'attached' });
    expect(await item.textContent()).toContain('TestViewer brought raided with 42 viewers');
    await waitUntil('the alert sound ended', () => media.includes('ended air-horn.wav'));
    expect(media).toEqual(['play air-horn.wav', 'playing air-horn.wav', 'ended air-horn.wav']);
    expect((await host.served.host.api['settings.get']({})).alerts.raid).toMatchObject({
      sound: 'air-horn.wav',
      durationSeconds: 2,
    });
    expect(mod.problems).toEqual([]);
    await overlay.close();
  });
  it('links OBS with an address and a write-only password, and shows the connection', async () => {
    const obs = await startObsWebSocketServer({ password: 'e2e-obs-password', scenes: [{ name: 'Live', items: [] }] });
    try {
      await step(mod, 'obs', async () => {
        const panel = mod.page.getByRole('region', { name: 'OBS control' });
        await panel.getByLabel('Control OBS').check();
        await panel.getByLabel('OBS address').fill(obs.url);
        await panel.getByLabel('OBS password').fill('e2e-obs-password');
        await panel.getByRole('button', { name: 'Save OBS control' }).click();
        await panel.locator('[data-testid=obs-state][data-state=connected]').waitFor();
        // Write-only: the field is emptied and the settings never carry it.
        expect(await panel.getByLabel('OBS password').inputValue()).toBe('');
      });
      expect(JSON.stringify(await host.served.host.api['settings.get']({}))).not.toContain('e2e-obs-password');
      expect(obs.sessions()).toBe(1);
      expect(mod.problems).toEqual([]);
    } finally {
      await obs.close();
    }
  });
});
