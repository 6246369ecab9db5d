/**
 * The Counters & quotes view in Chromium against a real host: a counter changed from chat shows
 * in the console, a value set in the console is what chat sees next, and quotes added, edited and
 * deleted in the console are what `!quote` answers.
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
import { waitUntil } from '../support/wait.js';
import { fixtureBackupZip } from '../support/firebot-zip.js';

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

async function replyTo(text: string, login = 'viewer1', roles: string[] = ['viewer']): Promise<string | undefined> {
  const id = await submit(host, chat(text, login, roles), true);
  await host.served.host.flush();
  const detail = await host.served.host.api['events.get']({ id });
  return detail?.deliveries[0]?.text;
}

/** Polls the host until `read` returns what is expected (the console's save is asynchronous). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 15_000): Promise<void> {
  let last: T | undefined;
  const matched = async () => {
    last = await read();
    return JSON.stringify(last) === JSON.stringify(expected);
  };
  // On a timeout the assertion below shows what the host had instead.
  await waitUntil('the expected value', matched, timeoutMs).catch(() => undefined);
  expect(last).toEqual(expected);
}

describe('Counters & quotes in the console', () => {
  it('shows a counter changed from chat, and chat sees the value a moderator sets', async () => {
    expect(await replyTo('!deaths +1', 'mod1', ['moderator'])).toBe('Deaths so far: 1 💀');
    await step(mod, 'counters', async () => {
      await connected(mod.page);
      await mod.page.getByRole('button', { name: 'Timers, counters & quotes' }).click();
      const value = mod.page.getByLabel('Value of deaths');
      await expect.poll(() => value.inputValue(), { timeout: 15_000 }).toBe('1');
      await value.fill('10');
      await value.press('Enter');
      await eventually(
        async () => (await host.served.host.api['counters.values']({ name: 'deaths' })).map((v) => v.value),
        [10],
      );
    });
    expect(await replyTo('!deaths')).toBe('Deaths so far: 10 💀');
  });

  it('defines a new counter with field errors shown, then chat uses it', async () => {
    await step(mod, 'new-counter', async () => {
      await mod.page.getByRole('button', { name: '+ New counter' }).click();
      await mod.page.getByTestId('counters').getByLabel(/^Name/).fill('Bad Name');
      await mod.page.getByRole('button', { name: 'Save counter' }).click();
      await mod.page.getByText(/counter names are/).waitFor();
      await mod.page.getByTestId('counters').getByLabel(/^Name/).fill('wins');
      await mod.page.getByLabel(/Chat command/).fill('!wins');
      await mod.page.getByRole('button', { name: 'Save counter' }).click();
      await mod.page.getByLabel('Value of wins').waitFor();
    });
    expect(await replyTo('!wins ++', 'streamer', ['broadcaster'])).toBe('wins: 1');
  });

  it('adds, edits and deletes quotes that !quote answers', async () => {
    await step(mod, 'quotes', async () => {
      await mod.page.getByRole('button', { name: '+ New quote' }).click();
      await mod.page.getByLabel('Quote', { exact: true }).fill('I meant to do that');
      await mod.page.getByLabel('Said by', { exact: true }).fill('streamer');
      await mod.page.getByLabel('Game', { exact: true }).fill('Celeste');
      await mod.page.getByRole('button', { name: 'Save quote' }).click();
      await mod.page.getByTestId('quote-list').getByText('I meant to do that').waitFor();
    });
    expect(await replyTo('!quote 1')).toBe('#1: "I meant to do that" — streamer (Celeste)');
    expect(await replyTo('!quote add the floor is lava', 'vip1', ['vip'])).toBe('Added quote #2.');

    await step(mod, 'quote-edit', async () => {
      await mod.page.getByLabel('Search quotes').fill('lava');
      const list = mod.page.getByTestId('quote-list');
      await expect
        .poll(() => list.locator('tbody tr').allInnerTexts(), { timeout: 15_000 })
        .toEqual([expect.stringContaining('the floor is lava')]);
      await list.getByRole('button', { name: 'Edit' }).click();
      await mod.page.getByLabel('Quote #2').fill('the floor was lava');
      await mod.page.getByRole('button', { name: 'Save quote' }).click();
      await list.getByText('the floor was lava').waitFor();
      mod.page.once('dialog', (dialog) => void dialog.accept());
      await list.getByRole('button', { name: 'Delete' }).click();
      await mod.page.getByText('No quotes match.').waitFor();
    });
    expect(await replyTo('!quote 2')).toBe('There is no quote #2.');
    expect(mod.problems).toEqual([]);
  });

  it('creates a timer that fires through the pipeline, and turns it off', async () => {
    await step(mod, 'timers', async () => {
      const timers = mod.page.getByTestId('timers');
      await timers.getByRole('button', { name: '+ New timer' }).click();
      await timers.getByLabel(/^Timer id/).fill('hydrate');
      await timers.getByLabel(/^Messages/).fill('Drink some water!\nStretch!');
      await timers.getByRole('button', { name: 'Save timer' }).click();
      await timers.getByTestId('timer-list').getByText('hydrate').waitFor();
    });
    // Live-only by default: make it fire now, without a stream, through the host's API.
    const [saved] = await host.served.host.api['timers.list']({});
    expect(saved).toMatchObject({ id: 'hydrate', onlyWhenLive: true, messages: ['Drink some water!', 'Stretch!'] });
    const { lastSentAt: _lastSentAt, ...definition } = saved!;
    await host.served.host.api['timers.save']({ timer: { ...definition, onlyWhenLive: false, minChatLines: 0 } });
    expect(await host.served.host.workers.control('ingress').call('tickTimers', undefined)).toEqual(['hydrate']);
    await eventually(async () => {
      const page = await host.served.host.api['events.list']({ type: 'timer.fired.v1' });
      return page.items.map((item) => [item.disposition, item.reply]);
    }, [['replied', 'Drink some water!']]);

    await step(mod, 'timer-off', async () => {
      await mod.page.getByLabel('Timer hydrate enabled').click();
    });
    await eventually(
      async () => (await host.served.host.api['timers.list']({})).map((timer) => timer.enabled),
      [false],
    );
    expect(mod.problems).toEqual([]);
  });

  it('backs up, schedules a restore, exports and imports with a preview (Backups & export)', async () => {
    await step(mod, 'backups', async () => {
      await mod.page.getByRole('button', { name: 'Backups & export' }).click();
      const rows = mod.page.getByTestId('backup-list').locator('tbody tr');
      await rows.first().waitFor(); // the one made at start
      const before = await rows.count();
      await mod.page.getByRole('button', { name: 'Back up now' }).click();
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(before + 1);
      mod.page.once('dialog', (dialog) => void dialog.accept());
      await rows.first().getByRole('button', { name: 'Restore at next start' }).click();
      await mod.page.getByTestId('pending-restore').waitFor();
      await mod.page.getByTestId('pending-restore').getByRole('button', { name: 'Cancel' }).click();
      await mod.page.getByTestId('pending-restore').waitFor({ state: 'detached' });
    });

    const exported = await step(mod, 'export', async () => {
      const download = mod.page.waitForEvent('download');
      await mod.page.getByRole('button', { name: 'Export configuration' }).click();
      const file = await (await download).createReadStream();
      const chunks: Buffer[] = [];
      for await (const chunk of file) chunks.push(chunk as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { commands: unknown[]; timers: { id: string }[] };
    });
    expect(exported.timers.map((timer) => timer.id)).toContain('hydrate');

    await step(mod, 'import', async () => {
      exported.commands.push({
        id: 'imported',
        trigger: { kind: 'exact', text: '!imported' },
        template: 'from a file',
      });
      await mod.page.getByLabel('Configuration file').setInputFiles({
        name: 'config.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(exported)),
      });
      const preview = mod.page.getByTestId('import-preview');
      await preview.getByText('imported').waitFor();
      expect(await host.served.host.api['commands.list']({})).not.toContainEqual(
        expect.objectContaining({ id: 'imported' }),
      );
      await preview.getByRole('button', { name: 'Import these changes' }).click();
      await preview.waitFor({ state: 'detached' });
      await mod.page.getByLabel('Configuration file').setInputFiles({
        name: 'bad.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify({ ...exported, version: 9 })),
      });
      await mod.page
        .getByTestId('import-errors')
        .getByText(/^version: /)
        .waitFor();
    });
    expect(await replyTo('!imported')).toBe('from a file');
    expect(mod.problems).toEqual([]);
  });

  it('imports a Firebot backup zip after a dry run that lists what it leaves out', async () => {
    await step(mod, 'firebot-import', async () => {
      await mod.page.getByRole('button', { name: 'Backups & export' }).click();
      await mod.page.getByLabel('Firebot backup zip').setInputFiles({
        name: 'Firebot_Backup.zip',
        mimeType: 'application/zip',
        buffer: await fixtureBackupZip(),
      });
      const preview = mod.page.getByTestId('firebot-preview');
      await preview.getByText('firebot-roll', { exact: false }).first().waitFor();
      await preview
        .getByTestId('firebot-skipped')
        .getByText(/restriction firebot:channelcurrency/)
        .waitFor();
      expect(await host.served.host.api['commands.list']({})).not.toContainEqual(
        expect.objectContaining({ id: 'firebot-roll' }),
      );
      await preview.getByRole('button', { name: 'Import from Firebot' }).click();
      await preview.waitFor({ state: 'detached' });
      await mod.page.getByLabel('Firebot folder or zip path').fill('/no/such/folder');
      await mod.page.getByTestId('firebot-import').getByRole('button', { name: 'Check' }).click();
      await mod.page
        .getByTestId('firebot-errors')
        .getByText(/does not exist/)
        .waitFor();
    });
    expect(await replyTo('!roll', 'sub1', ['subscriber'])).toMatch(/^sub1 rolled \d{1,3} \(deaths so far: 37\)$/);
    expect(mod.problems).toEqual([]);
  });
});
