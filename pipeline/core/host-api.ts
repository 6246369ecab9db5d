/**
 * The HostApi: the one contract between the pipeline host and every console.
 *
 * Served over Electron IPC (the desktop window) and over WebSocket (browser consoles, tests).
 * Each method has a zod schema for its params, which every transport parses before the handler
 * runs; the renderer's `Bridge` type and the preload are derived from `HostApi` below, so a
 * method name is written once, here.
 */
import { z } from 'zod';
import { describeIssues } from './zod-issues.js';
import { ApprovalSchema, DecisionRequestSchema, type Approval, type DecisionResult } from './approval.js';
import {
  ClientTokenCreateSchema,
  ClientTokenRevokeSchema,
  WebhookCreateSchema,
  WebhookDeleteSchema,
  type ClientCounters,
  type ClientTokenInfo,
  type WebhookInfo,
} from './client-protocol.js';
import { FeatureApiParams, type FeatureApi } from './feature-api.js';
import { DEFAULT_OBS_SETTINGS, ObsApiParams, ObsSettingsSchema, type ObsApi } from './obs.js';
import { AlertApiParams, AlertSettingsSchema, DEFAULT_ALERT_SETTINGS, type AlertApi } from './alerts.js';
import { DispositionSchema, StageSchema, type Envelope } from './envelope.js';
import {
  DEFAULT_LLM_SETTINGS,
  LlmSettingsSchema,
  MemoryScopeSchema,
  type LlmUsageToday,
  type MemoryEntry,
  type Persona,
} from './llm.js';
import type { CommandDefinition, UserRow } from './protocol/store.js';
import type { ConnectorHealth, EventSummary, PipelineStats, WorkerHealth } from './protocol/pipeline.js';
import { DEFAULT_DISCORD_SETTINGS, DiscordSettingsSchema } from './protocol/discord.js';
import { TWITCH_ACCOUNTS, type TwitchAccountStatus, type TwitchDeviceLogin } from './protocol/twitch.js';
import { DEFAULT_QUOTE_SETTINGS, QuoteSettingsSchema } from './quotes.js';
import { DEFAULT_WELCOME_SETTINGS, WelcomeSettingsSchema } from './welcome.js';
import { RuleSchema, type Rule } from './rules.js';
import type { StepTransition } from './slip.js';

/** Placeholder: the streamer pastes their own application's client id (see `twitchClientId`). */
export const DEFAULT_TWITCH_CLIENT_ID = '';

