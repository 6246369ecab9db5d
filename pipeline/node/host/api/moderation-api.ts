/**
 * The HostApi's user and moderation methods: the users list, ignoring a user (a setting), and the
 * platform's own moderation (time-out, ban, deleting a chat message) through Twitch Helix.
 */
import type { Envelope } from '../../../core/envelope.js';
import type { HostApi } from '../../../core/host-api.js';
import { moderationErrorForEvent } from '../../connectors/twitch/helix-moderation.js';
import { TWITCH_CHAT_CONNECTOR } from '../../connectors/twitch/irc-normalize.js';
import type { TwitchIntegration } from '../../twitch-integration/twitch-accounts.js';
import type { HostApiDeps } from './host-api-deps.js';

type ModerationAnswer = Awaited<ReturnType<TwitchIntegration['moderate']>>;

export function createModerationApi(
  deps: Pick<HostApiDeps, 'reader' | 'write' | 'log'> & {
    twitch: Pick<TwitchIntegration, 'moderate'>;
    /** Ignoring a user is a settings change like any other (validated, committed, reloaded). */
    setSetting: HostApi['settings.set'];
  },
): Pick<HostApi, 'users.list' | 'users.act' | 'events.deleteMessage'> {
  const { reader, log } = deps;

  /** A failed moderator action on a finished event is kept on it (`errors[]`). */
  const recordModerationError = async (event: Envelope, answer: ModerationAnswer, action: string) => {
    // The router owns events still in flight and would overwrite this; the answer tells the moderator.
    if (event.routing.stage !== 'terminal') return;
    const error = (answer.result && moderationErrorForEvent(answer.result)) ?? {
      at: Date.now(),
      source: 'helix-moderation',
      code: `moderation.${action}.unavailable`,
      message: answer.message.slice(0, 2000),
    };
    await deps.write([{ op: 'event.upsert', event: { ...event, errors: [...event.errors, error] } }]);
  };

  return {
    'users.list': async (params) => reader.listUsers({ search: params.search, limit: params.limit ?? 100 }),
    'users.act': async (params) => {
      const key = `${params.platform}:${params.externalId}`;
      if (params.action === 'ignore' || params.action === 'unignore') {
        const current = reader.loadSettings().ignoredUsers;
        const next =
          params.action === 'ignore' ? [...new Set([...current, key])] : current.filter((entry) => entry !== key);
        const saved = await deps.setSetting({ key: 'ignoredUsers', value: next });
        if (!saved.ok) return { ok: false, message: saved.error };
        log('info', `${params.moderator} ${params.action}d ${key}`);
        return {
          ok: true,
          message: params.action === 'ignore' ? 'ignored: the bot will not react to this user' : 'no longer ignored',
        };
      }
      if (params.platform !== 'twitch') {
        return {
          ok: false,
          message: `time-outs and bans go through Twitch; ${params.platform} users cannot get one`,
        };
      }
      const reason = params.reason ? { reason: params.reason } : {};
      const answer =
        params.action === 'timeout'
          ? await deps.twitch.moderate({
              kind: 'timeout',
              userId: params.externalId,
              seconds: params.seconds ?? 600,
              ...reason,
            })
          : await deps.twitch.moderate({ kind: 'ban', userId: params.externalId, ...reason });
      log(answer.ok ? 'info' : 'warn', `${params.moderator} ${params.action} ${key}: ${answer.message}`);
      return { ok: answer.ok, message: answer.message };
    },
    'events.deleteMessage': async ({ eventId, moderator }) => {
      const detail = reader.getEvent(eventId);
      if (!detail) return { ok: false, message: 'no such event' };
      const event = detail.event;
      if (event.ingress.connector !== TWITCH_CHAT_CONNECTOR || !event.message?.id) {
        return { ok: false, message: 'only Twitch chat messages (with their Twitch message id) can be deleted' };
      }
      const answer = await deps.twitch.moderate({ kind: 'delete', messageId: event.message.id });
      log(answer.ok ? 'info' : 'warn', `${moderator} deleted message ${event.message.id}: ${answer.message}`);
      if (!answer.ok) await recordModerationError(event, answer, 'delete');
      return { ok: answer.ok, message: answer.message };
    },
  };
}
