/**
 * PipelineHost: opens the data folder, starts and supervises the workers, and serves the HostApi
 * (to the Electron window over IPC, to browser consoles through the gateway, to the CLI directly).
 *
 * Reads are answered from the host's own read-only SQLite connection; every write goes through
 * the store worker (the single writer); decisions go to the router (the single decider).
 */
import { join } from 'node:path';
import type { GatewayDelivery } from '../../core/client-protocol.js';
import type { OverlayAlert } from '../../core/alerts.js';
import { seedDemoAlertSound } from '../alerts/chime.js';
import { DEFAULT_COMMANDS } from '../../core/commands.js';
import { HOST_METHODS, type HostApi, type HostMethod, type HostPushes, type HostTopic } from '../../core/host-api.js';
import type {
  EventSummary,
  LineParseResult,
  ReplayWorkerFormat,
  SubmitResult,
  WorkerRole,
} from '../../core/protocol/pipeline.js';
import type { StoreProtocol, StoreWrite } from '../../core/protocol/store.js';
import type { LogLevel } from '../../core/rpc.js';
import { DEFAULT_RULES } from '../../core/rules.js';
import { summarizeEvent } from '../../core/summary.js';
import type { LlmStoreWrite } from '../../core/llm.js';
import { llmConfigFromEnv } from '../llm/client.js';
import { createLlmLimits, type LlmLimits } from '../llm/limits.js';
import { createLlmMemory, type LlmMemory } from '../llm/memory.js';
import { createPersonaStore, type PersonaStore } from '../llm/personas.js';
import { secureDataDir, takeDataDirLock, type DataDirLock } from '../store/data-dir.js';
import { applyPendingRestore, DAY_MS } from '../features/backups.js';
import { seedDemoTimer } from '../features/feature-api.js';
import { openReadConnection, openWriteConnection, type ReadDb } from '../store/database.js';
import { migrate, seedIfEmpty } from '../store/migrations.js';
import { createStoreReader, type StoreReader } from '../store/reader.js';
import { TWITCH_CLIENT_ID_ENV, twitchEndpointsFromEnv, type TwitchEndpoints } from '../twitch-integration/endpoints.js';
import { FileSecretStore, type SecretStore } from '../twitch-integration/secret-store.js';
import { TwitchIntegration } from '../twitch-integration/twitch-accounts.js';
import { DiscordLink } from '../discord-integration/discord-link.js';
import { createRedactor, type Redactor } from '../../core/redaction.js';
import { createHostApi } from './api/create-host-api.js';
import type { GatewayAdmin } from './api/gateway-admin-api.js';
import { redactingLog, redactingSecretStore } from './redacting-secrets.js';
import { createWorkerConfig, type WorkerConfig } from './worker-config.js';
import { WorkerSupervisor } from './worker-supervisor.js';
import { workerFileUrl } from './worker-file.js';

export type HostLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
export type PushListener = <T extends HostTopic>(topic: T, data: HostPushes[T]) => void;

export interface HostOptions {
  dataDir: string;
  log?: HostLog;
  /**
   * Start the demo source at this many events per second; `live`: the simulated stream goes live and
   * a demo timer is added (`bitbrat serve --demo`).
   */
  demo?: { ratePerSecond: number; scripted: boolean; live?: boolean };
  /**
   * Where Twitch tokens and the LLM API key are kept. The desktop app passes its safeStorage store;
   * headless defaults to an encrypted file with a 0600 key file in the data folder.
   */
  secrets?: SecretStore;
  /** `enabled: false` never connects to Discord (replay); `apiUrl` overrides BITBRAT_DISCORD_API_URL (tests). */
  discord?: { enabled?: boolean; apiUrl?: string };
  /** `enabled: false` never connects to Twitch (replay). Endpoints override BITBRAT_TWITCH_* (tests). */
  twitch?: {
    enabled?: boolean;
    endpoints?: Partial<TwitchEndpoints>;
    refreshMarginMs?: number;
    minRefreshDelayMs?: number;
  };
  /** Events in the router's hands before ingress holds new ones back (default 2,000; tests set it small). */
  highWater?: number;
}

const HEALTH_PUSH_MS = 2000;

