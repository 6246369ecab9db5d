/**
 * The append-only event log: how an event's changes are stored between its accept and its end.
 *
 * An event is written three ways, never more: its row at accept (the whole envelope as it arrived,
 * committed by ingress before the ack), then at most one log row per commit window holding what
 * changed in that window (its step transitions and an `EventDelta`), then once at the end the whole
 * envelope with its disposition. Nothing rewrites the accepted row in between, so a commit costs an
 * append per event instead of a rewrite of its envelope and every index on it.
 *
 * The same delta is what a phase worker returns to the router: the facts it added, not the envelope.
 * `applyDelta` is the one place that knows how a delta changes an envelope: the router applies a
 * worker's delta with it, the reader rebuilds an open event from its accepted row and its log rows
 * with it (the console's detail view, and resume after a crash).
 */
import type { Annotation, Candidate, Envelope, Routing, UserRecord } from './envelope.js';
import type { StepTransition } from './slip.js';

type EventError = Envelope['errors'][number];
type EgressTarget = NonNullable<Envelope['egress']>;

export interface EventDelta {
  /** The routing as it is now (stage, slip, history, decisions, reaction): replaces the earlier one. */
  routing?: Routing;
  /** Annotations added since the last delta (appended). */
  annotations?: Annotation[];
  /** The whole candidate list as it is now (candidates change status, so they are not only appended). */
  candidates?: Candidate[];
  /** The user record the auth service attached. */
  user?: UserRecord;
  /** Where the reply goes. */
  egress?: EgressTarget;
  /** Errors added since the last delta (appended). */
  errors?: EventError[];
}

/** Applies `delta` to `event` in place. Appends copy nothing; replaced fields take the delta's objects. */
export function applyDelta(event: Envelope, delta: EventDelta): void {
  if (delta.routing) event.routing = delta.routing;
  if (delta.annotations && delta.annotations.length > 0) {
    for (const annotation of delta.annotations) event.annotations.push(annotation);
  }
  if (delta.candidates) event.candidates = delta.candidates;
  if (delta.user) event.identity.user = delta.user;
  if (delta.egress) event.egress = delta.egress;
  if (delta.errors && delta.errors.length > 0) {
    for (const error of delta.errors) event.errors.push(error);
  }
}

/**
 * One log row: what happened to one event in one commit window. `delta` is the JSON of an
 * `EventDelta` (serialized once, by the router, where the window closes) or null on an event's
 * terminal entry (its row then holds the whole envelope).
 */
export interface EventLogEntry {
  eventId: string;
  /** When the window closed (epoch ms). */
  at: number;
  /** The event's stage at the end of the window. */
  stage: Envelope['routing']['stage'];
  /** The step transitions of the window, in order (the event's step history). */
  transitions: Omit<StepTransition, 'eventId'>[];
  delta: string | null;
}
