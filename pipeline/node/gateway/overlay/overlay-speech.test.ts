/**
 * Text-to-speech on the OBS overlay, in headless Chromium against the real gateway and host. Headless
 * Chromium has no voices, so the page's speechSynthesis is replaced before the page loads with one
 * that records what it is asked to say (the page cannot tell: it uses the standard API). A cheer
 * with speech on is read aloud (its own message only, cleaned, with the kind's voice, rate and
 * volume); a redemption with speech off and a bot reply are never spoken.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS } from '../../../core/alerts.js';
import { KnownEventTypes, type InboundEvent } from '../../../core/envelope.js';
import { serve, type Served } from '../../cli/serve.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../cli/chromium.js';
import { overlayUrl } from './overlay-route.js';
import { waitUntil } from '../../../../test/support/wait.js';

let served: Served;
let dataDir: string;
let browser: Browser;
let page: Page;

/**
 * Runs in the page before its own script: a speech engine that records each utterance and ends it,
 * and a record of every alert shown and ended (an alert of 1 s can be over before a poll sees it).
 */
const FAKE_SPEECH = `(() => {
  window.__spoken = [];
  window.__alerts = { shown: [], ended: [] };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes)
        if (node.classList && node.classList.contains('alert')) window.__alerts.shown.push(node.dataset.eventId);
      for (const node of mutation.removedNodes)
        if (node.classList && node.classList.contains('alert')) window.__alerts.ended.push(node.dataset.eventId);
    }
  }).observe(document, { childList: true, subtree: true });
  class FakeUtterance {
    constructor(text) { this.text = text; this.volume = 1; this.rate = 1; this.voice = null; }
  }
  const voices = [{ name: 'Default Voice', lang: 'en-US' }, { name: 'Test Voice', lang: 'en-GB' }];
  Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: FakeUtterance, configurable: true });
  Object.defineProperty(window, 'speechSynthesis', {
    configurable: true,
    value: {
      getVoices: () => voices,
      cancel() {},
      speak(utterance) {
        window.__spoken.push({
          text: utterance.text, volume: utterance.volume, rate: utterance.rate,
          voice: utterance.voice ? utterance.voice.name : null,
        });
        // Ends on a later turn, as a real engine does (never inside speak()), and at once.
        setTimeout(() => utterance.onend && utterance.onend({}), 0);
      },
    },
  });
})();`;

interface Spoken {
  text: string;
  volume: number;
  rate: number;
  voice: string | null;
}
const spoken = () => page.evaluate('window.__spoken') as Promise<Spoken[]>;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-overlay-speech-'));
  served = await serve({ dataDir, port: 0, lan: false, demo: null, log: () => undefined });
  const quick = { ...DEFAULT_ALERT_SETTINGS.cheer, durationSeconds: 1 };
  const saved = await served.host.api['settings.set']({
    key: 'alerts',
    value: {
      ...DEFAULT_ALERT_SETTINGS,
      cheer: { ...quick, tts: { enabled: true, voice: 'Test Voice', rate: 1.2, volume: 0.5 } },
      redemption: { ...quick, tts: { enabled: false, voice: '', rate: 1, volume: 1 } },
    },
  });
  expect(saved.ok).toBe(true);
  const created = await served.extensions.clients.create({ name: 'obs', scopes: ['read-only'] });
  if (!created.ok) throw new Error(created.error);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.addInitScript(FAKE_SPEECH);
  await page.goto(overlayUrl(served.gateway.url, created.value.token));
  await page.waitForSelector('body[data-state="connected"]', { state: 'attached' });
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function supporter(type: string, text: string, details: Record<string, unknown>): Promise<string> {
  const event: InboundEvent = {
    type,
    ingress: { connector: 'test', channel: 'c' },
    identity: { external: { id: 'id-fan', login: 'fan', displayName: 'Fan', roles: [] } },
    message: { text },
    details,
  };
  const [result] = await served.host.submit('test', [event]);
  if (!result?.ok) throw new Error('not accepted');
  return result.id;
}

const alerts = () => page.evaluate('window.__alerts') as Promise<{ shown: string[]; ended: string[] }>;

/** Waits until the alert for the event has played out on the page. */
async function played(eventId: string): Promise<void> {
  await waitUntil(`the alert of ${eventId} has played`, async () => (await alerts()).ended.includes(eventId), 45_000);
}

/** What the host and the page know of an event, for a failure message. */
async function whatHappened(eventId: string): Promise<string> {
  const detail = await served.host.api['events.get']({ id: eventId });
  const routing = detail?.event.routing;
  const steps = [...(routing?.history ?? []), ...(routing?.slip ?? [])].map(
    (step) => `${step.id}:${step.status}${step.notes?.length ? ` (${step.notes.join('; ')})` : ''}`,
  );
  return JSON.stringify({
    disposition: detail?.event.disposition ?? null,
    steps,
    page: await page.evaluate(
      '({ state: document.body.dataset.state, error: document.body.dataset.error ?? null, items: [...document.querySelectorAll(".item")].map((item) => item.className + " " + item.dataset.eventId) })',
    ),
    alerts: await alerts(),
    spoken: await spoken(),
  });
}

describe('overlay text-to-speech', () => {
  it('reads a cheer’s own message aloud with the kind’s voice, rate and volume', async () => {
    const id = await supporter(KnownEventTypes.cheer, 'Cheer100 Cheer50 great stream!\u200b GG', {
      bits: 150,
    });
    // The pipeline and the page get waits of their own (a fresh host's first alert waits for the
    // reaction worker to load its services). This test used to fail now and then in CI: the cheer's
    // thank-you reply reached the page before its alert, and the page's one "already shown" set hid
    // the alert (overlay-order.test.ts pins that down).
    await served.host.waitForSettled(id, { terminalOnly: true, timeoutMs: 60_000 });
    const settledAt = Date.now();
    await waitUntil(
      async () => `the cheer to be spoken, ${Date.now() - settledAt} ms after it ended (${await whatHappened(id)})`,
      async () => (await spoken()).length === 1,
      20_000,
    );
    expect(await spoken()).toEqual([{ text: 'great stream! GG', volume: 0.5, rate: 1.2, voice: 'Test Voice' }]);
    await played(id);
  }, 150_000);

  it('never speaks a kind with speech off, nor a bot reply', async () => {
    const before = (await spoken()).length;
    const redemption = await supporter(KnownEventTypes.redemption, 'say something rude', { rewardTitle: 'TTS' });
    await played(redemption);
    const [hello] = await served.host.submit('test', [
      {
        type: 'chat.message.v1',
        ingress: { connector: 'test', channel: 'c' },
        identity: { external: { id: 'id-v', login: 'v', displayName: 'v', roles: [] } },
        message: { text: '!hello' },
      },
    ]);
    if (!hello?.ok) throw new Error('not accepted');
    await page.waitForSelector(`.item.reply[data-event-id="${hello.id}"]`, { state: 'attached', timeout: 10_000 });
    expect((await spoken()).length).toBe(before);
  }, 90_000);
});
