/**
 * The event envelope and its routing slip: the one shape every event has on every port.
 *
 * Pure module (no Node, no DOM): imported by workers, the host, the gateway and the renderer.
 * Schemas parse data that arrives from outside (connectors, the gateway, replay files); inside the
 * pipeline the inferred types are trusted and nothing is parsed twice.
 * Timestamps are epoch milliseconds (numbers): cheap to clone and compare, formatted only for display.
 */
import { z } from 'zod';
import { SafetyHoldSchema } from './safety.js';
import { describeIssues } from './zod-issues.js';

/** `chat.message.v1`, `twitch.follow.v1`, `moderation.action.v1`, ... */
export const EventTypeSchema = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*\.v[0-9]+$/, 'must look like "domain.name.v1"');
export type EventType = z.infer<typeof EventTypeSchema>;

/**
 * The event types the app itself produces or reacts to, each written once (a source may send any
 * other type that matches EventTypeSchema). Timer and client-API types are in timers.ts and
 * client-protocol.ts. Migrations keep their own literals: they describe data as it was then.
 */
export const KnownEventTypes = {
  chatMessage: 'chat.message.v1',
  follow: 'twitch.follow.v1',
  sub: 'twitch.sub.v1',
  resub: 'twitch.resub.v1',
  subGift: 'twitch.subgift.v1',
  raid: 'twitch.raid.v1',
  cheer: 'twitch.cheer.v1',
  redemption: 'twitch.redemption.v1',
  announcement: 'twitch.announcement.v1',
  notice: 'twitch.notice.v1',
  hypeTrain: 'twitch.hypetrain.v1',
  poll: 'twitch.poll.v1',
  prediction: 'twitch.prediction.v1',
  streamOnline: 'twitch.stream.online.v1',
  streamOffline: 'twitch.stream.offline.v1',
  moderationAction: 'moderation.action.v1',
} as const;