export class PipelineHost {
  readonly api: HostApi;
  private readonly listeners = new Set<PushListener>();
  private readonly deliveryListeners = new Set<(deliveries: GatewayDelivery[]) => void>();
  private readonly alertListeners = new Set<(alerts: OverlayAlert[]) => void>();
  private readonly terminalWaiters = new Map<
    string,
    { settled: (summary: EventSummary) => boolean; done: (summary: EventSummary) => void }[]
  >();
  private healthTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private backupTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private gatewayAdminHandlers: GatewayAdmin | undefined;
  private readonly startedAt = Date.now();
  /** Personas, memory and usage read on the host's own read-only connection; writes go to the store worker. */
  private readonly llm: { personas: PersonaStore; memory: LlmMemory; limits: LlmLimits; db: ReadDb };

  private constructor(
    readonly dataDir: string,
    readonly dbPath: string,
    private readonly reader: StoreReader,
    private readonly supervisor: WorkerSupervisor,
    private readonly log: HostLog,
    private readonly lock: DataDirLock,
    secrets: SecretStore,
    /** Linked Twitch accounts, login, tokens and moderation (tests drive refreshes through it). */
    readonly twitch: TwitchIntegration,
    /** The host thread's secrets (LLM key, Twitch tokens, the console token): out of every log and answer. */
    readonly redactor: Redactor,
    private readonly discord: DiscordLink,
    private readonly workerConfig: WorkerConfig,
  ) {
    const db = openReadConnection(dbPath);
    const write = (op: LlmStoreWrite) =>
      void this.write([op]).catch((error: unknown) => log('error', 'an LLM write failed', { error: String(error) }));
    this.llm = {
      db,
      personas: createPersonaStore({ db, write }),
      memory: createLlmMemory({
        db,
        write,
        bounds: () => {
          const llm = reader.loadSettings().llm;
          return { maxEntries: llm.memoryEntries, maxChars: llm.memoryChars };
        },
      }),
      limits: createLlmLimits({ db }),
    };
    this.api = this.redactAnswers(
      createHostApi({
        reader,
        write: (batch) => this.write(batch),
        flush: () => this.flush(),
        control: (role) => supervisor.control(role),
        submit: (connector, items) => this.submit(connector, items),
        workerConfig,
        secrets,
        log,
        dataDir,
        dbPath,
        startedAt: this.startedAt,
        db,
        llm: this.llm,
        twitch,
        discord,
        workers: supervisor,
        gatewayAdmin: () => this.gatewayAdminHandlers,
      }),
    );
  }

