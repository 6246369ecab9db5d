/**
 * The phase runner on its own: how it runs a dispatched slip's steps, applies what services
 * return (delivery outcomes as fields), and turns timeouts, cancellations, unknown services and
 * thrown errors into step errors — nothing half-applied, no secret in the text.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acceptInbound, type Envelope, type WorkerPhase } from '../../core/envelope.js';
import type { PhaseResult } from '../../core/protocol/pipeline.js';
import { createRedactor } from '../../core/redaction.js';
import { StepFailure, type Service, type StepOutcome } from '../../core/service.js';
import { assignSlip } from '../../core/slip.js';
import { PhaseRunner } from './phase-runner.js';

function eventWithSlip(phase: WorkerPhase, services: string[], maxAttempts = 3): Envelope {
  const parsed = acceptInbound(
    {
      type: 'chat.message.v1',
      ingress: { connector: 'test', channel: 'chan' },
      identity: { external: { id: 'id-v', login: 'v', displayName: 'v', roles: ['viewer'] } },
      message: { id: randomUUID(), text: '!hi' },
    },
    Date.now(),
    randomUUID,
  );
  if (!parsed.ok) throw new Error(parsed.error);
  assignSlip(parsed.value, phase, phase, services, maxAttempts);
  return parsed.value;
}

function service(id: string, run: Service['run'], phase: WorkerPhase = 'egress'): Service {
  return { id, phase, run };
}

/** A runner whose results are collected; `result(id)` waits for the event's result. */
function runner(services: Service[], options: { stepTimeoutMs?: number; phase?: WorkerPhase } = {}) {
  const results: PhaseResult[] = [];
  const redactor = createRedactor();
  const instance = new PhaseRunner({
    phase: options.phase ?? 'egress',
    services,
    send: (batch) => results.push(...batch),
    redactor,
    ...(options.stepTimeoutMs ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
  });
  const result = async (eventId: string) => {
    await expect.poll(() => results.some((r) => r.eventId === eventId), { timeout: 10_000 }).toBe(true);
    return results.find((r) => r.eventId === eventId)!;
  };
  return { instance, results, result, redactor };
}

describe('PhaseRunner', () => {
  it('runs the steps of its phase in order and stops at the first error, leaving later steps pending', async () => {
    const order: string[] = [];
    const { instance, result } = runner([
      service('a', () => (order.push('a'), { status: 'OK' })),
      service('b', () => {
        order.push('b');
        throw new StepFailure('NOPE', 'b refused', false);
      }),
      service('c', () => (order.push('c'), { status: 'OK' })),
    ]);
    const event = eventWithSlip('egress', ['a', 'b', 'c']);
    instance.dispatch([{ event, ticket: 7 }]);
    const done = await result(event.id);
    expect(order).toEqual(['a', 'b']);
    expect(done.ticket).toBe(7);
    expect(done.slip.map((step) => `${step.id}:${step.status}:${step.attempt}`)).toEqual([
      'a:OK:1',
      'b:ERROR:1',
      'c:PENDING:0',
    ]);
    expect(done.slip[1]!.error).toEqual({ code: 'NOPE', message: 'b refused', retryable: false });
  });

  it('records a delivery as the step.delivery field (detail redacted) and as a note people read', async () => {
    const { instance, result, redactor } = runner([
      service('out', () => ({
        status: 'OK',
        notes: ['dropped nothing'],
        delivery: { connector: 'twitch-chat', status: 'dropped', detail: 'token oauth:sekrit123 was refused' },
      })),
    ]);
    redactor.set('twitch token', 'oauth:sekrit123');
    const event = eventWithSlip('egress', ['out']);
    instance.dispatch([{ event, ticket: 1 }]);
    const step = (await result(event.id)).slip[0]!;
    expect(step.delivery).toEqual({
      connector: 'twitch-chat',
      status: 'dropped',
      detail: 'token [redacted twitch token] was refused',
    });
    expect(step.notes).toEqual([
      'dropped nothing',
      'dropped via twitch-chat: token [redacted twitch token] was refused',
    ]);
  });

  it('a retried step that reports no delivery does not keep the delivery of its earlier attempt', async () => {
    let attempt = 0;
    const outcomes: StepOutcome[] = [
      { status: 'OK', delivery: { connector: 'x', status: 'dropped' } },
      { status: 'SKIP', notes: ['nothing to send'] },
    ];
    const { instance, results, result } = runner([service('out', () => outcomes[attempt++]!)]);
    const event = eventWithSlip('egress', ['out']);
    instance.dispatch([{ event, ticket: 1 }]);
    const first = structuredClone(event);
    first.routing.slip = structuredClone((await result(event.id)).slip);
    expect(first.routing.slip[0]!.delivery?.status).toBe('dropped');
    results.length = 0;
    first.routing.slip[0]!.status = 'RUNNING';
    instance.dispatch([{ event: first, ticket: 2 }]);
    const second = (await result(event.id)).slip[0]!;
    expect(second.status).toBe('SKIP');
    expect(second.delivery).toBeUndefined();
  });

  it('fails a step that outlives its timeout as retryable TIMEOUT, and aborts its work', async () => {
    let aborted = false;
    const { instance, result } = runner(
      [
        service(
          'slow',
          (_event, context) =>
            new Promise<StepOutcome>(() => {
              context.signal.addEventListener('abort', () => (aborted = true));
            }),
        ),
      ],
      { stepTimeoutMs: 30 },
    );
    const event = eventWithSlip('egress', ['slow']);
    instance.dispatch([{ event, ticket: 1 }]);
    const step = (await result(event.id)).slip[0]!;
    expect(step.status).toBe('ERROR');
    expect(step.error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    await expect.poll(() => aborted, { timeout: 10_000 }).toBe(true);
    expect(instance.inFlight).toBe(0);
  });

  it('a cancelled step ends CANCELLED and is not retried; its outcome is never applied', async () => {
    const { instance, result } = runner(
      [
        service(
          'llm',
          (_event, context) =>
            new Promise<StepOutcome>((resolve, reject) => {
              context.signal.addEventListener('abort', () => {
                reject(new Error('aborted'));
                resolve({
                  status: 'OK',
                  candidates: [{ id: 'c', text: 'late', source: 'llm', priority: 0, status: 'proposed' }],
                });
              });
            }),
          'reaction',
        ),
      ],
      { phase: 'reaction' },
    );
    const event = eventWithSlip('reaction', ['llm']);
    instance.dispatch([{ event, ticket: 1 }]);
    await expect.poll(() => instance.inFlight, { timeout: 10_000 }).toBe(1);
    instance.cancel([event.id]);
    const done = await result(event.id);
    expect(done.slip[0]!.error).toMatchObject({ code: 'CANCELLED', retryable: false });
    // Nothing the cancelled step returned comes back to the router.
    expect(done.candidates).toBeUndefined();
  });

  it('names a service it does not run, and turns a thrown error into a retryable step error without the secret', async () => {
    const { instance, result, redactor } = runner([
      service('boom', () => {
        throw new Error('upstream said: bad key sk-abcdef');
      }),
    ]);
    redactor.set('llm key', 'sk-abcdef');
    const missing = eventWithSlip('egress', ['ghost']);
    const thrown = eventWithSlip('egress', ['boom']);
    instance.dispatch([
      { event: missing, ticket: 1 },
      { event: thrown, ticket: 2 },
    ]);
    expect((await result(missing.id)).slip[0]!.error).toMatchObject({
      code: 'UNKNOWN_SERVICE',
      message: 'no service "ghost" in the egress worker',
      retryable: false,
    });
    const error = (await result(thrown.id)).slip[0]!.error!;
    expect(error).toMatchObject({ code: 'SERVICE_ERROR', retryable: true });
    expect(error.message).toContain('[redacted llm key]');
    expect(error.message).not.toContain('sk-abcdef');
  });

  it('returns what the services added as a delta, not the envelope', async () => {
    const user = { id: 'u1', roles: [], tags: [], firstSeenAt: 1, lastSeenAt: 2, messageCount: 3 };
    const { instance, result } = runner(
      [
        service('auth', () => ({ status: 'OK', user }), 'enrichment'),
        service(
          'tag',
          () => ({ status: 'OK', annotations: [{ kind: 'intent', source: 'tag', value: 'greeting', at: 5 }] }),
          'enrichment',
        ),
      ],
      { phase: 'enrichment' },
    );
    const event = eventWithSlip('enrichment', ['auth', 'tag']);
    event.annotations.push({ kind: 'earlier', source: 'rule:x', at: 1 });
    instance.dispatch([{ event, ticket: 3 }]);
    const done = await result(event.id);
    expect(done).not.toHaveProperty('event');
    expect(done.annotations).toEqual([{ kind: 'intent', source: 'tag', value: 'greeting', at: 5 }]);
    expect(done.user).toEqual(user);
    expect(done.candidates).toBeUndefined();
    expect(done.slip.map((step) => `${step.id}:${step.status}`)).toEqual(['auth:OK', 'tag:OK']);
  });

  it('with concurrentSteps, starts every step at once (deliveries claim together) and one failure stops no other', async () => {
    const started: string[] = [];
    const release: (() => void)[] = [];
    const gated = (id: string, fail = false): Service =>
      service(id, () => {
        started.push(id);
        return new Promise<StepOutcome>((resolve, reject) =>
          release.push(() =>
            fail ? reject(new StepFailure('DOWN', `${id} is down`, true)) : resolve({ status: 'OK' }),
          ),
        );
      });
    const results: PhaseResult[] = [];
    const instance = new PhaseRunner({
      phase: 'egress',
      services: [gated('twitch-chat', true), gated('console'), gated('webhook')],
      send: (batch) => results.push(...batch),
      concurrentSteps: true,
    });
    const event = eventWithSlip('egress', ['twitch-chat', 'console', 'webhook']);
    instance.dispatch([{ event, ticket: 1 }]);
    // All three started before any finished: sequential running would have started only the first.
    expect(started).toEqual(['twitch-chat', 'console', 'webhook']);
    release.forEach((go) => go());
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(1);
    expect(results[0]!.slip.map((step) => `${step.id}:${step.status}:${step.attempt}`)).toEqual([
      'twitch-chat:ERROR:1',
      'console:OK:1',
      'webhook:OK:1',
    ]);
  });

  it('refuses a service registered for another phase', () => {
    expect(() => runner([service('enrich', () => ({ status: 'OK' }), 'enrichment')])).toThrow(
      /enrich belongs to enrichment, not egress/,
    );
  });
});
