/**
 * `POST /hooks/<name>`: inbound webhooks. The body is read up to a limit, its signature checked
 * (HMAC-SHA256 over `timestamp.body`, 5-minute window, no replays), then mapped by the webhook's
 * template to an event and submitted at the ingress boundary like any other source.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientNameSchema } from '../../../core/client-protocol.js';
import type { SubmitResult } from '../../../core/protocol/pipeline.js';
import type { LogLevel } from '../../../core/rpc.js';
import { ReplayGuard, SIGNATURE_HEADER, TIMESTAMP_HEADER, checkSignature } from './signature.js';
import { WEBHOOKS_CONNECTOR, mapWebhookBody } from './template.js';
import type { WebhookReader } from './webhook-store.js';

export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
export const HOOKS_PATH_PREFIX = '/hooks/';
/** Retry-After of a 503 (store stalled): a database lock by another program rarely lasts longer. */
export const RETRY_AFTER_SECONDS = 2;

export interface InboundWebhookDeps {
  reader: Pick<WebhookReader, 'inbound'>;
  submit(connector: string, items: unknown[]): Promise<SubmitResult[]>;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  now?: () => number;
  maxBodyBytes?: number;
}

export interface InboundWebhooks {
  /** Handles `/hooks/*`; returns false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean>;
  /** Refusals by code (UNSIGNED, BAD_SIGNATURE, STALE, REPLAY, TOO_LARGE, ...), for health. */
  counters(): { accepted: number; refused: Record<string, number> };
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function createInboundWebhooks(deps: InboundWebhookDeps): InboundWebhooks {
  const now = deps.now ?? Date.now;
  const limit = deps.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const replays = new ReplayGuard();
  let accepted = 0;
  const refused: Record<string, number> = {};

  const answer = (
    response: ServerResponse,
    status: number,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
    response.end(JSON.stringify(body));
  };
  const refuse = (response: ServerResponse, status: number, code: string, message: string, name?: string) => {
    refused[code] = (refused[code] ?? 0) + 1;
    deps.log('warn', 'refused an inbound webhook', { code, ...(name ? { webhook: name } : {}) });
    // Close the connection after a refusal: an unread body must not be parsed as the next request.
    answer(response, status, { error: { code, message } }, { Connection: 'close' });
  };

  /** 503 with Retry-After: the store is stalled, the event was not stored; a retry is welcome. */
  const unavailable = (response: ServerResponse, message: string, name: string) => {
    refused.UNAVAILABLE = (refused.UNAVAILABLE ?? 0) + 1;
    deps.log('warn', 'could not store an inbound webhook; asked the sender to retry', { webhook: name });
    answer(
      response,
      503,
      { error: { code: 'UNAVAILABLE', message } },
      { 'Retry-After': String(RETRY_AFTER_SECONDS), Connection: 'close' },
    );
  };

  return {
    counters: () => ({ accepted, refused: { ...refused } }),
    async handle(request, response, url) {
      if (!url.pathname.startsWith(HOOKS_PATH_PREFIX)) return false;
      const name = url.pathname.slice(HOOKS_PATH_PREFIX.length);
      if (request.method !== 'POST') {
        refuse(response, 405, 'METHOD', 'webhooks accept POST only');
        return true;
      }
      const hook = ClientNameSchema.safeParse(name).success ? deps.reader.inbound(name) : null;
      if (!hook) {
        refuse(response, 404, 'UNKNOWN_WEBHOOK', 'no inbound webhook by that name');
        return true;
      }
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > limit) {
        refuse(response, 413, 'TOO_LARGE', `the body is over ${limit} bytes`, name);
        return true;
      }
      let body: Buffer;
      try {
        body = await readBody(request, limit);
      } catch (error) {
        if (error instanceof BodyTooLarge) refuse(response, 413, 'TOO_LARGE', `the body is over ${limit} bytes`, name);
        else refuse(response, 400, 'BAD_BODY', 'the body could not be read', name);
        return true;
      }
      const header = (key: string) => {
        const value = request.headers[key];
        return Array.isArray(value) ? value[0] : value;
      };
      const at = now();
      const check = checkSignature(
        hook.secret,
        { signature: header(SIGNATURE_HEADER), timestamp: header(TIMESTAMP_HEADER) },
        body,
        at,
      );
      if (!check.ok) {
        refuse(response, check.status, check.code, check.message, name);
        return true;
      }
      if (!replays.firstSight(check.signature, at)) {
        refuse(response, 409, 'REPLAY', 'this signed request was already received', name);
        return true;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        refuse(response, 400, 'BAD_JSON', 'the body is not JSON', name);
        return true;
      }
      let result: SubmitResult | undefined;
      try {
        [result] = await deps.submit(WEBHOOKS_CONNECTOR, [mapWebhookBody(name, hook.template, parsed)]);
      } catch (error) {
        result = { ok: false, code: 'UNAVAILABLE', error: `the pipeline did not take the event: ${String(error)}` };
      }
      if (result?.ok === false && result.code === 'UNAVAILABLE') {
        // Nothing was stored: the sender may send the same signed request again.
        replays.forget(check.signature);
        unavailable(response, result.error, name);
        return true;
      }
      if (!result?.ok) {
        refuse(response, 422, 'REJECTED', result?.error ?? 'not accepted', name);
        return true;
      }
      accepted += 1;
      answer(response, 202, { eventId: result.id });
      return true;
    },
  };
}
