/**
 * Twitch EventSub over WebSocket: the real @twurple/eventsub-ws listener (session welcome, keepalive
 * timeout → reconnect, `session_reconnect` with overlap, revocation) with @twurple/api creating the
 * subscriptions the granted scopes allow (scopes.ts). Each notification is normalized by
 * eventsub-normalize.ts and handed to the ingress sink.
 *
 * - Twitch delivers at least once and may redeliver a notification with the same message id
 *   (https://dev.twitch.tv/docs/eventsub/#handling-duplicate-events): a bounded set of recent ids drops
 *   the repeats, across reconnects and for as long as the connector runs.
 * - We take the raw `payload.event` and message id where twurple's socket hands them over
 *   (`_handleSingleEventPayload`, declared in its typings), not twurple's event classes: the envelope
 *   keeps Twitch's own payload for audit, and the message id is the dedupe key.
 * - Health is honest: `connected` only after a session welcome, `reconnecting` when the socket dropped or
 *   its keepalive timed out (twurple reconnects at once, then with Fibonacci backoff), `failed` when Twitch
 *   revoked our authorization or no subscription could be created.
 */
import type { EventSubWsListener } from '@twurple/eventsub-ws';
import type { ApiClient } from '@twurple/api';
import type { EventSubSubscription } from '@twurple/eventsub-base';
import type { ConnectorHealth } from '../../../core/protocol/pipeline.js';
import type { InboundConnector, IngressSink } from '../connector.js';
import { normalizeEventSubNotification, TWITCH_EVENTSUB_CONNECTOR } from './eventsub-normalize.js';
import { RecentIds } from './recent-ids.js';
import { subscriptionsForScopes, type EventSubSubscriptionSpec } from './scopes.js';

