import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDesktopSettings, saveDesktopSettings } from './desktop-settings.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bitbrat-desktop-settings-'));
  file = path.join(dir, 'desktop-settings.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('desktop settings', () => {
  it('default to close-to-tray and notifications on, and round-trip', () => {
    expect(loadDesktopSettings(file)).toEqual({
      settings: { closeToTray: true, notifyHeldReplies: true },
      problem: null,
    });
    saveDesktopSettings(file, { closeToTray: false, notifyHeldReplies: true });
    expect(loadDesktopSettings(file).settings).toEqual({ closeToTray: false, notifyHeldReplies: true });
  });

  it('fall back to defaults with a reason for a bad file', () => {
    writeFileSync(file, '{"closeToTray":"yes"}');
    expect(loadDesktopSettings(file)).toMatchObject({
      settings: { closeToTray: true },
      problem: expect.stringContaining('invalid'),
    });
    writeFileSync(file, '{');
    expect(loadDesktopSettings(file).problem).toContain('not valid JSON');
  });
});
