/**
 * Giveaways and welcome greetings in the console (Chromium against a real host): a giveaway run from
 * chat shows with its winner and who entered, and a greeting edited in the console is what the
 * welcome rule sends once the streamer turns it on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  chat,
  connected,
  ensureRendererBuilt,
  launchChromium,
  openConsole,
  step,
  submit,
  type ConsolePage,
  type TestHost,
  startTestHost,
} from './support.js';

let host: TestHost;
let browser: Browser;
let mod: ConsolePage;

beforeAll(async () => {
  const [started, launched] = await Promise.all([startTestHost(), launchChromium(), ensureRendererBuilt()]);
  host = started;
  browser = launched;
  mod = await openConsole(browser, host.url, 'mod-kim');
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

async function replyTo(event: ReturnType<typeof chat>): Promise<string | undefined> {
  const id = await submit(host, event, true);
  await host.served.host.flush();
  return (await host.served.host.api['events.get']({ id }))?.deliveries[0]?.text;
}

describe('Giveaways and welcome in the console', () => {
  it('lists a giveaway run from chat with its winner and entries', async () => {
    expect(await replyTo(chat('!giveaway open !join', 'mod1', ['moderator']))).toBe(
      'Giveaway #1 is open: type !join to enter!',
    );
    for (const login of ['ada', 'bob']) await replyTo(chat('!join', login, ['viewer']));
    const announced = await replyTo(chat('!giveaway draw', 'mod1', ['moderator']));
    const winner = /@(ada|bob)!/.exec(announced ?? '')?.[1];
    expect(winner).toBeDefined();

    await step(mod, 'giveaways', async () => {
      await connected(mod.page);
      await mod.page.getByRole('button', { name: 'Timers, counters & quotes' }).click();
      const section = mod.page.getByTestId('giveaways');
      await section.getByRole('button', { name: 'Refresh' }).click();
      const row = section.locator('tbody tr').first();
      await expect
        .poll(() => row.innerText(), { timeout: 15_000 })
        .toMatch(new RegExp(`!join[\\s\\S]*closed[\\s\\S]*2[\\s\\S]*${winner}`));
      await section.getByRole('button', { name: 'Entries of #1' }).click();
      const entries = section.getByLabel('Entries of giveaway 1');
      await expect
        .poll(() => entries.locator('li').allInnerTexts(), { timeout: 15_000 })
        .toEqual([expect.stringContaining('ada'), expect.stringContaining('bob')]);
    });
  });

  it('saves the first-time greeting that the welcome rule sends', async () => {
    await step(mod, 'welcome', async () => {
      const section = mod.page.getByTestId('welcome');
      await section.getByLabel('First-time chatter greeting').fill('Hi {user}, glad you found us!');
      await section.getByRole('button', { name: 'Save greetings' }).click();
      await mod.page.getByText('Greetings saved.').waitFor();
    });
    const api = host.served.host.api;
    const rule = (await api['rules.list']({})).find((entry) => entry.id === 'welcome-first-time')!;
    expect(await api['rules.save']({ rule: { ...rule, enabled: true } })).toMatchObject({ ok: true });
    const first = { ...chat('hello there', 'newbie', ['viewer']), details: { firstMessage: true } };
    expect(await replyTo(first)).toBe('Hi newbie, glad you found us!');
    expect(mod.problems).toEqual([]);
  });
});
