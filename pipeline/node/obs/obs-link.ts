/**
 * The reaction worker's connection to OBS through obs-websocket-js: configured by the host (address
 * and password, memory only), reconnecting with backoff when OBS quits or is not started yet, and
 * reporting its state for the connectors list. A wrong password is not retried in a loop: it waits
 * for the streamer to store another one.
 */
// The JSON build (subprotocol obswebsocket.json): the default Node build speaks msgpack.
import OBSWebSocket, { OBSWebSocketError } from 'obs-websocket-js/json';
import type { ObsWorkerConfig } from '../../core/obs.js';
import { OBS_CONNECTOR } from '../../core/obs.js';
import type { ConnectorHealth } from '../../core/protocol/pipeline.js';
import type { Redactor } from '../../core/redaction.js';
import type { LogLevel } from '../../core/rpc.js';

/** obs-websocket's close code for a wrong password (WebSocketCloseCode.AuthenticationFailed). */
const AUTHENTICATION_FAILED = 4009;
const MAX_BACKOFF_MS = 30_000;

export interface ObsLink {
  configure(config: ObsWorkerConfig | null): Promise<void>;
  /** A request to OBS; throws when not connected or when OBS refuses it (the error names why). */
  call(requestType: string, requestData?: Record<string, unknown>): Promise<Record<string, unknown>>;
  connected(): boolean;
  /** Whether the host turned OBS control on (the connectors list shows OBS only then). */
  configured(): boolean;
  health(): ConnectorHealth;
  close(): Promise<void>;
}

export function createObsLink(deps: {
  redactor: Pick<Redactor, 'set' | 'redact'>;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  now?: () => number;
}): ObsLink {
  const now = deps.now ?? Date.now;
  let config: ObsWorkerConfig | null = null;
  let obs: OBSWebSocket | null = null;
  let state: ConnectorHealth['state'] = 'idle';
  let detail: string | null = 'OBS control is off';
  let lastEventAt: number | null = null;
  let retry: NodeJS.Timeout | undefined;
  let backoff = 1000;
  let generation = 0;

  const describe = (error: unknown) =>
    deps.redactor.redact(error instanceof Error ? error.message || error.name : String(error));

  const connect = async (mine: number) => {
    if (!config || mine !== generation) return;
    const client = new OBSWebSocket();
    obs = client;
    client.on('ConnectionClosed', (error) => {
      if (mine !== generation) return;
      const authFailed = error.code === AUTHENTICATION_FAILED;
      state = authFailed ? 'failed' : 'reconnecting';
      detail = authFailed
        ? 'OBS refused the password: store the one in OBS → Tools → WebSocket Server Settings'
        : `OBS is not reachable at ${config?.url}: ${describe(error)}`;
      deps.log('warn', detail);
      if (!authFailed) schedule(mine);
    });
    client.on('CurrentProgramSceneChanged', () => {
      lastEventAt = now();
    });
    try {
      await client.connect(config.url, config.password ?? undefined);
      if (mine !== generation) return void client.disconnect();
      state = 'connected';
      detail = `connected to ${config.url}`;
      backoff = 1000;
      lastEventAt = now();
    } catch (error) {
      // ConnectionClosed has set the state (and the retry) already for a closed socket.
      if (mine === generation && state === 'idle') {
        state = 'reconnecting';
        detail = `OBS is not reachable at ${config.url}: ${describe(error)}`;
        schedule(mine);
      }
    }
  };
  const schedule = (mine: number) => {
    clearTimeout(retry);
    retry = setTimeout(() => void connect(mine), backoff);
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  };
  const stop = async () => {
    generation += 1;
    clearTimeout(retry);
    const previous = obs;
    obs = null;
    await previous?.disconnect().catch(() => undefined);
  };

  return {
    async configure(next) {
      await stop();
      config = next;
      backoff = 1000;
      if (!next) {
        state = 'idle';
        detail = 'OBS control is off';
        return;
      }
      deps.redactor.set('OBS websocket password', next.password ?? undefined);
      state = 'idle';
      detail = `connecting to ${next.url}`;
      await connect(generation);
    },
    async call(requestType, requestData) {
      if (!obs || state !== 'connected') throw new Error(detail ?? 'OBS is not connected');
      try {
        return ((await obs.call(requestType as never, requestData as never)) ?? {}) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof OBSWebSocketError)
          throw new Error(`OBS refused ${requestType}: ${error.message} (${error.code})`, { cause: error });
        throw new Error(`OBS ${requestType} failed: ${describe(error)}`, { cause: error });
      }
    },
    connected: () => state === 'connected',
    configured: () => config !== null,
    health: () => ({ id: OBS_CONNECTOR, state, lastEventAt, detail }),
    close: stop,
  };
}
