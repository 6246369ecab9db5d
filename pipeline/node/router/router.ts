/**
 * The event router: gives every event its routing slip, stage by stage, runs the approval gate,
 * and ends every event with exactly one disposition.
 *
 * It runs in the router worker and owns the in-flight state of every event. It is written as a
 * plain class with its I/O injected (persist, dispatch, push), so the same code is driven by the
 * worker's ports in production and by tests directly. Its single thread is what makes "the first
 * decision wins" true without locks.
 *
 * Durability: an accepted event is committed before it is routed (`accept` awaits the store);
 * every later change is written behind, committed within one store flush (a few ms). On start
 * `resume` picks every non-terminal event up from its last persisted state.
 */
import { randomUUID } from 'node:crypto';
import {
  applyDecision,
  dueTimer,
  holdReason,
  rerouteEffect,
  safetyHoldOf,
  type CandidateChange,
  type GateEffect,
  type GateInput,
  type GateOutcome,
} from '../../core/approval-decision.js';
import { isOpen, type Approval, type DecisionRequest, type DecisionResult } from '../../core/approval.js';
import {
  describeDelivery,
  type ApprovalPolicy,
  type Disposition,
  type Envelope,
  type Phase,
  type Stage,
  type WorkerPhase,
} from '../../core/envelope.js';
import type { Settings } from '../../core/host-api.js';
import type { PhaseResult, PipelineStats } from '../../core/protocol/pipeline.js';
import { toEventRow } from '../../core/protocol/store.js';
import { applyDelta } from '../../core/event-log.js';
import { ruleFacts, type Rule, type RuleBook, type RuleStage } from '../../core/rules.js';
import {
  MAX_HOPS,
  assignSlip,
  finish,
  isFinished,
  nextStepIndex,
  retireSlip,
  selectedCandidate,
} from '../../core/slip.js';
import { detectReplyRisks } from '../llm/safety-detectors.js';
import { RouterOutbox, loggedState, type LoggedEvent, type OutboxDeps } from './router-outbox.js';
import { RouterStats, type ReplyLatency } from './router-stats.js';
import { rememberDelivered } from './safety-gate.js';

/** The router's I/O: what its outbox sends (store, phase workers, console, ingress) and what it reads. */
export interface RouterDeps extends OutboxDeps {
  cancel(phase: WorkerPhase, eventIds: string[]): void;
  rules(): RuleBook;
  settings(): Settings;
  /** Service ids each phase worker runs; a slip naming another service is dead-lettered. */
  services: Record<WorkerPhase, ReadonlySet<string>>;
  newId?: () => string;
  /** Replies held for a moderator at most (default MAX_HELD); past it a new one ends `expired`. */
  maxHeld?: number;
}

interface InFlight extends LoggedEvent {
  /** Increases with every dispatch; results carrying an older ticket are stale. */
  ticket: number;
  phase: WorkerPhase | null;
  hint?: string;
  /** Whether ingress was already told this event settled (flow control counts each event once). */
  creditReturned?: boolean;
}

/** What a phase worker's services read of an event: not the retired slips, the rule decisions or the errors. */
function factsOf(event: Envelope): Envelope {
  return { ...event, routing: { ...event.routing, history: [], decisions: [] }, errors: [] };
}

/**
 * Held replies no longer count against ingress's flow control, so they get their own bound: a raid
 * nobody moderates must not grow the router's memory without limit (each holds its envelope).
 */
export const MAX_HELD = 5000;

/** Events handled per slice of a large batch before the router yields to its port. */
const SLICE = 250;

const RULE_STAGE_FOR: Record<RuleStage, { stage: Stage; phase: Phase }> = {
  enrichment: { stage: 'enrichment', phase: 'enrichment' },
  reaction: { stage: 'reaction', phase: 'reaction' },
  egress: { stage: 'egress', phase: 'egress' },
};

