/**
 * Twitch chat (IRC) → `InboundEvent`. ONE code path: the live connector hands over what tmi.js emits
 * as `raw_message` (its own parser's output, before tmi.js rewrites the tags), and
 * `bitbrat replay --format irc` parses each file line with the same tmi.js parser. So a replayed line
 * and a live line normalize identically.
 *
 * Message formats: https://dev.twitch.tv/docs/chat/irc/ , tags: https://dev.twitch.tv/docs/chat/irc-tags/
 * Facts live in fixed places: `identity.external.{id, login, displayName, roles, badges}`,
 * `message.{id, text, emotes, replyTo}`, type-specific facts in `details`, and every tag (unescaped,
 * known or not) in `externalEvent.payload.tags` for audit.
 */
import { createRequire } from 'node:module';
import { KnownEventTypes, type InboundEvent } from '../../../core/envelope.js';
import type { LineParseResult } from '../../../core/protocol/pipeline.js';
import {
  intTag,
  parseBadges,
  parseEmotes,
  rolesFrom,
  unescapeTags,
  type EmoteRange,
  type RawIrcTags,
} from './irc-tags.js';
import { TWITCH_CHAT_CONNECTOR } from '../../../core/protocol/twitch.js';

/** Re-exported: the connectors and their tests import it from here. */
export { TWITCH_CHAT_CONNECTOR };

/** Longest line accepted: Twitch allows 8 KiB of tags plus a 512-byte message; leave generous headroom. */
export const MAX_IRC_LINE = 64 * 1024;
/** Login names are 4-25 ASCII word characters; display names may be CJK or contain emoji. */
const LOGIN = /^[a-z0-9_]{1,40}$/i;

/** The object tmi.js's parser returns (and tmi.js emits as `raw_message`). */
export interface ParsedIrcMessage {
  raw: string;
  tags: RawIrcTags;
  prefix: string | null;
  command: string | null;
  params: string[];
}

export type IrcNormalizeResult =
  | { ok: true; event: InboundEvent }
  /** `notAnEvent`: a well-formed line that carries no pipeline event (PING, ROOMSTATE, JOIN ...). */
  | { ok: false; error: string; notAnEvent: boolean };

interface TmiParser {
  msg(line: string): ParsedIrcMessage | null;
}
// tmi.js is CommonJS with no types for its parser module; it is the same parser its client runs.
const tmiParser = createRequire(import.meta.url)('tmi.js/lib/parser.js') as TmiParser;

/** Parses one raw line exactly as tmi.js does on the live socket, then normalizes it. Never throws. */
export function normalizeIrcLine(line: string): IrcNormalizeResult {
  const trimmed = line.replace(/\r?\n$/, '');
  if (trimmed.trim() === '') return fail('empty line');
  if (trimmed.length > MAX_IRC_LINE) return fail(`line longer than ${MAX_IRC_LINE} characters`);
  let parsed: ParsedIrcMessage | null;
  try {
    parsed = tmiParser.msg(trimmed);
  } catch (error) {
    return fail(`unparsable IRC line: ${String(error)}`);
  }
  if (!parsed) return fail('malformed IRC line (tmi.js parser rejected it)');
  return normalizeIrcMessage(parsed);
}

/** Normalizes one message as tmi.js parsed it. Never throws: a bad message gets a reason. */
/** A raw IRC line as a replay input line: the event, or the reason it is not one. */
export function parseIrcReplayLine(line: string): LineParseResult {
  const result = normalizeIrcLine(line);
  return result.ok ? { ok: true, value: result.event } : { ok: false, error: result.error };
}

export function normalizeIrcMessage(parsed: ParsedIrcMessage): IrcNormalizeResult {
  try {
    return normalizeUnsafe(parsed);
  } catch (error) {
    return fail(`could not normalize ${parsed?.command ?? 'message'}: ${String(error)}`);
  }
}

