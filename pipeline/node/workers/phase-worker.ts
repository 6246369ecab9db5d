/**
 * A phase worker (enrichment, reaction or egress): builds that phase's services with their
 * dependencies and runs what the router dispatches.
 */
import type { MessagePort } from 'node:worker_threads';
import type { WorkerPhase } from '../../core/envelope.js';
import type { Settings } from '../../core/host-api.js';
import { fromJson, toJson, type PhaseWorkerProtocol, type RouterPortProtocol } from '../../core/protocol/pipeline.js';
import type { CommandDefinition, StoreProtocol, StoreWrite } from '../../core/protocol/store.js';
import { createPeer, type Peer, type Protocol } from '../../core/rpc.js';
import type { Service } from '../../core/service.js';
import type { DeliveryLedger } from '../services/console-delivery.js';
import type { TwitchChatDelivery } from '../twitch-integration/egress-twitch.js';
import type { GatewayDelivery } from '../../core/client-protocol.js';
import type { OverlayAlert } from '../../core/alerts.js';
import type { ObsLink } from '../obs/obs-link.js';
import { webhookSecretName, type OutboundWebhook } from '../gateway/webhooks/webhook-store.js';
import type { Redactor } from '../../core/redaction.js';
import type { DiscordDelivery } from '../connectors/discord/discord-egress.js';
import type { ReactionTwitch } from '../twitch-integration/reaction-twitch.js';
import { openReadConnection, type ReadDb } from '../store/database.js';
import { createStoreReader, type StoreReader } from '../store/reader.js';
import { batchPerTick, batchWithin } from './batch-per-tick.js';
import { createBatchedLedger } from './delivery-ledger.js';
import { PhaseRunner } from './phase-runner.js';
import { portTransport } from './port-transport.js';
import type { WorkerContext } from './worker-context.js';

interface ServiceDeps {
  db: ReadDb;
  reader: StoreReader;
  demo: boolean;
  store(): Peer<StoreProtocol>;
  write(op: StoreWrite): void;
  /** Egress: claims batched per tick, outcomes written behind. */
  ledger: DeliveryLedger;
  commands(): readonly CommandDefinition[];
  settings(): Settings;
  dataDir: string;
  /** Egress: replies for the gateway's clients leave on the control line to the host. */
  publishDelivery(delivery: GatewayDelivery): void;
  /** Reaction: the OBS connection, configured by the host over the control line. */
  obs?: ObsLink;
  /** Reaction: overlay alerts leave on the control line to the host (`alert` push). */
  publishAlert(alert: OverlayAlert): void;
  /** Egress: the bot's Twitch chat connection, configured by the host over the control line. */
  twitchChat?: TwitchChatDelivery;
  /** Egress: Discord replies and cross-posts, configured by the host over the control line. */
  discord?: DiscordDelivery;
  /** Reaction: the LLM API key the host pushed from its secret store (memory only). */
  llmApiKey?: () => string | undefined;
  log?: WorkerContext['log'];
  /** Egress: outbound webhook secrets are registered as they are read, so no error carries one. */
  redactor?: Redactor;
  /** Reaction: Helix with the linked broadcaster's token ({game}, {title}, {followage}, !so). */
  reactionTwitch?: ReactionTwitch;
}

function redactedTargets(targets: () => OutboundWebhook[], redactor: Redactor | undefined): () => OutboundWebhook[] {
  return () => {
    const list = targets();
    for (const target of list) redactor?.set(webhookSecretName(target.name), target.secret);
    return list;
  };
}

/**
 * The services of one phase. Each phase imports only its own (dynamic imports: lazily initialised
 * modules in the one bundle), so the egress isolate never evaluates the analyzer's word lists or the
 * LLM client, and enrichment and reaction never evaluate tmi.js or the webhook sender.
 */
