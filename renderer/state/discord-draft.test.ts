import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCORD_SETTINGS } from '../../pipeline/core/protocol/discord.js';
import { fromDiscordDraft, toDiscordDraft } from './discord-draft.js';

describe('the Discord settings form', () => {
  it('round-trips the settings, role mapping included', () => {
    const settings = {
      guildId: '123456789012345678',
      channelIds: ['111', '222'],
      roleMap: { Mods: 'moderator' as const, '999': 'vip' as const },
      announceChannelId: '333',
    };
    expect(fromDiscordDraft(toDiscordDraft(settings))).toEqual({ ok: true, value: settings });
  });

  it('reads channel ids separated by lines, commas or spaces', () => {
    const draft = { ...toDiscordDraft(DEFAULT_DISCORD_SETTINGS), channelIds: '111,\n222 333' };
    expect(fromDiscordDraft(draft)).toMatchObject({ ok: true, value: { channelIds: ['111', '222', '333'] } });
  });

  it('names each bad field with the schema message', () => {
    const result = fromDiscordDraft({
      guildId: 'my server',
      channelIds: '111\ngeneral',
      roles: [
        { discordRole: 'Mods', role: 'moderator' },
        { discordRole: '', role: 'vip' },
        { discordRole: 'Mods', role: 'vip' },
      ],
      announceChannelId: '#announce',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        guildId: 'must be a Discord id (digits)',
        channelIds: 'general: must be a Discord id (digits)',
        announceChannelId: 'must be a Discord id (digits)',
        'roleMap.1': 'name the Discord role (its id or its name)',
        'roleMap.2': 'Mods is mapped twice',
      },
    });
  });
});