function normalizeUnsafe(parsed: ParsedIrcMessage): IrcNormalizeResult {
  if (!parsed || typeof parsed !== 'object' || typeof parsed.command !== 'string') {
    return fail('not an IRC message (no command)');
  }
  const command = parsed.command.toUpperCase();
  const params = Array.isArray(parsed.params) ? parsed.params.filter((p) => typeof p === 'string') : [];
  const tags = unescapeTags(parsed.tags && typeof parsed.tags === 'object' ? parsed.tags : {});
  const context: Context = { command, params, tags, prefix: parsed.prefix ?? null };
  switch (command) {
    case 'PRIVMSG':
      return privmsg(context);
    case 'USERNOTICE':
      return usernotice(context);
    case 'CLEARCHAT':
      return clearchat(context);
    case 'CLEARMSG':
      return clearmsg(context);
    case 'NOTICE':
      return notice(context);
    default:
      // Twitch commands are letters or a 3-digit numeric; anything else is a garbled line, not a quiet skip.
      return /^([A-Z]{2,20}|\d{3})$/.test(command)
        ? { ok: false, error: `not an event: ${command}`, notAnEvent: true }
        : fail(`malformed IRC line: ${JSON.stringify(command.slice(0, 40))} is not an IRC command`);
  }
}

interface Context {
  command: string;
  params: string[];
  tags: Record<string, string>;
  prefix: string | null;
}

function fail(error: string): IrcNormalizeResult {
  return { ok: false, error, notAnEvent: false };
}

function channelOf(context: Context, required = true): string | IrcNormalizeResult {
  const target = context.params[0];
  if (target === '*' && !required) return '*';
  if (!target || !target.startsWith('#') || target.length < 2) {
    return fail(`${context.command}: missing channel (#login) parameter`);
  }
  return target.slice(1).toLowerCase().slice(0, 100);
}

/** The login in `:login!login@login.tmi.twitch.tv`. */
function prefixLogin(prefix: string | null): string | undefined {
  if (!prefix) return undefined;
  const nick = prefix.split('!')[0] ?? '';
  return LOGIN.test(nick) && nick !== 'tmi.twitch.tv' ? nick.toLowerCase() : undefined;
}

function userIdentity(context: Context): InboundEvent['identity'] | string {
  const { tags } = context;
  const login = (tags['login'] || prefixLogin(context.prefix) || '').toLowerCase();
  const id = tags['user-id'];
  if (!id) return `${context.command}: missing user-id tag`;
  if (!login) return `${context.command}: missing login (no login tag and no nick prefix)`;
  const badges = parseBadges(tags['badges']);
  return {
    external: {
      id: id.slice(0, 100),
      platform: 'twitch',
      login: login.slice(0, 100),
      displayName: (tags['display-name']?.trim() || login).slice(0, 100),
      roles: rolesFrom(badges, tags),
      badges,
    },
  };
}

/** Events that no chatter caused (a room clear, a notice) are attributed to the room itself. */
function roomIdentity(channel: string, tags: Record<string, string>): InboundEvent['identity'] {
  return {
    external: {
      id: tags['room-id'] || `channel:${channel}`,
      platform: 'twitch',
      login: channel,
      displayName: channel,
      roles: [],
      badges: {},
    },
  };
}

function base(
  context: Context,
  type: string,
  channel: string,
  identity: InboundEvent['identity'],
  kind: string,
): InboundEvent {
  const messageId = context.tags['id'] || undefined;
  return {
    type,
    ingress: { connector: TWITCH_CHAT_CONNECTOR, source: 'twitch-irc', channel },
    identity,
    externalEvent: {
      kind,
      ...(messageId ? { id: messageId.slice(0, 100) } : {}),
      payload: { command: context.command, channel, tags: context.tags, params: context.params.slice(1) },
    },
  };
}

/** Months subscribed, from badge-info (`subscriber/14` or `founder/14`). */
function badgeMonths(tags: Record<string, string>): number | undefined {
  const info = parseBadges(tags['badge-info']);
  const months = info['subscriber'] ?? info['founder'];
  return months && /^\d{1,6}$/.test(months) ? Number(months) : undefined;
}

function compact(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined && value !== ''));
}

function sentAt(tags: Record<string, string>): number | undefined {
  return intTag(tags, 'tmi-sent-ts');
}

