/**
 * The timer scheduler and the timers service on a real SQLite file, with a clock the test steps:
 * live state and chat lines come from stored events, firings are committed before the event leaves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../core/envelope.js';
import { acceptInbound } from '../../core/envelope.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import type { StepContext } from '../../core/service.js';
import { openReadConnection, type ReadDb, type WriteDb } from '../store/database.js';
import { chatEvent, migratedDb, tempDir } from '../store/test-support.js';
import { createStoreWriter, type StoreWriter } from '../store/writer.js';
import { createFeatureApi } from './feature-api.js';
import { createGiveawayReader } from './giveaway-store.js';
import { createFeatureReader, STREAM_EVENT_TYPES, type FeatureReader } from './feature-reader.js';
import { createFeatureStoreAppliers } from './feature-store-appliers.js';
import { createTimerScheduler } from './timer-scheduler.js';
import { createTimersService } from './timers-service.js';

const MINUTE = 60_000;
let temp: ReturnType<typeof tempDir>;
let writeDb: WriteDb;
let readDb: ReadDb;
let writer: StoreWriter;
let reader: FeatureReader;
let clock: number;
let accepted: InboundEvent[];

beforeEach(() => {
  temp = tempDir();
  writeDb = migratedDb(temp.file);
  writer = createStoreWriter(writeDb, { parts: { features: createFeatureStoreAppliers() }, log: () => undefined });
  readDb = openReadConnection(temp.file);
  reader = createFeatureReader(readDb);
  clock = Date.UTC(2026, 0, 1, 20, 0);
  accepted = [];
});
afterEach(async () => {
  readDb.close();
  await writer.close();
  temp.cleanup();
});

const commit = (batch: StoreWrite[]) => writer.write(batch);

function scheduler(channel = '') {
  return createTimerScheduler({
    reader,
    target: () => ({ channel, botName: 'bitbrat' }),
    commit,
    accept: (event) => {
      accepted.push(event);
      return { ok: true };
    },
    now: () => clock,
  });
}

async function goLive(): Promise<void> {
  const online = chatEvent({ type: STREAM_EVENT_TYPES.online, login: 'streamer', at: clock });
  online.details = { startedAt: clock };
  await commit([{ op: 'event.upsert', event: online }]);
}

async function chatLines(count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => chatEvent({ text: `line ${i}`, at: clock }));
  await commit(events.map((event) => ({ op: 'event.upsert' as const, event })));
}

describe('timer scheduler', () => {
  it('fires every N minutes while live after M chat lines, in order, and remembers it across a restart', async () => {
    const api = createFeatureApi({
      reader,
      giveaways: createGiveawayReader(readDb),
      commit,
      backups: { dataDir: temp.dir, db: readDb, keep: () => 3 },
      now: () => clock,
    });
    const saved = await api['timers.save']({
      timer: { id: 'socials', intervalMinutes: 10, minChatLines: 2, messages: ['Follow!', 'Discord: {pick:x|x}'] },
    });
    expect(saved.ok).toBe(true);
    const timers = scheduler('Streamer');

    clock += 30 * MINUTE;
    await chatLines(5);
    expect(await timers.tick()).toEqual([]); // offline

    await goLive();
    clock += 5 * MINUTE;
    await chatLines(2);
    expect(await timers.tick()).toEqual([]); // live for 5 minutes only
    clock += 5 * MINUTE;
    expect(await timers.tick()).toEqual(['socials']);
    expect(accepted.map((event) => event.details)).toEqual([{ timerId: 'socials', messageIndex: 0 }]);
    expect(accepted[0]!.ingress).toMatchObject({ connector: 'twitch-chat', channel: 'streamer' });
    expect((await api['timers.list']({}))[0]!.lastSentAt).toBe(clock);

    clock += 10 * MINUTE;
    expect(await timers.tick()).toEqual([]); // no chat since the last one
    await chatLines(1);
    expect(await timers.tick()).toEqual([]);
    await chatLines(1);
    // A new scheduler (a restarted ingress worker) continues from the stored state.
    expect(await scheduler('Streamer').tick()).toEqual(['socials']);
    expect(accepted.at(-1)!.details).toEqual({ timerId: 'socials', messageIndex: 1 });

    await commit([{ op: 'event.upsert', event: chatEvent({ type: STREAM_EVENT_TYPES.offline, at: clock + 1 }) }]);
    clock += 60 * MINUTE;
    await chatLines(10);
    expect(await timers.tick()).toEqual([]);
  });

  it('two overlapping ticks fire a due timer once', async () => {
    const api = createFeatureApi({
      reader,
      giveaways: createGiveawayReader(readDb),
      commit,
      backups: { dataDir: temp.dir, db: readDb, keep: () => 3 },
    });
    await api['timers.save']({ timer: { id: 'tip', onlyWhenLive: false, minChatLines: 0, messages: ['tip'] } });
    const timers = scheduler();
    const [first, second] = await Promise.all([timers.tick(), timers.tick()]);
    expect([first, second]).toEqual([['tip'], ['tip']]);
    expect(accepted).toHaveLength(1);
    expect(await timers.tick()).toEqual([]);
  });
});

describe('timers service', () => {
  const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => clock };

  it('proposes the message the scheduler chose, with variables filled', async () => {
    const api = createFeatureApi({
      reader,
      giveaways: createGiveawayReader(readDb),
      commit,
      backups: { dataDir: temp.dir, db: readDb, keep: () => 3 },
    });
    await api['timers.save']({
      timer: { id: 'deaths', messages: ['one', 'Deaths so far: {count:deaths}, live {uptime}'] },
    });
    await commit([{ op: 'counter.setValue', name: 'deaths', scopeKey: '', value: 3, at: 1 }]);
    await goLive();
    clock += 90 * MINUTE;
    const service = createTimersService({ reader });
    const inbound = {
      type: 'timer.fired.v1',
      ingress: { connector: 'timers', channel: 'console' },
      identity: { external: { id: 'timer:deaths', login: 'bitbrat', displayName: 'Timer' } },
      details: { timerId: 'deaths', messageIndex: 1 },
    };
    const parsed = acceptInbound(inbound, clock, () => crypto.randomUUID());
    if (!parsed.ok) throw new Error(parsed.error);
    const outcome = await service.run(parsed.value, context);
    expect(outcome.candidates?.[0]?.text).toBe('Deaths so far: 3, live 1h 30m');

    await api['timers.save']({ timer: { id: 'deaths', enabled: false, messages: ['x'] } });
    expect((await service.run(parsed.value, context)).status).toBe('SKIP');
    expect(await api['timers.delete']({ id: 'deaths' })).toEqual({ ok: true });
    expect((await service.run(parsed.value, context)).notes).toEqual(['timer deaths no longer exists']);
  });
});
