/**
 * The demo as a newcomer meets it, in Chromium against a real host started like `bitbrat serve
 * --demo` with no channel: the first-run wizard lets the demo be watched without naming one, and the
 * analyzer it shows off tells viewers' repeated questions from link spam.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { serve, type Served } from '../../pipeline/node/cli/serve.js';
import { chat, connected, ensureRendererBuilt, launchChromium, openConsole, screenshot, step } from './support.js';

let served: Served;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-e2e-demo-'));
  // Built first: the gateway serves the console from dist/renderer.
  const [, launched] = await Promise.all([ensureRendererBuilt(), launchChromium()]);
  const started = await serve({
    dataDir,
    port: 0,
    lan: false,
    demo: { ratePerSecond: 4, scripted: true },
    log: () => undefined,
  });
  served = started;
  browser = launched;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function disposition(text: string, login: string, roles: string[] = ['viewer']): Promise<string | undefined> {
  const [result] = await served.host.submit('test', [chat(text, login, roles)]);
  if (!result?.ok) throw new Error('not accepted');
  await served.host.waitForSettled(result.id, { terminalOnly: true });
  return (await served.host.api['events.get']({ id: result.id }))?.event.disposition;
}

describe('the demo without a channel', () => {
  it('lets the demo be watched without naming a channel', async () => {
    const mod = await openConsole(browser, served.gateway.consoleUrl, 'mod-demo');
    try {
      await step(mod, 'wizard', async () => {
        await connected(mod.page);
        await mod.page.getByTestId('demo-note').waitFor();
        await mod.page.keyboard.press('Enter');
        await mod.page.getByRole('dialog', { name: 'First run' }).waitFor({ state: 'detached' });
        await mod.page.locator('.feed-row').nth(3).waitFor();
      });
      expect((await served.host.api['settings.get']({})).channel).toBe('');
      await screenshot(mod.page, 'console-demo');
      expect(mod.problems).toEqual([]);
    } finally {
      await mod.close();
    }
  });

  it('does not filter the same short question from several viewers, and filters link spam the first time', async () => {
    for (const login of ['ana', 'ben', 'cai', 'dee', 'eli']) {
      expect(await disposition('what keyboard do you use?', login)).not.toBe('filtered');
    }
    expect(await disposition('FREE SKINS >>> bit.ly/notreal', 'skinbot_1')).toBe('filtered');
    // A subscriber sharing a clip is chat, not spam.
    expect(
      await disposition('clip of that jump https://clips.twitch.tv/FunnyClip123', 'sub_sam', ['subscriber']),
    ).not.toBe('filtered');
  });
});