export class Router {
  private readonly events = new Map<string, InFlight>();
  private readonly approvals = new Map<string, Approval>();
  // Unique across router restarts, so a result dispatched by a previous router is never taken
  // for one of this router's dispatches.
  private nextTicket = Date.now() * 1000;
  private readonly newId: () => string;
  private readonly statistics: RouterStats;

  private readonly outbox: RouterOutbox;

  constructor(private readonly deps: RouterDeps) {
    this.outbox = new RouterOutbox(deps);
    this.newId = deps.newId ?? randomUUID;
    this.statistics = new RouterStats(deps.now());
  }

  // ---------------------------------------------------------------- intake

  /**
   * Events accepted at ingress: committed to disk first, then routed. The ingress worker commits
   * them itself before it acks (`committed: true`); an event the router already holds (resumed
   * from disk after a router restart) is not taken twice.
   */
  async accept(incoming: Envelope[], options: { committed?: boolean } = {}): Promise<void> {
    const events = incoming.filter((event) => !this.events.has(event.id));
    // Ingress counted the duplicates as in flight: give their credit back.
    if (events.length < incoming.length) this.outbox.settled(incoming.length - events.length);
    for (const event of events) {
      this.statistics.accepted();
      this.events.set(event.id, { event, log: loggedState(event), ticket: 0, phase: null });
      this.outbox.feed(event);
    }
    try {
      // Committed on its own, at once: write-behind batches wait for their window, accepts never do.
      if (!options.committed)
        await this.deps.persist(events.map((event) => ({ op: 'event.put', row: toEventRow(event) })));
    } catch (error) {
      // Not on disk: never route an event we could lose. Drop them from memory; the source sees
      // the failure in the log and the health view shows the store error.
      for (const event of events) this.events.delete(event.id);
      this.deps.log('error', 'could not persist accepted events; they were not routed', {
        count: events.length,
        error: String(error),
      });
      return;
    }
    await this.inSlices(events, (event) => {
      if (this.events.has(event.id)) this.advance(event.id);
    });
  }

