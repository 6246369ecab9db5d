/**
 * The built console in Debian's Chromium against a stand-in gateway (test/e2e/stub-gateway.ts):
 * the tokened URL, the moderator prompt, live rows from 'feed' pushes, and an approval decided
 * from the keyboard with the moderator's name. Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../../pipeline/core/approval.js';
import { SettingsSchema } from '../../pipeline/core/host-api.js';
import type { EventSummary } from '../../pipeline/core/protocol/pipeline.js';
import { startStubGateway, type StubGateway } from './stub-gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');
const TOKEN = 'e2e-token-123';

function summary(id: string, at: number, text: string): EventSummary {
  return {
    id,
    type: 'chat.message.v1',
    at,
    channel: 'somechannel',
    connector: 'demo',
    login: `viewer${id}`,
    displayName: `Viewer${id}`,
    roles: ['subscriber'],
    text,
    stage: 'reaction',
    disposition: null,
    reason: null,
    reply: null,
    phaseMs: { enrichment: 2 },
    updatedAt: at,
  };
}

const heldApproval: Approval = {
  id: 'a1',
  eventId: 'e1',
  candidateId: 'c1',
  state: 'held',
  policy: { mode: 'require', expireSeconds: 300 },
  reason: 'the bot was mentioned; rule llm-mentions holds replies',
  heldAt: Date.now(),
  autoSendAt: null,
  expiresAt: Date.now() + 300_000,
  decidedBy: null,
  decidedAt: null,
  console: null,
  originalText: 'Hello there, welcome!',
  finalText: null,
  note: null,
};

let browser: Browser;
let gateway: StubGateway;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await build({ configFile: join(import.meta.dirname, '../../vite.config.ts'), logLevel: 'warn' });
  mkdirSync(ARTIFACTS, { recursive: true });
  const now = Date.now();
  gateway = await startStubGateway({
    token: TOKEN,
    handlers: {
      'settings.get': () => SettingsSchema.parse({ channel: 'somechannel' }),
      'health.get': () => ({
        startedAt: now,
        workers: [],
        connectors: [{ id: 'demo', state: 'connected', lastEventAt: Date.now(), detail: null }],
        database: { path: '/tmp/x.db', sizeBytes: 0 },
      }),
      'events.list': () => ({ items: [summary('e0', now - 1_000, 'an earlier message')], next: null }),
      'approvals.list': () => [{ approval: heldApproval, event: summary('e1', now, '@bitbrat hi!') }],
      'events.get': () => null,
      'approvals.decide': (request) => ({
        ok: true,
        approval: {
          ...heldApproval,
          state: 'approved',
          decidedBy: request.moderator,
          decidedAt: Date.now(),
          console: request.console,
        },
      }),
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

describe('the console in Chromium', () => {
  it('connects with the tokened URL, shows live events and approves from the keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // Fail fast with the browser's own errors rather than at the suite's timeout.
    page.setDefaultTimeout(5_000);
    try {
      await drive(page, problems);
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, 'console-failure.png') });
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nbrowser errors: ${problems.join(' | ')}`,
        { cause: error },
      );
    } finally {
      await page.close();
    }
  });
});

async function drive(page: Page, problems: string[]): Promise<void> {
  {
    await page.goto(gateway.url);
    await page.getByLabel('Your name').fill('mod-alice');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=connection][data-status=open]').waitFor();
    expect(new URL(page.url()).hash).toBe('');

    gateway.push('feed', [
      summary('e2', Date.now(), 'first live message'),
      summary('e3', Date.now() + 1, 'second one'),
    ]);
    await page.getByText('second one').waitFor();
    await page.getByText('an earlier message').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'console-live.png') });

    await page.locator('[data-testid=held-count]', { hasText: '1' }).waitFor();
    await page.keyboard.press('2');
    await page.getByTestId('reply-text').filter({ hasText: 'Hello there, welcome!' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'console-approvals.png') });
    await page.keyboard.press('a');
    await page.getByTestId('decided-by').filter({ hasText: 'approved by mod-alice' }).waitFor();

    const decide = gateway.calls.find((call) => call.method === 'approvals.decide');
    expect(decide?.params).toMatchObject({ approvalId: 'a1', decision: { action: 'approve' }, moderator: 'mod-alice' });
    expect(problems).toEqual([]);
  }
}
