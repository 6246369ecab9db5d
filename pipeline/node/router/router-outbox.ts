/**
 * Everything the router sends, batched: dispatches to the phase workers (one message per phase per
 * tick), flow-control credit to ingress, and the write-behind batch to the store with the console
 * pushes that must follow its commit.
 *
 * The write-behind batch holds, per event changed in the window, one row: its log entry (the step
 * transitions of the window and an `EventDelta` of what changed since its last row), or its whole
 * envelope once it has ended. So an event costs an append per window, never a rewrite of its row.
 */
import type { Approval } from '../../core/approval.js';
import type { Envelope, WorkerPhase } from '../../core/envelope.js';
import type { EventDelta, EventLogEntry } from '../../core/event-log.js';
import type { Dispatch, EventSummary } from '../../core/protocol/pipeline.js';
import { toEventRow, type StoreWrite } from '../../core/protocol/store.js';
import { transitionOf, type StepTransition } from '../../core/slip.js';
import { summarizeEvent } from '../../core/summary.js';

/**
 * Write-behind window: slip transitions and deltas are committed this long after they happen, or
 * right after the commit in flight (see `scheduleBehind`). What an event does within one window
 * costs one log row, however many stage boundaries it crossed.
 */
const WRITE_BEHIND_MS = 1;
/**
 * Flow-control credit is returned to ingress at most this often, or at once when this many events
 * settled. Ingress holds thousands of events' credit, so this is about messages, not throughput:
 * every credit message wakes the ingress thread.
 */
const SETTLED_PUSH_MS = 10;
const SETTLED_PUSH_COUNT = 256;

export interface OutboxDeps {
  now(): number;
  /** Commits a batch of writes in one transaction; resolves after the commit. */
  persist(batch: StoreWrite[]): Promise<void>;
  dispatch(phase: WorkerPhase, items: Dispatch[]): void;
  feed(summaries: EventSummary[]): void;
  approvalsChanged(approvals: Approval[]): void;
  /** Flow control: this many accepted events settled (ended or held) since the last call. */
  settled(count: number): void;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** An event the router holds, as the outbox sees it: the envelope and how much of it the store's log has. */
export interface LoggedEvent {
  event: Envelope;
  log: EventLogState;
}

export interface EventLogState {
  /** The step transitions of the current window. */
  transitions: EventLogEntry['transitions'];
  annotations: number;
  errors: number;
  /** Ids, statuses and edits of the candidates as last logged (they change in place). */
  candidates: string;
  user: Envelope['identity']['user'];
  egress: Envelope['egress'];
}

/** The log state of an event whose every change is already stored (accepted, or read back from disk). */
export function loggedState(event: Envelope): EventLogState {
  return {
    transitions: [],
    annotations: event.annotations.length,
    errors: event.errors.length,
    candidates: candidateSignature(event.candidates),
    user: event.identity.user,
    egress: event.egress,
  };
}

function candidateSignature(candidates: Envelope['candidates']): string {
  if (candidates.length === 0) return '';
  let signature = '';
  for (const candidate of candidates) signature += `${candidate.id}:${candidate.status}:${candidate.finalText ?? ''}|`;
  return signature;
}

/** What changed on the event since its last log row; remembers it as logged. */
function takeDelta({ event, log }: LoggedEvent): EventDelta {
  const delta: EventDelta = { routing: event.routing };
  if (event.annotations.length > log.annotations) {
    delta.annotations = event.annotations.slice(log.annotations);
    log.annotations = event.annotations.length;
  }
  if (event.errors.length > log.errors) {
    delta.errors = event.errors.slice(log.errors);
    log.errors = event.errors.length;
  }
  const candidates = candidateSignature(event.candidates);
  if (candidates !== log.candidates) {
    delta.candidates = event.candidates;
    log.candidates = candidates;
  }
  if (event.identity.user !== log.user) {
    if (event.identity.user) delta.user = event.identity.user;
    log.user = event.identity.user;
  }
  if (event.egress !== log.egress) {
    if (event.egress) delta.egress = event.egress;
    log.egress = event.egress;
  }
  return delta;
}

export class RouterOutbox {
  private writes: StoreWrite[] = [];
  /** Events changed in the current window (ended ones too): one row each at the flush. */
  private readonly changedEvents = new Set<LoggedEvent>();
  /** Events to show in the console's feed, summarized at the flush (in their latest state, once each). */
  private readonly feedQueue = new Map<string, Envelope>();
  private readonly approvalQueue = new Map<string, Approval>();
  private readonly dispatchQueue = new Map<WorkerPhase, Dispatch[]>();
  private settledCount = 0;
  private tickScheduled = false;
  private behindTimer: ReturnType<typeof setTimeout> | undefined;
  private behindCommitting = false;
  private settledTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: OutboxDeps) {}

