import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Approval } from '../../core/approval.js';
import { acceptInbound, type Candidate, type Envelope, type WorkerPhase } from '../../core/envelope.js';
import { SettingsSchema } from '../../core/host-api.js';
import { applyDelta, type EventDelta } from '../../core/event-log.js';
import { fromJson, toJson, type EventSummary } from '../../core/protocol/pipeline.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import { RuleBook, RuleSchema, type RuleInput } from '../../core/rules.js';
import { StepFailure, type Service } from '../../core/service.js';
import { PhaseRunner } from '../workers/phase-runner.js';
import { Router } from './router.js';

function chat(text: string, login = 'viewer'): Envelope {
  const parsed = acceptInbound(
    {
      type: 'chat.message.v1',
      ingress: { connector: 'test', channel: 'chan' },
      identity: { external: { id: `id-${login}`, login, displayName: login, roles: ['viewer'] } },
      message: { id: randomUUID(), text },
    },
    Date.now(),
    randomUUID,
  );
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const ok = (id: string, phase: WorkerPhase, extra: Partial<ReturnType<Service['run']>> = {}): Service => ({
  id,
  phase,
  run: () => ({ status: 'OK', ...extra }),
});

const replyService = (text: string): Service => ({
  id: 'reply',
  phase: 'reaction',
  run: () => ({
    status: 'OK',
    candidates: [{ id: randomUUID(), text, source: 'reply', priority: 1, status: 'proposed' }],
  }),
});

/** A reaction service that proposes these drafts for every event. */
const proposing = (candidates: Candidate[]): Service => ({
  id: 'reply',
  phase: 'reaction',
  run: () => ({ status: 'OK', candidates: structuredClone(candidates) }),
});

const deliver: Service = {
  id: 'deliver',
  phase: 'egress',
  run: () => ({ status: 'OK', delivery: { connector: 'test', status: 'sent' } }),
};

const baseRules: RuleInput[] = [
  { id: 'enrich', stage: 'enrichment', slip: ['tag'], approval: { mode: 'auto' } },
  {
    id: 'react',
    stage: 'reaction',
    when: { startsWith: [{ var: 'text' }, '!'] },
    slip: ['reply'],
    approval: { mode: 'auto' },
  },
  { id: 'out', stage: 'egress', slip: ['deliver'], approval: { mode: 'auto' } },
];

/** What the other side of a port receives: the JSON text the workers send, parsed. */
const overPort = <T>(value: T): T => fromJson(toJson(value));

function harness(
  options: { rules?: RuleInput[]; services?: Service[]; clock?: { now: number }; maxHeld?: number } = {},
) {
  const services = options.services ?? [ok('tag', 'enrichment'), replyService('hi!'), deliver];
  const rules = new RuleBook((options.rules ?? baseRules).map((rule) => RuleSchema.parse(rule)));
  const writes: StoreWrite[] = [];
  const feed = new Map<string, EventSummary>();
  const approvals = new Map<string, Approval>();
  const dispatched: Record<WorkerPhase, number> = { enrichment: 0, reaction: 0, egress: 0 };
  const cancelled: string[] = [];
  const settled = { count: 0 };
  const byPhase = (phase: WorkerPhase) => services.filter((service) => service.phase === phase);
  // eslint-disable-next-line prefer-const
  let router: Router;
  const runners = {
    enrichment: new PhaseRunner({
      phase: 'enrichment',
      services: byPhase('enrichment'),
      send: (r) => router.completed(overPort(r)),
    }),
    reaction: new PhaseRunner({
      phase: 'reaction',
      services: byPhase('reaction'),
      send: (r) => router.completed(overPort(r)),
    }),
    egress: new PhaseRunner({
      phase: 'egress',
      services: byPhase('egress'),
      send: (r) => router.completed(overPort(r)),
    }),
  };
  let paused: WorkerPhase | null = null;
  const held: { phase: WorkerPhase; items: Parameters<PhaseRunner['dispatch']>[0] }[] = [];
  router = new Router({
    now: () => options.clock?.now ?? Date.now(),
    persist: async (batch) => {
      writes.push(...structuredClone(batch));
    },
    dispatch: (phase, items) => {
      dispatched[phase] += items.length;
      // Dispatches cross a port in production as JSON, so the router never shares objects with a worker.
      const copy = overPort(items);
      if (paused === phase) held.push({ phase, items: copy });
      else runners[phase].dispatch(copy);
    },
    cancel: (_phase, ids) => cancelled.push(...ids),
    feed: (summaries) => summaries.forEach((summary) => feed.set(summary.id, summary)),
    approvalsChanged: (list) => list.forEach((approval) => approvals.set(approval.id, approval)),
    settled: (count) => (settled.count += count),
    rules: () => rules,
    settings: () => SettingsSchema.parse({}),
    services: {
      enrichment: new Set(byPhase('enrichment').map((s) => s.id)),
      reaction: new Set(byPhase('reaction').map((s) => s.id)),
      egress: new Set(byPhase('egress').map((s) => s.id)),
    },
    log: () => undefined,
    ...(options.maxHeld ? { maxHeld: options.maxHeld } : {}),
  });
  const settle = async (id: string, terminalOnly = true) => {
    for (let i = 0; i < 3000; i++) {
      const summary = feed.get(id);
      if (summary && (summary.disposition || (!terminalOnly && summary.stage === 'approval'))) return summary;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error(`event ${id} did not settle: ${JSON.stringify(feed.get(id))}`);
  };
  /** The event's whole-row writes: its accept, then its end. */
  const rows = (id: string) =>
    writes.filter(
      (w): w is Extract<StoreWrite, { op: 'event.put' | 'event.end' }> =>
        (w.op === 'event.put' || w.op === 'event.end') && w.row.id === id,
    );
  /** The envelope as the store holds it: the last whole row and every log delta after it, applied. */
  const persisted = (id: string) => {
    let envelope: Envelope | undefined;
    for (const write of writes) {
      if ((write.op === 'event.put' || write.op === 'event.end') && write.row.id === id)
        envelope = JSON.parse(write.row.json) as Envelope;
      else if (write.op === 'event.log' && write.entry.eventId === id && write.entry.delta && envelope)
        applyDelta(envelope, JSON.parse(write.entry.delta) as EventDelta);
    }
    if (!envelope) throw new Error(`event ${id} was never written`);
    return envelope;
  };
  /** The event's step transitions, from its log rows. */
  const transitionsOf = (id: string) =>
    writes.flatMap((w) =>
      (w.op === 'event.log' || w.op === 'event.end') && w.entry?.eventId === id ? w.entry.transitions : [],
    );
  return {
    router,
    writes,
    rows,
    feed,
    approvals,
    dispatched,
    cancelled,
    settle,
    persisted,
    transitionsOf,
    settled,
    pause: (phase: WorkerPhase | null) => (paused = phase),
    held,
  };
}

describe('Router: the default flow and stage re-entry', () => {
  it('routes initial → enrichment → reaction → egress and keeps every finished slip in history', async () => {
    const h = harness();
    const event = chat('!hello');
    await h.router.accept([event]);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('replied');
    expect(summary.reply).toBe('hi!');
    const stored = h.persisted(event.id);
    expect(stored.routing.history.map((step) => `${step.phase}:${step.id}:${step.status}`)).toEqual([
      'enrichment:tag:OK',
      'reaction:reply:OK',
    ]);
    expect(stored.routing.slip.map((step) => `${step.phase}:${step.id}:${step.status}`)).toEqual(['egress:deliver:OK']);
    expect(stored.routing.decisions.map((d) => `${d.stage}:${d.chosen}`)).toEqual([
      'enrichment:enrich',
      'reaction:react',
      'approval:null',
      'egress:out',
    ]);
    // The accepted event was written before anything else happened to it.
    expect(h.rows(event.id)[0]!.row.stage).toBe('initial');
    // Every transition was persisted: RUNNING and OK for each of the three steps.
    const transitions = h.transitionsOf(event.id);
    expect(transitions.map((t) => `${t.service}:${t.status}`)).toEqual([
      'tag:RUNNING',
      'tag:OK',
      'reply:RUNNING',
      'reply:OK',
      'deliver:RUNNING',
      'deliver:OK',
    ]);
  });

  it('ends as ignored when no reaction rule wants the event', async () => {
    const h = harness();
    const event = chat('just chatting');
    await h.router.accept([event]);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('ignored');
    expect(summary.reason).toMatch(/no rule wanted/);
    expect(h.dispatched.reaction).toBe(0);
  });

  it('records every matching rule and lets the highest priority win', async () => {
    const h = harness({
      rules: [
        ...baseRules,
        { id: 'low', stage: 'reaction', priority: -5, when: true, slip: ['reply'], approval: { mode: 'auto' } },
        {
          id: 'block-caps',
          stage: 'reaction',
          priority: 500,
          when: { startsWith: [{ var: 'message.text' }, '!SPAM'] },
          outcome: { disposition: 'filtered', reason: 'shouting' },
        },
      ],
    });
    const event = chat('!SPAM now');
    await h.router.accept([event]);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('filtered');
    expect(summary.reason).toBe('rule block-caps: shouting');
    const decision = h.persisted(event.id).routing.decisions.find((d) => d.stage === 'reaction')!;
    expect(decision.matched).toEqual(['block-caps', 'react', 'low']);
    expect(decision.chosen).toBe('block-caps');
  });

  it('dead-letters a slip that names a service no worker runs', async () => {
    const h = harness({ rules: [...baseRules.slice(0, 1), { id: 'react', stage: 'reaction', slip: ['nobody'] }] });
    const event = chat('!x');
    await h.router.accept([event]);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('dead-lettered');
    expect(summary.reason).toMatch(/nobody/);
  });

  it('stops a routing loop at the hop limit', async () => {
    // Each regenerate re-enters the reaction stage; a moderator (or a buggy rule) looping forever is cut off.
    const h = harness({ rules: [baseRules[0]!, { ...baseRules[1]!, approval: { mode: 'require' } }, baseRules[2]!] });
    const event = chat('!loop');
    await h.router.accept([event]);
    const decided = new Set<string>();
    for (let i = 0; i < 400 && !h.feed.get(event.id)?.disposition; i++) {
      const open = [...h.approvals.values()].find(
        (a) => a.state === 'held' && a.eventId === event.id && !decided.has(a.id),
      );
      if (open) {
        decided.add(open.id);
        h.router.decide({ approvalId: open.id, decision: { action: 'regenerate' }, moderator: 'mod', console: 'test' });
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(decided.size).toBeGreaterThan(3);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('dead-lettered');
    expect(summary.reason).toMatch(/hop limit/);
  });
});

describe('Router: attempts and failures', () => {
  it('retries a retryable error until maxAttempts, then ends failed with the error on the slip', async () => {
    let calls = 0;
    const flaky: Service = {
      id: 'reply',
      phase: 'reaction',
      run: () => {
        calls += 1;
        throw new StepFailure('UPSTREAM_429', 'rate limited', true);
      },
    };
    const h = harness({ services: [ok('tag', 'enrichment'), flaky, deliver] });
    const event = chat('!x');
    await h.router.accept([event]);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('failed');
    expect(calls).toBe(3);
    const step = h.persisted(event.id).routing.slip[0]!;
    expect(step).toMatchObject({ status: 'ERROR', attempt: 3, maxAttempts: 3, error: { code: 'UPSTREAM_429' } });
  });

  it('does not retry an error that is not retryable', async () => {
    let calls = 0;
    const broken: Service = {
      id: 'reply',
      phase: 'reaction',
      run: () => {
        calls += 1;
        throw new StepFailure('BAD_KEY', 'unauthorized', false);
      },
    };
    const h = harness({ services: [ok('tag', 'enrichment'), broken, deliver] });
    const event = chat('!x');
    await h.router.accept([event]);
    expect((await h.settle(event.id)).disposition).toBe('failed');
    expect(calls).toBe(1);
  });

  it('re-dispatches a crashed phase with attempt + 1 and ignores the stale result', async () => {
    const h = harness();
    h.pause('reaction');
    const event = chat('!x');
    await h.router.accept([event]);
    for (let i = 0; i < 100 && h.held.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(h.held).toHaveLength(1);
    const stale = h.held.shift()!;
    h.pause(null);
    expect(h.router.phaseRestarted('reaction')).toBe(1);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('replied');
    // The old dispatch completes late: its ticket is stale, so nothing happens twice.
    const deliveredBefore = h.dispatched.egress;
    let lateArrived = false;
    new PhaseRunner({
      phase: 'reaction',
      services: [replyService('late')],
      send: (r) => {
        h.router.completed(r);
        lateArrived = true;
      },
    }).dispatch(stale.items);
    // Wait for the stale result to reach the router, then for the I/O turn it would have
    // dispatched in (the router sends dispatches on setImmediate, in order): no waiting on a clock.
    await expect.poll(() => lateArrived, { timeout: 10_000 }).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.dispatched.egress).toBe(deliveredBefore);
    expect(h.feed.get(event.id)!.reply).toBe('hi!');
    const reaction = h.persisted(event.id).routing.history.find((step) => step.phase === 'reaction')!;
    expect(reaction.attempt).toBe(2);
    expect(summary.reply).toBe('hi!');
  });
});

describe('Router: delivery outcomes are fields, not notes', () => {
  const egress = (outcome: ReturnType<Service['run']>): Service => ({
    id: 'deliver',
    phase: 'egress',
    run: () => outcome,
  });

  it('a note that starts with "dropped" does not fail a reply that was delivered', async () => {
    const h = harness({
      services: [
        ok('tag', 'enrichment'),
        replyService('hi!'),
        egress({
          status: 'OK',
          notes: ['dropped the trailing emoji to fit the limit'],
          delivery: { connector: 'test', status: 'sent' },
        }),
      ],
    });
    const event = chat('!hello');
    await h.router.accept([event]);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('replied');
    expect(summary.reason).toContain('dropped the trailing emoji');
    expect(h.persisted(event.id).routing.slip[0]!.delivery).toEqual({ connector: 'test', status: 'sent' });
  });

  it('a dropped delivery fails the event with the connector and detail, from the step.delivery field', async () => {
    const h = harness({
      services: [
        ok('tag', 'enrichment'),
        replyService('hi!'),
        egress({ status: 'OK', delivery: { connector: 'test', status: 'dropped', detail: 'the channel is gone' } }),
      ],
    });
    const event = chat('!hello');
    await h.router.accept([event]);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('failed');
    expect(summary.reason).toBe('dropped via test: the channel is gone');
    expect(h.persisted(event.id).routing.slip[0]!.delivery).toMatchObject({ status: 'dropped' });
  });
});

describe('Router: the approval gate', () => {
  const requireRules: RuleInput[] = [
    baseRules[0]!,
    { ...baseRules[1]!, approval: { mode: 'require', expireSeconds: 60 } },
    baseRules[2]!,
  ];

  async function heldEvent(h: ReturnType<typeof harness>, text = '!ask') {
    const event = chat(text);
    await h.router.accept([event]);
    await h.settle(event.id, false);
    const approval = [...h.approvals.values()].find((a) => a.eventId === event.id)!;
    expect(approval.state).toBe('held');
    return { event, approval };
  }

  it('gives flow-control credit back when a reply is parked at the gate, once per event', async () => {
    const h = harness({ rules: requireRules });
    const { event, approval } = await heldEvent(h);
    // Held for a person: ingress may forward more chat while nobody decides.
    await expect.poll(() => h.settled.count, { timeout: 10_000 }).toBe(1);
    expect(h.router.stats()).toMatchObject({ held: 1 });
    h.router.decide({ approvalId: approval.id, decision: { action: 'approve' }, moderator: 'a', console: 'c' });
    expect((await h.settle(event.id)).disposition).toBe('replied');
    // The end of an event whose credit was already returned returns none again (the feed push
    // that settle waited for leaves after the flow-control push of the same turn).
    expect(h.settled.count).toBe(1);
  });

  it('bounds the held replies on their own: past maxHeld a new reply ends expired, and a decision makes room', async () => {
    const h = harness({ rules: requireRules, maxHeld: 2 });
    const first = await heldEvent(h);
    await heldEvent(h);
    const overflow = chat('!ask');
    await h.router.accept([overflow]);
    const summary = await h.settle(overflow.id);
    expect(summary.disposition).toBe('expired');
    expect(summary.reason).toBe('not held: 2 replies already wait for a moderator');
    expect(h.router.stats().held).toBe(2);
    h.router.decide({ approvalId: first.approval.id, decision: { action: 'reject' }, moderator: 'm', console: 'c' });
    const third = await heldEvent(h);
    expect(h.router.stats().held).toBe(2);
    // A regeneration a moderator asked for is held again even when the queue filled meanwhile.
    h.pause('reaction');
    h.router.decide({
      approvalId: third.approval.id,
      decision: { action: 'regenerate' },
      moderator: 'm',
      console: 'c',
    });
    await expect.poll(() => h.held.length, { timeout: 10_000 }).toBe(1);
    h.pause(null);
    await heldEvent(h); // takes the slot the regeneration freed
    expect(h.router.stats().held).toBe(2);
    new PhaseRunner({
      phase: 'reaction',
      services: [replyService('another try')],
      send: (r) => h.router.completed(r),
    }).dispatch(h.held.shift()!.items);
    await expect
      .poll(() => [...h.approvals.values()].some((a) => a.eventId === third.event.id && a.state === 'held'), {
        timeout: 10_000,
      })
      .toBe(true);
    expect(h.router.stats().held).toBe(3);
    expect(h.feed.get(third.event.id)!.disposition).toBeNull();
  });

  it('holds, then sends the approved text, recording who, when and from where', async () => {
    const h = harness({ rules: requireRules });
    const { event, approval } = await heldEvent(h);
    expect(h.dispatched.egress).toBe(0);
    const result = h.router.decide({
      approvalId: approval.id,
      decision: { action: 'approve' },
      moderator: 'alice',
      console: 'desk',
    });
    expect(result.ok).toBe(true);
    const summary = await h.settle(event.id);
    expect(summary.disposition).toBe('replied');
    expect(h.approvals.get(approval.id)).toMatchObject({
      state: 'approved',
      decidedBy: 'alice',
      console: 'desk',
      finalText: 'hi!',
      originalText: 'hi!',
    });
  });

  it("splits reply latency into the moderator's wait and the pipeline's own time", async () => {
    const clock = { now: Date.now() };
    const h = harness({ rules: requireRules, clock });
    const { event, approval } = await heldEvent(h);
    clock.now += 180_000;
    h.router.decide({ approvalId: approval.id, decision: { action: 'approve' }, moderator: 'alice', console: 'desk' });
    expect((await h.settle(event.id)).disposition).toBe('replied');
    const stats = h.router.stats();
    expect(stats.endToEnd.p50Ms).toBeGreaterThan(170_000);
    expect(stats.approvalWait!.p50Ms).toBe(180_000);
    expect(stats.pipelineLatency!.p50Ms).toBeLessThan(60_000);
    expect(stats.approvalWait!.count).toBe(1);
  });

  it('sends the edited text and keeps the original', async () => {
    const h = harness({ rules: requireRules });
    const { event, approval } = await heldEvent(h);
    h.router.decide({
      approvalId: approval.id,
      decision: { action: 'edit', text: 'hello there' },
      moderator: 'bob',
      console: 'web',
    });
    const summary = await h.settle(event.id);
    expect(summary.reply).toBe('hello there');
    expect(h.approvals.get(approval.id)).toMatchObject({
      state: 'edited',
      originalText: 'hi!',
      finalText: 'hello there',
    });
  });

  it('lets the first decision win and tells the second moderator who decided', async () => {
    const h = harness({ rules: requireRules });
    const { event, approval } = await heldEvent(h);
    const first = h.router.decide({
      approvalId: approval.id,
      decision: { action: 'reject' },
      moderator: 'carol',
      console: 'a',
    });
    const second = h.router.decide({
      approvalId: approval.id,
      decision: { action: 'approve' },
      moderator: 'dave',
      console: 'b',
    });
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, code: 'ALREADY_DECIDED', message: 'already rejected by carol' });
    expect((await h.settle(event.id)).disposition).toBe('rejected');
    expect(h.dispatched.egress).toBe(0);
  });

  it('expires an undecided reply on the timer and never sends it', async () => {
    const clock = { now: Date.now() };
    const h = harness({ rules: requireRules, clock });
    const { event, approval } = await heldEvent(h);
    clock.now += 59_000;
    h.router.tick();
    expect(h.feed.get(event.id)?.disposition).toBeNull();
    clock.now += 2_000;
    h.router.tick();
    expect((await h.settle(event.id)).disposition).toBe('expired');
    expect(h.approvals.get(approval.id)!.state).toBe('expired');
    expect(h.dispatched.egress).toBe(0);
  });

  it('sends by itself after N seconds under auto-after, unless someone steps in', async () => {
    const clock = { now: Date.now() };
    const h = harness({
      rules: [baseRules[0]!, { ...baseRules[1]!, approval: { mode: 'auto-after', seconds: 10 } }, baseRules[2]!],
      clock,
    });
    const { event, approval } = await heldEvent(h);
    clock.now += 10_001;
    h.router.tick();
    expect((await h.settle(event.id)).disposition).toBe('replied');
    expect(h.approvals.get(approval.id)).toMatchObject({ state: 'approved', decidedBy: 'auto' });
  });

  it('regenerates with a hint: the old candidate is superseded and a new reply is held', async () => {
    const h = harness({ rules: requireRules });
    const { event, approval } = await heldEvent(h);
    h.router.decide({
      approvalId: approval.id,
      decision: { action: 'regenerate', hint: 'be brief' },
      moderator: 'erin',
      console: 'x',
    });
    const isNew = (a: Approval) => a.eventId === event.id && a.state === 'held' && a.id !== approval.id;
    for (let i = 0; i < 200; i++) {
      if ([...h.approvals.values()].some(isNew)) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const next = [...h.approvals.values()].find(isNew)!;
    expect(next.id).not.toBe(approval.id);
    expect(h.approvals.get(approval.id)!.state).toBe('regenerating');
    h.router.decide({ approvalId: next.id, decision: { action: 'approve' }, moderator: 'erin', console: 'x' });
    await h.settle(event.id);
    const stored = h.persisted(event.id);
    expect(stored.candidates.map((c) => c.status)).toEqual(['superseded', 'selected']);
  });

  it('holds a candidate that failed a safety check even when the rule says auto', async () => {
    const unsafe: Service = {
      id: 'reply',
      phase: 'reaction',
      run: () => ({
        status: 'OK',
        candidates: [
          { id: randomUUID(), text: 'rude', source: 'x', priority: 1, status: 'proposed', reason: 'held: profanity' },
        ],
      }),
    };
    const h = harness({ services: [ok('tag', 'enrichment'), unsafe, deliver] });
    const { approval } = await heldEvent(h);
    expect(approval.reason).toBe('profanity');
    expect(h.dispatched.egress).toBe(0);
  });

  it('holds by the candidate.hold field: the findings word the reason, a reason text without "held:" still holds', async () => {
    const hold = {
      findings: [{ check: 'personal-data' as const, kind: 'phone number', found: '555-0100', overridable: true }],
    };
    const drafts = [
      // The reason text says something else: the findings are what the moderator is shown.
      { reason: 'held: an older wording' },
      // No "held:" at all: the field alone holds it.
      { reason: 'drafted by the bot' },
    ];
    for (const extra of drafts) {
      const unsafe = proposing([
        { id: randomUUID(), text: 'call 555-0100', source: 'x', priority: 1, status: 'proposed', hold, ...extra },
      ]);
      const h = harness({ services: [ok('tag', 'enrichment'), unsafe, deliver] });
      const { approval } = await heldEvent(h);
      expect(approval.reason).toBe('personal-data (phone number: 555-0100)');
      expect(approval.hold).toEqual(hold);
      expect(
        h.router.decide({ approvalId: approval.id, decision: { action: 'approve' }, moderator: 'm', console: 'c' }),
      ).toMatchObject({ ok: false, code: 'INVALID' });
      expect(h.dispatched.egress).toBe(0);
    }
  });

  it('pick sends another proposed draft: the gate applies its candidate changes to the event', async () => {
    const two = proposing([
      { id: 'first', text: 'first draft', source: 'reply', priority: 2, status: 'proposed' },
      { id: 'second', text: 'second draft', source: 'reply', priority: 1, status: 'proposed' },
    ]);
    const h = harness({ rules: requireRules, services: [ok('tag', 'enrichment'), two, deliver] });
    const { event, approval } = await heldEvent(h);
    expect(approval.candidateId).toBe('first');
    const picked = h.router.decide({
      approvalId: approval.id,
      decision: { action: 'pick', candidateId: 'second' },
      moderator: 'mo',
      console: 'c',
    });
    expect(picked).toMatchObject({ ok: true, approval: { state: 'approved', candidateId: 'second' } });
    expect((await h.settle(event.id)).reply).toBe('second draft');
    expect(h.persisted(event.id).candidates.map((c) => [c.id, c.status])).toEqual([
      ['first', 'superseded'],
      ['second', 'selected'],
    ]);
    expect(h.persisted(event.id).routing.decisions.map((d) => d.note)).toContain('approved by mo');
  });

  it('re-routes a held event from enrichment: the old approval closes and the event runs again', async () => {
    const h = harness({ rules: requireRules });
    const { event, approval } = await heldEvent(h);
    expect(h.dispatched.enrichment).toBe(1);
    expect(h.router.reroute({ eventId: event.id, stage: 'enrichment', hint: 'again', moderator: 'ro' })).toEqual({
      ok: true,
      message: 're-routed from enrichment',
    });
    const isNew = (a: Approval) => a.eventId === event.id && a.state === 'held' && a.id !== approval.id;
    await expect.poll(() => [...h.approvals.values()].some(isNew), { timeout: 10_000 }).toBe(true);
    expect(h.dispatched.enrichment).toBe(2);
    expect(h.approvals.get(approval.id)).toMatchObject({
      state: 'regenerating',
      decidedBy: 'ro',
      console: 'reroute',
      note: 're-routed from enrichment with hint: again',
    });
    // A second re-route of an event that is no longer at the gate is refused.
    const next = [...h.approvals.values()].find(isNew)!;
    h.router.decide({ approvalId: next.id, decision: { action: 'approve' }, moderator: 'ro', console: 'c' });
    await h.settle(event.id);
    expect(h.persisted(event.id).candidates.map((c) => c.status)).toEqual(['superseded', 'selected']);
    expect(h.router.reroute({ eventId: event.id, stage: 'reaction', moderator: 'ro' }).ok).toBe(false);
  });

  it('a reject while the regeneration runs ends the event rejected and cancels the reaction', async () => {
    const h = harness({ rules: requireRules });
    const { event, approval } = await heldEvent(h);
    h.pause('reaction');
    h.router.decide({ approvalId: approval.id, decision: { action: 'regenerate' }, moderator: 'm', console: 'c' });
    await expect.poll(() => h.held.length, { timeout: 10_000 }).toBe(1);
    const rejected = h.router.decide({
      approvalId: approval.id,
      decision: { action: 'reject' },
      moderator: 'n',
      console: 'c',
    });
    expect(rejected).toMatchObject({ ok: true, approval: { state: 'rejected', note: 'rejected while regenerating' } });
    const summary = await h.settle(event.id);
    expect(summary).toMatchObject({
      disposition: 'rejected',
      reason: 'rejected by n while a new reply was being written',
    });
    expect(h.cancelled).toContain(event.id);
  });

  it('resumes held replies and running steps from persisted state', async () => {
    const h = harness({ rules: requireRules });
    const { event, approval } = await heldEvent(h);
    const stored = h.persisted(event.id);
    const fresh = harness({ rules: requireRules });
    fresh.router.resume([structuredClone(stored)], [approval]);
    const result = fresh.router.decide({
      approvalId: approval.id,
      decision: { action: 'approve' },
      moderator: 'zed',
      console: 'after-restart',
    });
    expect(result.ok).toBe(true);
    expect((await fresh.settle(event.id)).disposition).toBe('replied');
  });
});
