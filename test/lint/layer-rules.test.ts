/**
 * The layer allowlists in eslint.config.js (eslint/allowed-imports.js and the renderer's globals
 * rule), proven with the ESLint Node API on small snippets placed, by file path, in each layer: what a
 * layer may import passes, and each kind of import it may not is reported by the rule that owns it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: root });

/** The rule ids ESLint reports for `code` as if it were the file at `file` (which need not exist). */
async function ruleErrors(file: string, code: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((message) => message.severity === 2).map((message) => message.ruleId);
}

const LAYER_RULE = 'layers/allowed-imports';

describe('the layer allowlists', () => {
  it('pipeline/core: zod, json-logic-engine and core only', async () => {
    const file = 'pipeline/core/protocol/layer-probe.ts';
    expect(
      await ruleErrors(
        file,
        "import { z } from 'zod';\nimport jl from 'json-logic-engine';\nimport type { Envelope } from '../envelope.js';\nexport type T = [typeof z, typeof jl, Envelope];\n",
      ),
    ).toEqual([]);
    expect(await ruleErrors(file, "export { create } from 'zustand';\n")).toEqual([LAYER_RULE]);
    expect(await ruleErrors(file, "export * from '../../node/store/database.js';\n")).toEqual([LAYER_RULE]);
    expect(await ruleErrors(file, "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).toEqual(
      [LAYER_RULE],
    );
    expect(await ruleErrors(file, "export const later = () => import('react');\n")).toEqual([LAYER_RULE]);
  });

  it('renderer: its UI libraries, its own files and core; no electron, no Node globals', async () => {
    const file = 'renderer/views/layer-probe.tsx';
    expect(
      await ruleErrors(
        file,
        "import { useState } from 'react';\nimport { create } from 'zustand';\nimport type { Bridge } from '../../pipeline/core/bridge.js';\nimport { useBridge } from '../ui/context.js';\nexport const x: [typeof useState, typeof create, Bridge | null, typeof useBridge] = [useState, create, null, useBridge];\n",
      ),
    ).toEqual([]);
    expect(await ruleErrors(file, "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).toEqual([
      LAYER_RULE,
    ]);
    expect(await ruleErrors(file, 'export const home = process.env.HOME;\n')).toEqual(['no-restricted-globals']);
    expect(await ruleErrors(file, "export * from '../../pipeline/node/store/reader.js';\n")).toEqual([LAYER_RULE]);
    expect(await ruleErrors(file, "export * from '../../electron/preload/desktop-bridge.js';\n")).toEqual([LAYER_RULE]);
  });

  it('electron/preload: contextBridge and ipcRenderer from electron, and core', async () => {
    const file = 'electron/preload/layer-probe.ts';
    expect(
      await ruleErrors(
        file,
        "import { contextBridge, ipcRenderer } from 'electron';\nimport type { Bridge } from '../../pipeline/core/bridge.js';\nimport { methodChannel } from './ipc-channels.js';\nexport const x: [typeof contextBridge, typeof ipcRenderer, Bridge | null, typeof methodChannel] = [contextBridge, ipcRenderer, null, methodChannel];\n",
      ),
    ).toEqual([]);
    expect(await ruleErrors(file, "import { shell } from 'electron';\nexport const s = shell;\n")).toEqual([
      '@typescript-eslint/no-restricted-imports',
    ]);
    expect(
      await ruleErrors(
        file,
        "import type { Bridge } from '../../renderer/bridge/window-global.js';\nexport type B = Bridge;\n",
      ),
    ).toEqual([LAYER_RULE]);
    expect(await ruleErrors(file, "import fs from 'node:fs';\nexport const f = fs;\n")).toEqual([LAYER_RULE]);
  });

  it('pipeline/node: packages, Node and core, never renderer/ or electron/', async () => {
    const file = 'pipeline/node/store/layer-probe.ts';
    expect(
      await ruleErrors(
        file,
        "import Database from 'better-sqlite3';\nimport { join } from 'node:path';\nimport type { Envelope } from '../../core/envelope.js';\nimport { openReadConnection } from './database.js';\nexport const x: [typeof Database, typeof join, Envelope | null, typeof openReadConnection] = [Database, join, null, openReadConnection];\n",
      ),
    ).toEqual([]);
    expect(await ruleErrors(file, "export * from '../../../renderer/state/store.js';\n")).toEqual([LAYER_RULE]);
    expect(await ruleErrors(file, "export * from '../../../electron/preload/ipc-channels.js';\n")).toEqual([
      LAYER_RULE,
    ]);
    expect(await ruleErrors(file, "import { app } from 'electron';\nexport const a = app;\n")).toEqual([LAYER_RULE]);
  });
});
