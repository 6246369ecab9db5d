/**
 * Webhook signatures, both directions: HMAC-SHA256 over `<timestamp>.<raw body>` (the scheme
 * Stripe and Slack use), hex, in `X-BitBrat-Signature: sha256=<hex>`, with the timestamp (epoch
 * milliseconds) in `X-BitBrat-Timestamp`. Signing the timestamp lets the receiver refuse old
 * requests; remembering recent signatures refuses a replay inside the window.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-bitbrat-signature';
export const TIMESTAMP_HEADER = 'x-bitbrat-timestamp';
/** Requests older (or further in the future) than this are refused. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export function signBody(secret: string, timestamp: number, body: string | Buffer): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `sha256=${hmac.digest('hex')}`;
}

export type SignatureCheck =
  { ok: true; signature: string } | { ok: false; status: number; code: string; message: string };

export function checkSignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: Buffer,
  now: number,
): SignatureCheck {
  if (!headers.signature || !headers.timestamp) {
    return { ok: false, status: 401, code: 'UNSIGNED', message: `missing ${SIGNATURE_HEADER} or ${TIMESTAMP_HEADER}` };
  }
  if (!/^\d{1,16}$/.test(headers.timestamp)) {
    return { ok: false, status: 401, code: 'BAD_TIMESTAMP', message: `${TIMESTAMP_HEADER} must be epoch milliseconds` };
  }
  const timestamp = Number(headers.timestamp);
  if (Math.abs(now - timestamp) > SIGNATURE_WINDOW_MS) {
    return { ok: false, status: 401, code: 'STALE', message: 'the timestamp is outside the 5-minute window' };
  }
  const expected = Buffer.from(signBody(secret, timestamp, body));
  const offered = Buffer.from(headers.signature);
  if (expected.length !== offered.length || !timingSafeEqual(expected, offered)) {
    return { ok: false, status: 401, code: 'BAD_SIGNATURE', message: 'the signature does not match' };
  }
  return { ok: true, signature: headers.signature };
}

/**
 * Signatures seen within the window. Kept in memory: a signature older than the window is refused
 * by its timestamp anyway, so nothing older needs remembering. (A restart forgets the set; a
 * replay would then also need to land within 5 minutes of the original.)
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number = SIGNATURE_WINDOW_MS) {}

  /** True the first time a signature is offered; false for a replay. */
  firstSight(signature: string, now: number): boolean {
    for (const [key, at] of this.seen) {
      if (now - at <= this.windowMs * 2) break; // insertion order: the rest are newer
      this.seen.delete(key);
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, now);
    return true;
  }

  /** The request with this signature was not taken (503): its sender may offer it again. */
  forget(signature: string): void {
    this.seen.delete(signature);
  }
}
