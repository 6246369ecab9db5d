/**
 * Starts the six pipeline workers, joins them with MessageChannels, and keeps them alive.
 *
 * A worker that crashes (exit, uncaught error) or hangs (its heartbeat counter, bumped from its
 * own event loop, stood still for its HANG_MS_BY_ROLE) is terminated and restarted; its links are
 * re-made and handed to the peers, and the router re-dispatches what the worker held. A store
 * crash restarts the router as well, so the router's state is re-read from what is on disk.
 *
 * The check runs on the host's thread, which may itself be busy for seconds (a large read, a
 * parse): the heartbeat is read from shared memory, so a late check still sees a healthy worker's
 * counter move, and time the check itself ran late is not held against any worker.
 *
 * Calls through `control(role)` survive a restart of that worker: a call cut off by the restart
 * is sent again to its successor (at most MAX_REDISPATCH times).
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import {
  isPhaseRole,
  type ControlMethod,
  type HostControlProtocol,
  type RoleProtocol,
  type WorkerHealth,
  type WorkerInit,
  type WorkerPushes,
  type WorkerRole,
} from '../../core/protocol/pipeline.js';
import { createPeer, type LogLevel, type Peer, type Protocol, type PushHandlers } from '../../core/rpc.js';
import { createHeartbeatSlot, readHeartbeat } from '../workers/heartbeat.js';
import type { PortHandover } from '../workers/port-transport.js';
import { portTransport } from '../workers/port-transport.js';
import type { WorkerPorts } from '../workers/worker-context.js';

/** How often the supervisor reads the heartbeats. */
export const PING_MS = 100;
/** How many times a call cut off by a worker restart is sent again to the restarted worker. */
const MAX_REDISPATCH = 2;
/** Young-generation size of each worker isolate (see where the worker starts). */
const WORKER_YOUNG_GENERATION_MB = 4;
/**
 * Calls that are safe to send again after a restart: reads, idempotent settings, and ingress
 * `submit` (its events are committed before it answers; a submit cut off before the answer is at
 * worst stored twice, never acked without being stored). Not re-sent: work that may itself be what
 * hung the worker (`load`), and decisions whose repeat would answer "already decided".
 */
const RESENDABLE: ReadonlySet<string> = new Set([
  'ping',
  'submit',
  'stats',
  'connectors',
  'reload',
  'reloadCommands',
  'twitch',
  'llmApiKey',
  'write',
  'flush',
] satisfies ControlMethod[]);
export const HANG_MS = 850;

/**
 * How long each role may go without answering a ping before it counts as hung. Phase workers run
 * the services (where a bad regex or a stuck library call would hang): they are restarted within
 * a second. The router and the store do bounded work of their own; on a machine starved of CPU (a
 * game and OBS on the same cores) a slow flush is not a hang, and restarting them would throw away
 * more than it saves — they get longer.
 */
export const HANG_MS_BY_ROLE: Record<WorkerRole, number> = {
  enrichment: HANG_MS,
  reaction: HANG_MS,
  egress: HANG_MS,
  ingress: HANG_MS,
  router: 3000,
  store: 5000,
};
const START_TIMEOUT_MS = 15_000;

/** Which workers each role talks to directly. */
const LINKS: Record<WorkerRole, readonly WorkerRole[]> = {
  store: ['router', 'enrichment', 'reaction', 'egress', 'ingress'],
  router: ['store', 'enrichment', 'reaction', 'egress', 'ingress'],
  enrichment: ['router', 'store'],
  reaction: ['router', 'store'],
  egress: ['router', 'store'],
  ingress: ['router', 'store'],
};

/** Start order: the store first (everyone writes through it), the sources last. */
const START_ORDER: readonly WorkerRole[] = ['store', 'router', 'enrichment', 'reaction', 'egress', 'ingress'];
/** Stop order: sources first, so nothing new arrives while the rest drains; the store last. */
const STOP_ORDER: readonly WorkerRole[] = ['ingress', 'enrichment', 'reaction', 'egress', 'router', 'store'];

