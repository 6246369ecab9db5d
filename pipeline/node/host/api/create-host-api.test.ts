import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_METHODS } from '../../../core/host-api.js';
import { PipelineHost } from '../pipeline-host.js';
import { joinHandlerMaps } from './create-host-api.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('joinHandlerMaps', () => {
  it('joins disjoint handler maps into one object with every handler', async () => {
    const joined = joinHandlerMaps({ 'a.get': async () => 1 }, { 'b.get': async () => 2, 'b.set': async () => 3 });
    expect(Object.keys(joined).sort()).toEqual(['a.get', 'b.get', 'b.set']);
    expect(await joined['b.set']()).toBe(3);
  });

  it('refuses a method that two maps both handle, naming it', () => {
    expect(() => joinHandlerMaps({ 'a.get': async () => 1 }, { 'a.get': async () => 2 })).toThrow(/"a\.get"/);
  });
});

describe('the host API joined from its domain maps', () => {
  it('has a handler for every HostApi method and nothing else', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-host-api-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const host = await PipelineHost.start({
      dataDir,
      log: () => undefined,
      twitch: { enabled: false },
      discord: { enabled: false },
    });
    cleanups.push(() => host.stop());
    expect(Object.keys(host.api).sort()).toEqual([...HOST_METHODS].sort());
    // A handler in one domain that uses another's (ignoring a user is a settings change) still works.
    const ignored = await host.api['users.act']({
      action: 'ignore',
      platform: 'twitch',
      externalId: '42',
      moderator: 'mod',
    });
    expect(ignored.ok).toBe(true);
    expect((await host.api['settings.get']({})).ignoredUsers).toEqual(['twitch:42']);
  });
});
