/**
 * The packaged workers: dist/workers/ (one entry per role and their shared chunks) runs from
 * app.asar.unpacked/, where only what electron-builder.yml unpacks is on disk. Checks that the bundles
 * load nothing else, that the unpack list is exactly what it
 * loads, and starts the real workers from a copy of that layout. (Electron and its asar fs are absent
 * here; the layout is plain folders, which is what app.asar.unpacked/ is.)
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Configuration } from 'app-builder-lib';
import { workerFileUrl } from '../../pipeline/node/host/worker-file.js';
import { WorkerSupervisor } from '../../pipeline/node/host/worker-supervisor.js';
import { noPushes } from '../../test/support/no-pushes.js';
import { openWriteConnection } from '../../pipeline/node/store/database.js';
import { migrate } from '../../pipeline/node/store/migrations.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const workersDir = path.join(root, 'dist', 'workers');
const ROLES = ['store', 'router', 'enrichment', 'reaction', 'egress', 'ingress'] as const;
/** Every file of the worker bundles (entries and chunks), relative to the package root. */
const bundleFiles = () =>
  readdirSync(workersDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => path.join('dist', 'workers', file));
const require = createRequire(import.meta.url);

/**
 * ws and node-fetch (tmi.js) require() these inside try/catch and fall back to JavaScript without them;
 * so does discord.js with zlib-sync (without it the gateway runs uncompressed).
 */
const OPTIONAL_NATIVE_HELPERS = ['bufferutil', 'utf-8-validate', 'encoding', 'zlib-sync'];

let asarUnpack: string[];
let files: string[];

beforeAll(async () => {
  if (!existsSync(path.join(workersDir, 'store.js'))) {
    throw new Error('dist/workers/ is missing: run `node scripts/build.mjs --node-only`');
  }
  const loader = require('app-builder-lib/out/util/config/config') as {
    getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Configuration>;
  };
  const config = await loader.getConfig(root, path.join(root, 'electron-builder.yml'), null);
  asarUnpack = config.asarUnpack as string[];
  files = (config.files as { filter: string[] }[]).flatMap((set) => set.filter);
});

const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));
const unpackedPackages = () =>
  asarUnpack
    .map((pattern) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\/\*\*\/\*$/.exec(pattern)?.[1])
    .filter((name): name is string => Boolean(name))
    .sort();

