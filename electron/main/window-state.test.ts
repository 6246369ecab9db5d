import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fitToDisplays,
  loadWindowState,
  saveWindowState,
  trackWindowState,
  type Bounds,
  type DisplayLike,
  type TrackedWindow,
} from './window-state.js';

const laptop: DisplayLike = { workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const rightMonitor: DisplayLike = { workArea: { x: 1920, y: 0, width: 2560, height: 1400 } };

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bitbrat-window-'));
  file = path.join(dir, 'window-state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('window bounds', () => {
  it('round-trip through the file', () => {
    const state = { bounds: { x: 2000, y: 100, width: 1200, height: 800 }, maximized: true };
    saveWindowState(file, state);
    expect(loadWindowState(file, [laptop, rightMonitor])).toEqual({ state, problem: null });
  });

  it('give centered defaults when there is no file, and say nothing', () => {
    const { state, problem } = loadWindowState(file, [laptop]);
    expect(problem).toBeNull();
    expect(state).toEqual({ bounds: { x: 320, y: 120, width: 1280, height: 800 }, maximized: false });
  });

  it.each([
    ['{not json', 'not valid JSON'],
    ['{"bounds":{"x":0,"y":0,"width":-5,"height":10},"maximized":false}', 'invalid bounds'],
    ['{"bounds":{"x":"0","y":0,"width":900,"height":700},"maximized":false}', 'invalid bounds'],
    ['[]', 'invalid bounds'],
  ])('fall back to defaults for a bad file: %s', (content, problem) => {
    writeFileSync(file, content);
    const result = loadWindowState(file, [laptop]);
    expect(result.problem).toContain(problem);
    expect(result.state.bounds.width).toBe(1280);
  });

  it('move a window left on an unplugged monitor back onto the primary display', () => {
    const onUnplugged = { bounds: { x: 2200, y: 200, width: 1400, height: 900 }, maximized: false };
    expect(fitToDisplays(onUnplugged, [laptop, rightMonitor])).toEqual(onUnplugged);
    expect(fitToDisplays(onUnplugged, [laptop])).toEqual({
      bounds: { x: 260, y: 70, width: 1400, height: 900 },
      maximized: false,
    });
  });

  it('rescue a window whose title bar is above the screen or that is too big for it', () => {
    const aboveTop = { bounds: { x: 100, y: -600, width: 800, height: 700 }, maximized: false };
    expect(fitToDisplays(aboveTop, [laptop]).bounds).toEqual({ x: 560, y: 170, width: 800, height: 700 });
    const sliver = { bounds: { x: 1900, y: 100, width: 800, height: 700 }, maximized: false };
    expect(fitToDisplays(sliver, [laptop]).bounds.x).toBe(560);
    const huge = { bounds: { x: 5000, y: 5000, width: 5000, height: 3000 }, maximized: false };
    expect(fitToDisplays(huge, [laptop]).bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
  });

  it('are saved after the window stops moving and at close', () => {
    const emitter = new EventEmitter();
    let bounds: Bounds = { x: 10, y: 10, width: 900, height: 700 };
    const window: TrackedWindow = {
      getNormalBounds: () => bounds,
      isMaximized: () => false,
      isDestroyed: () => false,
      on: (event, listener) => emitter.on(event, listener),
    };
    const flush = trackWindowState(window, file, { debounceMs: 60_000 });
    bounds = { x: 50.4, y: 60, width: 1000, height: 750 };
    emitter.emit('move');
    expect(() => readFileSync(file)).toThrow(); // debounced: nothing written yet
    emitter.emit('close');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      bounds: { x: 50, y: 60, width: 1000, height: 750 },
      maximized: false,
    });
    bounds = { x: 70, y: 60, width: 1000, height: 750 };
    flush();
    expect(JSON.parse(readFileSync(file, 'utf8')).bounds.x).toBe(70);
  });
});
