/**
 * Runs the services of one phase for the events the router dispatches to this worker.
 *
 * Each dispatched event runs its consecutive steps of this phase in order, stopping at the first
 * error; events run concurrently (an LLM call does not hold up a `!hello`). Results leave in one
 * message per tick. A service only returns an outcome; the runner applies it, so a failed or
 * cancelled step leaves nothing half-written.
 */
import { describeDelivery, type WorkerPhase } from '../../core/envelope.js';
import type { Dispatch, PhaseResult } from '../../core/protocol/pipeline.js';
import { StepFailure, type Service, type StepOutcome } from '../../core/service.js';
import { createRedactor, type Redactor } from '../../core/redaction.js';
import { isFinished } from '../../core/slip.js';

export interface PhaseRunnerOptions {
  phase: WorkerPhase;
  services: readonly Service[];
  send(results: PhaseResult[]): void;
  now?: () => number;
  /** A step that takes longer is failed (retryable) and its work aborted. */
  stepTimeoutMs?: number;
  /** Takes this worker's secrets out of step errors and notes (they are stored and shown). */
  redactor?: Redactor;
  /**
   * Run the slip's steps of this phase all at once instead of one after another (egress: each step
   * is an independent delivery, so their claims reach the store in one tick and one commit).
   */
  concurrentSteps?: boolean;
}

const SLICE = 250;

/**
 * One dispatch's cancellation. The AbortController is made only when a service asks for the signal
 * (the LLM call, a send): most steps answer at once and never need one, and one per event is a
 * measurable share of a phase's cost at a thousand events a second.
 */
class Run {
  private controller: AbortController | undefined;
  private reason: unknown;
  aborted = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

export class PhaseRunner {
  private readonly services = new Map<string, Service>();
  private readonly running = new Map<string, Run>();
  private outbox: PhaseResult[] = [];
  private flushScheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly now: () => number;
  private readonly redactor: Redactor;

  constructor(private readonly options: PhaseRunnerOptions) {
    this.redactor = options.redactor ?? createRedactor();
    for (const service of options.services) {
      if (service.phase !== options.phase)
        throw new Error(`${service.id} belongs to ${service.phase}, not ${options.phase}`);
      this.services.set(service.id, service);
    }
    this.now = options.now ?? Date.now;
  }

  serviceIds(): string[] {
    return [...this.services.keys()];
  }

  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Takes a batch from the router. Large batches run in slices, yielding between them so the
   * worker keeps answering pings and cancellations under a flood.
   */
  dispatch(items: Dispatch[]): void {
    const slice = items.length > SLICE ? items.slice(0, SLICE) : items;
    if (items.length > SLICE) setImmediate(() => this.dispatch(items.slice(SLICE)));
    for (const item of slice) {
      const run = new Run();
      this.running.get(item.event.id)?.abort();
      this.running.set(item.event.id, run);
      const startedAt = this.now();
      const event = item.event;
      // What the services add is returned as a delta: remember where the event's lists ended.
      const annotationsFrom = event.annotations.length;
      const candidatesFrom = event.candidates.length;
      const errorsFrom = event.errors.length;
      const userBefore = event.identity.user;
      const done = () => {
        if (this.running.get(event.id) === run) this.running.delete(event.id);
        const result: PhaseResult = {
          eventId: event.id,
          ticket: item.ticket,
          slip: event.routing.slip,
          startedAt,
          endedAt: this.now(),
        };
        if (event.annotations.length > annotationsFrom) result.annotations = event.annotations.slice(annotationsFrom);
        // Candidates travel whole (as in an EventDelta): few, and a delta replaces the list.
        if (event.candidates.length > candidatesFrom) result.candidates = event.candidates;
        if (event.errors.length > errorsFrom) result.errors = event.errors.slice(errorsFrom);
        if (event.identity.user && event.identity.user !== userBefore) result.user = event.identity.user;
        this.outbox.push(result);
        this.scheduleFlush();
      };
      const result = this.runSlip(item, run);
      if (result instanceof Promise) {
        result.then(done, (error: unknown) => {
          // runSlip never rejects; this is a last guard so a bug cannot lose an event silently.
          event.errors.push({
            at: this.now(),
            source: this.options.phase,
            code: 'RUNNER',
            message: this.redactor.errorText(error),
          });
          done();
        });
      } else done();
    }
  }

  cancel(eventIds: string[]): void {
    for (const id of eventIds) this.running.get(id)?.abort(new Error('cancelled by the router'));
  }

  /** Resolves when nothing is running (graceful shutdown). */
  drain(): Promise<void> {
    if (this.running.size === 0 && this.outbox.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const service of this.services.values()) await service.close?.();
  }

  /**
   * The service of step `index`, with the step marked RUNNING (the router already marked the first
   * step of a dispatch; the others start here); undefined, with the step failed, if this worker
   * does not run it.
   */
  private start(event: Dispatch['event'], index: number): Service | undefined {
    const step = event.routing.slip[index]!;
    const service = this.services.get(step.id);
    if (!service) {
      this.fail(
        event,
        index,
        new StepFailure('UNKNOWN_SERVICE', `no service "${step.id}" in the ${this.options.phase} worker`, false),
      );
      return undefined;
    }
    if (step.status === 'PENDING') {
      step.status = 'RUNNING';
      step.attempt += 1;
      step.startedAt = this.now();
    }
    return service;
  }

