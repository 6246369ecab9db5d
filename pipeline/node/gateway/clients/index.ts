/**
 * The gateway's parts for external programs, wired to a running host: the client WebSocket API,
 * the OBS overlay and inbound webhooks, plus the admin handlers the HostApi serves (client tokens,
 * webhooks). `serve` hands `routes` and `upgrades` to the gateway.
 */
import type { ClientAlert, ClientCounters, GatewayDelivery } from '../../../core/client-protocol.js';
import type { HostApi } from '../../../core/host-api.js';
import type { EventSummary, SubmitResult } from '../../../core/protocol/pipeline.js';
import type { StoreWrite } from '../../../core/protocol/store.js';
import type { Redactor } from '../../../core/redaction.js';
import type { LogLevel } from '../../../core/rpc.js';
import { openReadConnection } from '../../store/database.js';
import { isOwnOrigin, type GatewayRoute, type GatewayUpgrade } from '../gateway.js';
import { writeOverlayFile, type OverlayFileResult } from '../overlay/overlay-file.js';
import { overlayRoute } from '../overlay/overlay-route.js';
import { soundRoute } from '../overlay/sound-route.js';
import { createInboundWebhooks, type InboundWebhooks } from '../webhooks/inbound.js';
import { createSecretBox, loadOrCreateSecretKey } from '../webhooks/secret-box.js';
import {
  createWebhookAdmin,
  createWebhookReader,
  webhookSecretName,
  type WebhookAdmin,
} from '../webhooks/webhook-store.js';
import { CLIENT_WS_PATH } from '../../../core/protocol/websocket.js';
import { createClientHub, type ClientHub, type ClientLimits } from './client-hub.js';
import { createClientAdmin, type ClientAdmin } from './client-tokens.js';
import type { GatewayStoreWrite } from '../../../core/gateway-store.js';

/** What the extensions need from the host (PipelineHost satisfies it). */
export interface ExtensionHost {
  readonly dataDir: string;
  readonly dbPath: string;
  readonly api: Pick<HostApi, 'events.list' | 'events.get'>;
  submit(connector: string, items: unknown[]): Promise<SubmitResult[]>;
  subscribe(listener: (topic: 'feed' | 'approvals' | 'health', data: unknown) => void): () => void;
  onDeliveries(listener: (deliveries: GatewayDelivery[]) => void): () => void;
  onAlerts(listener: (alerts: ClientAlert[]) => void): () => void;
  readonly workers: { store(): { call(method: 'write', batch: StoreWrite[]): Promise<void> } };
  /** The host's redactor: webhook secrets and new client tokens are registered with it. */
  readonly redactor: Pick<Redactor, 'set'>;
}

/** The redactor's name for a client's token. */
const clientTokenName = (name: string) => `client ${name} token`;

export interface GatewayExtensions {
  routes: GatewayRoute[];
  upgrades: Record<string, GatewayUpgrade>;
  clients: ClientAdmin;
  webhooks: WebhookAdmin;
  hub: ClientHub;
  inbound: InboundWebhooks;
  /**
   * Handlers for the HostApi methods these parts need (the params are parsed again inside with the
   * schemas of client-protocol.ts): `clients.create|list|revoke`, `webhooks.create|list|delete`,
   * `clients.stats`.
   */
  admin: {
    'clients.create'(params: unknown): ReturnType<ClientAdmin['create']>;
    'clients.list'(params: unknown): ReturnType<ClientAdmin['list']>;
    'clients.revoke'(params: unknown): ReturnType<ClientAdmin['revoke']>;
    'clients.stats'(
      params: unknown,
    ): Promise<{ clients: ClientCounters; webhooks: ReturnType<InboundWebhooks['counters']> }>;
    'webhooks.create'(params: unknown): ReturnType<WebhookAdmin['create']>;
    'webhooks.list'(params: unknown): ReturnType<WebhookAdmin['list']>;
    'webhooks.delete'(params: unknown): ReturnType<WebhookAdmin['delete']>;
    'overlay.writeFile'(params: unknown): Promise<OverlayFileResult>;
  };
  /** The gateway's host:port once it listens (the overlay file needs it). */
  setGatewayAddress(address: string): void;
  close(): void;
}

