/**
 * Twitch as the reaction worker uses it: Helix with the linked broadcaster's token, for `{game}`,
 * `{title}`, `{followage}` and `!so`. The host pushes the same Twitch config it gives ingress and egress
 * (tokens in memory only, pushed again after every refresh); without a linked broadcaster there is no
 * client, and the features say "(… unknown: link the broadcaster account …)".
 */
import type { TwitchWorkerConfig } from '../../core/protocol/twitch.js';
import { createHelixChannel, type HelixChannel } from '../connectors/twitch/helix-channel.js';

export interface ReactionTwitch {
  configure(config: TwitchWorkerConfig | null): void;
  /** The Helix client for the linked broadcaster; undefined while none is linked. */
  helix(): HelixChannel | undefined;
  /** The linked broadcaster's login and scopes (for "needs scope X" notes). */
  broadcaster(): { login: string; userId: string; scopes: readonly string[] } | undefined;
}

export function createReactionTwitch(options: { fetch?: typeof fetch } = {}): ReactionTwitch {
  let config: TwitchWorkerConfig | null = null;
  let client: { key: string; helix: HelixChannel } | undefined;
  return {
    configure(next) {
      config = next;
      const broadcaster = next?.broadcaster;
      if (!next || !broadcaster) {
        client = undefined;
        return;
      }
      // A refreshed token keeps the client (and its cache); another account or server replaces it.
      const key = JSON.stringify([broadcaster.userId, next.clientId, next.helixUrl]);
      if (client?.key === key) return;
      client = {
        key,
        helix: createHelixChannel({
          clientId: next.clientId,
          broadcasterId: broadcaster.userId,
          token: () => config?.broadcaster?.accessToken ?? broadcaster.accessToken,
          scopes: () => config?.broadcaster?.scopes ?? broadcaster.scopes,
          baseUrl: next.helixUrl,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      };
    },
    helix: () => client?.helix,
    broadcaster() {
      const linked = config?.broadcaster;
      return linked ? { login: linked.login, userId: linked.userId, scopes: linked.scopes } : undefined;
    },
  };
}
