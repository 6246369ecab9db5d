/**
 * The console under its Content-Security-Policy in Chromium, served by a real host's gateway: the
 * built page carries the strict policy in its <meta> tag and the gateway's header is the same one
 * policy, every view renders with no CSP violation, and inline styles really are refused (so the
 * absence of violations is not a listener that never fires).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CONSOLE_CSP, CONSOLE_META_CSP } from '../../pipeline/core/console-csp.js';
import {
  connected,
  ensureRendererBuilt,
  launchChromium,
  openConsole,
  startTestHost,
  step,
  type ConsolePage,
  type TestHost,
} from './support.js';

const BUILT_PAGE = join(import.meta.dirname, '../../dist/renderer/index.html');

/** Records every securitypolicyviolation the page sees, from before its first script. */
const RECORD_VIOLATIONS = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline') + ' ' + event.sample + ' at ' + event.sourceFile + ':' + event.lineNumber + ':' + event.columnNumber);
});`;

let host: TestHost;
let browser: Browser;
let mod: ConsolePage;

// Page scripts are strings: this file is compiled without DOM types.
const violations = () => mod.page.evaluate<string[]>('window.__cspViolations');

beforeAll(async () => {
  const [started, launched] = await Promise.all([startTestHost(), launchChromium(), ensureRendererBuilt()]);
  host = started;
  browser = launched;
  mod = await openConsole(browser, host.url, 'mod-csp', { init: RECORD_VIOLATIONS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('the console under its Content-Security-Policy', () => {
  it('is built with the strict policy in its <meta> tag, and no inline style or script', () => {
    const html = readFileSync(BUILT_PAGE, 'utf8');
    const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/g)];
    expect(metas.map((match) => match[1])).toEqual([CONSOLE_META_CSP]);
    expect(CONSOLE_META_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(html).not.toMatch(/<style|\sstyle=/i);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
  });

  it('gets the same policy as a header from the gateway', async () => {
    const response = await fetch(new URL('/', host.url));
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
  });

  it('renders every view with no CSP violation', async () => {
    await step(mod, 'csp-views', async () => {
      await connected(mod.page);
      const tabs = mod.page.locator('nav[aria-label=Views] button');
      const count = await tabs.count();
      expect(count).toBeGreaterThan(5);
      for (let index = 0; index < count; index += 1) {
        await tabs.nth(index).click();
        await mod.page.locator('nav[aria-label=Views] button.active').nth(0).waitFor();
        expect(await tabs.nth(index).getAttribute('class')).toContain('active');
        await mod.page.locator('main.content > *').first().waitFor();
      }
      // Back to the live view with events flowing (the feed and its virtual list).
      await tabs.nth(0).click();
      await host.served.host.workers.control('ingress').call('demo', { ratePerSecond: 20, scripted: true });
      await mod.page.locator('.feed-row').nth(2).waitFor();
      expect(await violations()).toEqual([]);
      expect(mod.problems.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
    });
  });

  it('refuses an inline <style> element and a style attribute in HTML', async () => {
    await mod.page.evaluate(`(() => {
      const style = document.createElement('style');
      style.textContent = 'body { outline: 1px solid red; }';
      document.head.appendChild(style);
      const holder = document.createElement('div');
      holder.innerHTML = '<span style="color: red">x</span>';
      document.body.appendChild(holder);
    })()`);
    await expect.poll(async () => (await violations()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect((await violations()).every((line) => line.startsWith('style-src'))).toBe(true);
  });
});
