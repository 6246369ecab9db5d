/**
 * Settings that belong to the desktop shell, not to the pipeline (so not in the HostApi settings):
 * whether closing the window keeps the app in the tray, and desktop notifications for held replies.
 * Stored as desktop-settings.json in the data folder and validated on load.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const DesktopSettingsSchema = z.object({
  closeToTray: z.boolean().default(true),
  notifyHeldReplies: z.boolean().default(true),
});
export type DesktopSettings = z.infer<typeof DesktopSettingsSchema>;

export const DESKTOP_SETTINGS_FILE = 'desktop-settings.json';

export function loadDesktopSettings(file: string): { settings: DesktopSettings; problem: string | null } {
  const defaults = DesktopSettingsSchema.parse({});
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaults, problem: null };
    return { settings: defaults, problem: `cannot read ${path.basename(file)}: ${(error as Error).message}` };
  }
  try {
    const parsed = DesktopSettingsSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return { settings: parsed.data, problem: null };
    return { settings: defaults, problem: `${path.basename(file)} is invalid; using defaults` };
  } catch {
    return { settings: defaults, problem: `${path.basename(file)} is not valid JSON; using defaults` };
  }
}

export function saveDesktopSettings(file: string, settings: DesktopSettings): void {
  const valid = DesktopSettingsSchema.parse(settings);
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(temp, file);
}