  static async start(options: HostOptions): Promise<PipelineHost> {
    const redactor = createRedactor();
    redactor.set('LLM API key (environment)', llmConfigFromEnv(process.env)?.apiKey);
    const log = redactingLog(options.log ?? defaultLog, redactor);
    secureDataDir(options.dataDir);
    const dbPath = join(options.dataDir, 'bitbrat.db');
    const lock = takeDataDirLock(options.dataDir);
    try {
      // A restore the console scheduled happens here: the lock is held and nothing has the file open.
      applyPendingRestore(options.dataDir, log);
      // Migrations run here, before any worker opens the file, so a failure is one clear error.
      const db = openWriteConnection(dbPath);
      try {
        migrate(db);
        seedIfEmpty(db, { rules: [...DEFAULT_RULES], commands: [...DEFAULT_COMMANDS] });
      } finally {
        db.close();
      }
      const reader = createStoreReader(openReadConnection(dbPath));
      // Pushes may arrive before the host object exists; they are dropped until it does.
      const holder: { host?: PipelineHost } = {};
      const supervisor = new WorkerSupervisor({
        workerFile: (role) => workerFileUrl(role),
        init: {
          dataDir: options.dataDir,
          dbPath,
          demo: Boolean(options.demo),
          ...(options.highWater ? { highWater: options.highWater } : {}),
        },
        pushes: {
          feed: (summaries) => holder.host?.onFeed(summaries),
          approvals: (approvals) => holder.host?.emit('approvals', approvals),
          delivery: (deliveries) => holder.host?.deliveryListeners.forEach((listener) => listener(deliveries)),
          alert: (alerts) => holder.host?.alertListeners.forEach((listener) => listener(alerts)),
          twitchToken: (refused) => holder.host?.twitch.onTokenRefused(refused),
        },
        onRestarted: (role) => holder.host?.onWorkerRestarted(role),
        log,
      });
      await supervisor.start();
      const secrets = redactingSecretStore(
        options.secrets ?? new FileSecretStore(options.dataDir, (message) => log('warn', message)),
        redactor,
      );
      const workerConfig = createWorkerConfig({ supervisor, reader, secrets, log });
      const twitch = await TwitchIntegration.open({
        secrets,
        settings: () => reader.loadSettings(),
        endpoints: twitchEndpointsFromEnv(process.env, options.twitch?.endpoints),
        clientIdOverride: process.env[TWITCH_CLIENT_ID_ENV],
        enabled: options.twitch?.enabled ?? true,
        publish: (config) => workerConfig.twitch(['ingress', 'egress', 'reaction'], config),
        log,
        ...(options.twitch?.refreshMarginMs !== undefined ? { refreshMarginMs: options.twitch.refreshMarginMs } : {}),
        ...(options.twitch?.minRefreshDelayMs !== undefined
          ? { minRefreshDelayMs: options.twitch.minRefreshDelayMs }
          : {}),
      });
      const discord = new DiscordLink({
        secrets,
        settings: () => reader.loadSettings(),
        enabled: options.discord?.enabled ?? true,
        ...(options.discord?.apiUrl ? { apiUrl: options.discord.apiUrl } : {}),
        publish: (config) => workerConfig.discord(['ingress', 'egress'], config),
      });
      const host = new PipelineHost(
        options.dataDir,
        dbPath,
        reader,
        supervisor,
        log,
        lock,
        secrets,
        twitch,
        redactor,
        discord,
        workerConfig,
      );
      holder.host = host;
      // Before resuming: a resumed reply bound for Twitch chat needs the bot's connection.
      await workerConfig.llmApiKey();
      await workerConfig.obs();
      await twitch.start();
      await discord.republish();
      const resumed = await supervisor.control('router').call('resume', undefined);
      if (resumed > 0) log('info', `resumed ${resumed} events that were in flight when the app stopped`);
      host.startTimers();
      if (options.demo) {
        if (options.demo.live) await seedDemoTimer(host.api);
        if (options.demo.live) await seedDemoAlertSound(host.api);
        await supervisor.control('ingress').call('demo', options.demo);
      }
      return host;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * The gateway's client API, overlay and webhooks live with the gateway (they need its sockets);
   * once it runs, the HostApi serves their admin methods through it.
   */
  attachGatewayAdmin(admin: GatewayAdmin): void {
    this.gatewayAdminHandlers = admin;
  }

  subscribe(listener: PushListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replies the `gateway-clients` egress service delivered, for the gateway's client hub. */
  onDeliveries(listener: (deliveries: GatewayDelivery[]) => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  /** Alerts the `overlay-alerts` reaction service published, for the overlays (client topic `alerts`). */
  onAlerts(listener: (alerts: OverlayAlert[]) => void): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  /** Parses raw replay lines on the ingress worker (bulk parsing off the host's thread). */
  parseLines(format: ReplayWorkerFormat, lines: string[]): Promise<LineParseResult[]> {
    return this.supervisor.control('ingress').call('parse', { format, lines });
  }

  /** Parses and submits raw inbound events (replay, tests, gateway clients). */
  submit(connector: string, items: unknown[]): Promise<SubmitResult[]> {
    return this.supervisor.control('ingress').call('submit', { connector, items });
  }

  /**
   * Resolves when the event is terminal or held for approval (or rejects after `timeoutMs`).
   * Used by replay and tests; the console uses the live feed instead.
   */
  waitForSettled(eventId: string, options: { terminalOnly?: boolean; timeoutMs?: number } = {}): Promise<EventSummary> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const settled = (summary: { disposition?: unknown; stage: string }) =>
      Boolean(summary.disposition) || (!options.terminalOnly && summary.stage === 'approval');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.terminalWaiters.get(eventId) ?? [];
        this.terminalWaiters.set(
          eventId,
          list.filter((entry) => entry.done !== done),
        );
        reject(new Error(`event ${eventId} did not settle within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (summary: EventSummary) => {
        clearTimeout(timer);
        resolve(summary);
      };
      const list = this.terminalWaiters.get(eventId) ?? [];
      list.push({ settled, done });
      this.terminalWaiters.set(eventId, list);
      // It may have settled before anyone asked.
      const detail = this.reader.getEvent(eventId);
      if (detail) this.settle(eventId, summarizeEvent(detail.event, Date.now()));
    });
  }

  /** The worker supervisor (tests kill workers through it). */
  get workers(): WorkerSupervisor {
    return this.supervisor;
  }

  /** Commits everything the store has queued (tests and replay read right after). */
  async flush(): Promise<void> {
    await this.storeCall('flush', undefined);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.healthTimer);
    clearInterval(this.retentionTimer);
    clearInterval(this.backupTimer);
    await this.twitch.stop();
    await this.supervisor.stop();
    this.reader.close();
    this.llm.db.close();
    this.lock.release();
    this.log('info', 'stopped: pipeline drained, database closed');
  }

  // ---------------------------------------------------------------- pushes

  /** Summaries from the router: the feed for every console, and whoever waits for one of these events. */
  private onFeed(summaries: EventSummary[]): void {
    for (const summary of summaries) if (this.terminalWaiters.has(summary.id)) this.settle(summary.id, summary);
    this.emit('feed', summaries);
  }

  /** A restarted worker lost what the host keeps only in memory for it: give it back. */
  private async onWorkerRestarted(role: WorkerRole): Promise<void> {
    const config = this.workerConfig;
    if (role === 'ingress' || role === 'egress') {
      await config.twitch([role], this.twitch.workerConfig());
      await config.discord([role], await this.discord.workerConfig());
    } else if (role === 'reaction' || role === 'enrichment') {
      await config.llmApiKey([role]);
      if (role === 'reaction') {
        // The reaction worker reads Helix with the broadcaster's token ({game}, {followage}, !so).
        await config.twitch([role], this.twitch.workerConfig());
        await config.obs();
      }
    }
  }

  private settle(eventId: string, summary: EventSummary): void {
    const waiters = this.terminalWaiters.get(eventId);
    if (!waiters) return;
    const remaining = waiters.filter((waiter) => {
      if (!waiter.settled(summary)) return true;
      waiter.done(summary);
      return false;
    });
    if (remaining.length > 0) this.terminalWaiters.set(eventId, remaining);
    else this.terminalWaiters.delete(eventId);
  }

  private emit<T extends HostTopic>(topic: T, pushed: HostPushes[T]): void {
    // Pushes reach consoles and clients like answers do: a worker's redactor may not know every
    // secret the host knows (a refresh token, a webhook secret), so they pass the host's too.
    const data = this.redactor.redactValue(pushed);
    for (const listener of this.listeners) {
      try {
        listener(topic, data);
      } catch (error) {
        this.log('warn', 'a push listener failed', { error: String(error) });
      }
    }
  }

  private startTimers(): void {
    this.healthTimer = setInterval(() => {
      if (this.listeners.size === 0) return;
      void this.api['health.get']({}).then(
        (health) => this.emit('health', health),
        () => undefined,
      );
    }, HEALTH_PUSH_MS);
    this.healthTimer.unref();
    const prune = () => {
      const days = this.reader.loadSettings().retentionDays;
      if (days <= 0) return;
      const before = Date.now() - days * DAY_MS;
      this.storeCall('prune', { before }).then(
        (count) => count > 0 && this.log('info', `retention: pruned ${count} events older than ${days} days`),
        (error: unknown) => this.log('warn', 'retention prune failed', { error: String(error) }),
      );
    };
    prune();
    this.retentionTimer = setInterval(prune, 3_600_000);
    this.retentionTimer.unref();
    // A backup at every start and once a day (issue 14); a failure is logged, never fatal.
    const backup = () =>
      void this.api['backups.create']({}).then((result) => {
        if (result.ok) this.log('info', `backup written: ${result.value.file}`);
        else this.log('warn', result.error);
      });
    backup();
    this.backupTimer = setInterval(backup, DAY_MS);
    this.backupTimer.unref();
  }

  // ---------------------------------------------------------------- the HostApi

  private storeCall<K extends keyof StoreProtocol['requests'] & string>(
    method: K,
    params: Parameters<StoreProtocol['requests'][K]>[0],
  ): Promise<Awaited<ReturnType<StoreProtocol['requests'][K]>>> {
    return this.supervisor.store().call(method, params);
  }

  private write(batch: StoreWrite[]): Promise<void> {
    return this.storeCall('write', batch);
  }

  /**
   * Every HostApi answer passes the redactor (an error text in an event, a provider's message in
   * `llm.test`), except the answers whose purpose is to hand out a secret just created.
   */
  private redactAnswers(api: HostApi): HostApi {
    const handsOutASecret: ReadonlySet<HostMethod> = new Set<HostMethod>(['clients.create', 'webhooks.create']);
    const redacted: HostApi = { ...api };
    for (const method of HOST_METHODS) {
      if (handsOutASecret.has(method)) continue;
      const handler: (params: never) => Promise<unknown> = api[method];
      // Same method, same answer type: the redactor returns the value's own type.
      Object.assign(redacted, { [method]: async (params: never) => this.redactor.redactValue(await handler(params)) });
    }
    return redacted;
  }
}

const defaultLog: HostLog = (level, message, fields) => {
  if (level === 'debug') return;
  const line = `[${new Date().toISOString()}] ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`;
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};
