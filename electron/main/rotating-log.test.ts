import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRotatingLog } from './rotating-log.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bitbrat-logs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the rotating log', () => {
  it('writes JSON lines and redacts secret-looking fields', () => {
    const { log, file } = createRotatingLog({ dir, now: () => 42 });
    log('info', 'linked account', { login: 'streamer', accessToken: 'abc', apiKey: 'sk-1', Authorization: 'Bearer x' });
    const entry = JSON.parse(readFileSync(file, 'utf8').trim());
    expect(entry).toEqual({
      at: 42,
      level: 'info',
      message: 'linked account',
      fields: { login: 'streamer', accessToken: '[redacted]', apiKey: '[redacted]', Authorization: '[redacted]' },
    });
  });

  it('rotates by size and keeps a bounded number of files', () => {
    const { log } = createRotatingLog({ dir, maxBytes: 200, keep: 2 });
    for (let index = 0; index < 20; index++) log('info', `line ${index} ${'x'.repeat(40)}`);
    expect(readdirSync(dir).sort()).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    for (const name of readdirSync(dir)) {
      expect(readFileSync(path.join(dir, name)).length).toBeLessThanOrEqual(200);
    }
    expect(readFileSync(path.join(dir, 'main.log'), 'utf8')).toContain('line 19');
    expect(existsSync(path.join(dir, 'main.3.log'))).toBe(false);
  });

  it('continues an existing file across restarts', () => {
    createRotatingLog({ dir }).log('info', 'first run');
    createRotatingLog({ dir }).log('info', 'second run');
    expect(readFileSync(path.join(dir, 'main.log'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('survives fields that cannot be serialized', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { log, file } = createRotatingLog({ dir });
    log('warn', 'odd fields', { cyclic });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ message: 'odd fields', fields: '[unserializable]' });
  });
});