  /** A write of the gate or the router's bookkeeping, committed with the window. */
  write(op: StoreWrite): void {
    this.writes.push(op);
    this.schedule();
  }

  /** The event changed: it gets its log row (or its terminal write, once it has a disposition) at the flush. */
  changed(item: LoggedEvent): void {
    this.changedEvents.add(item);
    this.schedule();
  }

  /** Records the current state of a slip step as a transition of this window. */
  transition(item: LoggedEvent, index: number, at: number, status?: StepTransition['status']): void {
    const { eventId: _id, ...transition } = transitionOf(item.event, index, at);
    if (status) transition.status = status;
    item.log.transitions.push(transition);
    this.changed(item);
  }

  feed(event: Envelope): void {
    this.feedQueue.set(event.id, event);
    this.schedule();
  }

  approval(approval: Approval): void {
    this.approvalQueue.set(approval.id, { ...approval });
  }

  dispatch(phase: WorkerPhase, item: Dispatch): void {
    let queue = this.dispatchQueue.get(phase);
    if (!queue) this.dispatchQueue.set(phase, (queue = []));
    queue.push(item);
    this.schedule();
  }

  /** Flow control: events that ended or were parked at the gate. */
  settled(count: number): void {
    this.settledCount += count;
    this.schedule();
  }

  /**
   * Sends everything queued so far to the store and resolves after the commit. Feed and approval
   * pushes for these changes leave only after the commit: what a console shows is on disk.
   */
  flush(): Promise<void> {
    if (this.behindTimer) clearTimeout(this.behindTimer);
    this.behindTimer = undefined;
    const batch = this.takeWrites();
    const now = this.deps.now();
    const feed =
      this.feedQueue.size > 0 ? [...this.feedQueue.values()].map((event) => summarizeEvent(event, now)) : null;
    const approvals = this.approvalQueue.size > 0 ? [...this.approvalQueue.values()] : null;
    this.feedQueue.clear();
    this.approvalQueue.clear();
    const committed = batch.length > 0 ? this.deps.persist(batch) : Promise.resolve();
    return committed.then(() => {
      if (feed) this.deps.feed(feed);
      if (approvals) this.deps.approvalsChanged(approvals);
    });
  }

  /** The window's writes: queued ops first, then one row per changed event. */
  private takeWrites(): StoreWrite[] {
    const batch = this.writes;
    this.writes = [];
    const at = this.deps.now();
    for (const item of this.changedEvents) {
      const event = item.event;
      const entry: EventLogEntry = {
        eventId: event.id,
        at,
        stage: event.routing.stage,
        transitions: item.log.transitions,
        delta: null,
      };
      item.log.transitions = [];
      if (event.disposition) batch.push({ op: 'event.end', row: toEventRow(event), entry });
      else {
        entry.delta = JSON.stringify(takeDelta(item));
        batch.push({ op: 'event.log', entry });
      }
    }
    this.changedEvents.clear();
    return batch;
  }

  /** Dispatches leave at the end of this tick; credit and the write-behind batch follow on their timers. */
  private schedule(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    setImmediate(() => {
      this.tickScheduled = false;
      for (const [phase, items] of this.dispatchQueue) {
        if (items.length > 0) this.deps.dispatch(phase, items);
      }
      this.dispatchQueue.clear();
      if (this.settledCount >= SETTLED_PUSH_COUNT) this.pushSettled();
      else if (this.settledCount > 0 && !this.settledTimer) {
        // Credit is not urgent (ingress holds thousands): one message per few events, not per tick.
        this.settledTimer = setTimeout(() => this.pushSettled(), SETTLED_PUSH_MS);
      }
      this.scheduleBehind();
    });
  }

  private pushSettled(): void {
    if (this.settledTimer) clearTimeout(this.settledTimer);
    this.settledTimer = undefined;
    if (this.settledCount === 0) return;
    this.deps.settled(this.settledCount);
    this.settledCount = 0;
  }

  /**
   * Group commit: a write-behind batch leaves WRITE_BEHIND_MS after the first change, and never
   * while the previous one is still committing — what changes meanwhile goes in the next batch, so
   * under load the batches grow instead of the number of commits.
   */
  private scheduleBehind(): void {
    if (this.behindTimer || this.behindCommitting) return;
    if (this.writes.length === 0 && this.changedEvents.size === 0 && this.feedQueue.size === 0) return;
    this.behindTimer = setTimeout(() => {
      this.behindTimer = undefined;
      this.behindCommitting = true;
      this.flush()
        .catch((error: unknown) => this.deps.log('error', 'a write-behind batch failed', { error: String(error) }))
        .finally(() => {
          this.behindCommitting = false;
          this.scheduleBehind();
        });
    }, WRITE_BEHIND_MS);
  }
}
