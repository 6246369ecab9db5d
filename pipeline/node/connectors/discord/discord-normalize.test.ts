import { describe, expect, it } from 'vitest';
import { acceptInbound } from '../../../core/envelope.js';
import {
  CHANNEL_ID,
  GUILD_ID,
  MODS_ROLE_ID,
  discordDispatch,
  discordMessage,
} from '../../../../test/support/discord-examples.js';
import { normalizeDiscordDispatch } from './discord-normalize.js';

describe('Discord MESSAGE_CREATE normalization (replay --format discord and the live connector)', () => {
  it('puts the facts where the Twitch paths put them', () => {
    const result = normalizeDiscordDispatch(
      JSON.stringify(
        discordDispatch(
          discordMessage({
            message_reference: { message_id: '334385199974967041', channel_id: CHANNEL_ID, guild_id: GUILD_ID },
            referenced_message: { id: '334385199974967041', author: { id: '11', username: 'Bitbrat' }, content: 'hi' },
            attachments: [
              {
                id: '1001',
                filename: 'clip.png',
                size: 2048,
                url: 'https://cdn.discordapp.com/attachments/1/1001/clip.png',
                content_type: 'image/png',
              },
            ],
          }),
        ),
      ),
      { roleMap: { [MODS_ROLE_ID]: 'moderator' } },
    );
    if (!result.ok) throw new Error(result.error);
    const { event } = result;
    expect(event.type).toBe('chat.message.v1');
    expect(event.ingress).toMatchObject({ connector: 'discord', channel: CHANNEL_ID });
    expect(event.identity.external).toEqual({
      id: '53908099506183680',
      platform: 'discord',
      login: 'mightyalex',
      displayName: 'Mighty Alex',
      roles: ['moderator'],
      badges: {},
    });
    expect(event.message).toEqual({ id: '334385199974967042', text: '!hello', replyTo: '334385199974967041' });
    expect(event.details).toMatchObject({
      guildId: GUILD_ID,
      channelId: CHANNEL_ID,
      discordRoles: [MODS_ROLE_ID],
      attachments: [{ id: '1001', filename: 'clip.png', size: 2048, contentType: 'image/png' }],
      replyParent: { messageId: '334385199974967041', userId: '11', login: 'bitbrat' },
    });
    expect(acceptInbound(event, 0, () => '00000000-0000-4000-8000-000000000000').ok).toBe(true);
  });

  it('maps roles by name through the guild role cache, and not at all without a mapping', () => {
    const packet = discordDispatch(discordMessage({ member: { roles: [MODS_ROLE_ID, '5'], nick: 'Alex' } }));
    const named = normalizeDiscordDispatch(packet, {
      roleMap: { Mods: 'moderator', VIPs: 'vip' },
      roleName: (guild, role) => (guild === GUILD_ID ? { [MODS_ROLE_ID]: 'Mods', '5': 'VIPs' }[role] : undefined),
    });
    if (!named.ok) throw new Error(named.error);
    expect(named.event.identity.external).toMatchObject({ displayName: 'Alex', roles: ['moderator', 'vip'] });
    const unmapped = normalizeDiscordDispatch(packet);
    expect(unmapped.ok && unmapped.event.identity.external.roles).toEqual([]);
  });

  it('ignores bots, webhooks and other dispatches; names the field of a malformed packet', () => {
    const bot = normalizeDiscordDispatch(
      discordDispatch(discordMessage({ author: { id: '9', username: 'bitbrat', bot: true } })),
    );
    expect(bot).toMatchObject({ ok: false, notAnEvent: true });
    expect(normalizeDiscordDispatch({ op: 0, t: 'TYPING_START', s: 2, d: {} })).toMatchObject({
      ok: false,
      notAnEvent: true,
    });
    const cases: Array<[unknown, RegExp]> = [
      ['nope', /not valid JSON/],
      [{ op: 10, d: { heartbeat_interval: 41250 } }, /^op:/],
      [{ op: 0, s: 1, d: {} }, /^t:/],
      [discordDispatch(discordMessage({ author: { username: 'x' } })), /d\.author\.id/],
      [discordDispatch(discordMessage({ channel_id: 'general' })), /d\.channel_id/],
      [discordDispatch(discordMessage({ content: 7 })), /d\.content/],
      [discordDispatch(discordMessage({ attachments: [{ id: '1' }] })), /d\.attachments\.0\.filename/],
      [{ op: 0, t: 'MESSAGE_CREATE', s: 1, d: null }, /^d:/],
    ];
    for (const [packet, error] of cases) {
      const result = normalizeDiscordDispatch(packet);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(error);
    }
  });
});