/** `\u0001ACTION waves\u0001` is `/me waves` (a CTCP ACTION). */
const CTCP_ACTION = '\u0001ACTION ';
function actionText(text: string): { text: string; action: boolean } {
  if (!text.startsWith(CTCP_ACTION)) return { text, action: false };
  const inner = text.slice(CTCP_ACTION.length);
  return { text: inner.endsWith('\u0001') ? inner.slice(0, -1) : inner, action: true };
}

function messageOf(id: string | undefined, text: string, emotes: EmoteRange[], replyTo: string | undefined) {
  return {
    ...(id ? { id: id.slice(0, 100) } : {}),
    text,
    ...(emotes.length > 0 ? { emotes } : {}),
    ...(replyTo ? { replyTo: replyTo.slice(0, 100) } : {}),
  };
}

function privmsg(context: Context): IrcNormalizeResult {
  const channel = channelOf(context);
  if (typeof channel !== 'string') return channel;
  const identity = userIdentity(context);
  if (typeof identity === 'string') return fail(identity);
  const body = context.params[1];
  if (body === undefined) return fail('PRIVMSG: missing message text');
  const { tags } = context;
  const { text, action } = actionText(body);
  const replyTo = tags['reply-parent-msg-id'] || undefined;
  const event = base(context, KnownEventTypes.chatMessage, channel, identity, 'irc.privmsg');
  event.message = messageOf(tags['id'], text, parseEmotes(tags['emotes']), replyTo);
  // A cheer arrives as a chat message with a `bits` tag. It stays chat.message.v1 (the bot may answer it)
  // with the cheer's facts in details; twitch.cheer.v1 comes from EventSub channel.cheer, so a channel
  // with both connectors does not count one cheer twice.
  const bits = intTag(tags, 'bits');
  event.details = compact({
    bits,
    cheer: bits !== undefined && bits > 0 ? true : undefined,
    months: badgeMonths(tags),
    firstMessage: tags['first-msg'] === '1' ? true : undefined,
    returningChatter: tags['returning-chatter'] === '1' ? true : undefined,
    rewardId: tags['custom-reward-id'],
    action: action ? true : undefined,
    color: tags['color'],
    sentAt: sentAt(tags),
    replyParent: replyTo
      ? compact({
          messageId: replyTo,
          userId: tags['reply-parent-user-id'],
          login: tags['reply-parent-user-login'],
          displayName: tags['reply-parent-display-name'],
          text: tags['reply-parent-msg-body'],
        })
      : undefined,
    threadParentId: tags['reply-thread-parent-msg-id'],
  });
  return { ok: true, event };
}

const SUB_KINDS = new Set(['sub', 'resub']);
const GIFT_KINDS = new Set(['subgift', 'anonsubgift']);
const MYSTERY_GIFT_KINDS = new Set(['submysterygift', 'anonsubmysterygift']);

