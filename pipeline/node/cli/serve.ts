/** `bitbrat serve`: the host without Electron, with the gateway serving the browser console. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatewayExtensions, type GatewayExtensions } from '../gateway/clients/index.js';
import type { ClientLimits } from '../gateway/clients/client-hub.js';
import { startGateway, type Gateway } from '../gateway/gateway.js';
import { PipelineHost, type HostLog, type HostOptions } from '../host/pipeline-host.js';
import { redactingLog } from '../host/redacting-secrets.js';
import { loadOrCreateConsoleToken } from './console-token.js';

export interface ServeOptions {
  dataDir: string;
  /** The gateway's port; absent: the `gatewayPort` setting. */
  port?: number;
  /** Listen on the LAN too; absent: the `lanAccess` setting (off by default). */
  lan?: boolean;
  demo: { ratePerSecond: number; scripted: boolean; live?: boolean } | null;
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

/**
 * The built console: dist/renderer, found from wherever this code runs — dist/cli.js (the CLI),
 * dist/electron/main.js (the desktop app) or the sources (tests).
 */
export function rendererDir(): string {
  const candidates = ['./renderer', '../renderer', '../../../dist/renderer'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  // A Vite build has assets/ beside index.html; the source folder (renderer/) does not.
  return (
    candidates.find((dir) => existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) ?? candidates[0]!
  );
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
  // The gateway's logs pass the host's redactor too; the console token is one of its secrets.
  const token = loadOrCreateConsoleToken(options.dataDir);
  host.redactor.set('console token', token);
  const log = redactingLog(options.log, host.redactor);
  try {
    extensions = createGatewayExtensions({
      host,
      log,
      ...(options.clientLimits ? { limits: options.clientLimits } : {}),
    });

    gateway = await startGateway({
      host,
      token,
      port,
      lan,
      staticDir: rendererDir(),
      log,
      routes: extensions.routes,
      upgrades: extensions.upgrades,
    });
    extensions.setGatewayAddress(`127.0.0.1:${gateway.port}`);
    host.attachGatewayAdmin(extensions.admin);
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
