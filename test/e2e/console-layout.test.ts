/**
 * Issue 13's layout defects, measured in Chromium at the two desktop sizes moderators use (1440x900
 * and 1280x800) against a real host: the navigation stays on one line, every Users row has its cells
 * on one line, the webhook form's fields stay inside the form, and a keyboard-only moderator leaves
 * Approvals with Escape then a view's number (the numbers alone pick candidates there). Screenshots of
 * each size go to test-artifacts/ (docs/screenshots/ are refreshed from them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  chat,
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

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 800 },
];

let host: TestHost;
let browser: Browser;
let mod: ConsolePage;

beforeAll(async () => {
  // Built before the host starts: the gateway reads the renderer's index.html (its asset names) when it serves.
  await ensureRendererBuilt();
  const [started, launched] = await Promise.all([startTestHost(), launchChromium()]);
  host = started;
  browser = launched;
  for (const [login, roles] of [
    ['wendy_w', ['viewer']],
    ['a_very_long_display_name_42', ['subscriber', 'vip']],
    ['modmax', ['moderator']],
  ] as const)
    await submit(host, chat('hello there', login, [...roles]), true);
  mod = await openConsole(browser, host.url, 'mod-lee');
  await connected(mod.page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

/** Page-side measurements are strings: this file compiles without DOM types. */
const NAV_LINES = `(() => new Set([...document.querySelectorAll('nav[aria-label=Views] .tab')]
  .map((tab) => Math.round(tab.getBoundingClientRect().top))).size)()`;
const NAV_CLIPPED = `(() => { const nav = document.querySelector('nav[aria-label=Views]');
  return nav.scrollWidth > nav.clientWidth + 1; })()`;
/**
 * For every Users row: the cells whose content runs over more than one line (their text boxes span
 * more than one and a half of their own height), and how many different middles its cells have.
 */
const USER_ROW_LINES = `[...document.querySelectorAll('.users table tbody tr')].map((row) => {
  const wrapped = [...row.children].filter((cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const boxes = [...range.getClientRects()].filter((box) => box.width > 0 && box.height > 0);
    if (boxes.length === 0) return false;
    const top = Math.min(...boxes.map((box) => box.top));
    const bottom = Math.max(...boxes.map((box) => box.bottom));
    return bottom - top > 1.5 * Math.max(...boxes.map((box) => box.height));
  }).map((cell) => cell.textContent);
  const centres = [...row.children].map((cell) => { const box = cell.getBoundingClientRect(); return Math.round(box.top + box.height / 2); });
  return { wrapped, centres: new Set(centres).size };
})`;
/** Users' action controls cut off by the view's edge (past the view's right, or past the window's). */
const USER_ACTIONS_CLIPPED = `(() => { const view = document.querySelector('.users').getBoundingClientRect();
  const right = Math.min(view.right, window.innerWidth);
  return [...document.querySelectorAll('.users table button, .users table select')]
    .filter((control) => control.getBoundingClientRect().right > right + 1).map((control) => control.textContent); })()`;
/** Form controls that stick out of the webhook form (their right edge past the form's). */
const WEBHOOK_OVERFLOW = `(() => { const form = document.querySelector('form[aria-label="New webhook"]');
  const right = form.getBoundingClientRect().right;
  return [...form.querySelectorAll('input, select, button')].filter((control) => control.getBoundingClientRect().right > right + 1)
    .map((control) => control.getAttribute('placeholder') || control.textContent || control.tagName); })()`;

describe('the console layout at 1440x900 and 1280x800', () => {
  for (const size of SIZES) {
    it(`keeps the nav on one line, Users rows aligned and the webhook form inside itself at ${size.width}x${size.height}`, async () => {
      const tag = `${size.width}x${size.height}`;
      await mod.page.setViewportSize(size);
      await step(mod, `nav ${tag}`, async () => {
        await mod.page.keyboard.press('1');
        await mod.page.locator('.feed-row', { hasText: 'hello there' }).first().waitFor();
        expect(await mod.page.evaluate(NAV_LINES)).toBe(1);
        expect(await mod.page.evaluate(NAV_CLIPPED)).toBe(false);
        await screenshot(mod.page, `layout-live-${tag}`);
      });
      await step(mod, `users ${tag}`, async () => {
        await mod.page.keyboard.press('8');
        await mod.page.locator('.users table tbody tr', { hasText: 'a_very_long_display_name_42' }).waitFor();
        const rows = (await mod.page.evaluate(USER_ROW_LINES)) as { wrapped: string[]; centres: number }[];
        expect(rows).toHaveLength(3);
        // One line of text (and of buttons) per user, every cell on the same middle line.
        for (const row of rows) expect(row).toEqual({ wrapped: [], centres: 1 });
        expect(await mod.page.evaluate(USER_ACTIONS_CLIPPED)).toEqual([]);
        await screenshot(mod.page, `layout-users-${tag}`);
      });
      await step(mod, `webhooks ${tag}`, async () => {
        await mod.page.getByRole('button', { name: 'Overlay & clients' }).click();
        const form = mod.page.getByRole('form', { name: 'New webhook' });
        await form.scrollIntoViewIfNeeded();
        expect(await mod.page.evaluate(WEBHOOK_OVERFLOW)).toEqual([]);
        await form.getByLabel('Direction').selectOption('out');
        expect(await mod.page.evaluate(WEBHOOK_OVERFLOW)).toEqual([]);
        await form.getByLabel('Direction').selectOption('in');
        await screenshot(mod.page, `layout-webhooks-${tag}`);
      });
    });
  }

  it('leaves Approvals from the keyboard: Escape, then the view number (shown in the queue and the help)', async () => {
    await mod.page.setViewportSize(SIZES[0]!);
    await submit(host, chat('@bitbrat what are we playing?', 'kim'));
    await step(mod, 'leave approvals', async () => {
      await mod.page.keyboard.press('2');
      await mod.page.locator('.queue [data-approval-id]').first().click();
      const keys = mod.page.getByTestId('queue-keys');
      await keys.filter({ hasText: 'Esc then number' }).waitFor();
      // A number alone stays in Approvals.
      await mod.page.keyboard.press('3');
      expect(await mod.page.locator('.tab.active').innerText()).toMatch(/^Approvals/);
      await mod.page.keyboard.press('Escape');
      await mod.page.getByTestId('view-keys-armed').waitFor();
      await screenshot(mod.page, 'layout-approvals-leaving');
      // A second Escape gives the numbers back to the candidates.
      await mod.page.keyboard.press('Escape');
      await keys.filter({ hasText: 'Esc then number' }).waitFor();
      await mod.page.keyboard.press('Escape');
      await mod.page.keyboard.press('3');
      await mod.page.locator('.tab.active', { hasText: 'Dashboard' }).waitFor();
      // Back in a view where numbers switch views at once; the help says how to leave Approvals.
      await mod.page.keyboard.press('?');
      await mod.page.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByText('Esc, then 1–9, 0').waitFor();
      await mod.page.keyboard.press('?');
    });
    expect(mod.problems).toEqual([]);
  });
});