/** Roles as the platform reported them on this event; never sticky (see the auth service). */
export const RoleSchema = z.enum(['broadcaster', 'moderator', 'vip', 'subscriber', 'founder', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

/** The longest text we accept from any source. Twitch allows 500 characters; other sources get headroom. */
export const MAX_MESSAGE_TEXT = 10_000;
/** Twitch's limit for one chat message, and so the longest reply we ever send. */
export const MAX_REPLY_TEXT = 500;

export const ExternalIdentitySchema = z.object({
  id: z.string().min(1).max(100),
  platform: z.string().min(1).max(40).default('twitch'),
  login: z.string().min(1).max(100),
  displayName: z.string().min(1).max(100),
  roles: z.array(RoleSchema).max(10).default([]),
  badges: z.record(z.string().max(40), z.string().max(40)).default({}),
});
export type ExternalIdentity = z.infer<typeof ExternalIdentitySchema>;

/** Tags the auth service derives from the user's record for this event. */
export const UserTagSchema = z.enum(['first-message', 'returning', 'new-session']);
export type UserTag = z.infer<typeof UserTagSchema>;

export const UserRecordSchema = z.object({
  id: z.string(),
  roles: z.array(RoleSchema),
  tags: z.array(UserTagSchema),
  firstSeenAt: z.number(),
  lastSeenAt: z.number(),
  messageCount: z.number().int().nonnegative(),
  notes: z.string().max(2000).optional(),
  trust: z.number().optional(),
});
export type UserRecord = z.infer<typeof UserRecordSchema>;

export const IdentitySchema = z.object({
  external: ExternalIdentitySchema,
  user: UserRecordSchema.optional(),
});

export const EmoteSchema = z.object({
  id: z.string().max(100),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});

export const MessageSchema = z.object({
  id: z.string().min(1).max(100).optional(),
  text: z.string().max(MAX_MESSAGE_TEXT),
  emotes: z.array(EmoteSchema).max(500).optional(),
  replyTo: z.string().max(100).optional(),
});

export const AnnotationSchema = z.object({
  kind: z.string().min(1).max(40),
  source: z.string().min(1).max(60),
  value: z.unknown().optional(),
  score: z.number().optional(),
  confidence: z.number().min(0).max(1).optional(),
  at: z.number(),
});
export type Annotation = z.infer<typeof AnnotationSchema>;

export const CandidateStatusSchema = z.enum(['proposed', 'selected', 'superseded', 'rejected']);
export const CandidateSchema = z.object({
  id: z.string(),
  text: z.string().max(MAX_MESSAGE_TEXT),
  source: z.string(),
  priority: z.number().default(0),
  confidence: z.number().min(0).max(1).optional(),
  status: CandidateStatusSchema,
  reason: z.string().max(500).optional(),
  /** Set when an approval held this candidate and a moderator edited it. */
  finalText: z.string().max(MAX_MESSAGE_TEXT).optional(),
  /** What the safety checks found: the router holds such a candidate whatever the rule says. */
  hold: SafetyHoldSchema.optional(),
});
export type Candidate = z.infer<typeof CandidateSchema>;

export const EgressTargetSchema = z.object({
  connector: z.string().max(60),
  channel: z.string().max(100),
  replyTo: z.string().max(100).optional(),
});

export const StepStatusSchema = z.enum(['PENDING', 'RUNNING', 'OK', 'SKIP', 'ERROR']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

export const PhaseSchema = z.enum(['enrichment', 'reaction', 'approval', 'egress']);
export type Phase = z.infer<typeof PhaseSchema>;
/** Phases that run services in a worker of their own (approval runs inside the router). */
export const WORKER_PHASES = ['enrichment', 'reaction', 'egress'] as const;
export type WorkerPhase = (typeof WORKER_PHASES)[number];

export const StepErrorSchema = z.object({
  code: z.string().max(80),
  message: z.string().max(2000),
  retryable: z.boolean(),
});
export type StepError = z.infer<typeof StepErrorSchema>;

/**
 * What an egress step delivered where, as a field: the router decides `replied` or `failed` from
 * `status`, never from note text (a note is for people and may say anything).
 */
export const DeliveryReportSchema = z.object({
  connector: z.string().max(60),
  status: z.enum(['sent', 'dropped', 'duplicate']),
  detail: z.string().max(500).optional(),
  /** Parts sent, when a long reply was split. */
  parts: z.number().int().nonnegative().optional(),
});
export type DeliveryReport = z.infer<typeof DeliveryReportSchema>;

/** The line a person reads for a delivery (step notes, the event's reason). */
export function describeDelivery(delivery: DeliveryReport): string {
  const verb = delivery.status === 'sent' ? 'delivered' : delivery.status;
  return `${verb} via ${delivery.connector}${delivery.detail ? `: ${delivery.detail}` : ''}`;
}

export const StepSchema = z.object({
  id: z.string().min(1).max(80),
  phase: PhaseSchema,
  status: StepStatusSchema,
  attempt: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  durationMs: z.number().optional(),
  error: StepErrorSchema.optional(),
  notes: z.array(z.string().max(500)).max(50).optional(),
  /** Egress steps: the delivery outcome (the router reads this, not the notes). */
  delivery: DeliveryReportSchema.optional(),
});
export type Step = z.infer<typeof StepSchema>;

/** Where an event is in its life. `terminal` events have a disposition. */
export const StageSchema = z.enum(['initial', 'enrichment', 'reaction', 'approval', 'egress', 'terminal']);
export type Stage = z.infer<typeof StageSchema>;

/** One routing decision: which rules matched at a stage boundary and which one won. */
export const RoutingDecisionSchema = z.object({
  stage: StageSchema,
  at: z.number(),
  matched: z.array(z.string()),
  chosen: z.string().nullable(),
  note: z.string().max(500).optional(),
});
export type RoutingDecision = z.infer<typeof RoutingDecisionSchema>;

export const RoutingSchema = z.object({
  stage: StageSchema,
  slip: z.array(StepSchema),
  history: z.array(StepSchema),
  hops: z.number().int().nonnegative(),
  decisions: z.array(RoutingDecisionSchema),
  /** Set by the reaction rule: persona, prompt and the approval policy for the reply. */
  reaction: z
    .object({
      ruleId: z.string(),
      persona: z.string().optional(),
      prompt: z.string().optional(),
      approval: z.lazy(() => ApprovalPolicySchema),
    })
    .optional(),
});
export type Routing = z.infer<typeof RoutingSchema>;

export const DISPOSITIONS = [
  'replied',
  'ignored',
  'filtered',
  'rejected',
  'expired',
  'failed',
  'dead-lettered',
] as const;
export const DispositionSchema = z.enum(DISPOSITIONS);
export type Disposition = z.infer<typeof DispositionSchema>;

/**
 * Approval policy of a rule. `auto` sends at once, `require` holds for a moderator,
 * `auto-after` sends after `seconds` unless somebody intervenes. Held replies expire after
 * `expireSeconds` (require) so a stale answer never reaches chat.
 */
export const ApprovalPolicySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('auto') }),
  z.object({ mode: z.literal('require'), expireSeconds: z.number().int().positive().max(86_400).default(300) }),
  z.object({ mode: z.literal('auto-after'), seconds: z.number().int().positive().max(3600) }),
]);
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