async function createServices(phase: WorkerPhase, deps: ServiceDeps): Promise<Service[]> {
  switch (phase) {
    case 'enrichment': {
      const { createAuthService } = await import('../services/auth.js');
      return [
        createAuthService({ getUser: (platform, id) => deps.reader.getUser(platform, id), write: deps.write }),
        await createAnalyzer(deps),
      ];
    }
    case 'reaction': {
      const [
        { createCountersService },
        { createFeatureReader },
        { createQuotesService },
        { createTimersService },
        { createWelcomeService },
        { createShoutoutService },
        { createGiveawaysService, followCheckFor },
        { createGiveawayReader },
      ] = await Promise.all([
        import('../features/counters-service.js'),
        import('../features/feature-reader.js'),
        import('../features/quotes-service.js'),
        import('../features/timers-service.js'),
        import('../features/welcome-service.js'),
        import('../features/shoutout-service.js'),
        import('../features/giveaways-service.js'),
        import('../features/giveaway-store.js'),
      ]);
      const { createCommandsService } = await import('../services/commands.js');
      const { createOverlayAlertsService } = await import('../alerts/overlay-alerts-service.js');
      const features = createFeatureReader(deps.db);
      const twitch = () => deps.reactionTwitch?.helix();
      const variables = {
        counters: () => features.counters(),
        counterValue: (name: string, scopeKey: string) => features.counterValue(name, scopeKey),
        stream: () => features.stream(),
        twitch,
      };
      // Counter changes and new quotes are committed before the reply that reports them.
      const commit = (batch: StoreWrite[]) => deps.store().call('write', batch);
      const responder = deps.demo
        ? (await import('../llm/scripted-responder.js')).createScriptedResponder()
        : await createLlm(deps);
      return [
        createCountersService({ reader: features, commit, twitch }),
        createQuotesService({ reader: features, commit, settings: () => deps.settings().quotes, twitch }),
        createTimersService({ reader: features, twitch }),
        createWelcomeService({ settings: () => deps.settings().welcome, variables }),
        createShoutoutService({ commands: deps.commands, twitch }),
        createGiveawaysService({
          reader: createGiveawayReader(deps.db),
          commit,
          follows: () => followCheckFor(deps.reactionTwitch),
        }),
        ...(deps.obs
          ? [
              (await import('../obs/obs-service.js')).createObsService({
                link: deps.obs,
                log: (message) => deps.log?.('warn', message),
              }),
            ]
          : []),
        createOverlayAlertsService({
          ledger: deps.ledger,
          settings: () => deps.settings().alerts,
          publish: deps.publishAlert,
        }),
        createCommandsService({ commands: deps.commands, variables }),
        responder,
      ];
    }
    case 'egress': {
      const ledger = deps.ledger;
      const [{ createConsoleDelivery }, { createGatewayClientsDelivery }, { createWebhookDelivery, outboundTargets }] =
        await Promise.all([
          import('../services/console-delivery.js'),
          import('../gateway/clients/client-delivery.js'),
          import('../gateway/webhooks/webhook-delivery.js'),
        ]);
      return [
        createConsoleDelivery({ ledger }),
        createGatewayClientsDelivery({ ledger, publish: deps.publishDelivery }),
        createWebhookDelivery({
          ledger,
          targets: redactedTargets(outboundTargets(deps.db, deps.dataDir), deps.redactor),
        }),
        ...(deps.twitchChat ? [deps.twitchChat] : []),
        ...(deps.discord ? [deps.discord] : []),
      ];
    }
  }
}

/** The analyzer, with the optional LLM classification read from the settings on every message. */
async function createAnalyzer(deps: ServiceDeps): Promise<Service> {
  const [{ llmConfigFromEnv }, { applyLlmEnv }, { createLlmClassifier }, { createQueryAnalyzer }] = await Promise.all([
    import('../llm/client.js'),
    import('../llm/llm-bot.js'),
    import('../llm/classifier.js'),
    import('../services/query-analyzer/index.js'),
  ]);
  const env = llmConfigFromEnv(process.env);
  const llmSettings = () => applyLlmEnv(deps.settings().llm, env);
  const classifier = createLlmClassifier({ settings: llmSettings, apiKey: () => deps.llmApiKey?.() ?? env?.apiKey });
  return createQueryAnalyzer({
    botName: () => deps.settings().botName,
    get classify() {
      return classifier();
    },
    get classifyTimeoutMs() {
      return llmSettings().classifyTimeoutMs;
    },
    requestModes: () => llmSettings().safety.requests,
  });
}

