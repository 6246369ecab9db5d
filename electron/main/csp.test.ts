import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, installContentSecurityPolicy, withContentSecurityPolicy } from './csp.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

describe('the Content-Security-Policy', () => {
  const policy = directives(CONTENT_SECURITY_POLICY);

  it('denies by default and loads scripts only from the app origin', () => {
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('frame-src')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
  });

  it('allows no inline code, eval or remote script anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|\*|http:/);
    for (const [name, sources] of policy) {
      if (name === 'img-src') continue;
      for (const source of sources) expect(["'self'", "'none'"]).toContain(source);
    }
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'https://static-cdn.jtvnw.net']);
  });

  it('replaces any CSP a response brings, whatever its case', () => {
    const headers = withContentSecurityPolicy({ 'content-security-policy': ['default-src *'], 'X-Other': 'a' });
    expect(headers).toEqual({ 'X-Other': ['a'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('installs itself on the session response headers', () => {
    let listener:
      Parameters<Parameters<typeof installContentSecurityPolicy>[0]['webRequest']['onHeadersReceived']>[0] | null =
      null;
    installContentSecurityPolicy({ webRequest: { onHeadersReceived: (next) => (listener = next) } });
    let result: { responseHeaders?: Record<string, string[]> } | null = null;
    listener!({ responseHeaders: { Server: ['x'] } }, (response) => (result = response));
    expect(result).toEqual({
      responseHeaders: { Server: ['x'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
});
