/**
 * PipelineHost: opens the data folder, starts and supervises the workers, and serves the HostApi
 * (to the Electron window over IPC, to browser consoles through the gateway, to the CLI directly).
 *
 * Reads are answered from the host's own read-only SQLite connection; every write goes through
 * the store worker (the single writer); decisions go to the router (the single decider).
 */
import { statSync } from 'node:fs';
import { describeIssues } from '../../core/zod-issues.js';
import { join } from 'node:path';
import type { Approval } from '../../core/approval.js';
import type { GatewayDelivery } from '../../core/client-protocol.js';
import type { OverlayAlert } from '../../core/alerts.js';
import { createAlertApi } from '../alerts/alert-api.js';
import { seedDemoAlertSound } from '../alerts/chime.js';
import { DEFAULT_COMMANDS, checkCommand } from '../../core/commands.js';
import { SettingsSchema, type HostApi, type HostPushes, type HostTopic, type Settings } from '../../core/host-api.js';
import type {
  EventSummary,
  LineParseResult,
  PipelineStats,
  ReplayWorkerFormat,
  SubmitResult,
  WorkerRole,
} from '../../core/protocol/pipeline.js';
import type { StoreProtocol, StoreWrite } from '../../core/protocol/store.js';
import type { LogLevel } from '../../core/rpc.js';
import { DEFAULT_RULES, RuleBook, checkRule, ruleFacts, type Rule } from '../../core/rules.js';
import { summarizeEvent } from '../../core/summary.js';
import type { LlmStoreWrite, PersonaInput } from '../../core/llm.js';
import { createLlmClient, llmConfigFromEnv } from '../llm/client.js';
import { createLlmLimits, type LlmLimits } from '../llm/limits.js';
import { applyLlmEnv } from '../llm/llm-bot.js';
import { createLlmMemory, type LlmMemory } from '../llm/memory.js';
import { createPersonaStore, type PersonaStore } from '../llm/personas.js';
import { secureDataDir, takeDataDirLock, type DataDirLock } from '../store/data-dir.js';
import { applyPendingRestore, DAY_MS } from '../features/backups.js';
import { createFeatureApi, seedDemoTimer } from '../features/feature-api.js';
import { createGiveawayReader } from '../features/giveaway-store.js';
import { createFeatureReader } from '../features/feature-reader.js';
import { openReadConnection, openWriteConnection, type ReadDb } from '../store/database.js';
import { migrate, seedIfEmpty } from '../store/migrations.js';
import { createStoreReader, type StoreReader } from '../store/reader.js';
import { moderationErrorForEvent } from '../connectors/twitch/helix-moderation.js';
import { TWITCH_CHAT_CONNECTOR } from '../connectors/twitch/irc-normalize.js';
import { TWITCH_CLIENT_ID_ENV, twitchEndpointsFromEnv, type TwitchEndpoints } from '../twitch-integration/endpoints.js';
import { FileSecretStore, SECRET_NAMES, type SecretStore } from '../twitch-integration/secret-store.js';
import { TwitchIntegration } from '../twitch-integration/twitch-accounts.js';
import type { TwitchWorkerConfig } from '../../core/protocol/twitch.js';
import type { DiscordWorkerConfig } from '../../core/protocol/discord.js';
import { DiscordLink } from '../discord-integration/discord-link.js';
import type { Envelope } from '../../core/envelope.js';
import { createRedactor, type Redactor } from '../../core/redaction.js';
import { redactingLog, redactingSecretStore } from './redacting-secrets.js';
import { turnTaker } from './turn-taker.js';
import { WorkerSupervisor } from './worker-supervisor.js';
import { workerFileUrl } from './worker-file.js';

/** The gateway-side handlers of the HostApi's client and webhook methods. */
export type GatewayAdmin = {
  [
    K in
      | 'clients.create'
      | 'clients.list'
      | 'clients.revoke'
      | 'clients.stats'
      | 'webhooks.create'
      | 'webhooks.list'
      | 'webhooks.delete'
      | 'overlay.writeFile'
  ]: (params: unknown) => ReturnType<HostApi[K]>;
};

const gatewayOffResult = {
  ok: false as const,
  error: 'the gateway is not running (start BitBrat with its console server on)',
};

export type HostLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
export type PushListener = <T extends HostTopic>(topic: T, data: HostPushes[T]) => void;

