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

  it('builds a common condition with the form and writes it into When', async () => {
    const page = mod.page;
    await step(mod, 'condition form', async () => {
      await page.getByRole('button', { name: '+ New rule' }).click();
      await page.getByLabel('Id', { exact: true }).fill('sub-clips');
      await page.getByLabel('Text match').selectOption('startsWith');
      await page.getByLabel('Text', { exact: true }).fill('!Clip');
      await page.getByLabel('Role').selectOption('subscriber');
      await page.getByRole('button', { name: 'Use as When' }).click();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('.notice', { hasText: 'Rule sub-clips saved.' }).waitFor();
    });
    const saved = (await host.served.host.api['rules.list']({})).find((rule) => rule.id === 'sub-clips');
    expect(saved?.when).toEqual({
      and: [{ startsWith: [{ var: 'text' }, '!clip'] }, { hasRole: [{ var: 'roles' }, 'subscriber'] }],
    });
    expect(mod.problems).toEqual([]);
  });
});

describe('the commands editor', () => {
  it('creates a command with the form, previews it on a sample line, and keeps JSON as advanced', async () => {
    const page = mod.page;
    await step(mod, 'new command', async () => {
      await page.keyboard.press('5');
      await page.getByRole('button', { name: '+ New command' }).click();
      await page.getByLabel('Reply template').waitFor();
    });
    expect(await page.getByTestId('command-error').count()).toBe(0);
    await step(mod, 'fill the form', async () => {
      await page.getByLabel('Id', { exact: true }).fill('so');
      await page.getByLabel('Runs when').selectOption('prefix');
      await page.getByLabel('Trigger').fill('!so');
      await page.getByLabel('Reply template').fill('Go follow ');
      await page.getByRole('button', { name: '{arg1}' }).click();
      await page.getByLabel('Reply template').press('End');
      await page.getByLabel('Reply template').pressSequentially(', says {user}');
      await page.getByLabel('Cooldown per user (s)').fill('30');
      await page.getByRole('checkbox', { name: 'moderator' }).check();
      await page.getByLabel('Sample chat message').fill('!so @ada');
      await page.getByTestId('command-preview').filter({ hasText: 'Bot: Go follow ada, says SampleViewer' }).waitFor();
      await page.getByLabel('Sample chat message').fill('!something');
      await page.getByTestId('command-preview').filter({ hasText: 'does not run this trigger' }).waitFor();
    });
    await step(mod, 'advanced JSON', async () => {
      await page.getByRole('button', { name: 'Advanced (JSON)' }).click();
      const json = JSON.parse(await page.getByLabel('Command JSON').inputValue()) as Record<string, unknown>;
      expect(json).toMatchObject({ id: 'so', trigger: { kind: 'prefix', text: '!so' }, roles: ['moderator'] });
      await page.getByRole('button', { name: 'Back to the form' }).click();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('.notice', { hasText: 'Command so saved.' }).waitFor();
    });
    await screenshot(page, 'console-commands');
    const saved = (await host.served.host.api['commands.list']({})).find((command) => command.id === 'so');
    expect(saved).toMatchObject({
      trigger: { kind: 'prefix', text: '!so' },
      template: 'Go follow {arg1}, says {user}',
      roles: ['moderator'],
      userCooldownSeconds: 30,
    });
    expect(mod.problems).toEqual([]);
  });
});
