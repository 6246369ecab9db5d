/**
 * The client WebSocket API (v1): the frames external tools (a Stream Deck plugin, a chat widget,
 * the OBS overlay) exchange with the gateway at `/api/clients`, plus the admin params for client
 * tokens and webhooks. Pure zod: the gateway parses every frame with these before acting on it.
 *
 * Every frame is `{type, id, payload}`. A client may send only the types in `ClientFrameSchema`;
 * the sender's identity always comes from its token, never from a frame, so the schemas are
 * strict: a frame that carries `identity`, `ingress`, a `login` or any unknown field is refused.
 * See docs/client-api.md for the prose version.
 */
import { z } from 'zod';
import type { OverlayAlert } from './alerts.js';

/** The frames' version; the socket's subprotocol and token prefix are in protocol/websocket.ts. */
export const CLIENT_PROTOCOL_VERSION = 1;

/** What a token allows. `read-only` is for the OBS overlay: approved replies and alerts only. */
export const ClientScopeSchema = z.enum(['send', 'receive', 'read-only']);
export type ClientScope = z.infer<typeof ClientScopeSchema>;

/** What a client can subscribe to; which scope each needs is in `TOPIC_SCOPES`. */
export const ClientTopicSchema = z.enum(['replies', 'alerts', 'deliveries', 'events']);
export type ClientTopic = z.infer<typeof ClientTopicSchema>;

/**
 * Scopes that grant a topic. `deliveries` to a send-only client are limited to replies to its own
 * events (a Stream Deck button wants to see what the bot said about its trigger).
 */
export const TOPIC_SCOPES: Record<ClientTopic, readonly ClientScope[]> = {
  replies: ['receive', 'read-only'],
  alerts: ['receive', 'read-only'],
  deliveries: ['receive', 'send'],
  events: ['receive'],
};

/** Client names become the sender's login on the events it sends: short, lower-case, no spaces. */
export const ClientNameSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'client names are lower-case letters, digits, "-" and "_"');

/** Frame ids are chosen by the client and echoed in the answer. */
const FrameIdSchema = z.union([z.string().max(64), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]);
export type FrameId = z.infer<typeof FrameIdSchema>;

export const CLIENT_CHAT_TYPE = 'client.chat.v1';
export const CLIENT_TRIGGER_TYPE = 'client.trigger.v1';
/** The only event types a client may send. */
export const CLIENT_EVENT_TYPES = [CLIENT_CHAT_TYPE, CLIENT_TRIGGER_TYPE] as const;

export const ClientChatPayloadSchema = z.strictObject({
  text: z.string().trim().min(1).max(500),
  /** A message id of the client's own, kept for the reply (`replyTo` on the delivery). */
  messageId: z.string().min(1).max(100).optional(),
});

const TriggerArgSchema = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
export const ClientTriggerPayloadSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(60)
    .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'trigger names are lower-case letters, digits, "-", "_" and "."'),
  args: z.record(z.string().max(40), TriggerArgSchema).default({}),
});