  /** Runs synchronously while services answer synchronously; goes async at the first promise. */
  private runSlip(item: Dispatch, run: Run): Dispatch['event'] | Promise<Dispatch['event']> {
    if (this.options.concurrentSteps) return this.runConcurrently(item, run);
    const event = item.event;
    const slip = event.routing.slip;
    for (let index = 0; index < slip.length; index++) {
      const step = slip[index]!;
      if (isFinished(step.status)) continue;
      if (step.phase !== this.options.phase) break;
      const service = this.start(event, index);
      if (!service) return event;
      const outcome = this.invoke(service, item, index, run);
      if (outcome instanceof Promise) {
        return outcome.then((ok) => (ok ? this.continueAsync(item, index + 1, run) : event));
      }
      if (!outcome) return event;
    }
    return event;
  }

  /** Starts every pending step of this phase's run of the slip together; done when all are. */
  private runConcurrently(item: Dispatch, run: Run): Dispatch['event'] | Promise<Dispatch['event']> {
    const event = item.event;
    const slip = event.routing.slip;
    const waiting: Promise<boolean>[] = [];
    for (let index = 0; index < slip.length; index++) {
      const step = slip[index]!;
      if (isFinished(step.status)) continue;
      if (step.phase !== this.options.phase) break;
      const service = this.start(event, index);
      if (!service) continue;
      const outcome = this.invoke(service, item, index, run);
      if (outcome instanceof Promise) waiting.push(outcome);
    }
    return waiting.length === 0 ? event : Promise.all(waiting).then(() => event);
  }

  private async continueAsync(item: Dispatch, from: number, run: Run): Promise<Dispatch['event']> {
    const slip = item.event.routing.slip;
    for (let index = from; index < slip.length; index++) {
      const step = slip[index]!;
      if (isFinished(step.status)) continue;
      if (step.phase !== this.options.phase) break;
      const service = this.start(item.event, index);
      if (!service) return item.event;
      if (!(await this.invoke(service, item, index, run))) return item.event;
    }
    return item.event;
  }

  /** Runs one step; returns whether the slip may continue. */
  private invoke(service: Service, item: Dispatch, index: number, run: Run): boolean | Promise<boolean> {
    const event = item.event;
    const step = event.routing.slip[index]!;
    const reaction = event.routing.reaction;
    const context = {
      get signal() {
        return run.signal;
      },
      attempt: step.attempt,
      now: this.now,
      ...(reaction
        ? {
            reaction: {
              ruleId: reaction.ruleId,
              ...(reaction.persona ? { persona: reaction.persona } : {}),
              ...(reaction.prompt ? { prompt: reaction.prompt } : {}),
              ...(item.hint ? { hint: item.hint } : {}),
            },
          }
        : {}),
    };
    let outcome: StepOutcome | Promise<StepOutcome>;
    try {
      outcome = service.run(event, context);
    } catch (error) {
      this.fail(event, index, error);
      return false;
    }
    if (!(outcome instanceof Promise)) {
      this.apply(event, index, outcome);
      return true;
    }
    const timeoutMs = this.options.stepTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    let timedOut: StepFailure | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = new StepFailure('TIMEOUT', `${service.id} took longer than ${timeoutMs} ms`, true);
        reject(timedOut);
      }, timeoutMs);
    });
    return Promise.race([outcome, timeout]).then(
      (result) => {
        clearTimeout(timer);
        this.apply(event, index, result);
        return true;
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (run.aborted) error = new StepFailure('CANCELLED', 'cancelled: the reply was rejected or expired', false);
        // The step failed; its work (an LLM call, a send) must stop too, or it runs on unseen.
        else if (timedOut) this.abortOwn(event.id, run, timedOut);
        this.fail(event, index, error);
        return false;
      },
    );
  }

  /** Aborts `run` if it is still this event's current dispatch. */
  private abortOwn(eventId: string, run: Run, reason: Error): void {
    if (this.running.get(eventId) === run) run.abort(reason);
  }

  private apply(event: Dispatch['event'], index: number, outcome: StepOutcome): void {
    const step = event.routing.slip[index]!;
    const endedAt = this.now();
    step.status = outcome.status;
    step.endedAt = endedAt;
    step.durationMs = endedAt - (step.startedAt ?? endedAt);
    step.error = undefined;
    const notes = [...(outcome.notes ?? [])];
    if (outcome.delivery) {
      // The outcome is the field; the note is its readable line in the event's history.
      const { detail, ...delivery } = outcome.delivery;
      step.delivery = detail ? { ...delivery, detail: this.redactor.redact(detail).slice(0, 500) } : delivery;
      notes.push(describeDelivery(step.delivery));
    } else if (step.delivery) step.delivery = undefined;
    if (notes.length > 0) step.notes = notes.slice(0, 50).map((note) => this.redactor.redact(note).slice(0, 500));
    if (outcome.annotations) event.annotations.push(...outcome.annotations);
    if (outcome.candidates) event.candidates.push(...outcome.candidates);
    if (outcome.user) event.identity.user = outcome.user;
  }

  private fail(event: Dispatch['event'], index: number, error: unknown): void {
    const step = event.routing.slip[index]!;
    const endedAt = this.now();
    step.status = 'ERROR';
    step.endedAt = endedAt;
    step.durationMs = endedAt - (step.startedAt ?? endedAt);
    step.error =
      error instanceof StepFailure
        ? { code: error.code, message: this.redactor.redact(error.message).slice(0, 2000), retryable: error.retryable }
        : {
            code: 'SERVICE_ERROR',
            message: this.redactor.errorText(error).slice(0, 2000),
            retryable: true,
          };
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const results = this.outbox;
      this.outbox = [];
      if (results.length > 0) this.options.send(results);
      if (this.running.size === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    });
  }
}
