/**
 * The console across a host restart: the served host stops, the console says so, the host serves
 * again on the same port and data folder, the console reconnects by itself and re-reads what it
 * shows — including a held reply that survived the restart, which can then be approved. Also: a
 * wrong token is refused with a sentence a moderator understands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  chat,
  connected,
  ensureRendererBuilt,
  launchChromium,
  openConsole,
  startTestHost,
  step,
  submit,
  type TestHost,
} from './support.js';
import { HOLD_HELLO } from '../support/rules.js';

/** Chromium itself logs each refused reconnect attempt; that is the host being down, not a console bug. */
const SOCKET_REFUSED = /WebSocket connection to .* failed/;

let host: TestHost;
let browser: Browser;

beforeAll(async () => {
  const [started, launched] = await Promise.all([startTestHost(), launchChromium(), ensureRendererBuilt()]);
  host = started;
  browser = launched;
  const saved = await host.served.host.api['rules.save']({ rule: HOLD_HELLO });
  if (!saved.ok) throw new Error(saved.error);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('the console across a host restart', () => {
  it('reconnects by itself, and the held reply that survived the restart can be approved', async () => {
    const mod = await openConsole(browser, host.url, 'mod-rey', { allow: [SOCKET_REFUSED] });
    try {
      const eventId = await submit(host, chat('!hello', 'uma'));
      await step(mod, 'before restart', async () => {
        await connected(mod.page);
        await mod.page.locator('[data-testid=held-count]', { hasText: '1' }).waitFor();
      });

      await host.stop();
      await step(mod, 'host down', () =>
        mod.page
          .locator('[data-testid=connection]:not([data-status=open])', { hasText: 'Connection to the host lost' })
          .waitFor(),
      );
      await host.restart();
      await step(mod, 'reconnected', async () => {
        await mod.page.locator('[data-testid=connection][data-status=open]').waitFor({ timeout: 15_000 });
        await mod.page.locator('[data-testid=held-count]', { hasText: '1' }).waitFor();
      });

      // The live feed flows again after the reconnect.
      const after = await submit(host, chat('back after the restart', 'uma'), true);
      await step(mod, 'feed after restart', () => mod.page.locator(`.feed-row[data-event-id="${after}"]`).waitFor());

      await step(mod, 'approve after restart', async () => {
        await mod.page.keyboard.press('2');
        await mod.page.getByTestId('reply-text').waitFor();
        await mod.page.keyboard.press('a');
        await mod.page.getByTestId('decided-by').filter({ hasText: 'approved by mod-rey' }).waitFor();
      });
      await host.served.host.waitForSettled(eventId, { terminalOnly: true });
      const detail = await host.served.host.api['events.get']({ id: eventId });
      expect(detail?.event.disposition).toBe('replied');
      expect(mod.problems).toEqual([]);
    } finally {
      await mod.close();
    }
  });

  it('says so when the host refuses the token', async () => {
    const wrong = `${host.served.gateway.url}/#token=not-the-token`;
    const mod = await openConsole(browser, wrong, 'mod-rey', { allow: [SOCKET_REFUSED] });
    try {
      await step(mod, 'refused token', () =>
        mod.page
          .locator('[data-testid=connection][data-status=closed]', { hasText: 'The host refused the access token' })
          .waitFor(),
      );
      expect(mod.problems).toEqual([]);
    } finally {
      await mod.close();
    }
  });
});
