/**
 * The approval queue in Chromium against a real host: approve, edit, reject and regenerate from the
 * keyboard, expiry, user actions, and two consoles deciding the same reply at once (the first
 * decision wins, both show who made it). Replies come from the `commands` service held by a rule,
 * and from the demo's scripted llm-bot for bot mentions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Approval } from '../../pipeline/core/approval.js';
import type { RuleInput } from '../../pipeline/core/rules.js';
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
import { HOLD_HELLO } from '../support/rules.js';

/** The smallest expiry the policy allows (ApprovalPolicySchema: a positive whole number of seconds). */
const expireFast: RuleInput = {
  id: 'soon-expires',
  stage: 'reaction',
  priority: 210,
  when: { startsWith: [{ var: 'text' }, '!soon'] },
  slip: ['commands'],
  approval: { mode: 'require', expireSeconds: 1 },
};

let host: TestHost;
let browser: Browser;
let alice: ConsolePage;

beforeAll(async () => {
  const [started, launched] = await Promise.all([startTestHost(), launchChromium(), ensureRendererBuilt()]);
  host = started;
  browser = launched;
  const api = host.served.host.api;
  for (const rule of [HOLD_HELLO, expireFast]) {
    const saved = await api['rules.save']({ rule });
    if (!saved.ok) throw new Error(saved.error);
  }
  const command = await api['commands.save']({
    command: {
      id: 'soon',
      enabled: true,
      trigger: { kind: 'exact', text: '!soon' },
      template: 'soon, {user}',
      roles: [],
      userCooldownSeconds: 0,
      globalCooldownSeconds: 0,
    },
  });
  if (!command.ok) throw new Error(command.error);
  alice = await openConsole(browser, host.url, 'mod-alice');
  await connected(alice.page);
  await alice.page.keyboard.press('2');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

async function heldFor(eventId: string): Promise<Approval> {
  // Approval updates reach SQLite a few milliseconds after the push (write-behind): read after them.
  await host.served.host.flush();
  const held = await host.served.host.api['approvals.list']({});
  const item = held.find((entry) => entry.event.id === eventId && entry.approval.state === 'held');
  if (!item) throw new Error(`nothing held for ${eventId}`);
  return item.approval;
}

/** Clicks the queue item so the keyboard acts on it, and waits for its context to load. */
async function pick(console: ConsolePage, approval: Approval): Promise<void> {
  await console.page.locator(`[data-approval-id="${approval.id}"]`).click();
  await console.page
    .getByTestId('reply-text')
    .filter({ hasText: approval.finalText ?? approval.originalText })
    .waitFor();
}

async function finalDetail(eventId: string) {
  await host.served.host.waitForSettled(eventId, { terminalOnly: true });
  const detail = await host.served.host.api['events.get']({ id: eventId });
  if (!detail) throw new Error(`event ${eventId} is missing`);
  return detail;
}

describe('the approval queue against the real host', () => {
  it('approves from the keyboard: the reply is sent and records who approved it', async () => {
    const eventId = await submit(host, chat('!hello', 'nina'));
    const approval = await heldFor(eventId);
    await step(alice, 'approve', async () => {
      await alice.page.locator('[data-testid=held-count]', { hasText: '1' }).waitFor();
      await pick(alice, approval);
      await screenshot(alice.page, 'console-approvals');
      await alice.page.keyboard.press('a');
      await alice.page.getByTestId('decided-by').filter({ hasText: 'approved by mod-alice' }).waitFor();
    });
    const detail = await finalDetail(eventId);
    expect(detail.event.disposition).toBe('replied');
    expect(detail.approvals[0]).toMatchObject({ state: 'approved', decidedBy: 'mod-alice' });
    expect(detail.approvals[0]!.console).toMatch(/^web-/);
    // Once per egress connector (this console's, and any connected client-API tools), never twice.
    const connectors = detail.deliveries.map((delivery) => delivery.connector);
    expect(connectors).toContain('console');
    expect(new Set(connectors).size).toBe(connectors.length);
    expect(alice.problems).toEqual([]);
  });

  it('edits then sends: the edited text is delivered and the original kept', async () => {
    const eventId = await submit(host, chat('!hello', 'omar'));
    const approval = await heldFor(eventId);
    await step(alice, 'edit', async () => {
      await pick(alice, approval);
      await alice.page.keyboard.press('e');
      await alice.page.getByLabel('Edited reply').fill('Welcome Omar, edited by a human');
      await alice.page.keyboard.press('Control+Enter');
      await alice.page.getByTestId('decided-by').filter({ hasText: 'edited by mod-alice' }).waitFor();
    });
    const detail = await finalDetail(eventId);
    expect(detail.event.disposition).toBe('replied');
    expect(detail.approvals[0]).toMatchObject({
      state: 'edited',
      finalText: 'Welcome Omar, edited by a human',
      originalText: approval.originalText,
    });
    expect(detail.deliveries.length).toBeGreaterThan(0);
    for (const delivery of detail.deliveries) expect(delivery.text).toBe('Welcome Omar, edited by a human');
    expect(alice.problems).toEqual([]);
  });

  it('rejects: nothing is sent and the event ends rejected', async () => {
    const eventId = await submit(host, chat('!hello', 'pia'));
    const approval = await heldFor(eventId);
    await step(alice, 'reject', async () => {
      await pick(alice, approval);
      await alice.page.keyboard.press('r');
      await alice.page.getByTestId('decided-by').filter({ hasText: 'rejected by mod-alice' }).waitFor();
    });
    const detail = await finalDetail(eventId);
    expect(detail.event.disposition).toBe('rejected');
    expect(detail.deliveries).toEqual([]);
    expect(alice.problems).toEqual([]);
  });

  it('regenerates with a hint: the redraft replaces the item in place and never quotes the hint', async () => {
    const eventId = await submit(host, chat('@bitbrat what are we playing?', 'quinn'));
    const first = await heldFor(eventId);
    expect(first.originalText).toMatch(/^\[demo\]/);
    const items = alice.page.locator('.queue-item', { hasText: 'what are we playing?' });
    await step(alice, 'regenerate', async () => {
      await pick(alice, first);
      await alice.page.keyboard.press('g');
      await alice.page.getByLabel('Regenerate hint').fill('keep it short please');
      await alice.page.keyboard.press('Enter');
      // The selection follows the redraft without a click; nothing is left "Regenerating…".
      await alice.page.getByTestId('reply-text').filter({ hasText: 'Hi quinn, thanks for dropping by!' }).waitFor();
      await alice.page.getByText('Regenerating a new reply…').waitFor({ state: 'detached' });
    });
    // One item for the event, the redraft, in the place of the original.
    expect(await items.count()).toBe(1);
    const second = await heldFor(eventId);
    expect(second.id).not.toBe(first.id);
    expect(second.originalText).not.toContain('short please');
    expect(await items.getAttribute('data-approval-id')).toBe(second.id);
    const detail = await host.served.host.api['events.get']({ id: eventId });
    expect(detail!.approvals.find((approval) => approval.id === first.id)).toMatchObject({
      state: 'regenerating',
      decidedBy: 'mod-alice',
    });
    await step(alice, 'approve regenerated', async () => {
      await alice.page.keyboard.press('a');
      await alice.page.getByTestId('decided-by').filter({ hasText: 'approved by mod-alice' }).waitFor();
    });
    const final = await finalDetail(eventId);
    expect(final.event.disposition).toBe('replied');
    for (const delivery of final.deliveries) expect(delivery.text).not.toMatch(/hint|short please/);
    expect(alice.problems).toEqual([]);
  });

  it('flows: after a decision the next item (nearest expiry) is selected, kept in view; a reject can be undone', async () => {
    const logins = Array.from({ length: 14 }, (_, index) => `flow${index}`);
    const approvals: Approval[] = [];
    // One at a time, so the held order (and expiry) follows the list.
    for (const login of logins) approvals.push(await heldFor(await submit(host, chat('!hello', login))));
    const selectedId = () => alice.page.locator('.queue .queue-item.selected').getAttribute('data-approval-id');
    await step(alice, 'the queue shows keys and the viewer message', async () => {
      await alice.page.locator('[data-testid=held-count]', { hasText: String(logins.length) }).waitFor();
      await alice.page.locator('.queue-keys', { hasText: 'j/k move' }).waitFor();
      const item = alice.page.locator(`[data-approval-id="${approvals[3]!.id}"]`);
      await item.getByTestId('queue-message').filter({ hasText: '!hello' }).waitFor();
      await item.filter({ hasText: 'Hello flow3!' }).waitFor();
    });
    await pick(alice, approvals[0]!);
    await step(alice, 'approve moves on to the oldest open item', async () => {
      await alice.page.keyboard.press('a');
      await expect.poll(selectedId, { timeout: 10_000 }).toBe(approvals[1]!.id);
      await alice.page.getByTestId('viewer-message').filter({ hasText: '!hello' }).waitFor();
      await alice.page.getByTestId('reply-text').filter({ hasText: 'Hello flow1!' }).waitFor();
    });
    await step(alice, 'reject, then undo', async () => {
      await alice.page.keyboard.press('r');
      await alice.page.getByTestId('undo-reject').waitFor();
      await expect.poll(selectedId, { timeout: 10_000 }).toBe(approvals[2]!.id);
      await alice.page.keyboard.press('u');
      await alice.page.getByTestId('undo-reject').waitFor({ state: 'detached' });
      await expect.poll(selectedId, { timeout: 10_000 }).toBe(approvals[1]!.id);
    });
    await step(alice, 'j to the end keeps the selection in view', async () => {
      for (let index = 1; index < logins.length - 1; index++) await alice.page.keyboard.press('j');
      await expect.poll(selectedId, { timeout: 10_000 }).toBe(approvals[logins.length - 1]!.id);
      const queue = (await alice.page.locator('.queue').boundingBox())!;
      const item = (await alice.page.locator('.queue .queue-item.selected').boundingBox())!;
      expect(item.y).toBeGreaterThanOrEqual(queue.y);
      expect(item.y + item.height).toBeLessThanOrEqual(queue.y + queue.height + 1);
    });
    await screenshot(alice.page, 'console-queue');
    const last = approvals[logins.length - 1]!;
    await step(alice, 'a reject goes back to the oldest open item', async () => {
      await alice.page.keyboard.press('r');
      await expect.poll(selectedId, { timeout: 10_000 }).toBe(approvals[1]!.id);
    });
    // This reject's undo window started after the undone one's: once it reached the host, the undone
    // one would have too, had the undo not held.
    expect((await finalDetail(last.eventId)).event.disposition).toBe('rejected');
    expect((await heldFor(approvals[1]!.eventId)).state).toBe('held');
    // Work through the rest from the keyboard: approve the undone one, then reject each in turn.
    await step(alice, 'work through the rest', async () => {
      await alice.page.keyboard.press('a');
      for (let index = 2; index < logins.length - 1; index++) {
        await expect.poll(selectedId, { timeout: 10_000 }).toBe(approvals[index]!.id);
        await alice.page.keyboard.press('r');
      }
      await alice.page.locator('[data-testid=held-count]').waitFor({ state: 'detached', timeout: 30_000 });
    });
    expect((await finalDetail(approvals[1]!.eventId)).event.disposition).toBe('replied');
    for (const approval of approvals.slice(2)) {
      expect((await finalDetail(approval.eventId)).event.disposition).toBe('rejected');
    }
    expect(alice.problems).toEqual([]);
  }, 90_000);

  it('shows a reply expiring when nobody decides in time', async () => {
    const eventId = await submit(host, chat('!soon', 'rosa'));
    const approval = await heldFor(eventId);
    expect(approval.expiresAt! - approval.heldAt).toBe(1_000);
    await step(alice, 'expiry', async () => {
      const item = alice.page.locator(`[data-approval-id="${approval.id}"]`);
      await item.locator('.chip', { hasText: 'expired' }).waitFor();
      await item.click();
      await alice.page.getByTestId('decided-by').filter({ hasText: 'expired by timer' }).waitFor();
    });
    expect((await finalDetail(eventId)).event.disposition).toBe('expired');
    expect(alice.problems).toEqual([]);
  });

  it('acts on the user: ignore takes effect, a refused timeout shows the host’s reason', async () => {
    const eventId = await submit(host, chat('!hello', 'spammy_sam'));
    const approval = await heldFor(eventId);
    // With no Twitch account linked the host refuses a timeout and says why; the console shows that sentence.
    const refusal = await host.served.host.api['users.act']({
      platform: 'twitch',
      externalId: 'id-spammy_sam',
      action: 'timeout',
      seconds: 600,
      moderator: 'probe',
    });
    expect(refusal.ok).toBe(false);
    await step(alice, 'user actions', async () => {
      await pick(alice, approval);
      const actions = alice.page.getByTestId('user-actions');
      await actions.getByRole('button', { name: 'Timeout' }).click();
      await alice.page.locator('.notice-error', { hasText: `spammy_sam: ${refusal.message}` }).waitFor();
      await actions.getByRole('button', { name: 'Ignore' }).click();
      await actions.locator('.chip', { hasText: 'ignored' }).waitFor();
    });
    const settings = await host.served.host.api['settings.get']({});
    expect(settings.ignoredUsers).toContain('twitch:id-spammy_sam');
    const next = await submit(host, chat('!hello', 'spammy_sam'), true);
    expect((await host.served.host.api['events.get']({ id: next }))!.event.disposition).toBe('ignored');
    await step(alice, 'unignore', async () => {
      await alice.page.getByTestId('user-actions').getByRole('button', { name: 'Unignore' }).click();
      await alice.page.getByTestId('user-actions').getByRole('button', { name: 'Ignore' }).waitFor();
    });
    expect((await host.served.host.api['settings.get']({})).ignoredUsers).toEqual([]);
    await step(alice, 'reject after user actions', async () => {
      await alice.page.keyboard.press('r');
      await alice.page.getByTestId('decided-by').filter({ hasText: 'rejected by mod-alice' }).waitFor();
    });
    expect(alice.problems).toEqual([]);
  });

  it('raises a desktop notification for a new held reply when this console opted in', async () => {
    // Records notifications instead of showing them: headless Chromium has no notification centre.
    const init = `
      localStorage.setItem('bitbrat.alerts', JSON.stringify({ sound: false, desktop: true }));
      window.__shown = [];
      window.Notification = class {
        static permission = 'granted';
        static requestPermission() { return Promise.resolve('granted'); }
        constructor(title, options) { window.__shown.push({ title, body: options && options.body }); }
      };`;
    const cleo = await openConsole(browser, host.url, 'mod-cleo', { init, permissions: ['notifications'] });
    try {
      await connected(cleo.page);
      const eventId = await submit(host, chat('!hello', 'nora'));
      const approval = await heldFor(eventId);
      // Polled from the test: the console's CSP forbids the eval that waitForFunction would need.
      await expect
        .poll(() => cleo.page.evaluate('window.__shown'), { timeout: 10_000 })
        .toEqual([{ title: 'BitBrat: reply held for approval', body: approval.originalText }]);
      expect(cleo.problems).toEqual([]);
      await step(alice, 'reject notified', async () => {
        await pick(alice, approval);
        await alice.page.keyboard.press('r');
        await alice.page.getByTestId('decided-by').filter({ hasText: 'rejected by mod-alice' }).waitFor();
      });
    } finally {
      await cleo.close();
    }
  });

  it('two consoles decide at once: the first decision wins and both show who made it', async () => {
    const bob = await openConsole(browser, host.url, 'mod-bob');
    try {
      await connected(bob.page);
      await bob.page.keyboard.press('2');
      const eventId = await submit(host, chat('!hello', 'tara'));
      const approval = await heldFor(eventId);
      await step(bob, 'bob picks', () => pick(bob, approval));
      await step(alice, 'alice picks', () => pick(alice, approval));
      await Promise.all([alice.page.keyboard.press('a'), bob.page.keyboard.press('r')]);
      const detail = await finalDetail(eventId);
      const decided = detail.approvals[0]!;
      expect(['mod-alice', 'mod-bob']).toContain(decided.decidedBy);
      const shown = `${decided.state} by ${decided.decidedBy}`;
      for (const console of [alice, bob]) {
        await step(console, 'both show the winner', () =>
          console.page.getByTestId('decided-by').filter({ hasText: shown }).waitFor(),
        );
      }
      expect(detail.event.disposition).toBe(decided.state === 'approved' ? 'replied' : 'rejected');
      expect(detail.approvals).toHaveLength(1);
      // A console whose decision came second (if its key press beat the push) says so, naming the winner once.
      for (const console of [alice, bob]) {
        for (const text of await console.page.locator('.notice-error', { hasText: 'already' }).allTextContents()) {
          expect(text).toContain(`already ${decided.state} by ${decided.decidedBy}`);
          expect(text).not.toMatch(/ by \S+ by /);
        }
      }
      await screenshot(bob.page, 'console-two-moderators');
      expect(bob.problems).toEqual([]);
      expect(alice.problems).toEqual([]);
    } finally {
      await bob.close();
    }
  });
});
