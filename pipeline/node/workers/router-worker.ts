/**
 * The router worker: wires the Router to its ports (store, phase workers, ingress) and to the
 * host's control line, and runs the approval timers.
 */
import type { MessagePort } from 'node:worker_threads';
import { WORKER_PHASES, type WorkerPhase } from '../../core/envelope.js';
import type { Settings } from '../../core/host-api.js';
import {
  fromJson,
  toJson,
  isPhaseRole,
  type IngressPortProtocol,
  type PhaseWorkerProtocol,
  type RouterPortProtocol,
} from '../../core/protocol/pipeline.js';
import type { StoreProtocol } from '../../core/protocol/store.js';
import { createPeer, type Peer, type Protocol } from '../../core/rpc.js';
import { RuleBook } from '../../core/rules.js';
import { Router } from '../router/router.js';
import { serviceSets } from '../services/registry.js';
import { openReadConnection } from '../store/database.js';
import { createStoreReader } from '../store/reader.js';
import { portTransport } from './port-transport.js';
import type { WorkerContext } from './worker-context.js';

const TICK_MS = 200;

export function runRouterWorker(context: WorkerContext<'router'>): void {
  const reader = createStoreReader(openReadConnection(context.init.dbPath));
  let rules = new RuleBook(reader.loadRules());
  let settings: Settings = reader.loadSettings();
  const store = createPeer<Protocol, StoreProtocol>(portTransport(context.ports.store!), { onLog: context.log });
  const phases = new Map<WorkerPhase, Peer<PhaseWorkerProtocol>>();
  let ingress: Peer<IngressPortProtocol> | undefined;

  const router = new Router({
    now: Date.now,
    persist: (batch) => store.call('write', batch),
    dispatch: (phase, items) => phases.get(phase)?.push('dispatch', toJson(items)),
    cancel: (phase, ids) => phases.get(phase)?.push('cancel', ids),
    feed: (summaries) => context.host.push('feed', summaries),
    approvalsChanged: (approvals) => context.host.push('approvals', approvals),
    settled: (count) => ingress?.push('settled', count),
    rules: () => rules,
    settings: () => settings,
    services: serviceSets(),
    log: context.log,
  });

  /** The ingress link: accepted events in, flow-control credits out. */
  const attachIngress = (port: MessagePort) => {
    ingress?.close('replaced');
    ingress = createPeer<RouterPortProtocol, IngressPortProtocol>(portTransport(port), {
      pushes: { accepted: (events) => void router.accept(fromJson(events), { committed: true }) },
      onLog: context.log,
    });
  };

  const attachPhase = (phase: WorkerPhase, port: MessagePort) => {
    phases.get(phase)?.close('replaced');
    const peer = createPeer<RouterPortProtocol, PhaseWorkerProtocol>(portTransport(port), {
      pushes: { completed: (results) => router.completed(fromJson(results)) },
      onLog: context.log,
    });
    phases.set(phase, peer);
  };
  for (const phase of WORKER_PHASES) attachPhase(phase, context.ports[phase]!);
  attachIngress(context.ports.ingress!);
  context.onPort((link, port) => {
    if (isPhaseRole(link)) attachPhase(link, port);
    else if (link === 'ingress') attachIngress(port);
  });

  const timer = setInterval(() => router.tick(), TICK_MS);
  context.serve({
    // Also after an ingress restart, on a running router: what it finished must be on disk as
    // finished before the open events are read, and the events it holds are skipped.
    resume: async () => {
      await router.flushWrites();
      return router.resume(reader.openEvents(), reader.listApprovals({ open: true, limit: 100_000 }));
    },
    phaseRestarted: ({ phase }) => router.phaseRestarted(phase),
    reload: ({ what }) => {
      if (what === 'rules') {
        rules = new RuleBook(reader.loadRules());
      } else settings = reader.loadSettings();
    },
    decide: (request) => router.decide(request),
    // Answered after the re-route is on disk: the console is told only what a crash would keep.
    reroute: async (params) => {
      const result = router.reroute(params);
      await router.flushWrites();
      return result;
    },
    stats: () => router.stats(),
    drain: async () => {
      clearInterval(timer);
      await router.flushWrites();
    },
  });
}
