/**
 * The ingress worker: the boundary where outside data becomes events. Every item is parsed with
 * the envelope schema; valid events go to the router in one batch per tick, invalid ones are
 * recorded with the reason (naming the field) and answered as `ok: false` — never a crash.
 */
import { DEMO_CONNECTOR } from '../../core/demo.js';
import { randomUUID } from 'node:crypto';
import { acceptInbound, type Envelope } from '../../core/envelope.js';
import type { MessagePort } from 'node:worker_threads';
import type { IngressPortProtocol, RouterPortProtocol, SubmitResult } from '../../core/protocol/pipeline.js';
import type { StoreProtocol } from '../../core/protocol/store.js';
import { createPeer, type Protocol } from '../../core/rpc.js';
import type { InboundConnector, IngressSink } from '../connectors/connector.js';
import { DemoSource } from '../demo/demo-source.js';
import { LoadSource } from '../demo/load-source.js';
import { TwitchIngress } from '../twitch-integration/ingress-twitch.js';
import { batchPerTick } from './batch-per-tick.js';
import { portTransport } from './port-transport.js';
import type { WorkerContext } from './worker-context.js';

const MAX_RAW_KEPT = 4000;
/** Events in the pipeline (accepted, not yet settled) before ingress holds new ones back. */
const HIGH_WATER = 2000;
/** Events ingress holds back at most; past this a flood is refused (and recorded) rather than eat memory. */
const MAX_BACKLOG = 100_000;

export function runIngressWorker(context: WorkerContext): void {
  // Flow control: `outstanding` events are in the router's hands; beyond HIGH_WATER new events
  // wait in `backlog` (in arrival order) until the router reports some settled.
  let outstanding = 0;
  const backlog: Envelope[] = [];
  let waiters: (() => void)[] = [];
  const hasRoom = () => outstanding < HIGH_WATER && backlog.length === 0;
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

  const send = (event: Envelope): boolean => {
    if (hasRoom()) {
      forward(event);
      return true;
    }
    if (backlog.length >= MAX_BACKLOG) return false;
    backlog.push(event);
    return true;
  };
  const toRouter = batchPerTick<Envelope>((batch) => router.push('accepted', batch));
  const forward = (event: Envelope) => {
    outstanding += 1;
    toRouter(event);
  };

  const sinkFor = (connector: string): IngressSink => ({
    accept(item, raw) {
      const parsed = acceptInbound(item, Date.now(), randomUUID);
      if (parsed.ok && send(parsed.value)) return { ok: true, id: parsed.value.id };
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

  context.serve({
    twitch: (config) => twitch.apply(config),
    submit: ({ connector, items }): SubmitResult[] => {
      const sink = sinkFor(connector);
      return items.map((item) => sink.accept(item));
    },
    connectors: () => [...connectors.values()].map((connector) => connector.health()),
    demo: async (params) => {
      if (params === null) return stopConnector(DEMO_CONNECTOR);
      await startConnector(new DemoSource({ ratePerSecond: params.ratePerSecond, scripted: params.scripted }));
    },
    load: (params) => new LoadSource(params).run(sinkFor('bench')),
    drain: async () => {
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
