/**
 * The egress service `twitch-chat` as the egress worker runs it: always registered (so rules can name
 * it), sending only while the host says a bot account is linked. Without one it SKIPs with
 * "no bot account linked" — the reply still reaches the console through the next step — never an error.
 *
 * Each send is claimed in the delivery ledger (SQLite) before it leaves, so a reply is never sent twice,
 * even when the egress worker crashed mid-send and the router re-dispatched the step.
 */
import type { TwitchWorkerConfig } from '../../core/protocol/twitch.js';
import { StepFailure, type Service, type StepOutcome } from '../../core/service.js';
import { selectedCandidate } from '../../core/slip.js';
import { createTwitchChatEgress, type TwitchChatEgress } from '../connectors/twitch/chat-egress.js';
import { TmiChatSender, type ChatSender } from '../connectors/twitch/chat-sender.js';
import { HelixChatSender } from '../connectors/twitch/helix-chat.js';
import { TWITCH_CHAT_CONNECTOR } from '../connectors/twitch/irc-normalize.js';
import { deliveryKey, type DeliveryLedger } from '../services/console-delivery.js';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export const NO_BOT_LINKED = 'no bot account linked';

export interface TwitchChatDelivery extends Service {
  /** The host's latest Twitch config: starts, replaces or stops the bot's chat connection. */
  configure(config: TwitchWorkerConfig | null): Promise<void>;
}

export interface TwitchChatDeliveryDeps {
  ledger: DeliveryLedger;
  log: Log;
  now?: () => number;
  joinTimeoutMs?: number;
}

/** The bot's way out: its own tmi.js socket, or Helix Send Chat Message (the `chatTransport`). */
interface BotSender extends ChatSender {
  start(): Promise<void>;
  stop(): Promise<void>;
  isConnected(): boolean;
}

interface Connection {
  key: string;
  token: string;
  sender: BotSender;
  egress: TwitchChatEgress;
}

export function createTwitchChatDelivery(deps: TwitchChatDeliveryDeps): TwitchChatDelivery {
  const now = deps.now ?? Date.now;
  let config: TwitchWorkerConfig | null = null;
  let connection: Connection | null = null;
  let configuring: Promise<void> = Promise.resolve();

  async function reconnect(next: TwitchWorkerConfig | null): Promise<void> {
    config = next;
    const bot = next?.bot ?? null;
    const key =
      next && bot
        ? JSON.stringify(
            next.chatTransport === 'eventsub'
              ? ['helix', bot.userId, next.helixUrl, next.clientId, next.channel]
              : ['irc', bot.login, next.irc, next.channel],
          )
        : null;
    // Same account and server: the sender reads the refreshed token itself at its next (re)connect.
    // A sender that Twitch refused (tmi.js then stops reconnecting) is replaced once a new token arrives.
    const dead = connection !== null && !connection.sender.isConnected() && bot?.accessToken !== connection.token;
    if (connection && connection.key === key && !dead) return;
    const old = connection;
    connection = null;
    await old?.sender.stop();
    if (!next || !bot || key === null) return;
    const token = () => config?.bot?.accessToken ?? bot.accessToken;
    const broadcaster = next.broadcaster?.login === next.channel ? next.broadcaster : null;
    const sender: BotSender =
      next.chatTransport === 'eventsub'
        ? new HelixChatSender({
            clientId: next.clientId,
            senderId: bot.userId,
            ...(broadcaster ? { broadcasterId: broadcaster.userId } : {}),
            channel: next.channel,
            token,
            baseUrl: next.helixUrl,
          })
        : new TmiChatSender({
            login: bot.login,
            token,
            channels: next.channel ? [next.channel] : [],
            server: next.irc,
            ...(deps.joinTimeoutMs !== undefined ? { joinTimeoutMs: deps.joinTimeoutMs } : {}),
          });
    connection = { key, token: bot.accessToken, sender, egress: createTwitchChatEgress({ sender }) };
    try {
      await sender.start();
      deps.log(
        'info',
        `twitch-chat: the bot ${bot.login} sends over ${next.chatTransport === 'eventsub' ? 'Helix' : 'IRC'}`,
      );
    } catch (error) {
      deps.log('warn', `twitch-chat: the bot ${bot.login} could not connect`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  return {
    id: TWITCH_CHAT_CONNECTOR,
    phase: 'egress',
    configure(next) {
      const run = configuring.then(() => reconnect(next));
      configuring = run.catch(() => undefined);
      return run;
    },
    async run(event, context): Promise<StepOutcome> {
      const target = event.egress ?? { connector: event.ingress.connector };
      if (target.connector !== TWITCH_CHAT_CONNECTOR) {
        return { status: 'SKIP', notes: [`egress target is ${target.connector}, not ${TWITCH_CHAT_CONNECTOR}`] };
      }
      const current = connection;
      if (!current) return { status: 'SKIP', notes: [NO_BOT_LINKED] };
      const candidate = selectedCandidate(event);
      if (!candidate) return { status: 'SKIP', notes: ['no selected reply'] };
      // Before the claim: a retry after this failure can still send.
      if (!current.sender.isConnected()) {
        throw new StepFailure('twitch-chat.not-connected', 'the bot is not connected to Twitch chat', true);
      }
      const key = deliveryKey(event.id, TWITCH_CHAT_CONNECTOR);
      const text = candidate.finalText ?? candidate.text;
      const fresh = await deps.ledger.claim({
        key,
        eventId: event.id,
        connector: TWITCH_CHAT_CONNECTOR,
        text,
        at: now(),
      });
      if (!fresh) {
        return {
          status: 'OK',
          delivery: {
            connector: TWITCH_CHAT_CONNECTOR,
            status: 'duplicate',
            detail: 'already sent before a restart; not sent again',
          },
        };
      }
      let outcome: StepOutcome;
      try {
        outcome = await current.egress.run(event, context);
      } catch (error) {
        // Claimed but not sent: recorded as dropped, never retried (a retry could double-send).
        const detail = error instanceof Error ? error.message : String(error);
        await deps.ledger.finish({ key, status: 'dropped', detail, at: now() });
        return { status: 'OK', delivery: { connector: TWITCH_CHAT_CONNECTOR, status: 'dropped', detail } };
      }
      const delivery = outcome.delivery;
      await deps.ledger.finish({
        key,
        status: delivery?.status === 'sent' ? 'sent' : 'dropped',
        ...(delivery?.detail ? { detail: delivery.detail } : {}),
        at: now(),
      });
      return outcome;
    },
    async close() {
      await configuring;
      const old = connection;
      connection = null;
      await old?.sender.stop();
    },
  };
}