export interface TwitchEventSubConnectorOptions {
  /** The connector's id in the health list (default `twitch-eventsub`; the bot's chat socket is `twitch-chat`). */
  id?: string;
  /**
   * The subscriptions to create; default: the channel events `grantedScopes` allow (scopes.ts). The bot's
   * chat reader passes EVENTSUB_CHAT_SUBSCRIPTIONS (condition: broadcaster + the bot as `user_id`).
   */
  subscriptions?: readonly EventSubSubscriptionSpec[];
  /** twurple ApiClient whose auth provider holds `userId`'s token (see helix-auth-provider.ts). */
  apiClient: ApiClient;
  broadcasterId: string;
  /** Whose token creates the subscriptions: the broadcaster, a moderator (follows/raids/stream only), or the bot (chat). */
  userId: string;
  /** Scopes granted to `userId`'s token; the subscriptions follow from them. */
  grantedScopes: readonly string[];
  /** Defaults to Twitch (wss://eventsub.wss.twitch.tv/ws). twurple ignores it when TWURPLE_MOCK_API_PORT is set. */
  url?: string;
  dedupeSize?: number;
  now?: () => number;
  onState?: (health: ConnectorHealth) => void;
  /** Twitch would not create a subscription (its type and Twitch's words). */
  onSubscriptionFailure?: (type: string, error: string) => void;
  /** Twitch revoked a subscription (authorization_revoked, user_removed, version_removed, ...). */
  onRevocation?: (revocation: { type: string; status: string }) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** Reasons Twitch gives when revoking: only the first needs the user to log in again. */
const AUTH_REVOKED = 'authorization_revoked';

type SubscribeFn = (listener: EventSubWsListener, broadcasterId: string, userId: string) => EventSubSubscription;
const noop = () => undefined;

/** Which twurple listener method creates each subscription of scopes.ts. */
const SUBSCRIBE: Record<string, SubscribeFn> = {
  'channel.follow': (l, b, u) => l.onChannelFollow(b, u, noop),
  'channel.subscribe': (l, b) => l.onChannelSubscription(b, noop),
  'channel.subscription.gift': (l, b) => l.onChannelSubscriptionGift(b, noop),
  'channel.subscription.message': (l, b) => l.onChannelSubscriptionMessage(b, noop),
  'channel.cheer': (l, b) => l.onChannelCheer(b, noop),
  'channel.raid': (l, b) => l.onChannelRaidTo(b, noop),
  'channel.channel_points_custom_reward_redemption.add': (l, b) => l.onChannelRedemptionAdd(b, noop),
  'stream.online': (l, b) => l.onStreamOnline(b, noop),
  'stream.offline': (l, b) => l.onStreamOffline(b, noop),
  'channel.ban': (l, b) => l.onChannelBan(b, noop),
  'channel.unban': (l, b) => l.onChannelUnban(b, noop),
  'channel.hype_train.begin': (l, b) => l.onChannelHypeTrainBeginV2(b, noop),
  'channel.hype_train.end': (l, b) => l.onChannelHypeTrainEndV2(b, noop),
  'channel.poll.begin': (l, b) => l.onChannelPollBegin(b, noop),
  'channel.poll.end': (l, b) => l.onChannelPollEnd(b, noop),
  'channel.prediction.begin': (l, b) => l.onChannelPredictionBegin(b, noop),
  'channel.prediction.end': (l, b) => l.onChannelPredictionEnd(b, noop),
  // Chat "as the user": the bot's token, condition {broadcaster_user_id, user_id: bot}.
  'channel.chat.message': (l, b, u) => l.onChannelChatMessage(b, u, noop),
  'channel.chat.notification': (l, b, u) => l.onChannelChatNotification(b, u, noop),
  'channel.chat.message_delete': (l, b, u) => l.onChannelChatMessageDelete(b, u, noop),
  'channel.chat.clear_user_messages': (l, b, u) => l.onChannelChatClearUserMessages(b, u, noop),
};

type Deliver = (subscription: EventSubSubscription, payload: Record<string, unknown>, id: string) => void;
type RawEventSubWsListener = EventSubWsListener;

/**
 * The listener with its notification entry point routed to us (raw payload + EventSub message id).
 * Loaded on first use: @twurple/eventsub-ws takes seconds to import on a busy machine, and the one
 * worker bundle is loaded by every pipeline worker, most of which never use it.
 */
let listenerClass: Promise<
  new (config: ConstructorParameters<typeof EventSubWsListener>[0], deliver: Deliver) => RawEventSubWsListener
> | null = null;
function loadListenerClass() {
  listenerClass ??= import('@twurple/eventsub-ws').then(
    ({ EventSubWsListener: Base }) =>
      class RawEventSubWsListener extends Base {
        constructor(
          config: ConstructorParameters<typeof EventSubWsListener>[0],
          private readonly deliver: Deliver,
        ) {
          super(config);
        }

        override _handleSingleEventPayload(
          subscription: EventSubSubscription,
          payload: Record<string, unknown>,
          messageId: string,
        ): void {
          this.deliver(subscription, payload, messageId);
        }
      },
  );
  return listenerClass;
}

export class TwitchEventSubConnector implements InboundConnector {
  readonly id: string;
  private listener: RawEventSubWsListener | null = null;
  private sink: IngressSink | null = null;
  private state: ConnectorHealth['state'] = 'idle';
  private detail: string | null = null;
  private lastEventAt: number | null = null;
  private sessionId: string | null = null;
  private readonly subscriptions = new Map<EventSubSubscription, EventSubSubscriptionSpec>();
  private readonly failedTypes = new Set<string>();
  private readonly revoked: Array<{ type: string; status: string }> = [];
  private readonly recent: RecentIds;
  private readonly now: () => number;
  /** Counters for the health detail and tests. */
  readonly stats = {
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    malformed: 0,
    welcomes: 0,
    disconnects: 0,
    subscriptionsCreated: 0,
    subscriptionsFailed: 0,
    revocations: 0,
  };

  constructor(private readonly options: TwitchEventSubConnectorOptions) {
    this.id = options.id ?? TWITCH_EVENTSUB_CONNECTOR;
    this.now = options.now ?? Date.now;
    this.recent = new RecentIds(options.dedupeSize ?? 10_000);
  }

  /** The subscriptions this connector asks for, from the granted scopes. */
  get plannedSubscriptions(): EventSubSubscriptionSpec[] {
    if (this.options.subscriptions) return [...this.options.subscriptions];
    return subscriptionsForScopes(this.options.grantedScopes, {
      tokenIsBroadcaster: this.options.userId === this.options.broadcasterId,
    });
  }

  /** Revocations seen since start (the console shows them; `authorization_revoked` needs a new login). */
  get revocations(): ReadonlyArray<{ type: string; status: string }> {
    return this.revoked;
  }

