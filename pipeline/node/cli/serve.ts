/** `bitbrat serve`: the host without Electron, with the gateway serving the browser console. */
import { fileURLToPath } from 'node:url';
import { createGatewayExtensions, type GatewayExtensions } from '../gateway/clients/index.js';
import type { ClientLimits } from '../gateway/clients/client-hub.js';
import { startGateway, type Gateway } from '../gateway/gateway.js';
import { PipelineHost, type HostLog, type HostOptions } from '../host/pipeline-host.js';
import { loadOrCreateConsoleToken } from './console-token.js';

export interface ServeOptions {
  dataDir: string;
  /** The gateway's port; absent: the `gatewayPort` setting. */
  port?: number;
  /** Listen on the LAN too; absent: the `lanAccess` setting (off by default). */
  lan?: boolean;
  demo: { ratePerSecond: number; scripted: boolean } | null;
  log: HostLog;
  /** The desktop app's safeStorage secrets; absent: the headless 0600 key file. */
  secrets?: HostOptions['secrets'];
  /** Client API limits (tests shorten the heartbeat). */
  clientLimits?: Partial<ClientLimits>;
}

export interface Served {
  host: PipelineHost;
  gateway: Gateway;
  /** Client API, overlay and webhooks, with their admin handlers. */
  extensions: GatewayExtensions;
  stop(): Promise<void>;
}

export function rendererDir(): string {
  // dist/cli.js → dist/renderer; sources (tests) → <root>/dist/renderer.
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes(`${'/pipeline/'}`)
    ? fileURLToPath(new URL('../../../dist/renderer', import.meta.url))
    : fileURLToPath(new URL('./renderer', import.meta.url));
}

export async function serve(options: ServeOptions): Promise<Served> {
  const host = await PipelineHost.start({
    dataDir: options.dataDir,
    log: options.log,
    ...(options.demo ? { demo: options.demo } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  const settings = await host.api['settings.get']({});
  const port = options.port ?? settings.gatewayPort;
  const lan = options.lan ?? settings.lanAccess;
  let gateway: Gateway;
  let extensions: GatewayExtensions | undefined;
  try {
    extensions = createGatewayExtensions({
      host,
      log: options.log,
      ...(options.clientLimits ? { limits: options.clientLimits } : {}),
    });
    host.attachGatewayAdmin(extensions.admin);
    gateway = await startGateway({
      host,
      token: loadOrCreateConsoleToken(options.dataDir),
      port,
      lan,
      staticDir: rendererDir(),
      log: options.log,
      routes: extensions.routes,
      upgrades: extensions.upgrades,
    });
  } catch (error) {
    extensions?.close();
    await host.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(`port ${port} is in use: pick another with --port or the console port setting`, { cause: error });
    throw error;
  }
  return {
    host,
    gateway,
    extensions,
    async stop() {
      extensions.close();
      await gateway.close();
      await host.stop();
    },
  };
}
