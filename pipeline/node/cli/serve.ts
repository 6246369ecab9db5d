/** `bitbrat serve`: the host without Electron, with the gateway serving the browser console. */
import { fileURLToPath } from 'node:url';
import { startGateway, type Gateway } from '../gateway/gateway.js';
import { PipelineHost, type HostLog } from '../host/pipeline-host.js';
import { loadOrCreateConsoleToken } from './console-token.js';

export interface ServeOptions {
  dataDir: string;
  port: number;
  lan: boolean;
  demo: { ratePerSecond: number; scripted: boolean } | null;
  log: HostLog;
}

export interface Served {
  host: PipelineHost;
  gateway: Gateway;
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
  });
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      host,
      token: loadOrCreateConsoleToken(options.dataDir),
      port: options.port,
      lan: options.lan,
      staticDir: rendererDir(),
      log: options.log,
    });
  } catch (error) {
    await host.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(`port ${options.port} is in use: pick another with --port`, { cause: error });
    throw error;
  }
  return {
    host,
    gateway,
    async stop() {
      await gateway.close();
      await host.stop();
    },
  };
}
