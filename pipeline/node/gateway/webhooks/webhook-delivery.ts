/**
 * The `webhook` egress service: POSTs each delivered reply to every outbound webhook, signed like
 * inbound ones (signature.ts), retried with exponential backoff a bounded number of times.
 *
 * Each target is claimed in the delivery ledger before the first attempt (key
 * `<event>:<candidate>:webhook:<name>`), and the retries happen inside one step rather than
 * through the router's step retry: a router retry would find the claim and never try again.
 */
import type { Envelope } from '../../../core/envelope.js';
import { StepFailure, type Service, type StepContext, SERVICE_IDS } from '../../../core/service.js';
import { selectedCandidate } from '../../../core/slip.js';
import { deliveryKey, type DeliveryLedger } from '../../services/console-delivery.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from './signature.js';
import type { ReadDb } from '../../store/database.js';
import { createSecretBox, loadOrCreateSecretKey } from './secret-box.js';
import { createWebhookReader, type OutboundWebhook, type WebhookReader } from './webhook-store.js';

export const WEBHOOK_SERVICE = SERVICE_IDS.webhook;

export interface WebhookDeliveryOptions {
  /** Attempts per target (first try included). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryOptions = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  timeoutMs: 5_000,
};

/** The JSON body an outbound webhook receives. */
export interface WebhookDeliveryBody {
  type: 'bitbrat.delivery.v1';
  key: string;
  eventId: string;
  eventType: string;
  channel: string;
  to: { platform: string; login: string; displayName: string };
  text: string;
  at: number;
}

type Attempted = { ok: true; attempts: number } | { ok: false; attempts: number; error: string };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function createWebhookDelivery(deps: {
  ledger: DeliveryLedger;
  targets(): OutboundWebhook[];
  options?: Partial<WebhookDeliveryOptions>;
  now?: () => number;
}): Service {
  const options = { ...DEFAULT_WEBHOOK_DELIVERY, ...deps.options };
  const now = deps.now ?? Date.now;

  const post = async (target: OutboundWebhook, body: string, signal: AbortSignal): Promise<Attempted> => {
    let lastError = '';
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      if (attempt > 1) await sleep(Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 2)), signal);
      const timestamp = now();
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signBody(target.secret, timestamp, body),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        });
        await response.body?.cancel();
        if (response.ok) return { ok: true, attempts: attempt };
        lastError = `HTTP ${response.status}`;
        // A 4xx other than "too many"/"timeout" will not change on a retry.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) {
          return { ok: false, attempts: attempt, error: lastError };
        }
      } catch (error) {
        if (signal.aborted) throw error;
        lastError =
          error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      }
    }
    return { ok: false, attempts: options.attempts, error: lastError };
  };

  return {
    id: WEBHOOK_SERVICE,
    phase: 'egress',
    async run(event: Readonly<Envelope>, context: StepContext) {
      const candidate = selectedCandidate(event as Envelope);
      if (!candidate) throw new StepFailure('NO_REPLY', 'no selected reply to deliver', false);
      const targets = deps.targets();
      if (targets.length === 0) return { status: 'SKIP', notes: ['no outbound webhooks configured'] };
      const text = candidate.finalText ?? candidate.text;
      const external = event.identity.external;
      const results = await Promise.all(
        targets.map(async (target) => {
          const key = deliveryKey(event.id, `${WEBHOOK_SERVICE}:${target.name}`);
          const at = now();
          const fresh = await deps.ledger.claim({
            key,
            eventId: event.id,
            connector: `${WEBHOOK_SERVICE}:${target.name}`,
            text,
            at,
          });
          if (!fresh) return { sent: true, line: `${target.name}: already delivered before a restart` };
          const body: WebhookDeliveryBody = {
            type: 'bitbrat.delivery.v1',
            key,
            eventId: event.id,
            eventType: event.type,
            channel: event.ingress.channel,
            to: { platform: external.platform, login: external.login, displayName: external.displayName },
            text,
            at,
          };
          const outcome = await post(target, JSON.stringify(body), context.signal);
          const detail = outcome.ok
            ? `sent (${outcome.attempts} attempt${outcome.attempts > 1 ? 's' : ''})`
            : `dropped after ${outcome.attempts} attempt${outcome.attempts > 1 ? 's' : ''}: ${outcome.error}`;
          await deps.ledger.finish({ key, status: outcome.ok ? 'sent' : 'dropped', detail, at: now() });
          return { sent: outcome.ok, line: `${target.name}: ${detail}` };
        }),
      );
      // Each target's outcome is a flag; the lines are only for people (a target may be named anything).
      const lines = results.map((result) => result.line);
      return {
        status: 'OK',
        notes: lines,
        delivery: {
          connector: WEBHOOK_SERVICE,
          status: results.every((result) => result.sent) ? 'sent' : 'dropped',
          detail: lines.join('; ').slice(0, 400),
        },
      };
    },
  };
}

/**
 * Outbound targets as the egress worker reads them: from its own read connection, secrets opened
 * with the key file (loaded on first use, so a install without webhooks never creates it here).
 */
export function outboundTargets(db: ReadDb, dataDir: string): () => OutboundWebhook[] {
  const count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM webhooks WHERE direction = 'out'");
  let reader: WebhookReader | undefined;
  return () => {
    if ((count.get()?.n ?? 0) === 0) return [];
    reader ??= createWebhookReader(db, createSecretBox(loadOrCreateSecretKey(dataDir)));
    return reader.outbound();
  };
}
