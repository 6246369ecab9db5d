/**
 * "Send anyway" (issue 11) in Chromium against a real host running the real llm-bot, whose model is
 * a local OpenAI-compatible server: a draft with a phone number in it is held with the finding
 * marked; the `a` key does not send it (the host refuses and the console shows why); the "Send
 * anyway" button does, and the event's audit shows who overrode which finding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEFAULT_LLM_SETTINGS } from '../../pipeline/core/llm.js';
import { startOpenAiServer, type OpenAiTestServer } from '../support/openai-server.js';
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

const PHONE = '415-555-0132';
const DRAFT = `Sure thing, just call the streamer at ${PHONE} tonight!`;

let host: TestHost;
let browser: Browser;
let llm: OpenAiTestServer;
let mod: ConsolePage;

beforeAll(async () => {
  // The settings name the endpoint; a headless environment variable would override them.
  delete process.env.BITBRAT_LLM_BASE_URL;
  llm = await startOpenAiServer();
  llm.setDefault({ kind: 'reply', texts: [DRAFT] });
  // Built before the host starts: the gateway reads the renderer's index.html (its asset names) when it serves.
  await ensureRendererBuilt();
  const [started, launched] = await Promise.all([startTestHost({ realLlm: true }), launchChromium()]);
  host = started;
  browser = launched;
  const saved = await host.served.host.api['settings.set']({
    key: 'llm',
    value: {
      ...DEFAULT_LLM_SETTINGS,
      baseUrl: llm.baseUrl,
      model: 'local-model',
      candidates: 1,
      userCooldownSeconds: 0,
      // The deterministic detectors are what this test is about: no judge call to script.
      safety: { ...DEFAULT_LLM_SETTINGS.safety, judge: { ...DEFAULT_LLM_SETTINGS.safety.judge, mode: 'off' } },
    },
  });
  if (!saved.ok) throw new Error(saved.error);
  mod = await openConsole(browser, host.url, 'mod-sam');
  await connected(mod.page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await llm?.close();
});

describe('a draft held by a safety check', () => {
  it('is not sent by the a key, only by "Send anyway", and the audit shows the override', async () => {
    const eventId = await submit(host, chat('@bitbrat how do I reach the streamer?', 'vic'));
    expect(llm.chatRequests().length).toBeGreaterThan(0);
    await step(mod, 'held with finding', async () => {
      await mod.page.keyboard.press('2');
      await mod.page.locator('.queue [data-approval-id]').first().click();
      const findings = mod.page.getByTestId('safety-findings');
      await findings.filter({ hasText: 'personal-data' }).waitFor();
      await findings.filter({ hasText: PHONE }).waitFor();
      await screenshot(mod.page, 'console-approvals-safety-hold');
      // The keyboard's approve: the host refuses and the console says why.
      await mod.page.keyboard.press('a');
      await mod.page
        .locator('.notice-error', { hasText: 'only "send anyway" sends it' })
        .filter({ hasText: 'personal-data' })
        .waitFor();
    });
    await host.served.host.flush();
    const stillHeld = (await host.served.host.api['approvals.list']({})).find((item) => item.event.id === eventId);
    expect(stillHeld?.approval.state).toBe('held');
    expect((await host.served.host.api['events.get']({ id: eventId }))?.deliveries).toEqual([]);

    await step(mod, 'send anyway', async () => {
      await mod.page.getByRole('button', { name: 'Send anyway' }).click();
      await mod.page.getByTestId('decided-by').filter({ hasText: 'sent anyway by mod-sam' }).waitFor();
    });
    await host.served.host.waitForSettled(eventId, { terminalOnly: true });
    const detail = await host.served.host.api['events.get']({ id: eventId });
    expect(detail?.event.disposition).toBe('replied');
    expect(detail?.approvals[0]).toMatchObject({ override: true, decidedBy: 'mod-sam' });
    expect(detail?.approvals[0]?.note).toContain('personal-data');
    expect(detail?.deliveries.map((delivery) => delivery.text)).toContain(DRAFT);

    await step(mod, 'audit', async () => {
      // In Approvals the number keys pick candidates: Escape first, then the view's number.
      await mod.page.keyboard.press('Escape');
      await mod.page.getByTestId('view-keys-armed').waitFor();
      await mod.page.keyboard.press('1');
      await mod.page.locator('.feed-row', { hasText: 'how do I reach the streamer' }).click();
      const audit = mod.page.getByTestId('event-detail').getByTestId('override-audit');
      await audit.filter({ hasText: 'Sent anyway by mod-sam' }).filter({ hasText: PHONE }).waitFor();
      await screenshot(mod.page, 'console-send-anyway-audit');
    });
    expect(mod.problems).toEqual([]);
  });
});
