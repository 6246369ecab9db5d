/**
 * The HostApi's connection methods: Twitch accounts (device-code login), the Discord bot token and
 * the OBS password. Secrets go to the secret store, never SQLite; the workers get them in memory.
 */
import type { HostApi } from '../../../core/host-api.js';
import type { DiscordLink } from '../../discord-integration/discord-link.js';
import { SECRET_NAMES } from '../../twitch-integration/secret-store.js';
import type { TwitchIntegration } from '../../twitch-integration/twitch-accounts.js';
import { storeSecret, type HostApiDeps } from './host-api-deps.js';

type ConnectionsMethod =
  'twitch.login.start' | 'twitch.accounts' | 'twitch.logout' | 'discord.setToken' | 'obs.setPassword';

export function createConnectionsApi(
  deps: Pick<HostApiDeps, 'secrets' | 'workerConfig'> & {
    twitch: Pick<TwitchIntegration, 'loginStart' | 'accounts' | 'logout'>;
    discord: Pick<DiscordLink, 'setToken'>;
  },
): Pick<HostApi, ConnectionsMethod> {
  const { twitch, discord } = deps;
  return {
    'twitch.login.start': ({ account }) => twitch.loginStart(account),
    'twitch.accounts': async () => twitch.accounts(),
    'twitch.logout': ({ account }) => twitch.logout(account),
    'discord.setToken': ({ token }) => discord.setToken(token),
    'obs.setPassword': async ({ password }) => {
      const stored = await storeSecret(deps.secrets, SECRET_NAMES.obsPassword, password, 'password');
      if (!stored.ok) return stored;
      await deps.workerConfig.obs();
      return { ok: true, message: password ? 'OBS password stored' : 'OBS password removed' };
    },
  };
}
