/**
 * Routing-slip bookkeeping, as pure functions over the envelope. The router is the only caller
 * that changes `routing`; phase workers only fill in the steps they were handed.
 */
import type { Disposition, Envelope, Phase, Stage, Step, StepStatus } from './envelope.js';

/** A router loop guard: no event is routed more often than this. */
export const MAX_HOPS = 16;

/** One slip transition (stored in the `transitions` array of an `event_log` row, without its eventId). */
export interface StepTransition {
  eventId: string;
  stage: Stage;
  index: number;
  service: string;
  phase: Phase;
  status: StepStatus;
  attempt: number;
  at: number;
  durationMs?: number;
  error?: Step['error'];
  notes?: string[];
}

export function isFinished(status: StepStatus): boolean {
  return status === 'OK' || status === 'SKIP' || status === 'ERROR';
}

/**
 * Gives the event a new slip for `stage`. Finished steps of the previous slip move to `history`
 * (never discarded); a step that never ran moves there as SKIP with a note, so replays show it.
 */
export function assignSlip(
  event: Envelope,
  stage: Stage,
  phase: Phase,
  services: readonly string[],
  maxAttempts: number,
): void {
  retireSlip(event, 'superseded by a new slip');
  event.routing.stage = stage;
  event.routing.hops += 1;
  event.routing.slip = services.map((id) => ({ id, phase, status: 'PENDING', attempt: 0, maxAttempts }));
}

/** Moves the current slip to history; unfinished steps are closed as SKIP with `why`. */
export function retireSlip(event: Envelope, why: string): void {
  for (const step of event.routing.slip) {
    if (!isFinished(step.status)) {
      step.status = 'SKIP';
      step.notes = [...(step.notes ?? []), why];
    }
    event.routing.history.push(step);
  }
  event.routing.slip = [];
}

/** Index of the first step that has not finished, or -1 when the slip is done. */
export function nextStepIndex(event: Envelope): number {
  return event.routing.slip.findIndex((step) => !isFinished(step.status));
}

export function transitionOf(event: Envelope, index: number, at: number): StepTransition {
  const step = event.routing.slip[index]!;
  return {
    eventId: event.id,
    stage: event.routing.stage,
    index,
    service: step.id,
    phase: step.phase,
    status: step.status,
    attempt: step.attempt,
    at,
    ...(step.durationMs !== undefined ? { durationMs: step.durationMs } : {}),
    ...(step.error ? { error: step.error } : {}),
    ...(step.notes ? { notes: step.notes } : {}),
  };
}

/** Ends the event. Exactly one disposition: a second call is a bug and throws. */
export function finish(event: Envelope, disposition: Disposition, reason: string): void {
  if (event.disposition) {
    throw new Error(`event ${event.id} already ended as ${event.disposition}; refusing ${disposition}`);
  }
  for (const step of event.routing.slip) {
    if (!isFinished(step.status)) {
      step.status = 'SKIP';
      step.notes = [...(step.notes ?? []), `not run: event ${disposition}`];
    }
  }
  event.routing.stage = 'terminal';
  event.disposition = disposition;
  event.dispositionReason = reason;
}

/** Every step the event has run, oldest first: history, then the current slip. */
export function allSteps(event: Envelope): Step[] {
  return [...event.routing.history, ...event.routing.slip];
}

/** The selected candidate (the reply that will be or was sent), if any. */
export function selectedCandidate(event: Envelope) {
  return event.candidates.find((candidate) => candidate.status === 'selected');
}
