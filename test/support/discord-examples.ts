/**
 * Discord gateway MESSAGE_CREATE dispatches shaped as Discord's API reference documents the message
 * object (https://discord.com/developers/docs/resources/message#message-object) with the extra
 * `guild_id` and partial `member` fields of the gateway event
 * (https://discord.com/developers/docs/events/gateway-events#message-create).
 */
export const GUILD_ID = '290926798626357999';
export const CHANNEL_ID = '290926798626357250';
export const MODS_ROLE_ID = '41771983423143936';

export function discordMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '334385199974967042',
    channel_id: CHANNEL_ID,
    guild_id: GUILD_ID,
    author: {
      id: '53908099506183680',
      username: 'mightyalex',
      discriminator: '0',
      global_name: 'Mighty Alex',
      avatar: 'a_bab14f271d565501444b2ca3be944b25',
    },
    member: {
      roles: [MODS_ROLE_ID],
      nick: null,
      joined_at: '2017-01-01T00:00:00.000000+00:00',
      deaf: false,
      mute: false,
    },
    content: '!hello',
    timestamp: '2017-07-11T17:27:07.299000+00:00',
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    ...overrides,
  };
}

export function discordDispatch(d: Record<string, unknown>, s = 1): Record<string, unknown> {
  return { op: 0, t: 'MESSAGE_CREATE', s, d };
}
