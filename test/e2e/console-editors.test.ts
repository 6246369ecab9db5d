/**
 * The editors in Chromium against a real host, under the console's strict CSP (no 'unsafe-eval'):
 * a moderator creates a rule by typing, saves it, and tests it against a stored event.
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

let host: TestHost;
let browser: Browser;
let mod: ConsolePage;

beforeAll(async () => {
  const [started, launched] = await Promise.all([startTestHost(), launchChromium(), ensureRendererBuilt()]);
  host = started;
  browser = launched;
  mod = await openConsole(browser, host.url, 'mod-erin');
  await connected(mod.page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('the rules editor', () => {
  it('creates, saves and tests a rule by typing, with no eval and no error before typing', async () => {
    const eventId = await submit(host, chat('!lurk for a while', 'ulla'), true);
    const page = mod.page;
    await step(mod, 'new rule', async () => {
      await page.keyboard.press('4');
      await page.getByRole('button', { name: '+ New rule' }).click();
      await page.getByLabel('When').waitFor();
    });
    // Nothing typed yet: no complaint about the empty id.
    expect(await page.getByTestId('rule-error').count()).toBe(0);
    // The When label is one line of text, not a word per line.
    const label = await page
      .locator('label', { has: page.getByLabel('When') })
      .locator('> span')
      .first()
      .boundingBox();
    expect(label!.height).toBeLessThan(40);

    await step(mod, 'type the rule', async () => {
      await page.getByLabel('Id', { exact: true }).fill('lurkers');
      await page.getByLabel('Name', { exact: true }).fill('Lurk command');
      await page.getByLabel('Priority').fill('250');
      await page.getByLabel('When').fill('{ "bogus": [1] }');
      await page.getByTestId('rule-error').filter({ hasText: 'unknown operator "bogus"' }).waitFor();
      await page.getByLabel('When').fill('{ "startsWith": [{ "var": "text" }, "!lurk"] }');
      await page.getByTestId('rule-error').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('.notice', { hasText: 'Rule lurkers saved.' }).waitFor();
    });
    const rules = await host.served.host.api['rules.list']({});
    expect(rules.find((rule) => rule.id === 'lurkers')).toMatchObject({
      name: 'Lurk command',
      priority: 250,
      when: { startsWith: [{ var: 'text' }, '!lurk'] },
    });

    await step(mod, 'test the rule', async () => {
      await page.getByLabel('Event id to test').fill(eventId);
      await page.getByRole('button', { name: 'Test', exact: true }).click();
      await page.getByTestId('rule-test-result').filter({ hasText: 'chosen: lurkers' }).waitFor();
    });
    await screenshot(page, 'console-rules');
    // A CSP violation (eval) is logged by Chromium as a console error.
    expect(mod.problems).toEqual([]);
  });
});
