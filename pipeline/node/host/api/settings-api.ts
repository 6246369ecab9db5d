/**
 * The HostApi's settings methods. A change is validated as a whole settings object, committed,
 * and every worker that reads settings reloads them before the answer; a change that concerns a
 * connection (channel, Discord, OBS) re-publishes that connection's config.
 */
import { SettingsSchema, type HostApi, type Settings } from '../../../core/host-api.js';
import { describeIssues } from '../../../core/zod-issues.js';
import type { DiscordLink } from '../../discord-integration/discord-link.js';
import type { TwitchIntegration } from '../../twitch-integration/twitch-accounts.js';
import type { HostApiDeps } from './host-api-deps.js';

/** Settings the Twitch connections are made from: naming (or changing) the channel starts reading it at once. */
const TWITCH_KEYS: ReadonlySet<keyof Settings> = new Set<keyof Settings>([
  'channel',
  'twitchClientId',
  'twitchChatTransport',
]);

type SettingsChangeDeps = Pick<HostApiDeps, 'workerConfig'> & {
  twitch: Pick<TwitchIntegration, 'republish'>;
  discord: Pick<DiscordLink, 'republish'>;
};

/**
 * What follows a committed change of these settings (a `settings.set`, a configuration import):
 * every worker that reads settings reloads them, and the connections made from a changed key
 * pick up their new config.
 */
export async function afterSettingsChange(deps: SettingsChangeDeps, keys: readonly string[]): Promise<void> {
  await deps.workerConfig.reloadSettings();
  // A new client id is used for the next login.
  if (keys.some((key) => TWITCH_KEYS.has(key as keyof Settings))) await deps.twitch.republish();
  if (keys.includes('discord')) await deps.discord.republish();
  if (keys.includes('obs')) await deps.workerConfig.obs();
}

export function createSettingsApi(
  deps: Pick<HostApiDeps, 'reader' | 'write'> & SettingsChangeDeps,
): Pick<HostApi, 'settings.get' | 'settings.set'> {
  const { reader } = deps;
  return {
    'settings.get': async () => reader.loadSettings(),
    'settings.set': async ({ key, value }) => {
      const next = { ...reader.loadSettings(), [key]: value };
      const parsed = SettingsSchema.safeParse(next);
      if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
      await deps.write([{ op: 'setting.set', key, value: parsed.data[key] }]);
      await afterSettingsChange(deps, [key]);
      return { ok: true, value: parsed.data };
    },
  };
}
