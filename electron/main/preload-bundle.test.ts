/**
 * The real preload bundle (built with scripts/build-electron.mjs), run the way a sandboxed
 * renderer runs it: one CommonJS file whose `require` knows only 'electron'.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_METHODS } from '../../pipeline/core/host-api.js';
import { methodChannel } from '../preload/ipc-channels.js';

let outDir: string;
let source: string;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), 'bitbrat-preload-'));
  const script = '../../scripts/build-electron.mjs';
  const { buildPreload } = (await import(/* @vite-ignore */ script)) as {
    buildPreload(options: { outDir: string }): Promise<string>;
  };
  source = readFileSync(await buildPreload({ outDir }), 'utf8');
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the preload bundle', () => {
  it('requires nothing but electron', () => {
    const required = [...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes window.bitbrat through contextBridge and talks only on contract channels', async () => {
    const exposed = new Map<string, unknown>();
    const invoked: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, value: unknown) => exposed.set(name, value) },
      ipcRenderer: {
        invoke: async (channel: string) => {
          invoked.push(channel);
          return { ok: true, value: 'pong' };
        },
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const requireInSandbox = (name: string) => {
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return electron;
    };
    const module = { exports: {} };
    vm.runInNewContext(source, { require: requireInSandbox, module, exports: module.exports, console });
    expect([...exposed.keys()]).toEqual(['bitbrat']);
    const bridge = exposed.get('bitbrat') as { call(method: string, params: unknown): Promise<unknown> };
    await expect(bridge.call('stats.get', {})).resolves.toBe('pong');
    await expect(bridge.call('ipc.anything', {})).rejects.toThrow(/unknown method/);
    expect(invoked).toEqual([methodChannel('stats.get')]);
    expect(HOST_METHODS).toContain('stats.get');
  });
});
