/**
 * Discord out: the egress service `discord`. A reply to a Discord message goes back to its channel as a
 * reply to it; any other event a rule sends here (going live, "approved reply → Discord too") is a
 * cross-post to the announce channel. Long text is split at Discord's 2,000-character limit on word
 * boundaries; the parts go out in order through discord.js's REST client (@discordjs/rest), whose per-route queue honours Discord's
 * rate limits (it waits out a 429's `retry_after` and sends again). Each delivery is claimed in the
 * deliveries ledger first, so a reply is never posted twice, even after a crash and a re-dispatch.
 *
 * Mentions are off (`allowed_mentions.parse: []`): a reply quoting chat text can never ping @everyone or
 * a role. Only the author of the message replied to is notified, as Discord's own reply does.
 */
import type { REST } from '@discordjs/rest';
import type { DiscordWorkerConfig } from '../../../core/protocol/discord.js';
import type { Service, StepOutcome } from '../../../core/service.js';
import { selectedCandidate } from '../../../core/slip.js';
import { deliveryKey, type DeliveryLedger } from '../../services/console-delivery.js';
import { splitForChat } from '../twitch/chat-text.js';
import { DISCORD_CONNECTOR } from './discord-normalize.js';

/** Discord's limit for one message's content. */
export const DISCORD_MESSAGE_LIMIT = 2000;

export const DISCORD_NOT_LINKED = 'Discord is not linked (no bot token or no server chosen)';

export interface DiscordDelivery extends Service {
  configure(config: DiscordWorkerConfig | null): Promise<void>;
}

export function createDiscordDelivery(deps: {
  ledger: DeliveryLedger;
  now?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}): DiscordDelivery {
  const now = deps.now ?? Date.now;
  let current: { config: DiscordWorkerConfig; rest: REST } | null = null;

  return {
    id: DISCORD_CONNECTOR,
    phase: 'egress',
    async configure(config) {
      if (!config) {
        current = null;
        return;
      }
      // Imported on first use, and only the REST client (not all of discord.js, which takes about a
      // second to load): the egress worker answers the supervisor's pings meanwhile.
      const { REST } = await import('@discordjs/rest');
      const rest = new REST({ ...(config.apiUrl ? { api: config.apiUrl } : {}) }).setToken(config.token);
      current = { config, rest };
    },
    async run(event): Promise<StepOutcome> {
      const link = current;
      if (!link) return { status: 'SKIP', notes: [DISCORD_NOT_LINKED] };
      const candidate = selectedCandidate(event);
      if (!candidate) return { status: 'SKIP', notes: ['no selected reply'] };
      const fromDiscord = event.ingress.connector === DISCORD_CONNECTOR;
      const channel = fromDiscord
        ? event.egress?.connector === DISCORD_CONNECTOR
          ? event.egress.channel
          : event.ingress.channel
        : link.config.settings.announceChannelId;
      if (!channel) return { status: 'SKIP', notes: ['no Discord announce channel set for cross-posts'] };
      const replyTo = fromDiscord ? (event.egress?.replyTo ?? event.message?.id) : undefined;
      const text = (candidate.finalText ?? candidate.text).trim();
      if (text === '')
        return { status: 'OK', delivery: { connector: DISCORD_CONNECTOR, status: 'dropped', detail: 'empty reply' } };
      const key = deliveryKey(event.id, DISCORD_CONNECTOR);
      if (!(await deps.ledger.claim({ key, eventId: event.id, connector: DISCORD_CONNECTOR, text, at: now() }))) {
        return {
          status: 'OK',
          delivery: {
            connector: DISCORD_CONNECTOR,
            status: 'duplicate',
            detail: 'already sent before a restart; not sent again',
          },
        };
      }
      const { Routes } = await import('discord-api-types/v10');
      const parts = splitForChat(text, DISCORD_MESSAGE_LIMIT);
      let sent = 0;
      let failure: string | null = null;
      for (const [index, part] of parts.entries()) {
        try {
          await link.rest.post(Routes.channelMessages(channel), {
            body: {
              content: part,
              allowed_mentions: { parse: [], replied_user: true },
              // The first part answers the message; the rest follow it in the channel.
              ...(replyTo && index === 0
                ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } }
                : {}),
            },
          });
          sent += 1;
        } catch (error) {
          failure = `Discord refused it: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500);
          break;
        }
      }
      const where = `${sent}/${parts.length} part(s) to Discord channel ${channel}${replyTo ? ` in reply to ${replyTo}` : ''}`;
      await deps.ledger.finish({
        key,
        status: failure ? 'dropped' : 'sent',
        ...(failure ? { detail: failure } : {}),
        at: now(),
      });
      if (failure) deps.log?.('warn', `discord: ${failure}`);
      return {
        status: 'OK',
        notes: [where],
        delivery: failure
          ? { connector: DISCORD_CONNECTOR, status: 'dropped', detail: failure, parts: sent }
          : { connector: DISCORD_CONNECTOR, status: 'sent', parts: parts.length },
      };
    },
  };
}
