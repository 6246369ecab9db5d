/**
 * Nothing in the console misleads, in Chromium against a real host: follows and raids read as what
 * happened, the slip shows the approval gate with the time it really held, the dashboard keeps the
 * pipeline's latency apart from a moderator's think time, analyzer findings read as words, Settings
 * names the port the console really runs on, toasts stay with their view, and the top bar shows
 * each connector's health by the channel with the console's own link apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Approval } from '../../pipeline/core/approval.js';
import { formatMs } from '../../renderer/ui/format.js';
import { HOLD_HELLO } from '../support/rules.js';
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
  const saved = await host.served.host.api['rules.save']({ rule: HOLD_HELLO });
  if (!saved.ok) throw new Error(saved.error);
  mod = await openConsole(browser, host.url, 'mod-gus');
  await step(mod, 'open the console', () => connected(mod.page));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

async function heldFor(eventId: string): Promise<Approval> {
  await host.served.host.flush();
  const held = await host.served.host.api['approvals.list']({});
  const item = held.find((entry) => entry.event.id === eventId);
  if (!item) throw new Error(`nothing held for ${eventId}`);
  return item.approval;
}

describe('a console that does not mislead', () => {
  it('shows a raid as what happened, in the live row and in the detail', async () => {
    const eventId = await submit(
      host,
      {
        type: 'twitch.raid.v1',
        ingress: { connector: 'test', channel: 'e2e_channel' },
        identity: { external: { id: 'id-rex', login: 'rex', displayName: 'Rex', roles: [] } },
        details: { viewers: 187 },
      },
      true,
    );
    const row = mod.page.locator(`.feed-row[data-event-id="${eventId}"]`);
    await step(mod, 'raid row', async () => {
      await mod.page.keyboard.press('1');
      await row.filter({ hasText: 'raided with 187 viewers' }).waitFor();
    });
    expect(await row.textContent()).not.toContain('delivered via');
    await step(mod, 'raid detail', async () => {
      await row.click();
      await mod.page.getByTestId('event-headline').filter({ hasText: 'Rex raided with 187 viewers' }).waitFor();
    });
    await mod.page.keyboard.press('Escape');
    expect(mod.problems).toEqual([]);
  });

  it('shows the approval gate on the slip with the time it held, and analyzer findings in words', async () => {
    const eventId = await submit(host, chat('!hello', 'hana'));
    const approval = await heldFor(eventId);
    await step(mod, 'approve', async () => {
      await mod.page.keyboard.press('2');
      await mod.page.locator(`[data-approval-id="${approval.id}"]`).click();
      await mod.page.getByText('What the analyzer saw').waitFor();
      await mod.page.keyboard.press('a');
      await mod.page.getByTestId('decided-by').filter({ hasText: 'approved by mod-gus' }).waitFor();
    });
    const findings = await mod.page.locator('.annotations').textContent();
    // Each score once, in the words: no "(0.76) (0.76)", no "9 tokens (9.00)".
    expect(findings).not.toMatch(/\(-?\d\.\d\d\)\s*\(-?\d\.\d\d\)/);
    expect(findings).toMatch(/tokens\s*\d+ words?/);
    expect(findings).not.toMatch(/\d tokens/);
    await host.served.host.waitForSettled(eventId, { terminalOnly: true });
    const detail = (await host.served.host.api['events.get']({ id: eventId }))!;
    const decided = detail.approvals[0]!;
    const gate = mod.page.getByTestId('slip-gate');
    await step(mod, 'gate on the slip', async () => {
      // Inside Approvals the number keys send candidates: leave it with the tab.
      await mod.page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Live' }).click();
      await mod.page.locator(`.feed-row[data-event-id="${eventId}"]`).click();
      await gate.filter({ hasText: `held ${formatMs(decided.decidedAt! - decided.heldAt)} · by mod-gus` }).waitFor();
    });
    // In its place: after the reaction's commands step, before egress.
    const steps = await mod.page.getByTestId('slip-timeline').locator('> li').allTextContents();
    const gateAt = steps.findIndex((text) => text.startsWith('approvalgate'));
    expect(steps.findIndex((text) => text.includes('commands'))).toBeLessThan(gateAt);
    expect(steps.findIndex((text) => text.startsWith('egress'))).toBeGreaterThan(gateAt);
    // The detail's annotations are words too, not JSON.
    expect(await mod.page.getByTestId('event-detail').locator('table').last().textContent()).not.toContain('{"');
    await screenshot(mod.page, 'console-live-detail-gate');
    await mod.page.keyboard.press('Escape');

    await step(mod, 'dashboard latency apart', async () => {
      await mod.page.keyboard.press('3');
      await mod.page.getByTestId('approval-wait').filter({ hasNotText: 'none yet' }).filter({ hasText: '/' }).waitFor();
    });
    const stats = await host.served.host.api['stats.get']({});
    expect(await mod.page.getByTestId('approval-wait').textContent()).toContain(formatMs(stats.approvalWait!.p50Ms));
    expect(stats.pipelineLatency!.p50Ms).toBeLessThanOrEqual(stats.endToEnd.p50Ms);
    expect(mod.problems).toEqual([]);
  });

  it('names the port the console really runs on, and a toast stays with its view', async () => {
    await step(mod, 'settings', async () => {
      await mod.page.keyboard.press('9');
      await mod.page
        .getByTestId('running-port')
        .filter({ hasText: `Running now on port ${host.port}` })
        .waitFor();
    });
    const settings = await host.served.host.api['settings.get']({});
    if (settings.gatewayPort !== host.port) {
      expect(await mod.page.getByTestId('running-port').textContent()).toContain(
        `the saved ${settings.gatewayPort} applies at the next start`,
      );
    }
    await step(mod, 'toast', async () => {
      await mod.page.getByLabel('Keep events (days)').fill('31');
      await mod.page.getByLabel('Keep events (days)').press('Enter');
      await mod.page.locator('.notice', { hasText: 'saved' }).waitFor();
      await mod.page.locator('body').click({ position: { x: 5, y: 840 } });
      await mod.page.keyboard.press('1');
      await mod.page.locator('.notice').first().waitFor({ state: 'detached' });
    });
    expect(mod.problems).toEqual([]);
  });

  it("shows each connector's health by the channel, and the console's own link apart", async () => {
    const chatDot = mod.page.locator('[data-testid=channel-status] [data-connector=twitch-chat]');
    await step(mod, 'connected', async () => {
      await mod.page.getByTestId('channel-status').filter({ hasText: '#e2e_channel' }).waitFor();
      await chatDot.and(mod.page.locator('[data-state=connected]')).waitFor();
    });
    await host.irc.close();
    await step(mod, 'reconnecting', async () => {
      await chatDot.and(mod.page.locator('[data-state=reconnecting]')).waitFor({ timeout: 30_000 });
      await chatDot.filter({ hasText: 'reconnecting' }).waitFor();
    });
    // The console is still linked to its host: that is a separate, truthful badge.
    expect(await mod.page.getByTestId('connection').textContent()).toContain('console linked');
    await screenshot(mod.page, 'console-topbar-reconnecting');
    expect(mod.problems).toEqual([]);
  });
});
