import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler, isAppUrl, resolveAppPath } from './app-protocol.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';

let base: string;
let root: string;
let handler: (request: Request) => Promise<Response>;

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'bitbrat-protocol-'));
  root = path.join(base, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>BitBrat</title>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(base, 'secret.txt'), 'outside the renderer');
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  handler = createAppProtocolHandler({ rootDir: root });
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('the app:// scheme', () => {
  it('is registered as a standard, secure scheme', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
  });

  it('recognizes only its own origin', () => {
    expect(isAppUrl('app://bitbrat/index.html')).toBe(true);
    expect(isAppUrl('app://bitbrat.evil/index.html')).toBe(false);
    expect(isAppUrl('app://user:pw@bitbrat/')).toBe(false);
    expect(isAppUrl('https://bitbrat/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});

describe('the renderer protocol handler', () => {
  it('serves index.html at the root with the CSP and nosniff headers', async () => {
    const response = await get('app://bitbrat/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>BitBrat</title>');
  });

  it('serves assets with their content type', async () => {
    const response = await get('app://bitbrat/assets/app.js');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe('console.log(1)');
  });

  it('falls back to index.html for client routes but not for missing files', async () => {
    expect(await (await get('app://bitbrat/approvals')).text()).toContain('BitBrat');
    expect((await get('app://bitbrat/assets/missing.js')).status).toBe(404);
  });

  it.each([
    'app://bitbrat/%2e%2e/secret.txt',
    'app://bitbrat/assets/%2E%2E/%2E%2E/secret.txt',
    'app://bitbrat/..%2fsecret.txt',
    'app://bitbrat/assets/..%5c..%5csecret.txt',
    'app://bitbrat/index.html%00.js',
    'app://bitbrat/%E0%A4%A',
  ])('refuses traversal and malformed paths: %s', async (url) => {
    const response = await get(url);
    expect([400, 403, 404]).toContain(response.status);
    expect(await response.text()).not.toContain('outside the renderer');
  });

  it('refuses a symlink that leads out of the renderer folder', async () => {
    const response = await get('app://bitbrat/assets/link.txt');
    expect(response.status).toBe(404);
  });

  it('refuses other hosts and methods', async () => {
    expect((await get('app://other/index.html')).status).toBe(404);
    expect((await get('app://bitbrat/index.html', 'POST')).status).toBe(405);
    const head = await get('app://bitbrat/index.html', 'HEAD');
    expect(head.status).toBe(200);
  });

  it('resolves paths without touching the disk', () => {
    expect(resolveAppPath('app://bitbrat/a/./b.js')).toEqual({
      kind: 'file',
      relativePath: 'a/b.js',
      fallbackToIndex: false,
    });
    // The URL parser folds %2e%2e segments itself (they can never climb above the root)...
    expect(resolveAppPath('app://bitbrat/a/%2e%2e/%2e%2e/b')).toMatchObject({ kind: 'file', relativePath: 'b' });
    // ...but an encoded slash survives parsing and would climb once decoded.
    expect(resolveAppPath('app://bitbrat/a/..%2f..%2fb')).toMatchObject({ kind: 'refused', status: 403 });
  });
});
