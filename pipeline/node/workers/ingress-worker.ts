/**
 * The ingress worker: the boundary where outside data becomes events. Every item is parsed with
 * the envelope schema; invalid ones are recorded with the reason (naming the field) and answered
 * as `ok: false` — never a crash. Valid events are committed to the store (one transaction per
 * tick) and only then acknowledged and handed to the router, so an ack that leaves the process
 * (a client's `ack`, a webhook's 202, a HostApi answer) always names an event that is on disk.
 *
 * While the store is stalled (another program holds the database's write lock), callers that can
 * resend (`submit`: gateway clients, webhooks, replays) wait up to ACK_DEADLINE_MS and then get
 * `UNAVAILABLE` with nothing written. Live sources that cannot resend (Twitch chat) wait for the
 * store as long as it takes; what they delivered since the last commit is lost only if the
 * process dies before the store recovers.
 */
import { DEMO_CONNECTOR } from '../../core/demo.js';
import { randomUUID } from 'node:crypto';
import { acceptInbound, type Envelope } from '../../core/envelope.js';
import { toEventRow, type EventRow, type StoreProtocol } from '../../core/protocol/store.js';
import type { MessagePort } from 'node:worker_threads';
import {
  jsonArray,
  type IngressPortProtocol,
  type Json,
  type RouterPortProtocol,
  type SubmitResult,
} from '../../core/protocol/pipeline.js';
import { createPeer, type Protocol } from '../../core/rpc.js';
import type { InboundConnector, IngressSink } from '../connectors/connector.js';
import { parseIrcReplayLine } from '../connectors/twitch/irc-normalize.js';
import { DemoSource } from '../demo/demo-source.js';
import { createFeatureReader } from '../features/feature-reader.js';
import { createTimerScheduler } from '../features/timer-scheduler.js';
import { TIMER_CONNECTOR } from '../../core/timers.js';
import { openReadConnection } from '../store/database.js';
import { createStoreReader } from '../store/reader.js';
import { LoadSource } from '../demo/load-source.js';
import { DiscordIngress } from '../discord-integration/ingress-discord.js';
import { TwitchIngress } from '../twitch-integration/ingress-twitch.js';
import { batchPerTick } from './batch-per-tick.js';
import { portTransport } from './port-transport.js';
import type { WorkerContext } from './worker-context.js';

const MAX_RAW_KEPT = 4000;
/**
 * Events in the pipeline (accepted, not yet settled) before ingress holds new ones back. Replies
 * held for a moderator are settled: they no longer count (see the router's `enterGate`).
 */
const DEFAULT_HIGH_WATER = 2000;
/** Events ingress holds back at most; past this a flood is refused (and recorded) rather than eat memory. */
const MAX_BACKLOG = 100_000;
/** How long a `submit` caller waits for its event's commit before it is told to try again. */
export const ACK_DEADLINE_MS = 3000;
/** A live batch whose store went away (restarted) is sent again this long after, to the new store. */
const STORE_RETRY_MS = 100;

/** An event waiting for its commit; `answer` is set when a caller awaits the commit (submit). */
interface Committing {
  event: Envelope;
  /** The event's row as it is stored (made once, kept for a resend): the router receives its JSON text. */
  row?: EventRow;
  answer?: (result: SubmitResult) => void;
}

