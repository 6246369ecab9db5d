/**
 * Discord gateway dispatch → `InboundEvent`. ONE code path: the live connector hands over the raw
 * `MESSAGE_CREATE` packets discord.js receives (its `raw` event, before discord.js builds its classes),
 * and `bitbrat replay --format discord` reads the same packets from a file, one per line:
 * `{"op":0,"t":"MESSAGE_CREATE","s":42,"d":{…message object…}}`
 * (https://discord.com/developers/docs/events/gateway-events#message-create).
 *
 * Facts go where the Twitch paths put them: `identity.external.{id, login, displayName, roles}`,
 * `message.{id, text, replyTo}`, Discord-only facts in `details` (guild, channel, attachments as metadata,
 * the member's Discord role ids). Roles come from the member's Discord roles through the streamer's
 * mapping (role id or role name → BitBrat role); nothing else makes a Discord user a moderator.
 */
import { z } from 'zod';
import { describeIssues, KnownEventTypes, RoleSchema, type InboundEvent, type Role } from '../../../core/envelope.js';
import { DISCORD_CONNECTOR_ID, DiscordIdSchema, type DiscordRoleMap } from '../../../core/protocol/discord.js';

export const DISCORD_CONNECTOR = DISCORD_CONNECTOR_ID;

export type DiscordNormalizeResult =
  | { ok: true; event: InboundEvent }
  /** `notAnEvent`: a valid packet that carries no pipeline event (another dispatch, a bot's own message). */
  | { ok: false; error: string; notAnEvent: boolean };

export interface DiscordNormalizeOptions {
  roleMap?: DiscordRoleMap;
  /** The name of a guild role by id (the live connector reads discord.js's role cache). */
  roleName?: (guildId: string, roleId: string) => string | undefined;
}

const Snowflake = DiscordIdSchema;

const AttachmentSchema = z
  .object({
    id: Snowflake,
    filename: z.string().max(1000),
    size: z.number().int().nonnegative().optional(),
    url: z.string().max(2000).optional(),
    content_type: z.string().max(200).optional(),
  })
  .passthrough();

const MessageCreateSchema = z
  .object({
    id: Snowflake,
    channel_id: Snowflake,
    guild_id: Snowflake.optional(),
    author: z
      .object({
        id: Snowflake,
        username: z.string().min(1).max(100),
        global_name: z.string().max(100).nullable().optional(),
        bot: z.boolean().optional(),
      })
      .passthrough(),
    member: z
      .object({ roles: z.array(Snowflake).max(250).default([]), nick: z.string().max(100).nullable().optional() })
      .passthrough()
      .optional(),
    content: z.string().max(10_000),
    timestamp: z.string().max(60).optional(),
    attachments: z.array(AttachmentSchema).max(50).default([]),
    message_reference: z
      .object({ message_id: Snowflake.optional(), channel_id: Snowflake.optional() })
      .passthrough()
      .optional(),
    referenced_message: z
      .object({ id: Snowflake, author: z.object({ id: Snowflake, username: z.string().max(100) }).passthrough() })
      .passthrough()
      .nullable()
      .optional(),
    webhook_id: Snowflake.optional(),
  })
  .passthrough();

const DispatchSchema = z.object({
  op: z.literal(0),
  t: z.string().min(1).max(60),
  s: z.number().int().nonnegative().nullable().optional(),
  d: z.unknown(),
});

/** Roles in a fixed order, from the member's Discord roles through the mapping (by id, then by name). */
function mapRoles(guildId: string | undefined, roleIds: string[], options: DiscordNormalizeOptions): Role[] {
  const map = options.roleMap ?? {};
  const found = new Set<Role>();
  for (const roleId of roleIds) {
    const byId = map[roleId];
    if (byId) found.add(byId);
    const name = guildId ? options.roleName?.(guildId, roleId) : undefined;
    const byName = name !== undefined ? map[name] : undefined;
    if (byName) found.add(byName);
  }
  return RoleSchema.options.filter((role) => found.has(role));
}

/** Normalizes one gateway packet (`{op, t, s, d}`, a JSON string or a parsed value). Never throws. */
export function normalizeDiscordDispatch(
  packet: unknown,
  options: DiscordNormalizeOptions = {},
): DiscordNormalizeResult {
  let value = packet;
  if (typeof packet === 'string') {
    try {
      value = JSON.parse(packet);
    } catch (error) {
      return fail(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const dispatch = DispatchSchema.safeParse(value);
  if (!dispatch.success) return fail(describeIssues(dispatch.error));
  if (dispatch.data.t !== 'MESSAGE_CREATE') {
    return { ok: false, error: `not an event: ${dispatch.data.t}`, notAnEvent: true };
  }
  return normalizeDiscordMessage(dispatch.data.d, options);
}

/** Normalizes the `d` of a MESSAGE_CREATE dispatch. Errors name the field (`d.author.id: …`). */
export function normalizeDiscordMessage(data: unknown, options: DiscordNormalizeOptions = {}): DiscordNormalizeResult {
  const parsed = MessageCreateSchema.safeParse(data);
  if (!parsed.success) {
    const issue = describeIssues(parsed.error);
    return fail(issue.startsWith('(root)') ? `d: ${issue.slice('(root): '.length)}` : `d.${issue}`);
  }
  const message = parsed.data;
  // Bots (ours included) and webhooks never feed the pipeline: a reply must not trigger another reply.
  if (message.author.bot === true || message.webhook_id !== undefined) {
    return { ok: false, error: 'not an event: a bot or webhook wrote this message', notAnEvent: true };
  }
  const roleIds = message.member?.roles ?? [];
  const displayName = (
    message.member?.nick?.trim() ||
    message.author.global_name?.trim() ||
    message.author.username
  ).slice(0, 100);
  const replyTo = message.message_reference?.message_id ?? message.referenced_message?.id;
  const sentAt = message.timestamp ? Date.parse(message.timestamp) : Number.NaN;
  const attachments = message.attachments.map((attachment) =>
    compact({
      id: attachment.id,
      filename: attachment.filename.slice(0, 200),
      size: attachment.size,
      contentType: attachment.content_type,
      url: attachment.url,
    }),
  );
  const event: InboundEvent = {
    type: KnownEventTypes.chatMessage,
    ingress: { connector: DISCORD_CONNECTOR, source: 'discord-gateway', channel: message.channel_id },
    identity: {
      external: {
        id: message.author.id,
        platform: 'discord',
        login: message.author.username.toLowerCase().slice(0, 100),
        displayName: displayName || message.author.username.slice(0, 100),
        roles: mapRoles(message.guild_id, roleIds, options),
        badges: {},
      },
    },
    message: { id: message.id, text: message.content, ...(replyTo ? { replyTo } : {}) },
    externalEvent: { kind: 'discord.message_create', id: message.id, payload: message },
    details: compact({
      guildId: message.guild_id,
      channelId: message.channel_id,
      discordRoles: roleIds.length > 0 ? roleIds.slice(0, 50) : undefined,
      attachments: attachments.length > 0 ? attachments : undefined,
      replyParent: message.referenced_message
        ? compact({
            messageId: message.referenced_message.id,
            userId: message.referenced_message.author.id,
            login: message.referenced_message.author.username.toLowerCase(),
          })
        : undefined,
      sentAt: Number.isFinite(sentAt) ? sentAt : undefined,
    }),
  };
  return { ok: true, event };
}

function fail(error: string): DiscordNormalizeResult {
  return { ok: false, error, notAnEvent: false };
}

function compact(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined && value !== ''));
}
