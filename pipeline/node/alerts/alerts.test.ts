/**
 * Overlay alerts end to end: a sound uploaded through the HostApi (checked by its bytes), the
 * `overlay-alerts` step on the event's slip, the sound served only with the overlay's token, and the
 * overlay in Debian's headless Chromium playing it (the page's media events) with two alerts queued,
 * never overlapping.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_ANNOTATION, OVERLAY_ALERTS_SERVICE, soundTypeOf, type OverlayAlert } from '../../core/alerts.js';
import type { Envelope } from '../../core/envelope.js';
import { serve, type Served } from '../cli/serve.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../cli/chromium.js';
import { overlayUrl } from '../gateway/overlay/overlay-route.js';
import { chimeWav, DEMO_SOUND } from './chime.js';
import { soundsFolder } from './sounds.js';
import { waitUntil } from '../../../test/support/wait.js';

let served: Served;
let dataDir: string;
let browser: Browser;
let token: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-alerts-'));
  served = await serve({ dataDir, port: 0, lan: false, demo: null, log: () => undefined });
  const created = await served.extensions.clients.create({ name: 'obs', scopes: ['read-only'] });
  if (!created.ok) throw new Error(created.error);
  token = created.value.token;
  // OBS's browser source plays sound without a click; so must the test browser.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
  });
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('alert sounds', () => {
  it('tells sound files by their first bytes, not their names', () => {
    expect(soundTypeOf(chimeWav(0.1))).toBe('wav');
    expect(soundTypeOf(Buffer.from('OggS\0\x02'))).toBe('ogg');
    expect(soundTypeOf(Buffer.from('ID3\x04\0'))).toBe('mp3');
    expect(soundTypeOf(Buffer.from([0xff, 0xfb, 0x90, 0x64]))).toBe('mp3');
    expect(soundTypeOf(Buffer.from('<html><script>'))).toBeNull();
  });

  it('stores an uploaded sound in sounds/ and refuses what is not one, naming the field', async () => {
    const api = served.host.api;
    const data = chimeWav(0.3).toString('base64');
    expect(await api['alerts.sounds.upload']({ name: 'raid-horn.wav', data })).toMatchObject({
      ok: true,
      value: { name: 'raid-horn.wav', type: 'wav' },
    });
    expect(readFileSync(join(soundsFolder(dataDir), 'raid-horn.wav'))).toEqual(chimeWav(0.3));
    const html = Buffer.from('<html><body>not a sound</body></html>').toString('base64');
    expect(await api['alerts.sounds.upload']({ name: 'evil.mp3', data: html })).toEqual({
      ok: false,
      error: 'data: not an mp3, ogg or wav file',
    });
    expect(await api['alerts.sounds.upload']({ name: 'wrong.mp3', data })).toEqual({
      ok: false,
      error: 'name: the file is wav, name it .wav',
    });
    // Bad names never reach the disk: the HostApi's schema refuses them.
    expect(await api['alerts.sounds.upload']({ name: '../escape.wav', data })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^name: /),
    });
    const tooBig = Buffer.concat([chimeWav(0.1), Buffer.alloc(2 * 1024 * 1024)]).toString('base64');
    expect(await api['alerts.sounds.upload']({ name: 'big.wav', data: tooBig })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^data: a sound is at most 2 MiB/),
    });
    expect((await api['alerts.sounds.list']({})).map((sound) => sound.name)).toEqual(['raid-horn.wav']);
  });

  it('serves a sound only with a token that may receive alerts', async () => {
    const base = `${served.gateway.url}/overlay/sounds/raid-horn.wav`;
    expect((await fetch(base)).status).toBe(401);
    expect((await fetch(`${base}?token=nope`)).status).toBe(401);
    const sender = await served.extensions.clients.create({ name: 'deck', scopes: ['send'] });
    if (!sender.ok) throw new Error(sender.error);
    expect((await fetch(`${base}?token=${sender.value.token}`)).status).toBe(401);
    const ok = await fetch(`${base}?token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(chimeWav(0.3));
    expect((await fetch(`${served.gateway.url}/overlay/sounds/..%2Fbitbrat.db?token=${token}`)).status).toBe(404);
  });
});

interface Recorded {
  type: string;
  id: string;
}

/** Records the page's media events and when alert items come and go, in order. */
async function recordingPage(): Promise<Page> {
  const page = await browser.newPage();
  // A string: this test runs under the Node tsconfig, which has no DOM types.
  await page.addInitScript(`
    const log = (window.__log = []);
    for (const type of ['play', 'playing', 'ended', 'error']) {
      document.addEventListener(type, (event) => log.push({ type, id: event.target.dataset.eventId || '' }), true);
    }
    const isAlert = (node) => node.nodeType === 1 && node.classList.contains('alert');
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        for (const node of mutation.addedNodes) if (isAlert(node)) log.push({ type: 'shown', id: node.dataset.eventId });
        for (const node of mutation.removedNodes) if (isAlert(node)) log.push({ type: 'gone', id: node.dataset.eventId });
      }
    }).observe(document, { childList: true, subtree: true });
  `);
  return page;
}