export const EventErrorSchema = z.object({
  at: z.number(),
  source: z.string(),
  code: z.string(),
  message: z.string().max(2000),
});

export const EnvelopeSchema = z.object({
  id: z.string().uuid(),
  correlationId: z.string().min(1).max(100),
  type: EventTypeSchema,
  ingress: z.object({
    at: z.number(),
    source: z.string().min(1).max(60),
    connector: z.string().min(1).max(60),
    channel: z.string().min(1).max(100),
  }),
  identity: IdentitySchema,
  message: MessageSchema.optional(),
  externalEvent: z
    .object({ kind: z.string().max(80), id: z.string().max(100).optional(), payload: z.unknown() })
    .optional(),
  /** Type-specific facts normalized by the connector: bits, months, viewers, gift count, ... */
  details: z.record(z.string(), z.unknown()).optional(),
  annotations: z.array(AnnotationSchema),
  candidates: z.array(CandidateSchema),
  egress: EgressTargetSchema.optional(),
  routing: RoutingSchema,
  errors: z.array(EventErrorSchema),
  disposition: DispositionSchema.optional(),
  /** Why the event ended as it did, in words a moderator understands. */
  dispositionReason: z.string().max(500).optional(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/**
 * What a source may hand to ingress: the envelope without the pipeline's own bookkeeping.
 * Ids and timestamps are filled in when absent; routing, candidates and dispositions are never
 * accepted from outside (a source cannot pre-approve its own reply).
 */
export const InboundEventSchema = z.object({
  id: z.string().uuid().optional(),
  correlationId: z.string().min(1).max(100).optional(),
  type: EventTypeSchema,
  ingress: z.object({
    at: z.number().optional(),
    source: z.string().min(1).max(60).optional(),
    connector: z.string().min(1).max(60),
    channel: z.string().min(1).max(100),
  }),
  identity: z.object({ external: ExternalIdentitySchema }),
  message: MessageSchema.optional(),
  externalEvent: z
    .object({ kind: z.string().max(80), id: z.string().max(100).optional(), payload: z.unknown() })
    .optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  annotations: z.array(AnnotationSchema).max(50).optional(),
});
export type InboundEvent = z.input<typeof InboundEventSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

// The one zod-error formatter (zod-issues.ts); re-exported for the parsers that import it from here.
export { describeIssues };

/** Parses one inbound event and fills in what the pipeline owns. Never throws. */
export function acceptInbound(raw: unknown, now: number, newId: () => string): ParseResult<Envelope> {
  const parsed = InboundEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
  const input = parsed.data;
  if (input.type === KnownEventTypes.chatMessage && input.message === undefined) {
    return { ok: false, error: 'message: required for chat.message.v1' };
  }
  const id = input.id ?? newId();
  return {
    ok: true,
    value: {
      id,
      correlationId: input.correlationId ?? id,
      type: input.type,
      ingress: {
        at: input.ingress.at ?? now,
        source: input.ingress.source ?? input.ingress.connector,
        connector: input.ingress.connector,
        channel: input.ingress.channel,
      },
      identity: { external: input.identity.external },
      ...(input.message ? { message: input.message } : {}),
      ...(input.externalEvent ? { externalEvent: input.externalEvent } : {}),
      ...(input.details ? { details: input.details } : {}),
      annotations: input.annotations ?? [],
      candidates: [],
      routing: { stage: 'initial', slip: [], history: [], hops: 0, decisions: [] },
      errors: [],
    },
  };
}
