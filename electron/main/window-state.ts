/**
 * The main window's size and position, kept in window-state.json in the data folder. The file is
 * validated on load (it is user-editable and may be half-written), and bounds that no longer fit any
 * display (a monitor was unplugged since) are moved back onto the primary display.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const coordinate = z.number().int().min(-100_000).max(100_000);
const size = z.number().int().min(100).max(100_000);

export const BoundsSchema = z.object({ x: coordinate, y: coordinate, width: size, height: size });
export type Bounds = z.infer<typeof BoundsSchema>;

export const WindowStateSchema = z.object({ bounds: BoundsSchema, maximized: z.boolean() });
export type WindowState = z.infer<typeof WindowStateSchema>;

export interface DisplayLike {
  workArea: Bounds;
}

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 } as const;
export const WINDOW_STATE_FILE = 'window-state.json';

/** How much of the window must be on a display to count as reachable (enough to grab the title bar). */
const MIN_VISIBLE = { width: 120, height: 48 } as const;

function overlap(a: Bounds, b: Bounds): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

function centered(workArea: Bounds, width: number, height: number): Bounds {
  const w = Math.min(width, workArea.width);
  const h = Math.min(height, workArea.height);
  return {
    x: workArea.x + Math.round((workArea.width - w) / 2),
    y: workArea.y + Math.round((workArea.height - h) / 2),
    width: w,
    height: h,
  };
}

/** Keeps bounds that are reachable on some display; otherwise centers the window on the primary one. */
export function fitToDisplays(
  state: WindowState,
  displays: readonly DisplayLike[],
  primary?: DisplayLike,
): WindowState {
  const main = primary ?? displays[0];
  if (!main) return state;
  const reachable = displays.some((display) => {
    const seen = overlap(state.bounds, display.workArea);
    // The top edge (title bar) must be on the display, not only some pixels of the bottom.
    const topInside =
      state.bounds.y >= display.workArea.y && state.bounds.y < display.workArea.y + display.workArea.height;
    return seen.width >= MIN_VISIBLE.width && seen.height >= MIN_VISIBLE.height && topInside;
  });
  if (reachable) return state;
  return { ...state, bounds: centered(main.workArea, state.bounds.width, state.bounds.height) };
}

export function defaultWindowState(displays: readonly DisplayLike[], primary?: DisplayLike): WindowState {
  const main = primary ?? displays[0];
  const workArea = main?.workArea ?? { x: 0, y: 0, ...DEFAULT_WINDOW_SIZE };
  return { bounds: centered(workArea, DEFAULT_WINDOW_SIZE.width, DEFAULT_WINDOW_SIZE.height), maximized: false };
}

export type LoadResult = { state: WindowState; problem: string | null };

/** Reads the saved state; a missing, unreadable or invalid file gives the default (and says why). */
export function loadWindowState(file: string, displays: readonly DisplayLike[], primary?: DisplayLike): LoadResult {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      state: defaultWindowState(displays, primary),
      problem: missing ? null : `cannot read ${path.basename(file)}: ${(error as Error).message}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { state: defaultWindowState(displays, primary), problem: `${path.basename(file)} is not valid JSON` };
  }
  const parsed = WindowStateSchema.safeParse(json);
  if (!parsed.success) {
    return { state: defaultWindowState(displays, primary), problem: `${path.basename(file)} has invalid bounds` };
  }
  return { state: fitToDisplays(parsed.data, displays, primary), problem: null };
}

/** Written to a temp file and renamed, so a crash mid-write never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  const valid = WindowStateSchema.parse(state);
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(temp, file);
}

/** The narrow part of BrowserWindow the tracker reads. */
export interface TrackedWindow {
  getNormalBounds(): Bounds;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown;
}

/**
 * Saves the window's normal (unmaximized) bounds shortly after it stops moving, and at close.
 * Returns a flush function for the quit path.
 */
export function trackWindowState(
  window: TrackedWindow,
  file: string,
  options: { debounceMs?: number; onError?: (error: Error) => void } = {},
): () => void {
  const debounceMs = options.debounceMs ?? 500;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (window.isDestroyed()) return;
    try {
      const bounds = window.getNormalBounds();
      saveWindowState(file, {
        bounds: {
          x: Math.round(bounds.x),
          y: Math.round(bounds.y),
          width: Math.round(bounds.width),
          height: Math.round(bounds.height),
        },
        maximized: window.isMaximized(),
      });
    } catch (error) {
      options.onError?.(error as Error);
    }
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
    timer.unref?.();
  };
  window.on('resize', schedule);
  window.on('move', schedule);
  window.on('close', flush);
  return flush;
}
