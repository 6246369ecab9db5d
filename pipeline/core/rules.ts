/**
 * Router rules: data, not code. Stored in SQLite, edited in the console, evaluated with JsonLogic.
 *
 * A rule picks the slip for one phase (`stage`). At each stage boundary the router evaluates the
 * enabled rules of that stage against the event; every match is recorded on the event and the
 * highest priority wins (ties broken by id, so the choice is stable).
 */
import { LogicEngine } from 'json-logic-engine';
import { describeIssues } from './zod-issues.js';
import { z } from 'zod';
import { ApprovalPolicySchema, type Envelope, KnownEventTypes } from './envelope.js';
import { ALERT_TEST_CONNECTOR, OVERLAY_ALERTS_SERVICE } from './alerts.js';
import { OBS_ACTIONS_ANNOTATION, OBS_SERVICE } from './obs.js';
import { TIMER_EVENT_TYPE } from './timers.js';
import { SERVICE_IDS } from './service.js';
import { DISCORD_CONNECTOR_ID } from './protocol/discord.js';
import { TWITCH_CHAT_CONNECTOR } from './protocol/twitch.js';

export const RuleStageSchema = z.enum(['enrichment', 'reaction', 'egress']);
export type RuleStage = z.infer<typeof RuleStageSchema>;

export const ServiceIdSchema = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[a-z][a-z0-9-]*$/, 'service ids are lower-case words joined by "-"');

export const RuleSchema = z.object({
  id: z
    .string()
    .min(1, 'give the rule an id')
    .max(60)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'rule ids are lower-case letters, digits, "-" and "_"'),
  name: z.string().max(120).default(''),
  description: z.string().max(1000).default(''),
  enabled: z.boolean().default(true),
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  stage: RuleStageSchema,
  /** JsonLogic over the rule facts (see `ruleFacts`). `true` matches everything. */
  when: z.unknown().default(true),
  /** Services to run, in order. Empty with no `outcome` means "nothing to do at this stage". */
  slip: z.array(ServiceIdSchema).max(20).default([]),
  /** Ends the event here instead of running a slip (spam, high risk, banned users). */
  outcome: z.object({ disposition: z.enum(['filtered', 'ignored']), reason: z.string().max(300) }).optional(),
  enrichments: z
    .object({
      annotations: z
        .array(z.object({ kind: z.string().max(40), value: z.unknown() }))
        .max(20)
        .optional(),
      persona: z.string().max(60).optional(),
      prompt: z.string().max(4000).optional(),
    })
    .default({}),
  /** Approval policy for replies produced by this rule's reaction slip. */
  approval: ApprovalPolicySchema.default({ mode: 'require', expireSeconds: 300 }),
  maxAttempts: z.number().int().min(1).max(10).default(3),
});
export type Rule = z.infer<typeof RuleSchema>;
export type RuleInput = z.input<typeof RuleSchema>;

/**
 * What a rule's `when` sees: the envelope, plus `annotation.<kind>` (the latest value of each
 * annotation kind) and `text` (the message text lower-cased) so common rules stay short.
 */
export function ruleFacts(event: Envelope): Record<string, unknown> {
  const annotation: Record<string, unknown> = {};
  for (const item of event.annotations) annotation[item.kind] = item.value;
  return {
    ...event,
    annotation,
    text: event.message?.text.toLowerCase() ?? '',
    roles: event.identity.user?.roles ?? event.identity.external.roles,
    login: event.identity.external.login.toLowerCase(),
  };
}

function createEngine(): LogicEngine {
  const engine = new LogicEngine();
  // Plain string helpers; regular expressions stay out of rules so a rule cannot hang the router.
  engine.addMethod('startsWith', ([value, prefix]: [unknown, unknown]) =>
    typeof value === 'string' && typeof prefix === 'string' ? value.startsWith(prefix) : false,
  );
  engine.addMethod('contains', ([value, part]: [unknown, unknown]) =>
    typeof value === 'string' && typeof part === 'string' ? value.includes(part) : false,
  );
  engine.addMethod('hasRole', ([roles, role]: [unknown, unknown]) =>
    Array.isArray(roles) ? roles.includes(role) : false,
  );
  return engine;
}

const sharedEngine = createEngine();

export interface CompiledRule {
  rule: Rule;
  test: (facts: Record<string, unknown>) => boolean;
}