export interface SupervisorOptions {
  /** Each role's entry (one bundle per role, `workerFileUrl(role)`); one URL: every role starts from it. */
  workerFile: URL | ((role: WorkerRole) => URL);
  init: Omit<WorkerInit, 'role'>;
  /** The host's handler for each worker push but `ready` (the supervisor's own): a payload typed by its topic. */
  pushes: WorkerPushHandlers;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** A restarted worker is ready: the host gives it back what it keeps in memory (Twitch, LLM key) before work resumes. */
  onRestarted?(role: WorkerRole): Promise<void> | void;
}

/** One handler per worker → host push topic; `ready` is the supervisor's. */
export type WorkerPushHandlers = { [T in Exclude<keyof WorkerPushes, 'ready'>]: (data: WorkerPushes[T]) => void };

interface Managed<R extends WorkerRole = WorkerRole> {
  role: R;
  worker: Worker;
  control: Peer<RoleProtocol[R]>;
  health: WorkerHealth;
  ready: Promise<void>;
  stopping: boolean;
  heartbeat: SharedArrayBuffer;
  lastBeat: number;
  /** performance.now() when the counter was last seen to move (moved forward by the supervisor's own lag). */
  lastBeatAt: number;
}

/** What callers get for a role: calls that outlive a restart of the worker. */
export type RoleLine<P extends Protocol> = Pick<Peer<P>, 'call'>;

export class WorkerSupervisor {
  private readonly workers = new RoleMap();
  private readonly restarts = new Map<WorkerRole, number>();
  private pingTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private restarting: Promise<void> = Promise.resolve();
  private lastCheckAt = 0;

  constructor(private readonly options: SupervisorOptions) {}

  async start(): Promise<void> {
    // Every link is one MessageChannel; each side gets its end at start.
    const ports = new Map<WorkerRole, WorkerPorts>();
    for (const role of START_ORDER) ports.set(role, {});
    for (const role of START_ORDER) {
      for (const peer of LINKS[role]) {
        if (ports.get(role)![peer]) continue;
        const channel = new MessageChannel();
        ports.get(role)![peer] = channel.port1;
        ports.get(peer)![role] = channel.port2;
      }
    }
    for (const role of START_ORDER) this.workers.set(role, this.spawn(role, ports.get(role)!));
    try {
      await Promise.all([...this.workers.values()].map((managed) => managed.ready));
    } catch (error) {
      await this.terminateAll();
      throw error;
    }
    this.lastCheckAt = performance.now();
    this.pingTimer = setInterval(() => this.checkLiveness(), PING_MS);
    this.pingTimer.unref();
  }

  /** The control line of one role: that role's protocol (RoleProtocol[R]), calls that outlive a restart. */
  control<R extends WorkerRole>(role: R): RoleLine<RoleProtocol[R]> {
    if (!this.workers.has(role)) throw new Error(`no ${role} worker`);
    return {
      call: (method, params, options) =>
        this.callSurvivingRestart(role, (managed) => managed.control.call(method, params, options), method),
    };
  }

  /** The store worker serves the store protocol on its control line. */
  store(): RoleLine<RoleProtocol['store']> {
    return this.control('store');
  }