export const SettingsSchema = z.object({
  /** The bot's name in chat; messages that mention it (or @it) go to the llm-bot. */
  botName: z.string().trim().min(1).max(25).default('bitbrat'),
  /** The Twitch channel to read (no account needed). Empty until the streamer names one. */
  channel: z.string().trim().max(25).default(''),
  /** Terminal events older than this are pruned. 0 keeps everything. */
  retentionDays: z.number().int().min(0).max(3650).default(30),
  /** Seconds a held reply waits before it expires, when the rule does not say. */
  approvalExpireSeconds: z.number().int().min(10).max(86_400).default(300),
  /** Browser consoles on the LAN (off: loopback only). */
  lanAccess: z.boolean().default(false),
  gatewayPort: z.number().int().min(0).max(65_535).default(7420),
  /** Users whose events end `ignored` before any rule runs (`platform:externalId`), set by moderators. */
  ignoredUsers: z.array(z.string().max(120)).max(10_000).default([]),
  /** The LLM endpoint and its limits. The API key is not here: it lives in the secret store. */
  llm: LlmSettingsSchema.default(DEFAULT_LLM_SETTINGS),
  /**
   * The client id of the streamer's own Twitch application (dev.twitch.tv → Register Your Application,
   * client type "Public", no secret). Twitch offers no public client id an app may ship, so the default
   * is the empty placeholder and Twitch login explains what to do. Not a secret.
   */
  twitchClientId: z
    .string()
    .trim()
    .max(100)
    .regex(/^[A-Za-z0-9]*$/, 'a Twitch client id is letters and digits')
    .default(DEFAULT_TWITCH_CLIENT_ID),
  /**
   * How a linked bot reads and sends Twitch chat: `eventsub` (EventSub channel.chat.* in, Helix Send Chat
   * Message out: what Twitch recommends for bots), `irc` (tmi.js), or `auto`: EventSub when the bot granted
   * its scopes, IRC otherwise. Reading with no bot linked is always anonymous IRC.
   */
  twitchChatTransport: z.enum(['auto', 'eventsub', 'irc']).default('auto'),
  /** Discord: server, channels, role mapping, announce channel. The bot token is in the secret store. */
  discord: DiscordSettingsSchema.default(DEFAULT_DISCORD_SETTINGS),
  /** Backups kept in the data folder's backups/ (one at every start and one a day). */
  backupsKept: z.number().int().min(1).max(100).default(7),
  /** Who may `!quote add`, and how a quote looks in chat. */
  quotes: QuoteSettingsSchema.default(DEFAULT_QUOTE_SETTINGS),
  /** The greetings of the welcome rules (the rules themselves are off until the streamer turns them on). */
  welcome: WelcomeSettingsSchema.default(DEFAULT_WELCOME_SETTINGS),
  /** Overlay alerts per kind: template, sound (in sounds/), duration, volume. */
  alerts: AlertSettingsSchema.default(DEFAULT_ALERT_SETTINGS),
  /** OBS control over obs-websocket 5: on/off and the address. The password is in the secret store. */
  obs: ObsSettingsSchema.default(DEFAULT_OBS_SETTINGS),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as (keyof Settings)[];

export const EventCursorSchema = z.object({ at: z.number(), id: z.string().max(100) });
export type EventCursor = z.infer<typeof EventCursorSchema>;

export const EventQuerySchema = z.object({
  limit: z.number().int().min(1).max(500).default(100),
  /** Page to events strictly older than this cursor (newest first). */
  before: EventCursorSchema.optional(),
  type: z.string().max(64).optional(),
  disposition: z.union([DispositionSchema, z.literal('open')]).optional(),
  stage: StageSchema.optional(),
  /** Login (exact, case-insensitive). */
  user: z.string().max(100).optional(),
  /** Full-text search over message text (SQLite FTS5 syntax is escaped: words are matched as typed). Indexed off the pipeline's commits: a message is findable up to about a second after it is stored. */
  text: z.string().max(200).optional(),
  since: z.number().optional(),
  until: z.number().optional(),
});
export type EventQuery = z.input<typeof EventQuerySchema>;

export interface EventPage {
  items: EventSummary[];
  next: EventCursor | null;
}

export interface PersistedTransition extends StepTransition {
  seq: number;
}

export interface EventDetail {
  event: Envelope;
  transitions: PersistedTransition[];
  approvals: Approval[];
  deliveries: { key: string; connector: string; status: string; detail: string | null; at: number; text: string }[];
}

export interface HeldReply {
  approval: Approval;
  event: EventSummary;
}

export interface Health {
  startedAt: number;
  workers: WorkerHealth[];
  connectors: ConnectorHealth[];
  database: { path: string; sizeBytes: number };
}

/** A user as the console lists them: the stored record without the session bookkeeping. */
export type UserSummary = Omit<UserRow, 'sessionStartedAt'>;

export type SaveResult<T> = { ok: true; value: T } | { ok: false; error: string };

const id = z.string().min(1).max(100);

/** Params schemas, one per method: the transports parse with these before calling the host. */
export const HostApiParams = {
  'events.list': EventQuerySchema,
  'events.get': z.object({ id }),
  'events.reroute': z.object({
    eventId: id,
    stage: z.enum(['enrichment', 'reaction']),
    hint: z.string().max(500).optional(),
    moderator: z.string().trim().min(1).max(60),
  }),
  'approvals.list': z.object({ open: z.boolean().default(true), limit: z.number().int().min(1).max(500).default(200) }),
  'approvals.decide': DecisionRequestSchema,
  'rules.list': z.object({}),
  'rules.save': z.object({ rule: z.unknown() }),
  'rules.delete': z.object({ id }),
  'rules.test': z.object({ eventId: id, rule: z.unknown().optional() }),
  'commands.list': z.object({}),
  'commands.save': z.object({ command: z.unknown() }),
  'commands.delete': z.object({ id }),
  'settings.get': z.object({}),
  'settings.set': z.object({
    key: z.enum(SETTING_KEYS as [keyof Settings, ...(keyof Settings)[]]),
    value: z.unknown(),
  }),
  'health.get': z.object({}),
  'stats.get': z.object({}),
  'users.list': z.object({
    search: z.string().max(100).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  }),
  'users.act': z.object({
    platform: z.string().min(1).max(40),
    externalId: z.string().min(1).max(100),
    action: z.enum(['ignore', 'unignore', 'timeout', 'ban']),
    seconds: z.number().int().min(1).max(1_209_600).optional(),
    reason: z.string().max(500).optional(),
    moderator: z.string().trim().min(1).max(60),
  }),
  'events.replay': z.object({ id }),
  'personas.list': z.object({}),
  'personas.save': z.object({ persona: z.unknown() }),
  'personas.delete': z.object({ id }),
  'memory.list': z.object({
    scope: MemoryScopeSchema.optional(),
    scopeKey: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  }),
  'memory.clear': z.object({ scope: MemoryScopeSchema.optional(), scopeKey: z.string().max(200).optional() }),
  'llm.usage': z.object({}),
  'llm.test': z.object({}),
  /** Stores the LLM API key in the secret store (never SQLite); an empty key removes it. */
  'llm.setApiKey': z.object({ key: z.string().trim().max(500) }),
  /** Starts the Device Code Flow for one account; the host polls Twitch in the background. */
  'twitch.login.start': z.object({ account: z.enum(TWITCH_ACCOUNTS) }),
  'twitch.accounts': z.object({}),
  'twitch.logout': z.object({ account: z.enum(TWITCH_ACCOUNTS) }),
  /** Stores the Discord bot token in the secret store (never SQLite or logs); an empty token unlinks Discord. */
  'discord.setToken': z.object({ token: z.string().trim().max(200) }),
  /** Deletes the event's chat message on Twitch (Helix); a failure is appended to the event's errors. */
  'events.deleteMessage': z.object({ eventId: id, moderator: z.string().trim().min(1).max(60) }),
  'clients.create': ClientTokenCreateSchema,
  'clients.list': z.object({}),
  'clients.revoke': ClientTokenRevokeSchema,
  'clients.stats': z.object({}),
  'webhooks.create': WebhookCreateSchema,
  'webhooks.list': z.object({}),
  'webhooks.delete': WebhookDeleteSchema,
  'overlay.writeFile': z.object({
    token: z.string().min(16).max(200),
    theme: z.record(z.string().regex(/^[a-z]{1,20}$/), z.string().max(200)).default({}),
  }),
  // Counters, quotes ... (feature-api.ts).
  ...FeatureApiParams,
  // Overlay alerts and their sounds (alerts.ts).
  ...AlertApiParams,
  // OBS control (obs.ts).
  ...ObsApiParams,
} as const;

type P<K extends keyof typeof HostApiParams> = z.input<(typeof HostApiParams)[K]>;

/** The HostApi: params in, results out. */
export interface HostApi extends FeatureApi, AlertApi, ObsApi {
  'events.list'(params: P<'events.list'>): Promise<EventPage>;
  'events.get'(params: P<'events.get'>): Promise<EventDetail | null>;
  'events.reroute'(params: P<'events.reroute'>): Promise<{ ok: boolean; message: string }>;
  'approvals.list'(params: P<'approvals.list'>): Promise<HeldReply[]>;
  'approvals.decide'(params: P<'approvals.decide'>): Promise<DecisionResult>;
  'rules.list'(params: P<'rules.list'>): Promise<Rule[]>;
  'rules.save'(params: P<'rules.save'>): Promise<SaveResult<Rule>>;
  'rules.delete'(params: P<'rules.delete'>): Promise<{ ok: boolean }>;
  'rules.test'(
    params: P<'rules.test'>,
  ): Promise<SaveResult<{ matched: string[]; chosen: string | null; slip: string[] }>>;
  'commands.list'(params: P<'commands.list'>): Promise<CommandDefinition[]>;
  'commands.save'(params: P<'commands.save'>): Promise<SaveResult<CommandDefinition>>;
  'commands.delete'(params: P<'commands.delete'>): Promise<{ ok: boolean }>;
  'settings.get'(params: P<'settings.get'>): Promise<Settings>;
  'settings.set'(params: P<'settings.set'>): Promise<SaveResult<Settings>>;
  'health.get'(params: P<'health.get'>): Promise<Health>;
  'stats.get'(params: P<'stats.get'>): Promise<PipelineStats>;
  'users.list'(params: P<'users.list'>): Promise<UserSummary[]>;
  /** Moderator action on a user: ignore locally, or time out / ban on the platform (needs a linked account). */
  'users.act'(params: P<'users.act'>): Promise<{ ok: boolean; message: string }>;
  /** Runs an ended event's inbound data again as a new event. */
  'events.replay'(params: P<'events.replay'>): Promise<SaveResult<{ id: string }>>;
  'personas.list'(params: P<'personas.list'>): Promise<Persona[]>;
  'personas.save'(params: P<'personas.save'>): Promise<SaveResult<Persona>>;
  'personas.delete'(params: P<'personas.delete'>): Promise<{ ok: boolean }>;
  /** What the bot remembers, newest first. */
  'memory.list'(params: P<'memory.list'>): Promise<MemoryEntry[]>;
  'memory.clear'(params: P<'memory.clear'>): Promise<{ ok: boolean }>;
  /** Today's LLM tokens and estimated cost. */
  'llm.usage'(params: P<'llm.usage'>): Promise<LlmUsageToday>;
  /** One tiny completion against the configured endpoint. */
  'llm.test'(params: P<'llm.test'>): Promise<{ ok: boolean; message: string; latencyMs: number }>;
  'llm.setApiKey'(params: P<'llm.setApiKey'>): Promise<{ ok: boolean; message: string }>;
  'discord.setToken'(params: P<'discord.setToken'>): Promise<{ ok: boolean; message: string }>;
  /** Device code and where to enter it; the account shows `pending` until Twitch answers. */
  'twitch.login.start'(params: P<'twitch.login.start'>): Promise<SaveResult<TwitchDeviceLogin>>;
  'twitch.accounts'(params: P<'twitch.accounts'>): Promise<TwitchAccountStatus[]>;
  'twitch.logout'(params: P<'twitch.logout'>): Promise<{ ok: boolean }>;
  'events.deleteMessage'(params: P<'events.deleteMessage'>): Promise<{ ok: boolean; message: string }>;
  /** A token for an external program (Stream Deck, widget, OBS overlay). The token is shown only here. */
  'clients.create'(params: P<'clients.create'>): Promise<SaveResult<{ token: string; client: ClientTokenInfo }>>;
  'clients.list'(params: P<'clients.list'>): Promise<ClientTokenInfo[]>;
  'clients.revoke'(params: P<'clients.revoke'>): Promise<{ ok: boolean }>;
  'clients.stats'(params: P<'clients.stats'>): Promise<GatewayStats>;
  /** A webhook: `in` gets a secret (shown only here), `out` posts deliveries to a URL. */
  'webhooks.create'(params: P<'webhooks.create'>): Promise<SaveResult<{ secret: string; webhook: WebhookInfo }>>;
  'webhooks.list'(params: P<'webhooks.list'>): Promise<WebhookInfo[]>;
  'webhooks.delete'(params: P<'webhooks.delete'>): Promise<{ ok: boolean }>;
  /**
   * Writes the OBS overlay as a local file (read-only token and theme inside) for an OBS "Local
   * file" source, which loads before BitBrat runs and connects once it does.
   */
  'overlay.writeFile'(params: P<'overlay.writeFile'>): Promise<SaveResult<{ path: string; fileUrl: string }>>;
}

export interface GatewayStats {
  clients: ClientCounters;
  webhooks: { accepted: number; refused: Record<string, number> };
}
export type HostMethod = keyof HostApi;
export const HOST_METHODS = Object.keys(HostApiParams) as HostMethod[];

/** Live pushes from the host to every console. */
export type HostPushes = {
  feed: EventSummary[];
  approvals: Approval[];
  health: Health;
};
export type HostTopic = keyof HostPushes;
export const HOST_TOPICS: readonly HostTopic[] = ['feed', 'approvals', 'health'];

/** The HostApi as an RPC protocol (what the gateway and the browser console speak). */
export interface HostProtocol {
  requests: { [K in HostMethod]: (params: Parameters<HostApi[K]>[0]) => ReturnType<HostApi[K]> };
  pushes: Record<string, never>;
}
export interface ConsoleProtocol {
  requests: Record<string, never>;
  pushes: HostPushes;
}

/** Parses params for a method; throws a CodedError-like error naming the field. */
export function parseHostParams(method: string, params: unknown): unknown {
  if (!Object.hasOwn(HostApiParams, method)) {
    throw Object.assign(new Error(`unknown method "${method}"`), { code: 'UNKNOWN_METHOD' });
  }
  const result = HostApiParams[method as HostMethod].safeParse(params ?? {});
  if (!result.success) {
    const detail = describeIssues(result.error, { root: '(params)' });
    throw Object.assign(new Error(`invalid params for ${method}: ${detail}`), { code: 'INVALID_PARAMS' });
  }
  return result.data;
}

export { ApprovalSchema, RuleSchema };
export type { TwitchAccountStatus, TwitchDeviceLogin };