/** Every module the bundles ask Node for at run time (static, dynamic, require, createRequire). */
async function runtimeSpecifiers(): Promise<string[]> {
  // esbuild parses the bundles (code, not comments or strings) and lists what they leave outside.
  const result = await build({
    absWorkingDir: root,
    entryPoints: bundleFiles(),
    bundle: true,
    write: false,
    outdir: 'unused',
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const specifiers = Object.values(result.metafile.inputs)
    .flatMap((input) => input.imports)
    .filter((entry) => entry.external)
    .map((entry) => entry.path);
  // createRequire(import.meta.url)('x') is invisible to esbuild: find those by their literal (esbuild
  // renames the import when several modules make one: createRequire2, ...).
  for (const file of bundleFiles()) {
    const source = readFileSync(path.join(root, file), 'utf8');
    for (const match of source.matchAll(/createRequire\w*\(import\.meta\.url\)\(\s*["']([^"']+)["']\s*\)/g)) {
      specifiers.push(match[1]!);
    }
  }
  return [...new Set(specifiers)].filter((specifier) => !isBuiltin(specifier)).sort();
}

describe('the packaged worker bundles', () => {
  it('loads only better-sqlite3 and the tmi.js parser from node_modules; tmi.js, twurple, openai are inside', async () => {
    const specifiers = await runtimeSpecifiers();
    expect(specifiers.filter((specifier) => !OPTIONAL_NATIVE_HELPERS.includes(specifier))).toEqual([
      'better-sqlite3',
      'tmi.js/lib/parser.js',
    ]);
    // The lazily imported clients were bundled, not left as import('tmi.js') to fail at run time.
    const source = bundleFiles()
      .map((file) => readFileSync(path.join(root, file), 'utf8'))
      .join('\n');
    for (const name of ['tmi.js', '@twurple/api', '@twurple/eventsub-ws', 'openai']) {
      expect(source).not.toMatch(new RegExp(`import\\(\\s*["']${name.replace('/', '\\/')}["']`));
    }
  });

  it('is unpacked with exactly the packages it loads, and marked as ESM there', () => {
    expect(asarUnpack).toEqual(expect.arrayContaining(['dist/workers/**/*', 'dist/package.json']));
    expect(files).toEqual(expect.arrayContaining(['dist/workers/**/*', 'dist/package.json']));
    expect(JSON.parse(readFileSync(path.join(root, 'dist', 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    // What Node actually loads for those entries (better-sqlite3 opens its addon through `bindings`);
    // `node -e` resolves from the cwd, the package root.
    const probe = [
      "const Database = require('better-sqlite3'); new Database(':memory:').close();",
      "require('tmi.js/lib/parser.js');",
      'const names = new Set();',
      'for (const key of Object.keys(require.cache)) {',
      "  const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(key); if (m) names.add(m[1].replace('\\\\', '/'));",
      '}',
      'console.log(JSON.stringify([...names].sort()));',
    ].join('\n');
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' }),
    ) as string[];
    expect(unpackedPackages()).toEqual(loaded);
  });
});

describe('the packaged layout', () => {
  let temp: string;
  let supervisor: WorkerSupervisor | null = null;

  beforeAll(() => {
    temp = mkdtempSync(path.join(tmpdir(), 'bitbrat-packaged-'));
  });
  afterAll(async () => {
    await supervisor?.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  it('starts every real worker from app.asar.unpacked with only the unpacked node_modules', async () => {
    const resources = path.join(temp, 'resources');
    const asar = path.join(resources, 'app.asar');
    const unpacked = path.join(resources, 'app.asar.unpacked');
    // app.asar: the package root the walk finds (a folder here; Electron reads the archive).
    mkdirSync(path.join(asar, 'dist', 'electron'), { recursive: true });
    writeFileSync(path.join(asar, 'package.json'), JSON.stringify({ name: 'bitbrat-desktop', type: 'module' }));
    cpSync(workersDir, path.join(asar, 'dist', 'workers'), { recursive: true });
    // app.asar.unpacked: the unpack list, copied from node_modules as electron-builder would.
    mkdirSync(path.join(unpacked, 'dist'), { recursive: true });
    cpSync(workersDir, path.join(unpacked, 'dist', 'workers'), { recursive: true });
    copyFileSync(path.join(root, 'dist', 'package.json'), path.join(unpacked, 'dist', 'package.json'));
    for (const name of unpackedPackages()) {
      cpSync(path.join(root, 'node_modules', name), path.join(unpacked, 'node_modules', name), { recursive: true });
    }

    const main = pathToFileURL(path.join(asar, 'dist', 'electron', 'main.js')).href;
    const workerFile = (role: (typeof ROLES)[number]) => workerFileUrl(role, main);
    for (const role of ROLES) {
      expect(fileURLToPath(workerFile(role))).toBe(path.join(unpacked, 'dist', 'workers', `${role}.js`));
    }

    const dataDir = path.join(temp, 'data');
    mkdirSync(dataDir);
    const dbPath = path.join(dataDir, 'bitbrat.db');
    const db = openWriteConnection(dbPath);
    migrate(db);
    db.close();

    const errors: string[] = [];
    supervisor = new WorkerSupervisor({
      workerFile,
      init: { dataDir, dbPath, demo: false },
      pushes: noPushes,
      log: (level, message, fields) => {
        if (level === 'error') errors.push(`${message} ${JSON.stringify(fields ?? {})}`);
      },
    });
    await supervisor.start();
    const health = supervisor.health();
    expect(health.map((worker) => worker.role).sort()).toEqual([...ROLES].sort());
    expect(health.every((worker) => worker.state === 'ready')).toBe(true);
    expect(errors).toEqual([]);
  });
});