export interface HostOptions {
  dataDir: string;
  log?: HostLog;
  /** Start the demo source at this many events per second. */
  /** `live`: the simulated stream goes live and a demo timer is added (`bitbrat serve --demo`). */
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

/** Twitch config calls wait for the bot to connect and join (tmi.js, up to 10 s) before answering. */
const TWITCH_CONFIG_TIMEOUT_MS = 30_000;

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
  readonly startedAt = Date.now();
  /** Personas, memory and usage read on the host's own read-only connection; writes go to the store worker. */
  private readonly llm: { personas: PersonaStore; memory: LlmMemory; limits: LlmLimits; db: ReadDb };

  private constructor(
    readonly dataDir: string,
    readonly dbPath: string,
    private readonly reader: StoreReader,
    private readonly supervisor: WorkerSupervisor,
    private readonly log: HostLog,
    private readonly lock: DataDirLock,
    private readonly secrets: SecretStore,
    /** Linked Twitch accounts, login, tokens and moderation (tests drive refreshes through it). */
    readonly twitch: TwitchIntegration,
    /** The host thread's secrets (LLM key, Twitch tokens, the console token): out of every log and answer. */
    readonly redactor: Redactor,
    private readonly discord: DiscordLink,
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
    this.api = this.redactAnswers(this.createApi());
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
        onPush: (topic, data) => holder.host?.onWorkerPush(topic, data),
        onRestarted: (role) => holder.host?.onWorkerRestarted(role),
        log,
      });
      await supervisor.start();
      const secrets = redactingSecretStore(
        options.secrets ?? new FileSecretStore(options.dataDir, (message) => log('warn', message)),
        redactor,
      );
      const twitch = await TwitchIntegration.open({
        secrets,
        settings: () => reader.loadSettings(),
        endpoints: twitchEndpointsFromEnv(process.env, options.twitch?.endpoints),
        clientIdOverride: process.env[TWITCH_CLIENT_ID_ENV],
        enabled: options.twitch?.enabled ?? true,
        publish: (config) => publishTwitch(supervisor, ['ingress', 'egress', 'reaction'], config),
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
        publish: (config) => publishDiscord(supervisor, ['ingress', 'egress'], config),
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
      );
      holder.host = host;
      // Before resuming: a resumed reply bound for Twitch chat needs the bot's connection.
      await host.pushLlmApiKey();
      await host.pushObs();
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

  private async gatewayAdmin<K extends keyof GatewayAdmin, F>(
    method: K,
    params: unknown,
    whenOff: F,
  ): Promise<Awaited<ReturnType<GatewayAdmin[K]>> | F> {
    const admin = this.gatewayAdminHandlers;
    if (!admin) return whenOff;
    return (await admin[method](params)) as Awaited<ReturnType<GatewayAdmin[K]>>;
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

  private onWorkerPush(topic: string, data: unknown): void {
    if (topic === 'feed') {
      const summaries = data as EventSummary[];
      for (const summary of summaries) if (this.terminalWaiters.has(summary.id)) this.settle(summary.id, summary);
      this.emit('feed', summaries);
    } else if (topic === 'approvals') this.emit('approvals', data as Approval[]);
    else if (topic === 'delivery') {
      for (const listener of this.deliveryListeners) listener(data as GatewayDelivery[]);
    } else if (topic === 'alert') {
      for (const listener of this.alertListeners) listener(data as OverlayAlert[]);
    } else if (topic === 'twitchToken') {
      this.twitch.onTokenRefused(data as { account: 'broadcaster' | 'bot'; reason: string });
    }
  }

  /** A restarted worker lost what the host keeps only in memory for it: give it back. */
  private async onWorkerRestarted(role: WorkerRole): Promise<void> {
    if (role === 'ingress' || role === 'egress') {
      await publishTwitch(this.supervisor, [role], this.twitch.workerConfig());
      await publishDiscord(this.supervisor, [role], await this.discord.workerConfig());
    } else if (role === 'reaction' || role === 'enrichment') {
      await this.pushLlmApiKey([role]);
      if (role === 'reaction') {
        // The reaction worker reads Helix with the broadcaster's token ({game}, {followage}, !so).
        await publishTwitch(this.supervisor, [role], this.twitch.workerConfig());
        await this.pushObs();
      }
    }
  }

  /** The reaction worker's OBS connection: the address from the settings, the password from the secret store. */
  private async pushObs(): Promise<void> {
    const settings = this.reader.loadSettings().obs;
    let password: string | null = null;
    try {
      password = await this.secrets.get(SECRET_NAMES.obsPassword);
    } catch (error) {
      this.log('error', 'could not read the OBS password from the secret store', { error: String(error) });
    }
    // The connection attempt may take a while: the host does not wait for OBS.
    void this.control('reaction')
      .call('obs', settings.enabled ? { url: settings.url, password } : null)
      .catch((error: unknown) => this.log('warn', 'could not configure OBS control', { error: String(error) }));
  }

  /**
   * The llm-bot (reaction) and the analyzer's optional classification (enrichment) get the stored
   * API key over their control lines (memory only).
   */
  private async pushLlmApiKey(
    roles: readonly ('reaction' | 'enrichment')[] = ['reaction', 'enrichment'],
  ): Promise<void> {
    let apiKey: string | null = null;
    try {
      apiKey = await this.secrets.get(SECRET_NAMES.llmApiKey);
    } catch (error) {
      this.log('error', 'could not read the LLM API key from the secret store', { error: String(error) });
    }
    await Promise.all(roles.map((role) => this.control(role).call('llmApiKey', { apiKey })));
  }

  /** A failed moderator action on a finished event is kept on it (`errors[]`). */
  private async recordModerationError(
    event: Envelope,
    answer: { message: string; result?: Parameters<typeof moderationErrorForEvent>[0] },
    action: string,
  ): Promise<void> {
    // The router owns events still in flight and would overwrite this; the answer tells the moderator.
    if (event.routing.stage !== 'terminal') return;
    const error = (answer.result && moderationErrorForEvent(answer.result)) ?? {
      at: Date.now(),
      source: 'helix-moderation',
      code: `moderation.${action}.unavailable`,
      message: answer.message.slice(0, 2000),
    };
    await this.write([{ op: 'event.upsert', event: { ...event, errors: [...event.errors, error] } }]);
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
      this.storeCall('prune', { before: Date.now() - days * 86_400_000 }).then(
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

  private control(role: WorkerRole) {
    return this.supervisor.control(role);
  }

  /**
   * Every HostApi answer passes the redactor (an error text in an event, a provider's message in
   * `llm.test`), except the answers whose purpose is to hand out a secret just created.
   */
  private redactAnswers(api: HostApi): HostApi {
    const handsOutASecret: ReadonlySet<keyof HostApi> = new Set<keyof HostApi>(['clients.create', 'webhooks.create']);
    const wrapped: Record<string, unknown> = {};
    for (const [method, handler] of Object.entries(api) as [keyof HostApi, (params: unknown) => Promise<unknown>][]) {
      wrapped[method] = handsOutASecret.has(method)
        ? handler
        : async (params: unknown) => this.redactor.redactValue(await handler(params));
    }
    return wrapped as unknown as HostApi;
  }

  private createApi(): HostApi {
    const reader = this.reader;
    return {
      // Counters, quotes ... (issue 14), on the host's read connection.
      ...createFeatureApi({
        reader: createFeatureReader(this.llm.db),
        giveaways: createGiveawayReader(this.llm.db),
        commit: (batch) => this.write(batch),
        backups: { dataDir: this.dataDir, db: this.llm.db, keep: () => reader.loadSettings().backupsKept },
        config: {
          sources: {
            rules: () => reader.loadRules(),
            commands: () => reader.loadCommands(),
            personas: () => this.llm.personas.list(),
            settings: () => reader.loadSettings(),
          },
          // Every worker picks up the imported rules, commands and settings at once.
          afterImport: async () => {
            await Promise.all([
              this.control('router').call('reload', { what: 'rules' }),
              this.control('reaction').call('reloadCommands', undefined),
              ...(['router', 'enrichment', 'reaction', 'egress'] as const).map((role) =>
                this.control(role).call('reload', { what: 'settings' }),
              ),
            ]);
            await this.twitch.republish();
          },
        },
      }),
      // Overlay alerts: sounds in the data folder, test alerts through the pipeline (alerts.ts).
      ...createAlertApi({ dataDir: this.dataDir, submit: (connector, items) => this.submit(connector, items) }),
      'events.list': async (query) => reader.listEvents(query),
      'events.get': async ({ id }) => reader.getEvent(id),
      'events.reroute': (params) => this.control('router').call('reroute', params),
      'approvals.list': async ({ open = true, limit = 200 }) => {
        const approvals = reader.listApprovals({ open, limit });
        const held = [];
        // Up to `limit` event reads: in slices, so the gateway and supervision get their turns.
        const turn = turnTaker();
        for (const approval of approvals) {
          await turn();
          const detail = reader.getEvent(approval.eventId);
          if (detail) held.push({ approval, event: summarizeEvent(detail.event, Date.now()) });
        }
        return held;
      },
      'approvals.decide': (request) => this.control('router').call('decide', request),
      'rules.list': async () => reader.loadRules(),
      'rules.save': async ({ rule }) => {
        const checked = checkRule(rule);
        if (!checked.ok) return checked;
        await this.write([{ op: 'rule.upsert', rule: checked.rule }]);
        await this.control('router').call('reload', { what: 'rules' });
        return { ok: true, value: checked.rule };
      },
      'rules.delete': async ({ id }) => {
        const exists = reader.loadRules().some((rule) => rule.id === id);
        if (!exists) return { ok: false };
        await this.write([{ op: 'rule.delete', id }]);
        await this.control('router').call('reload', { what: 'rules' });
        return { ok: true };
      },
      'rules.test': async ({ eventId, rule }) => {
        const detail = reader.getEvent(eventId);
        if (!detail) return { ok: false, error: 'no such event' };
        let rules: Rule[] = reader.loadRules();
        let stage: Rule['stage'] = 'reaction';
        if (rule !== undefined) {
          const checked = checkRule(rule);
          if (!checked.ok) return checked;
          rules = [...rules.filter((existing) => existing.id !== checked.rule.id), checked.rule];
          stage = checked.rule.stage;
        }
        const matched = new RuleBook(rules).match(stage, ruleFacts(detail.event));
        const chosen = matched[0];
        return {
          ok: true,
          value: { matched: matched.map((r) => r.id), chosen: chosen?.id ?? null, slip: chosen?.slip ?? [] },
        };
      },
      'commands.list': async () => reader.loadCommands(),
      'commands.save': async ({ command }) => {
        const checked = checkCommand(command);
        if (!checked.ok) return { ok: false, error: checked.error };
        await this.write([{ op: 'command.upsert', command: checked.command }]);
        await this.control('reaction').call('reloadCommands', undefined);
        return { ok: true, value: checked.command };
      },
      'commands.delete': async ({ id }) => {
        if (!reader.loadCommands().some((command) => command.id === id)) return { ok: false };
        await this.write([{ op: 'command.delete', id }]);
        await this.control('reaction').call('reloadCommands', undefined);
        return { ok: true };
      },
      'settings.get': async () => reader.loadSettings(),
      'settings.set': async ({ key, value }) => {
        const next = { ...reader.loadSettings(), [key]: value };
        const parsed = SettingsSchema.safeParse(next);
        if (!parsed.success) {
          return { ok: false, error: describeIssues(parsed.error) };
        }
        await this.write([{ op: 'setting.set', key, value: parsed.data[key as keyof Settings] }]);
        // Every worker that reads settings picks the change up at once (the bot name, the expiry default).
        await Promise.all(
          (['router', 'enrichment', 'reaction', 'egress'] as const).map((role) =>
            this.control(role).call('reload', { what: 'settings' }),
          ),
        );
        // Naming (or changing) the channel starts reading it at once; a new client id is used for the next login.
        if (key === 'channel' || key === 'twitchClientId' || key === 'twitchChatTransport')
          await this.twitch.republish();
        if (key === 'discord') await this.discord.republish();
        if (key === 'obs') await this.pushObs();
        return { ok: true, value: parsed.data };
      },
      'health.get': async () => ({
        startedAt: this.startedAt,
        workers: this.supervisor.health(),
        connectors: [
          ...(await this.control('ingress')
            .call('connectors', undefined, { timeoutMs: 2000 })
            .catch(() => [])),
          ...this.twitch.health(),
          ...(await this.control('reaction')
            .call('obsHealth', undefined, { timeoutMs: 2000 })
            .catch(() => [])),
        ],
        database: { path: this.dbPath, sizeBytes: fileSize(this.dbPath) + fileSize(`${this.dbPath}-wal`) },
      }),
      'stats.get': async (): Promise<PipelineStats> => {
        const stats = await this.control('router').call('stats', undefined);
        return { ...stats, rejected: reader.rejectionCount() };
      },
      'users.list': async (params) => reader.listUsers({ search: params.search, limit: params.limit ?? 100 }),
      'users.act': async (params) => {
        const key = `${params.platform}:${params.externalId}`;
        if (params.action === 'ignore' || params.action === 'unignore') {
          const current = reader.loadSettings().ignoredUsers;
          const next =
            params.action === 'ignore' ? [...new Set([...current, key])] : current.filter((entry) => entry !== key);
          const saved = await this.api['settings.set']({ key: 'ignoredUsers', value: next });
          if (!saved.ok) return { ok: false, message: saved.error };
          this.log('info', `${params.moderator} ${params.action}d ${key}`);
          return {
            ok: true,
            message: params.action === 'ignore' ? 'ignored: the bot will not react to this user' : 'no longer ignored',
          };
        }
        if (params.platform !== 'twitch') {
          return {
            ok: false,
            message: `time-outs and bans go through Twitch; ${params.platform} users cannot get one`,
          };
        }
        const reason = params.reason ? { reason: params.reason } : {};
        const answer =
          params.action === 'timeout'
            ? await this.twitch.moderate({
                kind: 'timeout',
                userId: params.externalId,
                seconds: params.seconds ?? 600,
                ...reason,
              })
            : await this.twitch.moderate({ kind: 'ban', userId: params.externalId, ...reason });
        this.log(answer.ok ? 'info' : 'warn', `${params.moderator} ${params.action} ${key}: ${answer.message}`);
        return { ok: answer.ok, message: answer.message };
      },
      'events.deleteMessage': async ({ eventId, moderator }) => {
        const detail = reader.getEvent(eventId);
        if (!detail) return { ok: false, message: 'no such event' };
        const event = detail.event;
        if (event.ingress.connector !== TWITCH_CHAT_CONNECTOR || !event.message?.id) {
          return { ok: false, message: 'only Twitch chat messages (with their Twitch message id) can be deleted' };
        }
        const answer = await this.twitch.moderate({ kind: 'delete', messageId: event.message.id });
        this.log(answer.ok ? 'info' : 'warn', `${moderator} deleted message ${event.message.id}: ${answer.message}`);
        if (!answer.ok) await this.recordModerationError(event, answer, 'delete');
        return { ok: answer.ok, message: answer.message };
      },
      'twitch.login.start': ({ account }) => this.twitch.loginStart(account),
      'twitch.accounts': async () => this.twitch.accounts(),
      'twitch.logout': ({ account }) => this.twitch.logout(account),
      'discord.setToken': ({ token }) => this.discord.setToken(token),
      'obs.setPassword': async ({ password }) => {
        try {
          if (password) await this.secrets.set(SECRET_NAMES.obsPassword, password);
          else await this.secrets.delete(SECRET_NAMES.obsPassword);
        } catch (error) {
          return {
            ok: false,
            message: `could not store the password: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
        await this.pushObs();
        return { ok: true, message: password ? 'OBS password stored' : 'OBS password removed' };
      },
      'llm.setApiKey': async ({ key }) => {
        try {
          if (key) await this.secrets.set(SECRET_NAMES.llmApiKey, key);
          else await this.secrets.delete(SECRET_NAMES.llmApiKey);
        } catch (error) {
          return {
            ok: false,
            message: `could not store the key: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
        await this.pushLlmApiKey();
        return { ok: true, message: key ? 'API key stored in the secret store' : 'API key removed' };
      },
      'events.replay': async ({ id }) => {
        const detail = reader.getEvent(id);
        if (!detail) return { ok: false, error: 'no such event' };
        const original = detail.event;
        // A replay runs as a new event from the `replay` connector, so its reply goes to the console, never
        // back to the platform the original came from.
        const [result] = await this.submit('replay', [
          {
            correlationId: original.id,
            type: original.type,
            ingress: { connector: 'replay', channel: original.ingress.channel, source: 'console-replay' },
            identity: { external: original.identity.external },
            ...(original.message
              ? {
                  message: {
                    text: original.message.text,
                    ...(original.message.emotes ? { emotes: original.message.emotes } : {}),
                  },
                }
              : {}),
            ...(original.details ? { details: original.details } : {}),
            ...(original.externalEvent ? { externalEvent: original.externalEvent } : {}),
          },
        ]);
        if (!result) return { ok: false, error: 'not accepted' };
        return result.ok ? { ok: true, value: { id: result.id } } : { ok: false, error: result.error };
      },
      'personas.list': async () => this.llm.personas.list(),
      'personas.save': async ({ persona }) => {
        const saved = this.llm.personas.upsert(persona as PersonaInput);
        // Committed before answering, so the console's next `personas.list` shows it.
        await this.flush();
        return saved.ok ? { ok: true, value: saved.persona } : saved;
      },
      'personas.delete': async ({ id }) => {
        if (!this.llm.personas.list().some((persona) => persona.id === id)) return { ok: false };
        this.llm.personas.delete(id);
        await this.flush();
        return { ok: true };
      },
      'memory.list': async (params) =>
        this.llm.memory.view({
          ...(params.scope ? { scope: params.scope } : {}),
          ...(params.scopeKey ? { scopeKey: params.scopeKey } : {}),
          limit: params.limit ?? 100,
        }),
      'memory.clear': async (params) => {
        this.llm.memory.clear(params.scope, params.scopeKey);
        await this.flush();
        return { ok: true };
      },
      'clients.create': (params) => this.gatewayAdmin('clients.create', params, gatewayOffResult),
      'clients.list': (params) => this.gatewayAdmin('clients.list', params, []),
      'clients.revoke': (params) => this.gatewayAdmin('clients.revoke', params, { ok: false }),
      'clients.stats': (params) =>
        this.gatewayAdmin('clients.stats', params, {
          clients: { connected: 0, accepted: 0, delivered: 0, refused: {} },
          webhooks: { accepted: 0, refused: {} },
        }),
      'webhooks.create': (params) => this.gatewayAdmin('webhooks.create', params, gatewayOffResult),
      'webhooks.list': (params) => this.gatewayAdmin('webhooks.list', params, []),
      'webhooks.delete': (params) => this.gatewayAdmin('webhooks.delete', params, { ok: false }),
      'overlay.writeFile': (params) => this.gatewayAdmin('overlay.writeFile', params, gatewayOffResult),
      'llm.usage': async () => this.llm.limits.usageToday(),
      'llm.test': async () => {
        const settings = applyLlmEnv(reader.loadSettings().llm, llmConfigFromEnv(process.env));
        if (!settings.baseUrl) return { ok: false, message: 'no LLM configured: set the endpoint first', latencyMs: 0 };
        const started = Date.now();
        const storedKey = await this.secrets.get(SECRET_NAMES.llmApiKey).catch(() => null);
        try {
          const client = createLlmClient({
            baseUrl: settings.baseUrl,
            apiKey: storedKey ?? llmConfigFromEnv(process.env)?.apiKey,
            timeoutMs: Math.min(settings.timeoutMs, 15_000),
            maxRetries: 0,
          });
          const result = await client.complete({
            model: settings.model,
            messages: [{ role: 'user', content: 'Reply with the single word: ok' }],
            temperature: 0,
            maxTokens: 5,
            stream: false,
          });
          return {
            ok: true,
            message: `answered: ${JSON.stringify(result.choices[0]?.text ?? '').slice(0, 60)}`,
            latencyMs: Date.now() - started,
          };
        } catch (error) {
          return {
            ok: false,
            message: error instanceof Error ? error.message : String(error),
            latencyMs: Date.now() - started,
          };
        }
      },
    };
  }
}

/** Tells the ingress, egress and/or reaction worker the Twitch config (each answers once it is set up). */
async function publishTwitch(
  supervisor: WorkerSupervisor,
  roles: readonly ('ingress' | 'egress' | 'reaction')[],
  config: TwitchWorkerConfig | null,
): Promise<void> {
  await Promise.all(
    roles.map((role) => supervisor.control(role).call('twitch', config, { timeoutMs: TWITCH_CONFIG_TIMEOUT_MS })),
  );
}

/** Tells the ingress and/or egress worker the Discord config (null: Discord off). */
async function publishDiscord(
  supervisor: WorkerSupervisor,
  roles: readonly ('ingress' | 'egress')[],
  config: DiscordWorkerConfig | null,
): Promise<void> {
  await Promise.all(
    roles.map((role) => supervisor.control(role).call('discord', config, { timeoutMs: TWITCH_CONFIG_TIMEOUT_MS })),
  );
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const defaultLog: HostLog = (level, message, fields) => {
  if (level === 'debug') return;
  const line = `[${new Date().toISOString()}] ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`;
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};