export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal(CLIENT_CHAT_TYPE), id: FrameIdSchema, payload: ClientChatPayloadSchema }),
  z.strictObject({ type: z.literal(CLIENT_TRIGGER_TYPE), id: FrameIdSchema, payload: ClientTriggerPayloadSchema }),
  z.strictObject({
    type: z.literal('subscribe'),
    id: FrameIdSchema,
    payload: z.strictObject({
      topics: z.array(ClientTopicSchema).min(1).max(4),
      /** Replay replies and alerts newer than this (epoch ms, at most 5 minutes back): catch-up after a reconnect. */
      since: z.number().int().nonnegative().optional(),
    }),
  }),
  z.strictObject({
    type: z.literal('unsubscribe'),
    id: FrameIdSchema,
    payload: z.strictObject({ topics: z.array(ClientTopicSchema).min(1).max(4) }),
  }),
  z.strictObject({ type: z.literal('ping'), id: FrameIdSchema, payload: z.strictObject({}).default({}) }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;
export type ClientFrameType = ClientFrame['type'];
export const CLIENT_FRAME_TYPES: readonly string[] = ClientFrameSchema.options.map((option) => option.shape.type.value);

/** Why a frame or a socket was refused. Each one is counted (see `ClientCounters`). */
export const CLIENT_ERROR_CODES = [
  'UNAUTHORIZED',
  'FORBIDDEN_ORIGIN',
  'BAD_FRAME',
  'FORBIDDEN_TYPE',
  'FORBIDDEN_FIELD',
  'INVALID_PAYLOAD',
  'SCOPE',
  'FRAME_TOO_LARGE',
  'RATE_LIMITED',
  'REJECTED',
  'UNAVAILABLE',
  'DEAD_SOCKET',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** A reply the bot sent (to any connector), as clients and the overlay see it. */
export interface ClientReply {
  eventId: string;
  at: number;
  channel: string;
  /** Who the bot answered. */
  to: { login: string; displayName: string };
  text: string;
}

/** A follow, sub, gift, raid, cheer or redemption, for the overlay: what `overlay-alerts` published. */
export type ClientAlert = OverlayAlert;

/** An event as a `receive` client sees it (the moderators' feed without the pipeline internals). */
export interface ClientEvent {
  eventId: string;
  type: string;
  at: number;
  channel: string;
  connector: string;
  login: string;
  displayName: string;
  text: string | null;
  disposition: string | null;
  reply: string | null;
}

/** One reply delivered by the `gateway-clients` egress service (egress worker → host → hub). */
export interface GatewayDelivery {
  key: string;
  eventId: string;
  at: number;
  channel: string;
  text: string;
  replyTo?: string;
  /** The client whose event this answers, when a client sent it. */
  client?: string;
}

export type ServerFrame =
  | {
      type: 'welcome';
      id: null;
      payload: {
        version: number;
        client: { name: string; scopes: ClientScope[] };
        limits: { maxFrameBytes: number; ratePerSecond: number; burst: number; heartbeatMs: number };
      };
    }
  | { type: 'ack'; id: FrameId; payload: { eventId?: string; topics?: ClientTopic[] } }
  | { type: 'pong'; id: FrameId; payload: { at: number } }
  | { type: 'error'; id: FrameId | null; payload: { code: ClientErrorCode; message: string } }
  | { type: 'reply'; id: null; payload: ClientReply }
  | { type: 'alert'; id: null; payload: ClientAlert }
  | { type: 'event'; id: null; payload: ClientEvent }
  | { type: 'delivery'; id: null; payload: GatewayDelivery };

/** Counters of the client API, for health. */
export interface ClientCounters {
  connected: number;
  accepted: number;
  delivered: number;
  refused: Partial<Record<ClientErrorCode, number>>;
}

// ------------------------------------------------------------------ admin (HostApi params)

export const ClientTokenCreateSchema = z.strictObject({
  name: ClientNameSchema,
  scopes: z.array(ClientScopeSchema).min(1).max(3),
});
export const ClientTokenRevokeSchema = z.strictObject({ id: z.string().min(1).max(100) });

export interface ClientTokenInfo {
  id: string;
  name: string;
  scopes: ClientScope[];
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** Dot path into a JSON body: `data.amount`, `items.0.name`. */
export const JsonPathSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a path is names joined by "." (e.g. data.from_name)');

/**
 * How an inbound webhook body becomes an event. The type must be a `webhook.*` type: a webhook can
 * never inject a Twitch or internal event type. The sender is always the webhook itself.
 */
export const WebhookTemplateSchema = z.strictObject({
  type: z
    .string()
    .max(64)
    .regex(/^webhook\.[a-z0-9_-]+(\.[a-z0-9_-]+)*\.v[0-9]+$/, 'webhook event types look like "webhook.kofi.v1"'),
  text: JsonPathSchema.optional(),
  displayName: JsonPathSchema.optional(),
  details: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/), JsonPathSchema).default({}),
});
export type WebhookTemplate = z.infer<typeof WebhookTemplateSchema>;

export const WebhookCreateSchema = z.discriminatedUnion('direction', [
  z.strictObject({ direction: z.literal('in'), name: ClientNameSchema, template: WebhookTemplateSchema }),
  z.strictObject({
    direction: z.literal('out'),
    name: ClientNameSchema,
    url: z
      .string()
      .max(2000)
      .url()
      .refine((url) => /^https?:\/\//i.test(url), 'only http and https URLs'),
  }),
]);
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;
export const WebhookDeleteSchema = z.strictObject({ name: ClientNameSchema });

export interface WebhookInfo {
  name: string;
  direction: 'in' | 'out';
  url: string | null;
  template: WebhookTemplate | null;
  createdAt: number;
}
