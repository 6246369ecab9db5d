/** The small parts of webhooks: signatures and replays, the secret box, the body template. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookTemplateSchema } from '../../../core/client-protocol.js';
import { SECRET_KEY_FILE, createSecretBox, loadOrCreateSecretKey } from './secret-box.js';
import { ReplayGuard, SIGNATURE_WINDOW_MS, checkSignature, signBody } from './signature.js';
import { mapWebhookBody, readPath } from './template.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('signatures', () => {
  const body = Buffer.from('{"a":1}');
  it('accepts its own signature inside the window and refuses one outside', () => {
    const at = 1_700_000_000_000;
    const signature = signBody('s', at, body);
    expect(checkSignature('s', { signature, timestamp: String(at) }, body, at + 1000)).toEqual({ ok: true, signature });
    expect(checkSignature('s', { signature, timestamp: String(at) }, body, at + SIGNATURE_WINDOW_MS + 1)).toMatchObject(
      { code: 'STALE' },
    );
    expect(checkSignature('s', { signature, timestamp: String(at + 1) }, body, at)).toMatchObject({
      code: 'BAD_SIGNATURE',
    });
    expect(checkSignature('s', { signature, timestamp: '1e12' }, body, at)).toMatchObject({ code: 'BAD_TIMESTAMP' });
  });

  it('sees a signature once, and forgets it only after the window', () => {
    const guard = new ReplayGuard(1000);
    expect(guard.firstSight('a', 0)).toBe(true);
    expect(guard.firstSight('a', 500)).toBe(false);
    expect(guard.firstSight('b', 1500)).toBe(true);
    expect(guard.firstSight('a', 2500)).toBe(true);
  });
});

describe('secret box', () => {
  it('round-trips, detects tampering, and keeps its key in a 0600 file', () => {
    dir = mkdtempSync(join(tmpdir(), 'bitbrat-box-'));
    const box = createSecretBox(loadOrCreateSecretKey(dir));
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    // The same key is read back, not replaced.
    expect(createSecretBox(loadOrCreateSecretKey(dir)).open(sealed)).toBe('whsec_abc');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('forged').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow();
  });
});

describe('webhook template', () => {
  it('reads own properties only, never the prototype chain', () => {
    expect(readPath({ a: { b: [1, { c: 'x' }] } }, 'a.b.1.c')).toBe('x');
    expect(readPath({}, 'constructor')).toBeUndefined();
    expect(readPath({ a: 'text' }, 'a.length')).toBeUndefined();
  });

  it('refuses a template that would inject a non-webhook event type', () => {
    expect(WebhookTemplateSchema.safeParse({ type: 'twitch.sub.v1' }).success).toBe(false);
    expect(WebhookTemplateSchema.safeParse({ type: 'chat.message.v1' }).success).toBe(false);
  });

  it('sends as the webhook, whatever the body says', () => {
    const template = WebhookTemplateSchema.parse({ type: 'webhook.x.v1', text: 'msg' });
    const event = mapWebhookBody('x', template, {
      msg: 'hi',
      identity: { external: { login: 'streamer' } },
      type: 'twitch.raid.v1',
    });
    expect(event).toMatchObject({
      type: 'webhook.x.v1',
      identity: { external: { login: 'x', platform: 'webhook' } },
      message: { text: 'hi' },
    });
  });
});