export function runIngressWorker(context: WorkerContext<'ingress'>): void {
  const HIGH_WATER = context.init.highWater ?? DEFAULT_HIGH_WATER;
  // Flow control: `outstanding` events are in the router's hands; beyond HIGH_WATER new events
  // wait in `backlog` (in arrival order) until the router reports some settled.
  let outstanding = 0;
  const backlog: Json<Envelope>[] = [];
  /** Events parsed and sent to the store, not yet committed. */
  let committing = 0;
  let waiters: (() => void)[] = [];
  const hasRoom = () => outstanding + committing < HIGH_WATER && backlog.length === 0;
  const wakeWaiters = () => {
    if (!hasRoom()) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const onSettled = (count: number) => {
    outstanding = Math.max(0, outstanding - count);
    while (backlog.length > 0 && outstanding < HIGH_WATER) forward(backlog.shift()!);
    wakeWaiters();
  };
  const connectRouter = (port: MessagePort) =>
    createPeer<IngressPortProtocol, RouterPortProtocol>(portTransport(port), { pushes: { settled: onSettled } });
  let router = connectRouter(context.ports.router!);
  let store = createPeer<Protocol, StoreProtocol>(portTransport(context.ports.store!));
  context.onPort((link, port) => {
    if (link === 'router') {
      router.close('replaced');
      router = connectRouter(port);
      // A new router resumes from disk what the old one had; count afresh.
      outstanding = 0;
      onSettled(0);
    } else if (link === 'store') {
      store.close('store restarted');
      store = createPeer<Protocol, StoreProtocol>(portTransport(port));
    }
  });

  /** A committed event goes to the router now, or waits its turn under a flood. */
  const send = (event: Json<Envelope>): void => {
    if (outstanding < HIGH_WATER && backlog.length === 0) forward(event);
    else backlog.push(event);
  };
  const overloaded = () => backlog.length + committing >= MAX_BACKLOG;

  const onCommitted = (batch: Committing[]) => {
    committing -= batch.length;
    for (const item of batch) {
      send(item.row!.json as Json<Envelope>);
      item.answer?.({ ok: true, id: item.event.id });
    }
    wakeWaiters();
  };
  const onCommitFailed = (batch: Committing[], error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    const live = batch.filter((item) => !item.answer);
    if (live.length > 0 && (error as { code?: unknown }).code === 'CLOSED') {
      // The store worker restarted under the batch: nobody can resend live chat, so send it again.
      setTimeout(() => live.forEach((item) => commitLive(item)), STORE_RETRY_MS);
      committing -= batch.length - live.length;
    } else {
      committing -= batch.length;
      if (live.length > 0) {
        context.log('error', 'could not store accepted events; they were not routed', {
          count: live.length,
          error: reason,
        });
      }
    }
    for (const item of batch) {
      item.answer?.({ ok: false, code: 'UNAVAILABLE', error: `the event was not stored (${reason}); send it again` });
    }
    wakeWaiters();
  };
  const putOps = (batch: Committing[]) =>
    batch.map((item) => ({ op: 'event.put' as const, row: (item.row ??= toEventRow(item.event)) }));
  // Live sources: the store keeps their batch until it can commit, however long a lock lasts.
  const commitLive = batchPerTick<Committing>((batch) =>
    store.call('write', putOps(batch)).then(
      () => onCommitted(batch),
      (error: unknown) => onCommitFailed(batch, error),
    ),
  );
  // Callers that await the ack: committed by the deadline, or refused with nothing written.
  const commitAwaited = batchPerTick<Committing>((batch) =>
    store.call('writeWithin', { batch: putOps(batch), deadline: Date.now() + ACK_DEADLINE_MS }).then(
      () => onCommitted(batch),
      (error: unknown) => onCommitFailed(batch, error),
    ),
  );
  const toRouter = batchPerTick<Json<Envelope>>((batch) => router.push('accepted', jsonArray(batch)));
  const forward = (event: Json<Envelope>) => {
    outstanding += 1;
    toRouter(event);
  };

  /** Parses one item; a valid one is queued for its commit, an invalid one is recorded and refused. */
  const parse = (
    connector: string,
    item: unknown,
    raw: string | undefined,
  ): { ok: true; event: Envelope } | SubmitResult => {
    const parsed = acceptInbound(item, Date.now(), randomUUID);
    if (parsed.ok && !overloaded()) {
      committing += 1;
      return { ok: true, event: parsed.value };
    }
    const error = parsed.ok ? `overloaded: ${MAX_BACKLOG} events are already waiting` : parsed.error;
    const text = raw ?? safeStringify(item);
    store
      .call('write', [
        {
          op: 'rejection.record',
          rejection: { at: Date.now(), connector, error, raw: text.slice(0, MAX_RAW_KEPT) },
        },
      ])
      .catch((error: unknown) => context.log('error', 'could not record a rejected input', { error: String(error) }));
    context.log('warn', 'rejected an event', { connector, error });
    return { ok: false, error };
  };

  /**
   * `submit` is for callers that ack what they sent (the host's `submit`: gateway clients, webhooks,
   * replays): it resolves once the event is committed, or with UNAVAILABLE.
   */
  const sinkFor = (connector: string): IngressSink & { submit(item: unknown): Promise<SubmitResult> } => ({
    accept(item, raw) {
      const parsed = parse(connector, item, raw);
      if (!('event' in parsed)) return parsed;
      commitLive({ event: parsed.event });
      return { ok: true, id: parsed.event.id };
    },
    submit(item) {
      const parsed = parse(connector, item, undefined);
      if (!('event' in parsed)) return Promise.resolve(parsed);
      const { event } = parsed;
      return new Promise<SubmitResult>((answer) => commitAwaited({ event, answer }));
    },
    ready: () => (hasRoom() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  });

  const connectors = new Map<string, InboundConnector>();
  const startConnector = async (connector: InboundConnector) => {
    await connectors.get(connector.id)?.stop();
    connectors.set(connector.id, connector);
    await connector.start(sinkFor(connector.id));
  };
  const stopConnector = async (id: string) => {
    await connectors.get(id)?.stop();
    connectors.delete(id);
  };

  // Twitch chat and EventSub, as the host says (channel, accounts, tokens: in memory only).
  const twitch = new TwitchIngress({
    startConnector,
    stopConnector,
    requestToken: (account, reason) => context.host.push('twitchToken', { account, reason }),
    log: context.log,
  });

  // Timers (issue 14): due timers enter as events, like any other source.
  const featureDb = openReadConnection(context.init.dbPath);
  const settingsReader = createStoreReader(featureDb);
  const timers = createTimerScheduler({
    reader: createFeatureReader(featureDb),
    target: () => {
      const settings = settingsReader.loadSettings();
      return { channel: settings.channel, botName: settings.botName };
    },
    commit: (batch) => store.call('write', batch),
    accept: (event) => sinkFor(TIMER_CONNECTOR).accept(event),
    log: context.log,
  });
  timers.start();

  // Discord, as the host says (the bot token in memory only).
  const discord = new DiscordIngress({ startConnector, stopConnector, log: context.log });

  context.serve({
    twitch: (config) => twitch.apply(config),
    discord: (config) => discord.apply(config),
    /** Checks the timers now (tests; the scheduler also ticks by itself). */
    tickTimers: () => timers.tick(),
    submit: ({ connector, items }): Promise<SubmitResult[]> => {
      const sink = sinkFor(connector);
      return Promise.all(items.map((item) => sink.submit(item)));
    },
    parse: ({ format, lines }) => {
      if (format !== 'irc') throw new Error(`parse: unknown format "${String(format)}"`);
      return lines.map(parseIrcReplayLine);
    },
    connectors: () => [...connectors.values()].map((connector) => connector.health()),
    demo: async (params) => {
      if (params === null) return stopConnector(DEMO_CONNECTOR);
      await startConnector(
        new DemoSource({ ratePerSecond: params.ratePerSecond, scripted: params.scripted, live: params.live === true }),
      );
    },
    load: (params) => new LoadSource(params).run(sinkFor('bench')),
    drain: async () => {
      timers.stop();
      for (const id of [...connectors.keys()]) await stopConnector(id);
      // Let the last batch leave for the router before the host stops the router.
      await new Promise((resolve) => setImmediate(resolve));
    },
  });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
