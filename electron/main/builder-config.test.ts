/**
 * electron-builder.yml, loaded and schema-validated with electron-builder's own code (the same
 * calls `electron-builder` makes before a build), then checked for what the release needs.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Configuration } from 'app-builder-lib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

interface BuilderConfigModule {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: unknown): Promise<void>;
}

type TargetEntry = { target: string; arch?: string[] };

let config: Configuration;

beforeAll(async () => {
  // Deep paths: app-builder-lib has no exports map and does not re-export its config loader.
  const loader = require('app-builder-lib/out/util/config/config') as BuilderConfigModule;
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  config = await loader.getConfig(root, path.join(root, 'electron-builder.yml'), null);
  await loader.validateConfiguration(config, new DebugLogger(false));
});

const targets = (value: unknown): TargetEntry[] => value as TargetEntry[];

describe('electron-builder.yml', () => {
  it('names the app', () => {
    expect(config.appId).toBe('tv.bitbrat.desktop');
    expect(config.productName).toBe('BitBrat Desktop');
    expect(config.directories).toMatchObject({ output: 'release', buildResources: 'build' });
  });

  it('builds NSIS for x64 and arm64, DMG for x64 and arm64, AppImage and deb', () => {
    expect(targets(config.win?.target)).toEqual([{ target: 'nsis', arch: ['x64', 'arm64'] }]);
    expect(targets(config.mac?.target)).toEqual([{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    expect(targets(config.linux?.target).map((entry) => entry.target)).toEqual(['AppImage', 'deb']);
  });

  it('hardens and notarizes the macOS app', () => {
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: true });
    const entitlements = readFileSync(path.join(root, config.mac!.entitlements!), 'utf8');
    expect(entitlements).toContain('com.apple.security.cs.allow-jit');
    expect(entitlements).not.toContain('disable-library-validation');
  });

  it('unpacks the native SQLite module and the worker bundles from the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['dist/workers/**/*', 'node_modules/better-sqlite3/**/*']),
    );
    expect(config.npmRebuild).toBe(true);
  });

  it('packs the built app only, without source maps', () => {
    const filters = (config.files as { filter: string[] }[]).flatMap((set) => set.filter);
    expect(filters).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/electron/**/*',
        'dist/renderer/**/*',
        'dist/workers/**/*',
        '!**/*.map',
      ]),
    );
    expect(filters.some((filter) => /^(pipeline|electron|renderer)\//.test(filter))).toBe(false);
  });

  it('sets the release fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('points at icons that exist for every OS', () => {
    expect(existsSync(path.join(root, config.win!.icon!))).toBe(true);
    expect(existsSync(path.join(root, config.mac!.icon!))).toBe(true);
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(existsSync(path.join(root, config.linux!.icon!, `${size}x${size}.png`))).toBe(true);
    }
  });

  it('has an update feed placeholder that can never resolve', () => {
    expect(config.publish).toMatchObject({ provider: 'generic', url: expect.stringContaining('.invalid/') });
  });
});
