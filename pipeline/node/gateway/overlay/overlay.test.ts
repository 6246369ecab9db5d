/**
 * The OBS overlay page in Debian's headless Chromium against the real gateway and host: an approved
 * reply appears within 200 ms of the approval, and the page reconnects by itself after the app
 * restarts (and shows nothing while the app is away).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from '../../cli/serve.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../cli/chromium.js';
import { overlayUrl } from './overlay-route.js';
import { HOLD_HELLO } from '../../../../test/support/rules.js';

let served: Served;
let dataDir: string;
let browser: Browser;
let page: Page;
let token: string;
const log = () => undefined;

async function start(port: number): Promise<Served> {
  return serve({ dataDir, port, lan: false, demo: null, log });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-overlay-'));
  served = await start(0);
  const created = await served.extensions.clients.create({ name: 'obs', scopes: ['read-only'] });
  if (!created.ok) throw new Error(created.error);
  token = created.value.token;
  // `!hello` is held for a moderator, so the test controls the moment of approval.
  const saved = await served.host.api['rules.save']({ rule: HOLD_HELLO });
  expect(saved.ok).toBe(true);
  // playwright gives every launch a fresh temporary --user-data-dir.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function holdReply(login: string): Promise<{ eventId: string; approvalId: string }> {
  const [result] = await served.host.submit('test', [
    {
      type: 'chat.message.v1',
      ingress: { connector: 'test', channel: 'c' },
      identity: { external: { id: `id-${login}`, login, displayName: login, roles: [] } },
      message: { text: '!hello' },
    },
  ]);
  if (!result?.ok) throw new Error('not accepted');
  const held = await served.host.waitForSettled(result.id);
  expect(held.stage).toBe('approval');
  const approvals = await served.host.api['approvals.list']({ open: true });
  const approval = approvals.find((entry) => entry.event.id === result.id);
  if (!approval) throw new Error('no approval held');
  return { eventId: result.id, approvalId: approval.approval.id };
}

/** Approves and returns how long until the overlay showed the reply (the page stamps `data-shown-at`). */
async function approveAndMeasure(eventId: string, approvalId: string): Promise<number> {
  const approvedAt = Date.now();
  const decided = await served.host.api['approvals.decide']({
    approvalId,
    decision: { action: 'approve' },
    moderator: 'mod',
    console: 'test',
  });
  expect(decided.ok).toBe(true);
  const item = await page.waitForSelector(`.item.reply[data-event-id="${eventId}"]`, {
    state: 'attached',
    timeout: 5000,
  });
  const shownAt = Number(await item.getAttribute('data-shown-at'));
  return shownAt - approvedAt;
}

describe('OBS overlay', () => {
  it('serves the page with a strict CSP and no caching', async () => {
    const response = await fetch(`${served.gateway.url}/overlay?token=${token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${served.gateway.url}/overlay/secrets.txt`)).status).toBe(404);
    expect((await fetch(`${served.gateway.url}/overlay`, { method: 'POST' })).status).toBe(405);
  });

  it('shows an approved reply within 200 ms of the approval, themed from the URL', async () => {
    await page.goto(
      overlayUrl(served.gateway.url, token, { position: 'top-right', accent: '#ff0000', duration: '30' }),
    );
    await page.waitForSelector('body[data-state="connected"]', { state: 'attached' });
    expect(
      await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bb-accent').trim()"),
    ).toBe('#ff0000');
    expect(await page.getAttribute('body', 'data-position')).toBe('top-right');
    const figures: number[] = [];
    for (const login of ['ana', 'ben', 'cy']) {
      const { eventId, approvalId } = await holdReply(login);
      expect(await page.$(`[data-event-id="${eventId}"]`)).toBeNull(); // held: not on stream yet
      figures.push(await approveAndMeasure(eventId, approvalId));
    }
    console.log(`overlay: approval → on screen in ${figures.join(', ')} ms`);
    for (const ms of figures) expect(ms).toBeLessThan(200);
    const text = await page.textContent(`.item.reply:last-child .text`);
    expect(text?.length).toBeGreaterThan(0);
  });

  it('reconnects by itself after the app restarts, showing nothing while it is away', async () => {
    const port = served.gateway.port;
    await served.stop();
    await page.waitForSelector('body[data-state="connecting"]', { state: 'attached' });
    served = await start(port);
    await page.waitForSelector('body[data-state="connected"]', { state: 'attached', timeout: 10_000 });
    const { eventId, approvalId } = await holdReply('dee');
    const ms = await approveAndMeasure(eventId, approvalId);
    console.log(`overlay after a restart: approval → on screen in ${ms} ms`);
    expect(ms).toBeLessThan(200);
  });

  it('works from a local file that OBS loaded before the app started', async () => {
    // The file is written while the app runs (it needs the gateway address and the token)...
    const written = await served.host.api['overlay.writeFile']({ token, theme: { position: 'bottom-left' } });
    if (!written.ok) throw new Error(written.error);
    expect(statSync(written.value.path).mode & 0o777).toBe(0o600);
    const port = served.gateway.port;
    // ...then the app is away when OBS opens the file: the page loads anyway and waits.
    await served.stop();
    const obs = await browser.newPage();
    const errors: string[] = [];
    obs.on('pageerror', (error) => errors.push(error.message));
    await obs.goto(written.value.fileUrl);
    await obs.waitForSelector('body[data-state="connecting"]', { state: 'attached' });
    expect(await obs.getAttribute('body', 'data-position')).toBe('bottom-left');
    served = await start(port);
    await obs.waitForSelector('body[data-state="connected"]', { state: 'attached', timeout: 10_000 });
    const { eventId, approvalId } = await holdReply('eve');
    await served.host.api['approvals.decide']({
      approvalId,
      decision: { action: 'approve' },
      moderator: 'mod',
      console: 'test',
    });
    await obs.waitForSelector(`.item.reply[data-event-id="${eventId}"]`, { state: 'attached', timeout: 5000 });
    expect(errors).toEqual([]);
    await obs.close();
  });

  it('refuses to put a token that can send into an overlay file', async () => {
    const created = await served.extensions.clients.create({ name: 'deck', scopes: ['send', 'receive'] });
    if (!created.ok) throw new Error(created.error);
    const written = await served.host.api['overlay.writeFile']({ token: created.value.token, theme: {} });
    expect(written).toMatchObject({ ok: false, error: expect.stringMatching(/read-only/) });
  });

  it('refuses the overlay socket with a revoked token', async () => {
    const [client] = (await served.extensions.clients.list()).filter((entry) => entry.name === 'obs');
    expect(await served.extensions.clients.revoke({ id: client!.id })).toEqual({ ok: true });
    await page.waitForSelector('body[data-error="UNAUTHORIZED"]', { state: 'attached' });
  });
});
