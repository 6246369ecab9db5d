/**
 * A labelled stretch of realistic Twitch chat for measuring the spam analyzer: normal talk, the same
 * short questions from several viewers, a raid, crowd reactions, hype in caps, emote walls,
 * copy-pastas, link bots, legitimate links from subscribers and moderators, and one user flooding.
 * Each line says whether a moderator would call it spam. Deterministic (a fixed seed), so the
 * measured precision and recall only move when the analyzer does.
 */
export interface LabelledLine {
  at: number;
  userId: string;
  roles: string[];
  text: string;
  spam: boolean;
  scene: string;
}

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const NORMAL = [
  'hi everyone!',
  'hello chat',
  'that was a clean play',
  'LUL',
  'gg',
  'no way that worked KEKW',
  'this music slaps',
  'hola a todos',
  'guten abend!',
  'brb getting snacks',
  'back',
  'lmao',
  'monkaS',
  'that jump was insane',
  'W streamer',
  'im lurking but having fun',
  'the boss has a second phase right?',
  'can you explain that strategy again?',
  'how do you have so much patience with this level',
  'my cat just walked across my keyboard lol',
  'i tried that route yesterday and fell off every time',
  'the new patch nerfed that weapon hard',
  'you should try the shield build next',
  'ok that was actually smart',
  'chat is so wholesome today',
  'who else is watching from work',
  'this run is going so well',
  'rip',
  'F',
  'nice',
  'PogChamp',
  'that boss fight took forever last time',
  'are you doing a no hit run later?',
  'the art style in this game is beautiful',
  'good morning from australia',
  'finally home, what did i miss?',
  'streamer has the reflexes of a cat',
  'ResidentSleeper jk this is great',
  'that sound design though',
  'i would have panicked so hard there',
];

const REPEATED_QUESTIONS = [
  'what keyboard do you use?',
  'first time here, love the vibe',
  'is there a discord?',
  'what game is this?',
  'how long have you been streaming today?',
];

const RAID_LINES = [
  'luna_lights raid KomodoHype KomodoHype KomodoHype',
  'VirtualHug raid from luna VirtualHug',
  'RAID HYPE PogChamp PogChamp',
];

const REACTIONS = ['LUL', 'KEKW', 'gg', 'W', 'PogChamp PogChamp', 'OMEGALUL', 'Clap'];

const HYPE = ['LETS GOOOO', 'THAT WAS INSANE', 'CLUTCH', 'NO WAY'];

const PASTAS = [
  'I am not a bot, I am a real viewer who types very fast and loves this stream with all my heart, please notice me streamer',
  'Hey streamer I was wondering if you could say hi to my little brother he is watching with me and he thinks you are the best player in the world',
];

const LINK_BOTS = [
  'FREE SKINS >>> bit.ly/notreal',
  'BUY FOLLOWERS AT cheap-views.example NOW',
  'Wanna become famous? Buy followers, primes and viewers on bigfollows . com',
  'get free subs here twitch-boost.xyz/free',
  'cheap viewers and followers at streamgrow.shop',
  'check my channel for free giveaways twitch.tv/totallyrealgiveaway',
];

const LEGIT_LINKS: { roles: string[]; text: string }[] = [
  { roles: ['subscriber'], text: 'clip of that jump https://clips.twitch.tv/FunnyClip123' },
  { roles: ['moderator'], text: 'the discord is discord.gg/bitbrat' },
  { roles: ['vip'], text: 'full video of the last run youtube.com/watch?v=abc123' },
  { roles: ['subscriber'], text: 'the build guide i used www.example.org/guide' },
];

const EMOTE_WALLS = [
  Array(16).fill('PogChamp').join(' '),
  Array(20).fill('Kappa').join(' '),
  Array(14).fill('KEKW').join(' '),
];

const FLOOD = ['hello', 'hello?', 'anyone there', 'streamer', 'hi', 'notice me', 'hello', 'pls', 'hiii', 'answer me'];

/** About 400 lines over ~25 minutes of chat. */
export function labelledChat(seed = 13): LabelledLine[] {
  const random = lcg(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const lines: LabelledLine[] = [];
  let at = 1_700_000_000_000;
  const viewers = Array.from({ length: 40 }, (_, index) => ({
    userId: `viewer-${index}`,
    roles: index % 4 === 0 ? ['subscriber'] : index === 1 ? ['vip'] : index === 2 ? ['moderator'] : ['viewer'],
  }));
  const say = (who: { userId: string; roles: string[] }, text: string, spam: boolean, scene: string, gapMs: number) => {
    at += gapMs;
    lines.push({ at, userId: who.userId, roles: who.roles, text, spam, scene });
  };
  const normal = (count: number) => {
    for (let index = 0; index < count; index++)
      say(pick(viewers), pick(NORMAL), false, 'normal', 1_000 + random() * 4_000);
  };

  normal(60);
  // The same short questions from several viewers within a minute: normal chat.
  for (const question of REPEATED_QUESTIONS) {
    for (let index = 0; index < 5; index++)
      say(viewers[5 + index * 3]!, question, false, 'repeated question', 1_500 + random() * 2_500);
    normal(5);
  }
  // A raid: twenty new viewers paste the raid line within half a minute.
  for (let index = 0; index < 20; index++) {
    say(
      { userId: `raider-${index}`, roles: ['viewer'] },
      RAID_LINES[index % RAID_LINES.length]!,
      false,
      'raid',
      300 + random() * 1_200,
    );
  }
  normal(30);
  // Crowd reactions and caps hype after a big play.
  for (let index = 0; index < 15; index++)
    say(pick(viewers), pick(REACTIONS), false, 'reactions', 200 + random() * 800);
  for (let index = 0; index < 6; index++) say(pick(viewers), pick(HYPE), false, 'hype', 300 + random() * 800);
  normal(30);
  // Copy-pastas: five viewers each, a little apart.
  for (const pasta of PASTAS) {
    for (let index = 0; index < 5; index++)
      say(viewers[10 + index]!, pasta, true, 'copy-pasta', 2_000 + random() * 5_000);
    normal(10);
  }
  // Link bots: fresh accounts with no role, one or two drops each.
  for (const [index, text] of LINK_BOTS.entries()) {
    const bot = { userId: `bot-${index}`, roles: ['viewer'] };
    say(bot, text, true, 'link bot', 5_000 + random() * 20_000);
    if (index % 2 === 0) say(bot, text, true, 'link bot', 3_000 + random() * 5_000);
    normal(6);
  }
  // Links that belong: a subscriber's clip, the moderators' discord, a vip's video.
  for (const [index, link] of LEGIT_LINKS.entries()) {
    say({ userId: `trusted-${index}`, roles: link.roles }, link.text, false, 'legit link', 5_000 + random() * 10_000);
    normal(5);
  }
  // Emote walls: one viewer pasting a wall of the same emote.
  for (const [index, wall] of EMOTE_WALLS.entries()) {
    say(viewers[20 + index]!, wall, true, 'emote wall', 4_000 + random() * 10_000);
    normal(8);
  }
  // One viewer floods: ten messages in a few seconds; past the sixth it is spam.
  const flooder = { userId: 'flooder', roles: ['viewer'] };
  for (const [index, text] of FLOOD.entries()) say(flooder, text, index >= 6, 'flood', 400 + random() * 400);
  normal(40);
  return lines;
}