  /** Runs `each` over a large batch in slices, yielding between them so pings and decisions get through. */
  private async inSlices<T>(items: readonly T[], each: (item: T) => void): Promise<void> {
    for (let start = 0; start < items.length; start += SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const item of items.slice(start, start + SLICE)) each(item);
    }
  }

  /** Picks up events that were not terminal when the pipeline stopped. */
  resume(open: Envelope[], approvals: Approval[]): number {
    const openApprovals = new Map(approvals.filter(isOpen).map((approval) => [approval.eventId, approval]));
    for (const event of open) {
      // Already taken from ingress by this router (it arrived while the resume was on its way).
      if (event.disposition || this.events.has(event.id)) continue;
      // Resumed events were not counted by the current ingress worker's flow control.
      const flight: InFlight = {
        event,
        log: loggedState(event),
        ticket: 0,
        phase: null,
        creditReturned: true,
      };
      this.events.set(event.id, flight);
      if (event.routing.stage === 'approval') {
        const approval = openApprovals.get(event.id);
        if (approval) {
          this.approvals.set(approval.id, approval);
          continue;
        }
        // Held without an approval record on disk: the gate decision was lost; decide again.
        this.enterGate(flight);
        continue;
      }
      const running = event.routing.slip.findIndex((step) => step.status === 'RUNNING');
      if (running >= 0) this.retryStep(flight, running, 'RESUMED', 'pipeline restarted while this step ran');
      else this.advance(event.id);
    }
    return open.length;
  }

  // ---------------------------------------------------------------- the state machine

  private advance(eventId: string): void {
    const flight = this.events.get(eventId);
    if (!flight) return;
    const started = this.deps.now();
    try {
      this.step(flight);
    } catch (error) {
      // A bug or a malformed event must not stop the router: the event is dead-lettered, visibly.
      this.deps.log('error', 'router failed on an event', { eventId, error: String(error) });
      if (!flight.event.disposition) this.end(flight, 'dead-lettered', `router error: ${String(error)}`);
    }
    this.statistics.phase('router', this.deps.now() - started);
  }

  private step(flight: InFlight): void {
    const event = flight.event;
    if (event.disposition) return;
    const next = nextStepIndex(event);
    if (next >= 0) return this.runStep(flight, next);

    switch (event.routing.stage) {
      case 'initial':
        return this.chooseSlip(flight, 'enrichment');
      case 'enrichment':
        return this.chooseSlip(flight, 'reaction');
      case 'reaction':
        return this.afterReaction(flight);
      case 'approval':
        return; // waits for a moderator, a timer, or a re-route
      case 'egress':
        return this.afterEgress(flight);
      case 'terminal':
        return;
    }
  }

  /** Evaluates the rules of `ruleStage`, records every match, and gives the event the winner's slip. */
  private chooseSlip(flight: InFlight, ruleStage: RuleStage): void {
    const event = flight.event;
    if (event.routing.hops >= MAX_HOPS) {
      return this.end(flight, 'dead-lettered', `hop limit of ${MAX_HOPS} reached: the rules send this event in a loop`);
    }
    if (ruleStage === 'reaction') {
      const userKey = `${event.identity.external.platform}:${event.identity.external.id}`;
      if (this.ignoredUsers().has(userKey)) {
        return this.end(flight, 'ignored', 'a moderator set this user to be ignored');
      }
    }
    const matched = this.deps.rules().match(ruleStage, ruleFacts(event));
    const chosen: Rule | undefined = matched[0];
    event.routing.decisions.push({
      stage: RULE_STAGE_FOR[ruleStage].stage,
      at: this.deps.now(),
      matched: matched.map((rule) => rule.id),
      chosen: chosen?.id ?? null,
    });

    if (!chosen || (chosen.slip.length === 0 && !chosen.outcome)) {
      if (ruleStage === 'enrichment') {
        // Nothing to enrich with is fine: the event goes straight to the reaction rules.
        event.routing.stage = 'enrichment';
        return this.chooseSlip(flight, 'reaction');
      }
      if (ruleStage === 'reaction') return this.end(flight, 'ignored', 'no rule wanted this event');
      return this.end(flight, 'dead-lettered', 'no egress rule: the reply has nowhere to go');
    }
    if (chosen.outcome)
      return this.end(flight, chosen.outcome.disposition, `rule ${chosen.id}: ${chosen.outcome.reason}`);

    const phase = RULE_STAGE_FOR[ruleStage].phase as WorkerPhase;
    const unknown = chosen.slip.filter((id) => !this.deps.services[phase].has(id));
    if (unknown.length > 0) {
      return this.end(
        flight,
        'dead-lettered',
        `rule ${chosen.id} names ${unknown.join(', ')}, which no ${phase} worker runs`,
      );
    }
    for (const annotation of chosen.enrichments.annotations ?? []) {
      event.annotations.push({
        kind: annotation.kind,
        source: `rule:${chosen.id}`,
        value: annotation.value,
        at: this.deps.now(),
      });
    }
    if (ruleStage === 'reaction') {
      event.routing.reaction = {
        ruleId: chosen.id,
        ...(chosen.enrichments.persona ? { persona: chosen.enrichments.persona } : {}),
        ...(chosen.enrichments.prompt ? { prompt: chosen.enrichments.prompt } : {}),
        approval: chosen.approval,
      };
    }
    if (ruleStage === 'egress') {
      event.egress = {
        connector: event.ingress.connector,
        channel: event.ingress.channel,
        ...(event.message?.id ? { replyTo: event.message.id } : {}),
      };
    }
    assignSlip(event, RULE_STAGE_FOR[ruleStage].stage, phase, chosen.slip, chosen.maxAttempts);
    this.outbox.changed(flight);
    this.runStep(flight, 0);
  }

  private runStep(flight: InFlight, index: number): void {
    const event = flight.event;
    const step = event.routing.slip[index]!;
    if (step.phase === 'approval') return;
    const phase = step.phase as WorkerPhase;
    if (step.attempt >= step.maxAttempts) {
      step.status = 'ERROR';
      step.error ??= {
        code: 'ATTEMPTS_EXHAUSTED',
        message: `gave up after ${step.attempt} attempts`,
        retryable: false,
      };
      this.outbox.transition(flight, index, this.deps.now());
      return this.end(flight, 'failed', `${step.id} failed after ${step.attempt} attempts: ${step.error.message}`);
    }
    const now = this.deps.now();
    step.status = 'RUNNING';
    step.attempt += 1;
    step.startedAt = now;
    step.endedAt = undefined;
    step.durationMs = undefined;
    this.outbox.transition(flight, index, this.deps.now());
    this.outbox.changed(flight);
    flight.ticket = this.nextTicket++;
    flight.phase = phase;
    this.outbox.dispatch(phase, {
      event: factsOf(event),
      ticket: flight.ticket,
      ...(flight.hint ? { hint: flight.hint } : {}),
    });
  }

  /** Results from a phase worker: the slip steps it ran and what its services added. */
  completed(results: PhaseResult[]): void {
    if (results.length > SLICE) {
      void this.inSlices(results, (result) => this.completeOne(result));
      return;
    }
    for (const result of results) this.completeOne(result);
  }

  private completeOne(result: PhaseResult): void {
    const flight = this.events.get(result.eventId);
    if (!flight || flight.ticket !== result.ticket || flight.event.disposition) return; // stale or already ended
    const event = flight.event;
    const before = event.routing.slip;
    event.routing.slip = result.slip;
    applyDelta(event, result);
    flight.phase = null;
    const phase = result.slip[0]?.phase;
    if (phase === 'enrichment' || phase === 'reaction' || phase === 'egress') {
      this.statistics.phase(phase, result.endedAt - result.startedAt);
    }
    const slip = result.slip;
    for (let index = 0; index < slip.length; index++) {
      const step = slip[index]!;
      const old = before[index];
      if (old && old.status === step.status && old.attempt === step.attempt) continue;
      if (isFinished(step.status) && old?.status !== 'RUNNING' && step.startedAt !== undefined) {
        // The worker ran this step after the first: record its start as its own transition.
        this.outbox.transition(flight, index, step.startedAt, 'RUNNING');
      }
      this.outbox.transition(flight, index, step.endedAt ?? this.deps.now());
    }
    const failedIndex = slip.findIndex((step) => step.status === 'ERROR');
    if (failedIndex >= 0) {
      const step = slip[failedIndex]!;
      if (step.error?.retryable && step.attempt < step.maxAttempts) {
        this.runStep(flight, failedIndex);
        return;
      }
      this.end(
        flight,
        'failed',
        `${step.id} failed (attempt ${step.attempt} of ${step.maxAttempts}): ${step.error?.message ?? 'error'}`,
      );
      return;
    }
    this.outbox.changed(flight);
    this.advance(event.id);
  }

  /** A phase worker crashed or hung and was restarted: its in-flight events run again. */
  phaseRestarted(phase: WorkerPhase): number {
    let count = 0;
    for (const flight of this.events.values()) {
      if (flight.phase !== phase || flight.event.disposition) continue;
      const running = flight.event.routing.slip.findIndex((step) => step.status === 'RUNNING');
      if (running < 0) continue;
      count += 1;
      this.retryStep(flight, running, 'WORKER_RESTARTED', `the ${phase} worker stopped while this step ran`);
    }
    return count;
  }

  private retryStep(flight: InFlight, index: number, code: string, message: string): void {
    const step = flight.event.routing.slip[index]!;
    step.status = 'ERROR';
    step.error = { code, message, retryable: true };
    step.endedAt = this.deps.now();
    this.outbox.transition(flight, index, this.deps.now());
    this.runStep(flight, index);
  }

  // ---------------------------------------------------------------- reaction → gate → egress

  private afterReaction(flight: InFlight): void {
    const event = flight.event;
    const proposed = event.candidates.filter((candidate) => candidate.status === 'proposed');
    if (proposed.length === 0) {
      const notes = event.routing.slip.flatMap((step) => step.notes ?? []);
      return this.end(flight, 'ignored', notes.length > 0 ? `no reply: ${notes.join('; ')}` : 'no reply proposed');
    }
    const best = [...proposed].sort((a, b) => b.priority - a.priority || (b.confidence ?? 0) - (a.confidence ?? 0))[0]!;
    best.status = 'selected';
    this.enterGate(flight);
  }

  private enterGate(flight: InFlight): void {
    const event = flight.event;
    const candidate = selectedCandidate(event);
    if (!candidate) return this.end(flight, 'ignored', 'no reply selected');
    const rulePolicy: ApprovalPolicy = event.routing.reaction?.approval ?? { mode: 'require', expireSeconds: 300 };
    // A candidate that failed a safety check is held whatever the rule says: never sent unseen.
    const hold = safetyHoldOf(candidate);
    const policy: ApprovalPolicy = hold
      ? { mode: 'require', expireSeconds: this.deps.settings().approvalExpireSeconds }
      : rulePolicy;
    event.routing.stage = 'approval';
    if (policy.mode === 'auto') {
      event.routing.decisions.push({
        stage: 'approval',
        at: this.deps.now(),
        matched: [],
        chosen: null,
        note: 'auto: sent at once',
      });
      return this.chooseSlip(flight, 'egress');
    }
    const maxHeld = this.deps.maxHeld ?? MAX_HELD;
    // A reply a moderator asked for (regenerate, re-route) met the gate before: it is never turned away.
    const metGateBefore = event.routing.decisions.some((decision) => decision.stage === 'approval');
    if (!metGateBefore && this.heldCount() >= maxHeld) {
      return this.end(flight, 'expired', `not held: ${maxHeld} replies already wait for a moderator`);
    }
    const now = this.deps.now();
    const approval: Approval = {
      id: this.newId(),
      eventId: event.id,
      candidateId: candidate.id,
      state: 'held',
      policy,
      reason: hold
        ? holdReason(candidate)
        : policy.mode === 'require'
          ? `rule ${event.routing.reaction?.ruleId ?? '?'} requires approval`
          : `sends by itself in ${policy.seconds} s unless a moderator steps in`,
      heldAt: now,
      autoSendAt: policy.mode === 'auto-after' ? now + policy.seconds * 1000 : null,
      expiresAt:
        policy.mode === 'require'
          ? now + (policy.expireSeconds ?? this.deps.settings().approvalExpireSeconds) * 1000
          : null,
      decidedBy: null,
      decidedAt: null,
      console: null,
      originalText: candidate.text,
      finalText: null,
      note: null,
      ...(hold ? { hold } : {}),
    };
    this.approvals.set(approval.id, approval);
    event.routing.decisions.push({
      stage: 'approval',
      at: now,
      matched: [],
      chosen: null,
      note: `held: ${approval.reason}`,
    });
    this.outbox.write({ op: 'approval.upsert', approval });
    this.outbox.changed(flight);
    this.outbox.feed(event);
    this.outbox.approval(approval);
    // Parked for a person, not for the pipeline: if held replies kept ingress's credit, a raid
    // nobody moderates would stop all chat once HIGH_WATER replies wait. Held ones are bounded by
    // their expiry and counted in stats (`held`).
    this.returnCredit(flight);
  }

  /** Applies a moderator's decision. The router handles one at a time: the first decision wins. */
  decide(request: DecisionRequest): DecisionResult {
    const approval = this.approvals.get(request.approvalId);
    if (!approval) return { ok: false, code: 'NOT_FOUND', message: 'no such held reply (it may have been pruned)' };
    const { decision, moderator } = request;
    const outcome = this.gate(approval, { kind: 'decision', decision, moderator, console: request.console });
    return outcome.ok ? { ok: true, approval: outcome.approval } : outcome;
  }

  /** Moderator override: run the reaction again (with a hint) or the whole event from enrichment. */
  reroute(params: { eventId: string; stage: 'enrichment' | 'reaction'; hint?: string; moderator: string }): {
    ok: boolean;
    message: string;
  } {
    const flight = this.events.get(params.eventId);
    if (!flight) return { ok: false, message: 'this event has ended; replay it to run it again as a new event' };
    if (flight.event.routing.stage !== 'approval') {
      return { ok: false, message: `the event is in ${flight.event.routing.stage}; only held events can be re-routed` };
    }
    const input: GateInput = {
      kind: 'reroute',
      stage: params.stage,
      moderator: params.moderator,
      ...(params.hint ? { hint: params.hint } : {}),
    };
    const open = [...this.approvals.values()].find(
      (approval) => approval.eventId === params.eventId && isOpen(approval),
    );
    if (open) this.gate(open, input);
    else {
      // Held without an approval in memory (its record was lost): the event is re-routed all the same.
      const { effect, candidates } = rerouteEffect(input, flight.event.candidates);
      this.applyGateEffect(flight, effect, candidates);
    }
    return { ok: true, message: `re-routed from ${params.stage}` };
  }

  /**
   * One transition of the approval gate (`core/approval-decision.ts` holds the rules): the new
   * approval is stored, written and pushed, then its effect is applied. A refusal changes nothing.
   */
  private gate(approval: Approval, input: GateInput): GateOutcome {
    const flight = this.events.get(approval.eventId);
    const live = flight && !flight.event.disposition ? flight : undefined;
    const outcome = applyDecision(approval, input, {
      now: this.deps.now(),
      ...(live ? { event: { candidates: live.event.candidates } } : {}),
      detectReplyRisks: (text) => detectReplyRisks(text),
    });
    if (!outcome.ok) return outcome;
    this.approvals.set(outcome.approval.id, outcome.approval);
    this.outbox.write({ op: 'approval.upsert', approval: outcome.approval });
    this.outbox.approval(outcome.approval);
    if (live) this.applyGateEffect(live, outcome.effect, outcome.candidates, outcome.approval.decidedAt);
    return outcome;
  }

  private applyGateEffect(flight: InFlight, effect: GateEffect, changes: CandidateChange[], at?: number | null): void {
    const event = flight.event;
    for (const change of changes) {
      const candidate = event.candidates.find((c) => c.id === change.id);
      if (!candidate) continue;
      if (change.status) candidate.status = change.status;
      if (change.finalText !== undefined) candidate.finalText = change.finalText;
    }
    switch (effect.kind) {
      case 'egress':
        if (effect.note)
          event.routing.decisions.push({
            stage: 'approval',
            at: at ?? this.deps.now(),
            matched: [],
            chosen: null,
            note: effect.note,
          });
        return this.chooseSlip(flight, 'egress');
      case 'end':
        return this.end(flight, effect.disposition, effect.reason);
      case 'rerun-reaction':
        return this.rerunReaction(flight, effect.hint, effect.by);
      case 'rerun-from-enrichment':
        flight.hint = effect.hint;
        retireSlip(event, `re-routed by ${effect.by}`);
        event.routing.stage = 'initial';
        return this.advance(event.id);
    }
  }

  /** The gate superseded the old replies already: write a new one. */
  private rerunReaction(flight: InFlight, hint: string | undefined, moderator: string): void {
    const event = flight.event;
    flight.hint = hint;
    event.routing.decisions.push({
      stage: 'approval',
      at: this.deps.now(),
      matched: [],
      chosen: null,
      note: `regenerate requested by ${moderator}${hint ? ` (hint: ${hint})` : ''}`,
    });
    retireSlip(event, `regenerate requested by ${moderator}`);
    event.routing.stage = 'enrichment';
    this.chooseSlip(flight, 'reaction');
  }

  private afterEgress(flight: InFlight): void {
    const event = flight.event;
    // The outcome is the step's delivery field; notes are only read by people.
    const dropped = event.routing.slip.find((step) => step.delivery?.status === 'dropped')?.delivery;
    if (dropped) return this.end(flight, 'failed', describeDelivery(dropped));
    const notes = event.routing.slip.flatMap((step) => step.notes ?? []);
    for (const op of rememberDelivered(event, this.deps.settings().llm, this.deps.now())) this.outbox.write(op);
    this.end(flight, 'replied', notes.length > 0 ? notes.join('; ') : 'delivered');
  }

  /** Timers: auto-after sends, expiry ends. Called every few hundred ms by the worker. */
  tick(): void {
    const now = this.deps.now();
    for (const approval of this.approvals.values()) {
      const due = dueTimer(approval, now);
      if (due) this.gate(approval, { kind: due });
    }
    // Closed approvals are on disk; keep memory bounded.
    for (const [id, approval] of this.approvals)
      if (!isOpen(approval) && !this.events.has(approval.eventId)) this.approvals.delete(id);
  }

  /** End-to-end latency, split into the moderator's wait at the gate and the pipeline's own time. */
  private replyLatency(event: Envelope): ReplyLatency {
    const total = this.deps.now() - event.ingress.at;
    let waited = 0;
    // Only events that met the gate can have approvals (few are in memory): the scan is skipped otherwise.
    if (this.approvals.size > 0 && event.routing.decisions.some((decision) => decision.stage === 'approval')) {
      for (const approval of this.approvals.values()) {
        if (approval.eventId === event.id && approval.decidedAt !== null)
          waited += approval.decidedAt - approval.heldAt;
      }
    }
    return { totalMs: total, waitedMs: waited };
  }

  private end(flight: InFlight, disposition: Disposition, reason: string): void {
    const event = flight.event;
    if (event.disposition) return;
    const cancelPhase = flight.phase;
    finish(event, disposition, reason);
    this.statistics.ended(disposition, disposition === 'replied' ? this.replyLatency(event) : undefined);
    if (cancelPhase) this.deps.cancel(cancelPhase, [event.id]);
    this.returnCredit(flight);
    this.outbox.changed(flight);
    this.outbox.feed(event);
    this.events.delete(event.id);
  }

  /** Tells ingress (at the next push) that this event no longer counts as in flight; once per event. */
  private returnCredit(flight: InFlight): void {
    if (flight.creditReturned) return;
    flight.creditReturned = true;
    this.outbox.settled(1);
  }

  // ---------------------------------------------------------------- I/O (router-outbox.ts)

  /** Commits everything queued so far; the console's pushes for it follow the commit. */
  flushWrites(): Promise<void> {
    return this.outbox.flush();
  }

  private ignoredCache: { list: readonly string[] | null; set: Set<string> } = { list: null, set: new Set() };

  /** The moderators' ignore list as a set, rebuilt only when the settings change. */
  private ignoredUsers(): Set<string> {
    const list = this.deps.settings().ignoredUsers;
    if (this.ignoredCache.list !== list) this.ignoredCache = { list, set: new Set(list) };
    return this.ignoredCache.set;
  }

  // ---------------------------------------------------------------- introspection

  private heldCount(): number {
    let count = 0;
    for (const approval of this.approvals.values()) if (isOpen(approval)) count += 1;
    return count;
  }

  openApprovals(): Approval[] {
    return [...this.approvals.values()].filter(isOpen);
  }

  stats(): PipelineStats {
    const queueDepths = { enrichment: 0, reaction: 0, egress: 0 };
    for (const flight of this.events.values()) if (flight.phase) queueDepths[flight.phase] += 1;
    return this.statistics.snapshot({ inFlight: this.events.size, held: this.heldCount(), queueDepths });
  }
}