export type RuleCheck = { ok: true; rule: Rule } | { ok: false; error: string };

/** Operators whose arguments are data, not logic: the walk does not look inside them. */
const DATA_OPERATORS = new Set(['preserve', 'var', 'val', 'missing', 'missing_some']);

/**
 * Why a `when` cannot run, or null. Walks the JsonLogic tree against the engine's operators instead
 * of compiling it: compiling uses `eval`, which the console's Content Security Policy forbids, and
 * this check runs in the console on every keystroke as well as on the host before saving.
 */
export function whenProblem(logic: unknown, path = 'when'): string | null {
  if (Array.isArray(logic)) {
    for (const [index, item] of logic.entries()) {
      const problem = whenProblem(item, `${path}[${index}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (logic === null || typeof logic !== 'object') return null;
  const keys = Object.keys(logic);
  if (keys.length !== 1) {
    return `${path}: an operation is an object with exactly one operator (found ${keys.length === 0 ? 'none' : keys.join(', ')})`;
  }
  const operator = keys[0]!;
  if (!(operator in sharedEngine.methods)) return `${path}: unknown operator "${operator}"`;
  if (DATA_OPERATORS.has(operator)) return null;
  return whenProblem((logic as Record<string, unknown>)[operator], `${path}.${operator}`);
}

/** Validates a rule, including that its `when` uses only known operators. Never throws, never evals. */
export function checkRule(input: unknown): RuleCheck {
  const parsed = RuleSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      error: describeIssues(parsed.error),
    };
  }
  const problem = whenProblem(parsed.data.when);
  if (problem) return { ok: false, error: problem };
  if (parsed.data.slip.length > 0 && parsed.data.outcome) {
    return { ok: false, error: 'outcome: a rule either runs a slip or ends the event, not both' };
  }
  return { ok: true, rule: parsed.data };
}

export function compileRule(rule: Rule): CompiledRule {
  const logic = sharedEngine.build(rule.when as Parameters<LogicEngine['build']>[0]) as (data: unknown) => unknown;
  return {
    rule,
    test: (facts) => {
      try {
        return Boolean(logic(facts));
      } catch {
        // A rule that throws on this event simply does not match it.
        return false;
      }
    },
  };
}

/** Compiled rules grouped by stage, highest priority first. */
export class RuleBook {
  private readonly byStage = new Map<RuleStage, CompiledRule[]>();

  constructor(rules: readonly Rule[]) {
    for (const stage of RuleStageSchema.options) this.byStage.set(stage, []);
    const sorted = [...rules].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
    for (const rule of sorted) {
      if (!rule.enabled) continue;
      this.byStage.get(rule.stage)!.push(compileRule(rule));
    }
  }

  /** Every enabled rule of the stage that matches, best first. */
  match(stage: RuleStage, facts: Record<string, unknown>): Rule[] {
    const result: Rule[] = [];
    for (const compiled of this.byStage.get(stage)!) if (compiled.test(facts)) result.push(compiled.rule);
    return result;
  }
}

/** The rules a fresh install starts with: the app does something useful on first start. */
export const DEFAULT_RULES: readonly Rule[] = [
  {
    id: 'enrich-all',
    name: 'Know who is talking',
    description:
      'Every event gets the user record (first seen, message count, roles as last seen) and the local analysis (intent, sentiment, toxicity, spam, risk).',
    enabled: true,
    priority: 0,
    stage: 'enrichment',
    when: true,
    slip: [SERVICE_IDS.auth, SERVICE_IDS.queryAnalyzer],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'filter-spam',
    name: 'Filter spam',
    description: 'Spam (floods, copy-pasta, link drops) from anyone but moderators and the broadcaster ends here.',
    enabled: true,
    priority: 1000,
    stage: 'reaction',
    when: {
      and: [
        { '==': [{ var: 'annotation.spam.isSpam' }, true] },
        { '!': { hasRole: [{ var: 'roles' }, 'moderator'] } },
        { '!': { hasRole: [{ var: 'roles' }, 'broadcaster'] } },
      ],
    },
    slip: [],
    outcome: { disposition: 'filtered', reason: 'spam' },
    enrichments: {},
    approval: { mode: 'require', expireSeconds: 300 },
    maxAttempts: 3,
  },
  {
    id: 'filter-high-risk',
    name: 'Filter high-risk messages',
    description: 'Hate, harassment and high-risk links never get a reply.',
    enabled: true,
    priority: 990,
    stage: 'reaction',
    when: { '==': [{ var: 'annotation.risk.level' }, 'high'] },
    slip: [],
    outcome: { disposition: 'filtered', reason: 'high risk' },
    enrichments: {},
    approval: { mode: 'require', expireSeconds: 300 },
    maxAttempts: 3,
  },
  {
    id: 'announce-going-live',
    name: 'Announce going live',
    description: 'Stream online gets the going-live message from the commands service.',
    enabled: true,
    priority: 90,
    stage: 'reaction',
    when: { '==': [{ var: 'type' }, KnownEventTypes.streamOnline] },
    slip: [SERVICE_IDS.commands],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'chat-commands',
    name: 'Chat commands',
    description:
      'Messages that start with "!" go to the giveaways service (!giveaway, and entries by its keyword), the counters service (!deaths, !deaths +1) and the commands service; their replies go out at once.',
    enabled: true,
    priority: 100,
    stage: 'reaction',
    when: { startsWith: [{ var: 'text' }, '!'] },
    slip: [SERVICE_IDS.giveaways, SERVICE_IDS.counters, SERVICE_IDS.commands],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'timers-skip-enrichment',
    name: 'Timer messages need no enrichment',
    description: 'A timer firing is the bot itself: no user record, no analysis.',
    enabled: true,
    priority: 100,
    stage: 'enrichment',
    when: { '==': [{ var: 'type' }, TIMER_EVENT_TYPE] },
    slip: [],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'timer-messages',
    name: 'Timers',
    description:
      'Timer messages (every N minutes while live, after M chat lines) go out at once; set approval to "require" to check each one.',
    enabled: true,
    priority: 120,
    stage: 'reaction',
    when: { '==': [{ var: 'type' }, TIMER_EVENT_TYPE] },
    slip: [SERVICE_IDS.timers],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'chat-quotes',
    name: 'Quotes',
    description: '!quote, !quote 12, !quote search words, !quote add text (moderators and VIPs).',
    enabled: true,
    priority: 110,
    stage: 'reaction',
    when: { or: [{ '==': [{ var: 'text' }, '!quote'] }, { startsWith: [{ var: 'text' }, '!quote '] }] },
    slip: [SERVICE_IDS.quotes],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'chat-shoutout',
    name: 'Shoutouts',
    description:
      "!so @user (the shoutout command: its roles, template and cooldown): the reply names the user's last category, and Twitch's own shoutout is sent where the broadcaster account is linked.",
    enabled: true,
    priority: 115,
    stage: 'reaction',
    when: { or: [{ '==': [{ var: 'text' }, '!so'] }, { startsWith: [{ var: 'text' }, '!so '] }] },
    slip: [SERVICE_IDS.shoutout],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'welcome-first-time',
    name: 'Welcome first-time chatters',
    description:
      "A chatter's first message in the channel (Twitch's first-msg) gets the greeting from Settings → welcome.firstTime. Off until you turn it on.",
    enabled: false,
    priority: 60,
    stage: 'reaction',
    when: {
      and: [
        { '==': [{ var: 'type' }, KnownEventTypes.chatMessage] },
        { '!': { startsWith: [{ var: 'text' }, '!'] } },
        {
          or: [
            { '==': [{ var: 'details.firstMessage' }, true] },
            { in: ['first-message', { var: 'identity.user.tags' }] },
          ],
        },
      ],
    },
    slip: [SERVICE_IDS.welcome],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'welcome-returning',
    name: 'Welcome back returning chatters',
    description:
      'A chatter seen in an earlier stream, at their first message of this one, gets the greeting from Settings → welcome.returning. Off until you turn it on.',
    enabled: false,
    priority: 58,
    stage: 'reaction',
    when: {
      and: [
        { '==': [{ var: 'type' }, KnownEventTypes.chatMessage] },
        { '!': { startsWith: [{ var: 'text' }, '!'] } },
        { in: ['returning', { var: 'identity.user.tags' }] },
        { in: ['new-session', { var: 'identity.user.tags' }] },
      ],
    },
    slip: [SERVICE_IDS.welcome],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'bot-mention',
    name: 'Answer chat that mentions the bot',
    description:
      'A chat message that mentions the bot by name (the botName setting, or @name) goes to the llm-bot with the default persona. Held for a moderator until the streamer relaxes this rule.',
    enabled: true,
    priority: 50,
    stage: 'reaction',
    when: { '==': [{ var: 'annotation.intent.label' }, 'mention'] },
    slip: [SERVICE_IDS.llmBot],
    enrichments: { persona: 'default' },
    approval: { mode: 'require', expireSeconds: 300 },
    maxAttempts: 3,
  },
  {
    id: 'thank-supporters',
    name: 'Thank supporters',
    description:
      'Follows, subs, gifts, cheers, raids and redemptions play their alert on the OBS overlay (overlay-alerts: template, sound, duration per kind), then get a thank-you from the commands service.',
    enabled: true,
    priority: 90,
    stage: 'reaction',
    when: {
      in: [
        { var: 'type' },
        [
          KnownEventTypes.follow,
          KnownEventTypes.sub,
          KnownEventTypes.subGift,
          KnownEventTypes.cheer,
          KnownEventTypes.raid,
          KnownEventTypes.redemption,
        ],
      ],
    },
    slip: [OVERLAY_ALERTS_SERVICE, SERVICE_IDS.commands],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'raid-obs-scene',
    name: 'Raid scene in OBS',
    description:
      'Off until OBS is linked: on a raid, the alert plays, OBS switches to the "Raid" scene for 20 seconds (the obs step; change the actions in obs.actions), and the raider is thanked.',
    enabled: false,
    priority: 95,
    stage: 'reaction',
    when: { '==': [{ var: 'type' }, KnownEventTypes.raid] },
    slip: [OVERLAY_ALERTS_SERVICE, OBS_SERVICE, SERVICE_IDS.commands],
    enrichments: {
      annotations: [{ kind: OBS_ACTIONS_ANNOTATION, value: [{ do: 'switchScene', scene: 'Raid', seconds: 20 }] }],
    },
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'test-alerts',
    name: 'Test alerts',
    description: 'The console\'s "test alert" buttons: the alert plays on the overlay and nothing is said in chat.',
    enabled: true,
    priority: 1000,
    stage: 'reaction',
    when: { '==': [{ var: 'ingress.connector' }, ALERT_TEST_CONNECTOR] },
    slip: [OVERLAY_ALERTS_SERVICE],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'deliver-twitch-chat',
    name: 'Reply in Twitch chat',
    description:
      'Replies to Twitch chat go back to the channel, in the thread of the message, when a bot account is linked (without one the twitch-chat step is skipped), then wherever every reply goes (console, client programs, webhooks).',
    enabled: true,
    priority: 10,
    stage: 'egress',
    when: { '==': [{ var: 'ingress.connector' }, TWITCH_CHAT_CONNECTOR] },
    slip: [SERVICE_IDS.twitchChat, SERVICE_IDS.console, SERVICE_IDS.gatewayClients, SERVICE_IDS.webhook],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'deliver-discord',
    name: 'Reply in Discord',
    description:
      'Replies to Discord messages go back to the same channel as a reply to the message (skipped when Discord is not linked), then wherever every reply goes.',
    enabled: true,
    priority: 10,
    stage: 'egress',
    when: { '==': [{ var: 'ingress.connector' }, DISCORD_CONNECTOR_ID] },
    slip: [SERVICE_IDS.discord, SERVICE_IDS.console, SERVICE_IDS.gatewayClients, SERVICE_IDS.webhook],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'announce-live-discord',
    name: 'Announce going live on Discord',
    description:
      "When the stream goes online, the going-live message is posted in Discord's announce channel (skipped until one is set), and wherever every reply goes.",
    enabled: true,
    priority: 20,
    stage: 'egress',
    when: { '==': [{ var: 'type' }, KnownEventTypes.streamOnline] },
    slip: [SERVICE_IDS.discord, SERVICE_IDS.console, SERVICE_IDS.gatewayClients, SERVICE_IDS.webhook],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
  {
    id: 'deliver-console',
    name: 'Deliver replies',
    description:
      'Replies go to the console feed, to connected client programs (Stream Deck, widgets) and to outbound webhooks (skipped when none is set up).',
    enabled: true,
    priority: 0,
    stage: 'egress',
    when: true,
    slip: [SERVICE_IDS.console, SERVICE_IDS.gatewayClients, SERVICE_IDS.webhook],
    enrichments: {},
    approval: { mode: 'auto' },
    maxAttempts: 3,
  },
];