/** The llm-bot with its SQLite-backed personas, memory and limits; headless hosts honour BITBRAT_LLM_*. */
async function createLlm(deps: ServiceDeps): Promise<Service> {
  const [
    { llmConfigFromEnv },
    { applyLlmEnv, createLlmBot },
    { createLlmLimits },
    { createLlmMemory },
    { createPersonaStore },
  ] = await Promise.all([
    import('../llm/client.js'),
    import('../llm/llm-bot.js'),
    import('../llm/limits.js'),
    import('../llm/memory.js'),
    import('../llm/personas.js'),
  ]);
  const env = llmConfigFromEnv(process.env);
  const settings = () => applyLlmEnv(deps.settings().llm, env);
  return createLlmBot({
    settings,
    apiKey: () => deps.llmApiKey?.() ?? env?.apiKey,
    personas: createPersonaStore({ db: deps.db, write: deps.write }),
    memory: createLlmMemory({
      db: deps.db,
      write: deps.write,
      bounds: () => ({ maxEntries: settings().memoryEntries, maxChars: settings().memoryChars }),
    }),
    limits: createLlmLimits({ db: deps.db }),
    write: deps.write,
  });
}

/** How long services' fire-and-forget writes gather before they leave for the store. */
const SERVICE_WRITE_WINDOW_MS = 5;

export async function runPhaseWorker(context: PhaseWorkerContext): Promise<void> {
  const phase = context.role;
  const db = openReadConnection(context.init.dbPath);
  const reader = createStoreReader(db);
  let store = createPeer<Protocol, StoreProtocol>(portTransport(context.ports.store!), { onLog: context.log });

  const send = (batch: StoreWrite[]) =>
    store
      .call('write', batch)
      .catch((error: unknown) => context.log('error', 'service writes failed', { error: String(error) }));
  // Service writes (user records, memory, usage) are written behind: one batch every few ms.
  const write = batchWithin<StoreWrite>(SERVICE_WRITE_WINDOW_MS, send);
  // How a delivery ended leaves at once: it reaches the store before the router ends the event, so
  // an event the console shows as replied never has its delivery still "claimed" on disk.
  const writeNow = batchPerTick<StoreWrite>(send);
  let commands = reader.loadCommands();
  let settings = reader.loadSettings();
  // Pushed by the host (`llmApiKey`, `twitch` control requests); held in memory only.
  let llmApiKey: string | null = null;
  const ledger = createBatchedLedger({ store: () => store, write: writeNow });
  const links = await phaseLinks(context, ledger);
  const { twitchChat, discord, reactionTwitch, obs } = links;
  const services = await createServices(phase, {
    ...(obs ? { obs } : {}),
    log: context.log,
    db,
    demo: context.init.demo,
    reader,
    store: () => store,
    write,
    commands: () => commands,
    settings: () => settings,
    dataDir: context.init.dataDir,
    publishDelivery: batchPerTick<GatewayDelivery>((deliveries) => context.host.push('delivery', deliveries)),
    publishAlert: batchPerTick<OverlayAlert>((alerts) => context.host.push('alert', alerts)),
    ledger,
    ...(twitchChat ? { twitchChat } : {}),
    ...(discord ? { discord } : {}),
    ...(reactionTwitch ? { reactionTwitch } : {}),
    llmApiKey: () => llmApiKey ?? undefined,
    redactor: context.redactor,
  });
  if (phase === 'reaction' || phase === 'enrichment') {
    // Only these phases hold the LLM key (egress never loads the LLM client).
    const { llmConfigFromEnv } = await import('../llm/client.js');
    context.redactor.set('LLM API key (environment)', llmConfigFromEnv(process.env)?.apiKey);
  }

  let router: Peer<RouterPortProtocol> | undefined;
  const runner = new PhaseRunner({
    phase,
    services,
    send: (results) => router?.push('completed', toJson(results)),
    redactor: context.redactor,
    // Egress steps are independent deliveries: their claims commit together.
    concurrentSteps: phase === 'egress',
  });
  const attachRouter = (port: MessagePort) => {
    router?.close('replaced');
    router = createPeer<PhaseWorkerProtocol, RouterPortProtocol>(portTransport(port), {
      pushes: { dispatch: (items) => runner.dispatch(fromJson(items)), cancel: (ids) => runner.cancel(ids) },
      onLog: context.log,
    });
  };
  attachRouter(context.ports.router!);
  context.onPort((link, port) => {
    if (link === 'router') attachRouter(port);
    if (link === 'store') {
      // The store worker restarted: calls pending on the old port fail now rather than hang.
      store.close('store restarted');
      store = createPeer<Protocol, StoreProtocol>(portTransport(port), { onLog: context.log });
    }
  });

  // Every phase: settings changed on disk, and a graceful stop.
  const common = {
    reload: () => {
      settings = reader.loadSettings();
    },
    drain: async () => {
      await runner.drain();
      await runner.close();
      await obs?.close();
      await store.call('flush', undefined);
    },
  };
  const llmApiKeyHandler = {
    llmApiKey: ({ apiKey }: { apiKey: string | null }) => {
      llmApiKey = apiKey;
    },
  };
  // Each phase serves its own role's control protocol (RoleProtocol[phase]), every request of it:
  // `links.context` is the context of that role.
  switch (links.phase) {
    case 'enrichment':
      return links.context.serve({ ...common, ...llmApiKeyHandler });
    case 'reaction':
      return links.context.serve({
        ...common,
        ...llmApiKeyHandler,
        reloadCommands: () => {
          commands = reader.loadCommands();
        },
        twitch: (config) => links.reactionTwitch.configure(config),
        obs: (config) => links.obs.configure(config),
        obsHealth: () => (links.obs.configured() ? [links.obs.health()] : []),
      });
    case 'egress':
      return links.context.serve({
        ...common,
        twitch: (config) => links.twitchChat.configure(config),
        discord: (config) => links.discord.configure(config),
      });
  }
}