  private async callSurvivingRestart<R extends WorkerRole, T>(
    role: R,
    call: (managed: Managed<R>) => Promise<T>,
    method: string,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const managed = this.workers.get(role)!;
      // A restarted worker serves its role's requests only once it has loaded its runner (it says
      // `ready`); a call sent before that would be refused as an unknown method, so it waits.
      if (managed.health.state === 'starting') await managed.ready.catch(() => undefined);
      try {
        return await call(managed);
      } catch (error) {
        const cutOff = (error as { code?: unknown }).code === 'CLOSED' && RESENDABLE.has(method);
        if (!cutOff || this.stopping || attempt >= MAX_REDISPATCH) throw error;
        // Cut off because the worker went away: once the restart is through, ask its successor.
        await this.restarting;
        const next = this.workers.get(role);
        if (!next || next === managed || next.health.state !== 'ready') throw error;
        this.options.log('info', `re-sent "${method}" to the restarted ${role} worker`);
      }
    }
  }

  health(): WorkerHealth[] {
    return START_ORDER.map((role) => ({ ...this.workers.get(role)!.health, restarts: this.restarts.get(role) ?? 0 }));
  }

  /** The worker thread itself (tests kill it to prove supervision). */
  thread(role: WorkerRole): Worker {
    return this.workers.get(role)!.worker;
  }

  /** Resolves when no restart is in progress. */
  settled(): Promise<void> {
    return this.restarting;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    await this.restarting;
    for (const role of STOP_ORDER) {
      const managed = this.workers.get(role);
      if (!managed) continue;
      managed.stopping = true;
      try {
        await managed.control.call('drain', undefined, { timeoutMs: 10_000 });
      } catch (error) {
        this.options.log('warn', `the ${role} worker did not drain cleanly`, { error: String(error) });
      }
      managed.control.close('stopped');
      managed.health.state = 'stopped';
      await managed.worker.terminate();
    }
  }

  private spawn<R extends WorkerRole>(role: R, ports: WorkerPorts): Managed<R> {
    const heartbeat = createHeartbeatSlot();
    const { workerFile } = this.options;
    const worker = new Worker(typeof workerFile === 'function' ? workerFile(role) : workerFile, {
      workerData: { init: { ...this.options.init, role }, ports, heartbeat },
      transferList: Object.values(ports),
      name: `bitbrat-${role}`,
      // V8 sizes each isolate's young generation for one busy main thread (up to ~32 MB, kept once
      // grown); seven isolates that mostly pass small messages do not need it. 4 MB: the bench's RSS
      // fell by ~100 MB (346 → 262 MB at start, 473 → 366 MB after 30 s at 1,000 events/s) for no
      // measurable CPU (scavenges are more frequent, each is smaller).
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    let markReady!: () => void;
    let failStart!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    const startTimer = setTimeout(
      () => failStart(new Error(`the ${role} worker did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    let lastError: string | null = null;
    const pushes: PushHandlers<HostControlProtocol> = {
      ...this.options.pushes,
      ready: () => {
        clearTimeout(startTimer);
        managed.health.state = 'ready';
        managed.lastBeatAt = performance.now();
        markReady();
      },
    };
    const control = createPeer<HostControlProtocol, RoleProtocol[R]>(portTransport(worker), {
      pushes,
      onLog: (level, message, fields) => {
        if (level === 'error') lastError = message;
        this.options.log(level, message, fields);
      },
    });
    const managed: Managed<R> = {
      role,
      worker,
      control,
      ready,
      stopping: false,
      heartbeat,
      lastBeat: readHeartbeat(heartbeat),
      lastBeatAt: performance.now(),
      health: { role, state: 'starting', restarts: this.restarts.get(role) ?? 0, lastError: null, lastPongAt: null },
    };
    worker.on('error', (error) => {
      lastError = error.message;
      managed.health.lastError = error.message;
      failStart(new Error(`the ${role} worker failed to start: ${lastError}`));
    });
    worker.on('exit', (code) => {
      clearTimeout(startTimer);
      control.close(`worker exited with code ${code}`);
      if (managed.stopping || this.stopping) return;
      managed.health.lastError = lastError ?? `exited with code ${code}`;
      failStart(new Error(`the ${role} worker exited during start-up: ${managed.health.lastError}`));
      if (managed.health.state !== 'starting') this.scheduleRestart(role, `exited with code ${code}`);
    });
    return managed;
  }

  private checkLiveness(): void {
    const now = performance.now();
    // This thread's own lateness (it was busy): time nobody watched is not held against a worker.
    const lag = Math.max(0, now - this.lastCheckAt - PING_MS);
    this.lastCheckAt = now;
    for (const managed of this.workers.values()) {
      if (managed.stopping || managed.health.state !== 'ready') continue;
      const beat = readHeartbeat(managed.heartbeat);
      if (beat !== managed.lastBeat) {
        managed.lastBeat = beat;
        managed.lastBeatAt = now;
        managed.health.lastPongAt = Date.now();
        continue;
      }
      managed.lastBeatAt = Math.min(now, managed.lastBeatAt + lag);
      const silent = now - managed.lastBeatAt;
      if (silent > HANG_MS_BY_ROLE[managed.role]) {
        this.scheduleRestart(managed.role, `no heartbeat for ${Math.round(silent)} ms (hung)`);
      }
    }
  }

  private scheduleRestart(role: WorkerRole, why: string): void {
    const managed = this.workers.get(role);
    if (!managed || managed.stopping || this.stopping) return;
    managed.stopping = true;
    managed.health.state = 'restarting';
    this.options.log('warn', `restarting the ${role} worker: ${why}`);
    this.restarting = this.restarting.then(() =>
      this.restart(role).catch((error: unknown) => {
        managed.health.state = 'failed';
        this.options.log('error', `could not restart the ${role} worker`, { error: String(error) });
      }),
    );
  }

  /** The current worker's own line, no re-sending: restarts run inside the restart chain and must not wait on it. */
  private line<R extends WorkerRole>(role: R): Peer<RoleProtocol[R]> {
    return this.workers.get(role)!.control;
  }

  private async restart(role: WorkerRole): Promise<void> {
    const roles: WorkerRole[] = role === 'store' ? ['store', 'router'] : [role];
    for (const target of roles) {
      const old = this.workers.get(target)!;
      old.stopping = true;
      old.control.close('restarting');
      await old.worker.terminate();
    }
    // New links for every restarted worker: a link between two restarted workers gets both ends
    // at spawn; a link to a running worker is handed over to it.
    const ports = new Map<WorkerRole, WorkerPorts>(roles.map((target) => [target, {}]));
    const handovers: { to: WorkerRole; link: WorkerRole; port: MessagePort }[] = [];
    for (const target of roles) {
      for (const peer of LINKS[target]) {
        if (ports.get(target)![peer]) continue;
        const channel = new MessageChannel();
        ports.get(target)![peer] = channel.port1;
        if (ports.has(peer)) ports.get(peer)![target] = channel.port2;
        else handovers.push({ to: peer, link: target, port: channel.port2 });
      }
    }
    for (const target of roles) {
      const managed = this.spawn(target, ports.get(target)!);
      this.workers.set(target, managed);
      this.restarts.set(target, (this.restarts.get(target) ?? 0) + 1);
      managed.health.restarts = this.restarts.get(target)!;
    }
    for (const { to, link, port } of handovers) {
      const handover: PortHandover = { kind: 'port', link, port };
      this.workers.get(to)!.worker.postMessage(handover, [port]);
    }
    await Promise.all(roles.map((target) => this.workers.get(target)!.ready));
    for (const target of roles) {
      try {
        await this.options.onRestarted?.(target);
      } catch (error) {
        this.options.log('warn', `could not restore the ${target} worker's state`, { error: String(error) });
      }
    }
    if (roles.includes('router')) {
      await this.line('store').call('flush', undefined);
      await this.line('router').call('resume', undefined);
    } else if (isPhaseRole(role)) {
      await this.line('router').call('phaseRestarted', { phase: role });
    } else if (role === 'ingress') {
      // Events the old ingress committed but had not handed to the router yet are on disk only:
      // the router picks them up (it skips the events it already holds).
      await this.line('router').call('resume', undefined);
    }
    this.options.log('info', `the ${role} worker is back`);
  }

  private async terminateAll(): Promise<void> {
    for (const managed of this.workers.values()) {
      managed.stopping = true;
      managed.control.close('start failed');
      await managed.worker.terminate();
    }
  }
}

/** The running worker of each role, typed by its role. */
class RoleMap {
  private readonly byRole: { [R in WorkerRole]?: Managed<R> } = {};

  get<R extends WorkerRole>(role: R): Managed<R> | undefined {
    return this.byRole[role];
  }

  set<R extends WorkerRole>(role: R, managed: Managed<R>): void {
    // (TypeScript cannot check a write through a generic key of a mapped type; the signature does.)
    Object.assign(this.byRole, { [role]: managed });
  }

  has(role: WorkerRole): boolean {
    return this.byRole[role] !== undefined;
  }

  values(): Managed[] {
    return START_ORDER.flatMap((role) => this.get(role) ?? []);
  }
}