  async start(sink: IngressSink): Promise<void> {
    if (this.listener) throw new Error('twitch-eventsub connector already started');
    this.sink = sink;
    const log = this.options.log ?? noop;
    const RawEventSubWsListener = await loadListenerClass();
    const listener = new RawEventSubWsListener(
      {
        apiClient: this.options.apiClient,
        ...(this.options.url ? { url: this.options.url } : {}),
        logger: {
          custom: (level, message) =>
            level <= 1 ? log('error', message) : level === 2 ? log('warn', message) : log('info', message),
        },
      },
      (subscription, payload, messageId) => this.onNotification(subscription, payload, messageId),
    );
    this.listener = listener;
    listener.onUserSocketConnect(() => {
      if (this.state !== 'connected') this.setState('reconnecting', 'socket open, waiting for the session welcome');
    });
    listener.onUserSocketReady((_userId, sessionId) => {
      this.stats.welcomes += 1;
      this.sessionId = sessionId;
      this.setState('connected', this.summary());
    });
    listener.onUserSocketDisconnect((_userId, error) => {
      if (!this.listener) return;
      this.stats.disconnects += 1;
      this.sessionId = null;
      this.setState('reconnecting', `disconnected${error ? `: ${error.message}` : ''}; reconnecting`);
    });
    listener.onSubscriptionCreateSuccess((subscription) => {
      this.stats.subscriptionsCreated += 1;
      const spec = this.subscriptions.get(subscription);
      if (spec) this.failedTypes.delete(spec.type);
      if (this.state === 'connected') this.setState('connected', this.summary());
    });
    listener.onSubscriptionCreateFailure((subscription, error) => {
      this.stats.subscriptionsFailed += 1;
      const spec = this.subscriptions.get(subscription);
      if (spec) this.failedTypes.add(spec.type);
      log('warn', `EventSub ${spec?.type ?? subscription.id} not created: ${error.message}`);
      this.options.onSubscriptionFailure?.(spec?.type ?? subscriptionTypeOf(subscription.id), error.message);
      this.setState(this.state, this.summary());
    });
    listener.onRevoke((subscription, status) => {
      const spec = this.subscriptions.get(subscription);
      const revocation = { type: spec?.type ?? subscription.id, status: String(status) };
      this.stats.revocations += 1;
      this.revoked.push(revocation);
      this.subscriptions.delete(subscription);
      log('warn', `Twitch revoked EventSub ${revocation.type}: ${revocation.status}`);
      this.options.onRevocation?.(revocation);
      if (revocation.status === AUTH_REVOKED) {
        this.setState('failed', `Twitch revoked our authorization (${revocation.type}); log in again`);
      } else if (this.subscriptions.size === 0) {
        this.setState(
          'failed',
          `every EventSub subscription was revoked (last: ${revocation.type} ${revocation.status})`,
        );
      } else {
        this.setState(this.state, this.summary());
      }
    });

    for (const spec of this.plannedSubscriptions) {
      const subscribe = SUBSCRIBE[spec.type];
      if (!subscribe) continue;
      this.subscriptions.set(subscribe(listener, this.options.broadcasterId, this.options.userId), spec);
    }
    this.setState('reconnecting', 'connecting');
    listener.start();
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    listener?.stop();
    this.subscriptions.clear();
    this.sessionId = null;
    this.setState('idle', 'stopped');
  }

  health(): ConnectorHealth {
    return { id: this.id, state: this.state, lastEventAt: this.lastEventAt, detail: this.detail };
  }

  private summary(): string {
    const parts = [`${this.subscriptions.size} subscriptions`];
    if (this.sessionId) parts.push(`session ${this.sessionId}`);
    if (this.failedTypes.size > 0) parts.push(`not created: ${[...this.failedTypes].join(', ')}`);
    const last = this.revoked.at(-1);
    if (last) parts.push(`revoked: ${last.type} (${last.status})`);
    return parts.join('; ');
  }

  private setState(state: ConnectorHealth['state'], detail: string | null): void {
    // A revoked authorization stays failed until the connector is restarted with a new login.
    if (this.state === 'failed' && state !== 'idle' && this.detail?.includes('log in again')) return;
    const changed = state !== this.state || detail !== this.detail;
    this.state = state;
    this.detail = detail;
    if (changed) this.options.onState?.(this.health());
  }

  private onNotification(subscription: EventSubSubscription, payload: Record<string, unknown>, messageId: string) {
    const sink = this.sink;
    if (!sink || !this.listener) return;
    if (!this.recent.add(`msg:${messageId}`)) {
      this.stats.duplicates += 1;
      return;
    }
    const spec = this.subscriptions.get(subscription);
    const result = normalizeEventSubNotification({
      subscriptionType: spec?.type ?? subscriptionTypeOf(subscription.id),
      messageId,
      event: payload,
    });
    if (!result.ok) {
      this.stats.malformed += 1;
      this.options.log?.('warn', `EventSub notification dropped: ${result.error}`);
      return;
    }
    const submitted = sink.accept(result.event, JSON.stringify(payload).slice(0, 100_000));
    if (submitted.ok) {
      this.stats.accepted += 1;
      this.lastEventAt = this.now();
    } else {
      this.stats.rejected += 1;
    }
  }
}

/** twurple ids look like `channel.follow.<broadcaster>.<moderator>`: the type is the non-numeric prefix. */
function subscriptionTypeOf(id: string): string {
  return id
    .split('.')
    .filter((part) => !/^\d+$/.test(part))
    .join('.');
}
