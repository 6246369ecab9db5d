/**
 * The desktop app end to end, driven by Playwright's `_electron` against the built app
 * (dist/electron/main.js). Runs wherever Electron's binary exists; on machines where it cannot be
 * downloaded the suite is skipped and says why in the output.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveElectronBinary } from '../../pipeline/node/cli/electron-launch.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const mainScript = path.join(root, 'dist', 'electron', 'main.js');
const binary = resolveElectronBinary();

function skipReason(): string | null {
  if (!binary) return 'the Electron binary is not installed (node_modules/electron has no downloaded dist/)';
  if (!existsSync(mainScript))
    return `the desktop app is not built (${path.relative(root, mainScript)} is missing: run npm run build)`;
  if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html')))
    return 'the renderer is not built (dist/renderer)';
  return null;
}
const reason = skipReason();
if (reason) console.log(`[skip] Electron end-to-end tests: ${reason}.`);

interface PageBridge {
  consoleId: string;
  call(method: string, params: unknown): Promise<unknown>;
}
declare const bitbrat: PageBridge;

describe.skipIf(reason !== null)('the desktop app (Electron)', () => {
  let dataDir: string;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'bitbrat-e2e-'));
    app = await _electron.launch({
      executablePath: binary!,
      args: [mainScript],
      env: { ...process.env, BITBRAT_DATA_DIR: dataDir, BITBRAT_DEMO: '5' } as Record<string, string>,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts and shows the console from app://, sandboxed, with the bridge', async () => {
    expect(page.url()).toBe('app://bitbrat/index.html');
    const exposed = await page.evaluate(() => ({
      consoleId: bitbrat.consoleId,
      hasRequire: typeof (globalThis as { require?: unknown }).require !== 'undefined',
      hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
    }));
    expect(exposed).toEqual({ consoleId: 'desktop', hasRequire: false, hasProcess: false });
    await expect(page.evaluate(() => bitbrat.call('settings.get', {}))).resolves.toMatchObject({
      botName: expect.any(String),
    });
  });

  it('blocks navigation to a foreign URL', async () => {
    // A renderer-initiated navigation (will-navigate fires only for those), as a string: no DOM types here.
    await page.evaluate(
      "{ const link = document.createElement('a'); link.href = 'https://example.com/'; document.body.append(link); link.click(); }",
    );
    const logFile = path.join(dataDir, 'logs', 'main.log');
    await expect
      .poll(() => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''), { timeout: 5000 })
      .toContain('navigation blocked');
    expect(page.url()).toBe('app://bitbrat/index.html');
  });

  it('delivers an approval made in the window to the pipeline', async () => {
    type Held = { approval: { id: string } }[];
    await expect
      .poll(async () => ((await page.evaluate(() => bitbrat.call('approvals.list', { open: true }))) as Held).length, {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    const held = (await page.evaluate(() => bitbrat.call('approvals.list', { open: true }))) as Held;
    const approvalId = held[0]!.approval.id;
    const result = await page.evaluate(
      (id) =>
        bitbrat.call('approvals.decide', {
          approvalId: id,
          decision: { action: 'approve' },
          moderator: 'e2e',
          console: 'desktop',
        }),
      approvalId,
    );
    expect(result).toMatchObject({ ok: true });
    const open = (await page.evaluate(() => bitbrat.call('approvals.list', { open: true }))) as Held;
    expect(open.map((item) => item.approval.id)).not.toContain(approvalId);
  });
});