const steps = (event: Envelope | undefined) => (event ? [...event.routing.history, ...event.routing.slip] : []);

const recorded = (page: Page) => page.evaluate('window.__log') as Promise<Recorded[]>;

describe('alerts on the overlay', () => {
  it('plays two raids one after the other, each with its sound, as a step on the slip', async () => {
    const saved = await served.host.api['settings.set']({
      key: 'alerts',
      value: { raid: { template: 'RAID! {user} {headline}', sound: 'raid-horn.wav', durationSeconds: 1, volume: 0.5 } },
    });
    expect(saved.ok).toBe(true);
    const page = await recordingPage();
    await page.goto(overlayUrl(served.gateway.url, token));
    await page.waitForSelector('body[data-state="connected"]', { state: 'attached' });

    const first = await served.host.api['alerts.test']({ kind: 'raid' });
    const second = await served.host.api['alerts.test']({ kind: 'raid' });
    if (!first.ok || !second.ok) throw new Error('test alerts refused');
    const [a, b] = [first.value.eventId, second.value.eventId];

    const log = await waitUntil(
      async () => `both alerts to end: ${JSON.stringify(await Promise.all([recorded(page), page.content()]))}`,
      async () => {
        const entries = await recorded(page);
        return entries.filter((entry) => entry.type === 'gone').length >= 2 && entries;
      },
    );
    const order = log
      .filter((entry) => entry.type !== 'playing')
      .map((entry) => `${entry.type} ${entry.id === a ? 'A' : entry.id === b ? 'B' : '?'}`);
    // The second raid waits until the first has played its sound and left the screen.
    expect(order).toEqual(['shown A', 'play A', 'ended A', 'gone A', 'shown B', 'play B', 'ended B', 'gone B']);
    expect(log.filter((entry) => entry.type === 'playing').map((entry) => entry.id)).toEqual([a, b]);

    // The alert is a step of the event: on its slip, and its annotation keeps what was published.
    const detail = await served.host.api['events.get']({ id: a });
    const step = steps(detail?.event).find((entry) => entry.id === OVERLAY_ALERTS_SERVICE);
    expect(step).toMatchObject({ status: 'OK' });
    const alert = detail?.event.annotations.find((entry) => entry.kind === ALERT_ANNOTATION)?.value as OverlayAlert;
    expect(alert).toMatchObject({
      kind: 'raid',
      title: 'RAID! TestViewer raided with 42 viewers',
      sound: 'raid-horn.wav',
      durationMs: 1000,
      volume: 0.5,
    });
    // A test alert says nothing in chat.
    expect(detail?.event.candidates).toEqual([]);
    await page.close();
  });

  it('shows a real follow through the default thank-supporters rule, with the thank-you in chat', async () => {
    const page = await recordingPage();
    await page.goto(overlayUrl(served.gateway.url, token));
    await page.waitForSelector('body[data-state="connected"]', { state: 'attached' });
    const [result] = await served.host.submit('test', [
      {
        type: 'twitch.follow.v1',
        ingress: { connector: 'twitch-eventsub', channel: 'c' },
        identity: { external: { id: 'f1', login: 'ada', displayName: 'Ada', roles: [] } },
      },
    ]);
    if (!result?.ok) throw new Error('not accepted');
    const item = await page.waitForSelector(`.item.alert[data-event-id="${result.id}"]`, { state: 'attached' });
    expect(await item.textContent()).toContain('Ada followed!');
    // No sound chosen for follows: the overlay plays none.
    expect(await page.$('audio')).toBeNull();
    const settled = await served.host.waitForSettled(result.id, { terminalOnly: true });
    expect(settled.disposition).toBe('replied');
    const detail = await served.host.api['events.get']({ id: result.id });
    expect(steps(detail?.event).map((entry) => entry.id)).toEqual(
      expect.arrayContaining([OVERLAY_ALERTS_SERVICE, 'commands']),
    );
    await page.close();
  });
});

describe('the demo', () => {
  it('gives every alert kind the chime, so the demo plays an alert with sound', async () => {
    const demoDir = mkdtempSync(join(tmpdir(), 'bitbrat-alerts-demo-'));
    const demo = await serve({
      dataDir: demoDir,
      port: 0,
      lan: false,
      demo: { ratePerSecond: 1, scripted: true, live: true },
      log: () => undefined,
    });
    try {
      expect((await demo.host.api['alerts.sounds.list']({})).map((sound) => sound.name)).toEqual([DEMO_SOUND]);
      const { alerts } = await demo.host.api['settings.get']({});
      expect(Object.values(alerts).map((kind) => kind.sound)).toEqual(Array(6).fill(DEMO_SOUND));
    } finally {
      await demo.stop();
      rmSync(demoDir, { recursive: true, force: true });
    }
  });
});
