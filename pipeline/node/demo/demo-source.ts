/**
 * The demo source of `bitbrat serve --demo`: a simulated channel with viewers who chat, use
 * commands (a `!deaths` counter its moderator changes, quotes its VIP adds), ask the bot questions, spam, follow, subscribe, gift and raid — so a newcomer sees the
 * whole flow with no Twitch account. Events are labelled with connector `demo`.
 */
import { DEMO_CHANNEL, DEMO_CONNECTOR } from '../../core/demo.js';
import type { Role } from '../../core/envelope.js';
import type { ConnectorHealth } from '../../core/protocol/pipeline.js';
import type { InboundConnector, IngressSink } from '../connectors/connector.js';
import { KnownEventTypes } from '../../core/envelope.js';

interface Viewer {
  id: string;
  login: string;
  displayName: string;
  roles: Role[];
}

const NAMES = [
  'PixelPanda',
  'noodle_ninja',
  'GGWellPlayed',
  'mossy_rock',
  'Kiwi_Kat',
  'retro_rhea',
  'TurboTortoise',
  'luna_lights',
  'captain_crumb',
  'ZeroLagZed',
  'frost_fern',
  'bytebard',
  'SleepyOtter',
  'quietquasar',
  'MangoMarauder',
  'hexahedra',
  'dr_dumpling',
  'velvet_vortex',
  'Boba_Bandit',
  'spicy_sprout',
  'ミカン',
  'Ñandú_Gamer',
  'Ölfass',
  'tinytank',
];

const CHAT = [
  'hi everyone!',
  'hello chat',
  'that was a clean play',
  'LUL',
  'what game is this?',
  'PogChamp PogChamp',
  'gg',
  'how long have you been streaming today?',
  'first time here, love the vibe',
  'no way that worked KEKW',
  'can you explain that strategy again?',
  'this music slaps',
  'hola a todos',
  'guten abend!',
  'こんにちは',
  'brb getting snacks',
  'back',
  'the boss has a second phase right?',
  'lmao',
  'monkaS',
  'that jump was insane',
  'what keyboard do you use?',
  'is there a discord?',
  'W streamer',
  'im lurking but having fun',
];
const COMMANDS = ['!hello', '!lurk', '!discord', '!commands', '!hello there', '!deaths', '!quote'];
/** Said by the demo's moderator and VIP: a counter changed from chat, quotes added from chat. */
const MOD_COMMANDS = ['!deaths +1', '!deaths +1', '!deaths -1'];
const QUOTES_TO_ADD = [
  '!quote add @demo_channel I never miss that jump',
  '!quote add @demo_channel chat, I planned that',
  '!quote add @demo_channel one more try, then bed',
];
const QUESTIONS = [
  '@bitbrat what is the best build for this boss?',
  'bitbrat can you tell me a fun fact?',
  '@bitbrat how old is this game?',
  'hey bitbrat, any tips for a beginner?',
  '@bitbrat what does the streamer eat before streams?',
];
const SPAM = [
  'BUY FOLLOWERS AT cheap-views.example NOW',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'FREE SKINS >>> bit.ly/notreal',
];
const PASTA = 'I am not a bot, I am a real viewer who types very fast and loves this stream with all my heart ❤️';

export interface DemoOptions {
  ratePerSecond: number;
  /** Bot mentions get a clearly labelled scripted reply (no LLM needed). */
  scripted: boolean;
  /** The simulated stream goes live at start (live-only timers and {uptime} then work). */
  live?: boolean;
  random?: () => number;
}

export class DemoSource implements InboundConnector {
  readonly id = DEMO_CONNECTOR;
  private timer: NodeJS.Timeout | undefined;
  private lastEventAt: number | null = null;
  private sequence = 0;
  private readonly viewers: Viewer[];
  private readonly random: () => number;

  constructor(private readonly options: DemoOptions) {
    this.random = options.random ?? Math.random;
    this.viewers = NAMES.map((name, index) => ({
      id: String(100000 + index),
      login: name.toLowerCase(),
      displayName: name,
      roles: index === 0 ? ['moderator'] : index === 1 ? ['vip'] : index % 3 === 0 ? ['subscriber'] : ['viewer'],
    }));
  }

  async start(sink: IngressSink): Promise<void> {
    if (this.options.live) this.goLive(sink);
    const interval = Math.max(20, Math.round(1000 / Math.max(0.1, this.options.ratePerSecond)));
    this.timer = setInterval(() => this.emit(sink), interval);
  }

  /** The simulated stream goes live, so live-only timers and {uptime} work in the demo too. */
  private goLive(sink: IngressSink): void {
    const streamer = {
      id: '99999',
      login: 'demo_channel',
      displayName: 'demo_channel',
      roles: ['broadcaster' as const],
    };
    sink.accept({
      type: KnownEventTypes.streamOnline,
      ingress: { connector: 'demo', channel: 'demo_channel', source: 'demo' },
      identity: { external: streamer },
      details: { startedAt: Date.now() },
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  health(): ConnectorHealth {
    return {
      id: this.id,
      state: this.timer ? 'connected' : 'idle',
      lastEventAt: this.lastEventAt,
      detail: 'simulated chat (demo)',
    };
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private emit(sink: IngressSink): void {
    const roll = this.random();
    const viewer = this.pick(this.viewers);
    this.sequence += 1;
    const base = {
      ingress: { connector: DEMO_CONNECTOR, channel: DEMO_CHANNEL, source: DEMO_CONNECTOR },
      identity: {
        external: { id: viewer.id, login: viewer.login, displayName: viewer.displayName, roles: viewer.roles },
      },
    };
    const chat = (text: string, who: Viewer = viewer) =>
      sink.accept({
        ...base,
        identity: { external: { id: who.id, login: who.login, displayName: who.displayName, roles: who.roles } },
        type: KnownEventTypes.chatMessage,
        message: { id: `demo-${this.sequence}-${who.id}`, text },
      });
    if (roll < 0.55) chat(this.pick(CHAT));
    else if (roll < 0.64) chat(this.pick(COMMANDS));
    else if (roll < 0.68) chat(this.pick(MOD_COMMANDS), this.viewers[0]);
    else if (roll < 0.7) chat(this.pick(QUOTES_TO_ADD), this.viewers[1]);
    else if (roll < 0.8) chat(this.pick(QUESTIONS));
    else if (roll < 0.85) for (let i = 0; i < 4; i++) chat(this.pick(SPAM));
    else if (roll < 0.88) for (const who of this.viewers.slice(3, 7)) chat(PASTA, who);
    else if (roll < 0.94) sink.accept({ ...base, type: KnownEventTypes.follow, details: {} });
    else if (roll < 0.97)
      sink.accept({
        ...base,
        type: KnownEventTypes.sub,
        details: { months: 1 + Math.floor(this.random() * 24), tier: '1000' },
      });
    else if (roll < 0.985)
      sink.accept({
        ...base,
        type: KnownEventTypes.cheer,
        details: { bits: 100 * (1 + Math.floor(this.random() * 10)) },
      });
    else
      sink.accept({ ...base, type: KnownEventTypes.raid, details: { viewers: 5 + Math.floor(this.random() * 200) } });
    this.lastEventAt = Date.now();
  }
}
