/**
 * The ingress worker: the boundary where outside data becomes events. Every item is parsed with
 * the envelope schema; valid events go to the router in one batch per tick, invalid ones are
 * recorded with the reason (naming the field) and answered as `ok: false` — never a crash.
 */
import { randomUUID } from 'node:crypto';
import { acceptInbound, type Envelope } from '../../core/envelope.js';
import type { RouterPortProtocol, SubmitResult } from '../../core/protocol/pipeline.js';
import type { StoreProtocol } from '../../core/protocol/store.js';
import { createPeer, type Protocol } from '../../core/rpc.js';
import type { InboundConnector, IngressSink } from '../connectors/connector.js';
import { DemoSource } from '../demo/demo-source.js';
import { LoadSource } from '../demo/load-source.js';
import { portTransport } from './port-transport.js';
import type { WorkerContext } from './worker-context.js';

const MAX_RAW_KEPT = 4000;

export function runIngressWorker(context: WorkerContext): void {
  let router = createPeer<Protocol, RouterPortProtocol>(portTransport(context.ports.router!));
  let store = createPeer<Protocol, StoreProtocol>(portTransport(context.ports.store!));
  context.onPort((link, port) => {
    if (link === 'router') {
      router.close('replaced');
      router = createPeer<Protocol, RouterPortProtocol>(portTransport(port));
    } else if (link === 'store') {
      store.close('store restarted');
      store = createPeer<Protocol, StoreProtocol>(portTransport(port));
    }
  });

  let outbox: Envelope[] = [];
  const send = (event: Envelope) => {
    if (outbox.length === 0) {
      setImmediate(() => {
        const batch = outbox;
        outbox = [];
        router.push('accepted', batch);
      });
    }
    outbox.push(event);
  };

  const sinkFor = (connector: string): IngressSink => ({
    accept(item, raw) {
      const parsed = acceptInbound(item, Date.now(), randomUUID);
      if (parsed.ok) {
        send(parsed.value);
        return { ok: true, id: parsed.value.id };
      }
      const text = raw ?? safeStringify(item);
      store
        .call('write', [
          {
            op: 'rejection.record',
            rejection: { at: Date.now(), connector, error: parsed.error, raw: text.slice(0, MAX_RAW_KEPT) },
          },
        ])
        .catch((error: unknown) => context.log('error', 'could not record a rejected input', { error: String(error) }));
      context.log('warn', 'rejected an invalid event', { connector, error: parsed.error });
      return { ok: false, error: parsed.error };
    },
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

  context.serve({
    submit: ({ connector, items }): SubmitResult[] => {
      const sink = sinkFor(connector);
      return items.map((item) => sink.accept(item));
    },
    connectors: () => [...connectors.values()].map((connector) => connector.health()),
    demo: async (params) => {
      if (params === null) return stopConnector('demo');
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
