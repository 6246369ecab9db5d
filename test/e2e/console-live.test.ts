/**
 * The console's views in Chromium against a real host: the name prompt, live events from the demo
 * chat, filters and full-text search, the event detail of a multi-stage slip with replay, Users
 * with moderator actions and memory, Settings → LLM against a local OpenAI-compatible server,
 * the personas editor, and the dashboard. Screenshots of each view go to test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startOpenAiServer, type OpenAiTestServer } from '../support/openai-server.js';
import { waitUntil } from '../support/wait.js';
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
let llm: OpenAiTestServer;
let mod: ConsolePage;
const ids: Record<string, string> = {};

beforeAll(async () => {
  const [started, launched, server] = await Promise.all([
    startTestHost({ channel: 'demo_channel' }),
    launchChromium(),
    startOpenAiServer(),
    ensureRendererBuilt(),
  ]);
  host = started;
  browser = launched;
  llm = server;
  mod = await openConsole(browser, host.url, null);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await llm?.close();
});

const rows = () => mod.page.locator('.feed-row');

describe('the console views against the real host', () => {
  it('asks the moderator name once, then shows the live demo chat as it flows', async () => {
    await step(mod, 'live', async () => {
      await mod.page.getByLabel('Your name').fill('mod-mia');
      await mod.page.keyboard.press('Enter');
      await connected(mod.page);
      // The token leaves the address bar so a screenshot or a shared link does not leak it.
      expect(new URL(mod.page.url()).hash).toBe('');
      await host.served.host.workers.control('ingress').call('demo', { ratePerSecond: 25, scripted: true });
      await mod.page.locator('.feed-row .chip.disp-replied').nth(2).waitFor();
      await rows().nth(23).waitFor();
      // A bot mention's reply held for a moderator (on a loaded machine it can come after row 24).
      await rows()
        .filter({ has: mod.page.locator('.chip.stage-approval') })
        .first()
        .waitFor();
      await host.served.host.workers.control('ingress').call('demo', null);
      await screenshot(mod.page, 'console-live');
      // The same view with a held reply's routing slip open beside the feed.
      await rows()
        .filter({ has: mod.page.locator('.chip.stage-approval') })
        .first()
        .click();
      await mod.page.getByTestId('slip-timeline').locator('li', { hasText: 'llm-bot' }).waitFor();
      await screenshot(mod.page, 'console-live-detail');
      await mod.page.keyboard.press('Escape');
      await mod.page.getByRole('button', { name: 'Paused · resume' }).click();
    });
    expect(mod.problems).toEqual([]);
  });

  it('filters the window by user, type and outcome, and searches history with full text', async () => {
    ids.hello = await submit(host, chat('!hello', 'wendy_w'), true);
    ids.tune = await submit(host, chat('my xylophone is out of tune', 'wendy_w'), true);
    ids.follow = await submit(host, {
      type: 'twitch.follow.v1',
      ingress: { connector: 'test', channel: 'demo_channel' },
      identity: { external: { id: 'id-fay', login: 'fay', displayName: 'Fay', roles: [] } },
      details: {},
    });
    await step(mod, 'filters', async () => {
      await mod.page.locator(`.feed-row[data-event-id="${ids.tune}"]`).waitFor();
      await mod.page.getByLabel('User').fill('wendy_w');
      await rows().filter({ hasText: 'xylophone' }).waitFor();
      expect(await rows().count()).toBe(2);
      await mod.page.getByLabel('Disposition').selectOption('replied');
      await expect.poll(() => rows().count()).toBe(1);
      await rows().filter({ hasText: '!hello' }).waitFor();
      await mod.page.getByRole('button', { name: 'Clear' }).click();
      await mod.page.getByLabel('Type').selectOption('twitch.follow.v1');
      await mod.page.locator(`.feed-row[data-event-id="${ids.follow}"]`).waitFor();
      for (const text of await rows().locator('.col-type').allTextContents()) expect(text).toBe('twitch.follow');
      await mod.page.getByRole('button', { name: 'Clear' }).click();

      // Search is indexed off the pipeline's commits (up to about a second behind): search once it is there.
      await waitUntil('the message searchable', async () => {
        const found = await host.served.host.api['events.list']({ text: 'xylophone' });
        return found.items.length > 0;
      });
      await mod.page.getByLabel('Search text').fill('xylophone');
      await mod.page.keyboard.press('Enter');
      await mod.page.getByText('History: 1 event').waitFor();
      await rows().filter({ hasText: 'my xylophone is out of tune' }).waitFor();
      await screenshot(mod.page, 'console-search');
      await mod.page.getByRole('button', { name: 'Back to live' }).click();
      await mod.page.getByRole('button', { name: 'Clear' }).click();
    });
    expect(mod.problems).toEqual([]);
  });

  it('shows the event detail of a multi-stage slip and replays the event', async () => {
    await step(mod, 'detail', async () => {
      await mod.page.getByLabel('User').fill('wendy_w');
      await mod.page.locator(`.feed-row[data-event-id="${ids.hello}"]`).click();
      const detail = mod.page.getByTestId('event-detail');
      const timeline = detail.getByTestId('slip-timeline');
      await timeline.waitFor();
      // Enrichment ran first (now in history), then the reaction and egress slips.
      await timeline.locator('li.past', { hasText: 'query-analyzer' }).waitFor();
      await timeline.locator('li', { hasText: 'commands' }).waitFor();
      await timeline.locator('li', { hasText: 'egress' }).first().waitFor();
      expect(await timeline.locator('li.past').count()).toBeGreaterThanOrEqual(2);
      await detail.locator('.chip.disp-replied').waitFor();
      await screenshot(mod.page, 'console-event-detail');

      await detail.getByRole('button', { name: 'Replay' }).click();
      await mod.page.locator('.notice', { hasText: 'Replayed as a new event' }).waitFor();
      await detail.locator('dd', { hasText: 'replay · #e2e_channel' }).waitFor();
      await mod.page.keyboard.press('Escape');
      await mod.page.getByRole('button', { name: 'Clear' }).click();
    });
    const replays = await host.served.host.api['events.list']({ user: 'wendy_w', limit: 10 });
    const replay = replays.items.find((item) => item.connector === 'replay');
    expect(replay?.text).toBe('!hello');
    expect(mod.problems).toEqual([]);
  });

  it('lists users with their actions: ban shows the host’s answer, memory opens for the user', async () => {
    mod.page.on('dialog', (dialog) => void dialog.accept());
    const refusal = await host.served.host.api['users.act']({
      platform: 'twitch',
      externalId: 'id-wendy_w',
      action: 'ban',
      moderator: 'probe',
    });
    expect(refusal.ok).toBe(false);
    await step(mod, 'users', async () => {
      await mod.page.keyboard.press('8');
      await mod.page.getByLabel('Search users').fill('wendy');
      const row = mod.page.locator('tr', { hasText: 'wendy_w' });
      await row.waitFor();
      await row.getByRole('button', { name: 'Ban' }).click();
      await mod.page.locator('.notice-error', { hasText: `wendy_w: ${refusal.message}` }).waitFor();
      await screenshot(mod.page, 'console-users');
      await row.getByRole('button', { name: 'memory' }).click();
      await mod.page.getByLabel('Memory key').waitFor();
      expect(await mod.page.getByLabel('Memory key').inputValue()).toBe('twitch:id-wendy_w');
      await mod.page.getByText('The bot remembers nothing here.').waitFor();
    });
    expect(mod.problems).toEqual([]);
  });

  it('edits the LLM settings with validation, saves them and tests the connection', async () => {
    await step(mod, 'llm settings', async () => {
      await mod.page.keyboard.press('9');
      const form = mod.page.getByRole('form', { name: 'LLM settings' });
      await form.getByTestId('llm-usage').waitFor();
      await form.getByLabel('Endpoint URL').fill(llm.baseUrl);
      await form.getByLabel('Model', { exact: true }).fill('test-model');
      await form.getByLabel('Temperature (0–2)').fill('5');
      await form.locator('.error-text', { hasText: '2' }).first().waitFor();
      expect(await form.getByRole('button', { name: 'Save LLM settings' }).isDisabled()).toBe(true);
      await form.getByLabel('Temperature (0–2)').fill('0.4');
      await form.getByRole('button', { name: '+ Price' }).click();
      await form.getByLabel('Price model 1').fill('test-model');
      await form.getByLabel('Input price 1').fill('0.5');
      await form.getByLabel('Output price 1').fill('1.5');
      await form.getByRole('button', { name: 'Save LLM settings' }).click();
      await mod.page.locator('.notice', { hasText: 'LLM settings saved.' }).waitFor();
      await form.getByRole('button', { name: 'Test connection' }).click();
      await form.getByTestId('llm-test-result').filter({ hasText: 'OK: answered' }).waitFor();
      await screenshot(mod.page, 'console-settings');
    });
    const settings = await host.served.host.api['settings.get']({});
    expect(settings.llm).toMatchObject({
      baseUrl: llm.baseUrl,
      model: 'test-model',
      temperature: 0.4,
      priceTable: { 'test-model': { inPerMTok: 0.5, outPerMTok: 1.5 } },
    });
    expect(llm.chatRequests()).toHaveLength(1);
    expect(mod.problems).toEqual([]);
  });

  it('creates a persona, checked with the persona schema as it is typed', async () => {
    await step(mod, 'personas', async () => {
      await mod.page.keyboard.press('6');
      await mod.page.getByRole('button', { name: '+ New persona' }).click();
      const form = mod.page.getByRole('form', { name: 'Persona' });
      await form.getByLabel('Persona id').fill('Pirate Pete');
      await form.getByText('persona ids are lower-case letters').waitFor();
      expect(await form.getByRole('button', { name: 'Save persona' }).isDisabled()).toBe(true);
      await form.getByLabel('Persona id').fill('pirate');
      await form.getByLabel('Persona name').fill('Pirate Pete');
      await form.getByLabel('Instructions').fill('Talk like a friendly pirate.');
      await form.getByLabel('Do', { exact: true }).fill('Say arr.\nKeep it short.');
      await form.getByRole('button', { name: 'Save persona' }).click();
      await mod.page.locator('.notice', { hasText: 'Persona Pirate Pete saved.' }).waitFor();
      await mod.page.locator('.list-item', { hasText: 'pirate' }).waitFor();
    });
    const pirate = (await host.served.host.api['personas.list']({})).find((persona) => persona.id === 'pirate');
    expect(pirate).toMatchObject({ name: 'Pirate Pete', do: ['Say arr.', 'Keep it short.'] });
    expect(mod.problems).toEqual([]);
  });

  it('shows the dashboard with today’s LLM tokens and cost', async () => {
    await step(mod, 'dashboard', async () => {
      await mod.page.keyboard.press('3');
      // The connection test above is not a reply: usage counts the bot's replies.
      await mod.page.getByTestId('llm-tokens').filter({ hasText: /^\d/ }).waitFor();
      await mod.page.getByTestId('llm-cost').filter({ hasText: '$' }).waitFor();
      await mod.page.getByTestId('connectors').waitFor();
      await screenshot(mod.page, 'console-dashboard');
    });
    expect(mod.problems).toEqual([]);
  });
});