export function createGatewayExtensions(options: {
  host: ExtensionHost;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  limits?: Partial<ClientLimits>;
}): GatewayExtensions {
  const { host, log } = options;
  const db = openReadConnection(host.dbPath);
  // Gateway ops are part of StoreWrite (core/gateway-store.ts), applied by store-appliers.ts.
  const write = (batch: GatewayStoreWrite[]) => host.workers.store().call('write', batch);
  const box = createSecretBox(loadOrCreateSecretKey(host.dataDir));
  const webhookReader = createWebhookReader(db, box);
  // Every webhook secret is known to the host's redactor before any request can make an error quote it.
  for (const { name, secret } of webhookReader.secrets()) host.redactor.set(webhookSecretName(name), secret);

  // The admin closes a revoked client's sockets through the hub, which authenticates through the admin.
  const live: { hub?: ClientHub } = {};
  const clients = createClientAdmin({ db, write, onRevoked: (id) => live.hub?.disconnect(id) });
  const hub = createClientHub({
    authenticate: (token) => clients.authenticate(token),
    submit: (connector, items) => host.submit(connector, items),
    subscribeFeed: (listener) =>
      host.subscribe((topic, data) => {
        if (topic === 'feed') listener(data as EventSummary[]);
      }),
    subscribeDeliveries: (listener) => host.onDeliveries(listener),
    subscribeAlerts: (listener) => host.onAlerts(listener),
    listEvents: (query) => host.api['events.list'](query),
    getEvent: (id) => host.api['events.get']({ id }),
    markUsed: (id) =>
      void write([{ op: 'gateway.client.used', id, at: Date.now() }]).catch((error: unknown) =>
        log('warn', 'could not record a client connection', { error: String(error) }),
      ),
    isOwnOrigin,
    log,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const inbound = createInboundWebhooks({ reader: webhookReader, submit: (c, items) => host.submit(c, items), log });
  const webhooks = createWebhookAdmin({ reader: webhookReader, box, write });
  live.hub = hub;
  let gatewayAddress: string | null = null;
  return {
    setGatewayAddress(address) {
      gatewayAddress = address;
    },
    // Sounds first: the overlay route answers 404 for everything else under /overlay/.
    routes: [
      soundRoute({ dataDir: host.dataDir, authenticate: (offered) => clients.authenticate(offered) }),
      overlayRoute,
      (request, response, url) => inbound.handle(request, response, url),
    ],
    upgrades: { [CLIENT_WS_PATH]: (request, socket, head) => hub.handleUpgrade(request, socket, head) },
    clients,
    webhooks,
    hub: hub,
    inbound,
    admin: {
      'clients.create': async (params) => {
        // The raw token exists only now (the database keeps its hash): the redactor learns it here.
        const created = await clients.create(params);
        if (created.ok) host.redactor.set(clientTokenName(created.value.client.name), created.value.token);
        return created;
      },
      'clients.list': () => clients.list(),
      'clients.revoke': (params) => clients.revoke(params),
      'clients.stats': async () => ({ clients: hub.counters(), webhooks: inbound.counters() }),
      'webhooks.create': async (params) => {
        const created = await webhooks.create(params);
        if (created.ok) host.redactor.set(webhookSecretName(created.value.webhook.name), created.value.secret);
        return created;
      },
      'webhooks.list': () => webhooks.list(),
      'webhooks.delete': (params) => webhooks.delete(params),
      'overlay.writeFile': async (params) => {
        const { token, theme } = params as { token: string; theme: Record<string, string> };
        if (!gatewayAddress) return { ok: false, error: 'the gateway is not listening yet' };
        return writeOverlayFile({
          dataDir: host.dataDir,
          gateway: gatewayAddress,
          token,
          theme,
          authenticate: (offered) => clients.authenticate(offered),
        });
      },
    },
    close() {
      hub.close();
      db.close();
    },
  };
}