/** A phase worker's context, narrowed by its role. */
export type PhaseWorkerContext = WorkerContext<'enrichment'> | WorkerContext<'reaction'> | WorkerContext<'egress'>;

/** What the host configures over a phase's control line, loaded only in the phase that uses it. */
type PhaseLinks =
  | {
      phase: 'enrichment';
      context: WorkerContext<'enrichment'>;
      twitchChat?: never;
      discord?: never;
      reactionTwitch?: never;
      obs?: never;
    }
  | {
      phase: 'reaction';
      context: WorkerContext<'reaction'>;
      reactionTwitch: ReactionTwitch;
      obs: ObsLink;
      twitchChat?: never;
      discord?: never;
    }
  | {
      phase: 'egress';
      context: WorkerContext<'egress'>;
      twitchChat: TwitchChatDelivery;
      discord: DiscordDelivery;
      reactionTwitch?: never;
      obs?: never;
    };

async function phaseLinks(context: PhaseWorkerContext, ledger: DeliveryLedger): Promise<PhaseLinks> {
  switch (context.role) {
    case 'enrichment':
      return { phase: 'enrichment', context };
    case 'reaction':
      return {
        phase: 'reaction',
        context,
        reactionTwitch: (await import('../twitch-integration/reaction-twitch.js')).createReactionTwitch(),
        obs: (await import('../obs/obs-link.js')).createObsLink({ redactor: context.redactor, log: context.log }),
      };
    case 'egress':
      return {
        phase: 'egress',
        context,
        twitchChat: (await import('../twitch-integration/egress-twitch.js')).createTwitchChatDelivery({
          ledger,
          log: context.log,
        }),
        discord: (await import('../connectors/discord/discord-egress.js')).createDiscordDelivery({
          ledger,
          log: context.log,
        }),
      };
  }
}