function usernotice(context: Context): IrcNormalizeResult {
  const channel = channelOf(context);
  if (typeof channel !== 'string') return channel;
  const { tags } = context;
  const kind = tags['msg-id'] || 'unknown';
  // Anonymous gifts come from the "AnAnonymousGifter" account, which has a user id like everyone else.
  const identity = userIdentity(context);
  if (typeof identity === 'string') return fail(identity);
  const userText = context.params[1];
  const plan = tags['msg-param-sub-plan'];
  const common = {
    noticeKind: kind,
    systemMessage: tags['system-msg'],
    sentAt: sentAt(tags),
  };
  let type: string;
  let details: Record<string, unknown>;
  if (SUB_KINDS.has(kind)) {
    type = KnownEventTypes.sub;
    details = {
      ...common,
      months: intTag(tags, 'msg-param-cumulative-months') ?? badgeMonths(tags),
      streakMonths: tags['msg-param-should-share-streak'] === '1' ? intTag(tags, 'msg-param-streak-months') : undefined,
      plan,
      planName: tags['msg-param-sub-plan-name'],
      prime: plan === 'Prime' ? true : undefined,
    };
  } else if (GIFT_KINDS.has(kind)) {
    type = KnownEventTypes.subGift;
    details = {
      ...common,
      anonymous: kind === 'anonsubgift' || tags['login'] === 'ananonymousgifter' ? true : undefined,
      giftCount: 1,
      recipient: compact({
        id: tags['msg-param-recipient-id'],
        login: tags['msg-param-recipient-user-name']?.toLowerCase(),
        displayName: tags['msg-param-recipient-display-name'],
      }),
      giftMonths: intTag(tags, 'msg-param-gift-months'),
      recipientMonths: intTag(tags, 'msg-param-months'),
      senderTotal: intTag(tags, 'msg-param-sender-count'),
      plan,
      planName: tags['msg-param-sub-plan-name'],
      communityGiftId: tags['msg-param-community-gift-id'],
    };
  } else if (MYSTERY_GIFT_KINDS.has(kind)) {
    type = KnownEventTypes.subGift;
    details = {
      ...common,
      anonymous: kind === 'anonsubmysterygift' || tags['login'] === 'ananonymousgifter' ? true : undefined,
      mystery: true,
      giftCount: intTag(tags, 'msg-param-mass-gift-count'),
      senderTotal: intTag(tags, 'msg-param-sender-count'),
      plan,
      communityGiftId: tags['msg-param-community-gift-id'],
    };
  } else if (kind === 'raid') {
    type = KnownEventTypes.raid;
    details = {
      ...common,
      viewers: intTag(tags, 'msg-param-viewerCount'),
      raider: compact({
        id: tags['user-id'],
        login: (tags['msg-param-login'] || tags['login'])?.toLowerCase(),
        displayName: tags['msg-param-displayName'] || tags['display-name'],
      }),
    };
  } else if (kind === 'announcement') {
    type = KnownEventTypes.announcement;
    details = { ...common, color: tags['msg-param-color'] };
  } else {
    // ritual, bitsbadgetier, giftpaidupgrade, viewermilestone, ... and kinds Twitch adds later: kept,
    // with every msg-param-* tag in externalEvent.payload.tags.
    type = KnownEventTypes.notice;
    details = { ...common, source: 'usernotice' };
  }
  const event = base(context, type, channel, identity, `irc.usernotice.${kind.slice(0, 50)}`);
  if (userText !== undefined && userText !== '') {
    event.message = messageOf(tags['id'], userText, parseEmotes(tags['emotes']), undefined);
  }
  event.details = compact(details);
  return { ok: true, event };
}

function clearchat(context: Context): IrcNormalizeResult {
  const channel = channelOf(context);
  if (typeof channel !== 'string') return channel;
  const { tags } = context;
  const targetLogin = context.params[1]?.toLowerCase();
  const duration = intTag(tags, 'ban-duration');
  const action = !targetLogin ? 'clear' : duration !== undefined ? 'timeout' : 'ban';
  const event = base(context, KnownEventTypes.moderationAction, channel, roomIdentity(channel, tags), `irc.clearchat`);
  event.details = compact({
    action,
    targetUserId: tags['target-user-id'],
    targetLogin,
    durationSeconds: duration,
    sentAt: sentAt(tags),
  });
  return { ok: true, event };
}

function clearmsg(context: Context): IrcNormalizeResult {
  const channel = channelOf(context);
  if (typeof channel !== 'string') return channel;
  const { tags } = context;
  const targetMessageId = tags['target-msg-id'];
  if (!targetMessageId) return fail('CLEARMSG: missing target-msg-id tag');
  const event = base(context, KnownEventTypes.moderationAction, channel, roomIdentity(channel, tags), 'irc.clearmsg');
  event.details = compact({
    action: 'delete',
    targetMessageId,
    targetLogin: tags['login']?.toLowerCase(),
    deletedText: context.params[1],
    sentAt: sentAt(tags),
  });
  return { ok: true, event };
}

function notice(context: Context): IrcNormalizeResult {
  const channel = channelOf(context, false);
  if (typeof channel !== 'string') return channel;
  const { tags } = context;
  const event = base(context, KnownEventTypes.notice, channel, roomIdentity(channel, tags), 'irc.notice');
  event.details = compact({ source: 'notice', noticeKind: tags['msg-id'] || 'unknown', text: context.params[1] });
  return { ok: true, event };
}
