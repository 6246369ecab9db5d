/** The HostApi's status methods: workers, connectors and the database (`health.get`), the router's figures (`stats.get`). */
import { statSync } from 'node:fs';
import type { HostApi } from '../../../core/host-api.js';
import type { TwitchIntegration } from '../../twitch-integration/twitch-accounts.js';
import type { WorkerSupervisor } from '../worker-supervisor.js';
import type { HostApiDeps } from './host-api-deps.js';

/** A worker busy with a flood still answers the connectors list in time; one that does not is left out. */
const CONNECTORS_TIMEOUT_MS = 2000;

export function createStatusApi(
  deps: Pick<HostApiDeps, 'reader' | 'control'> & {
    startedAt: number;
    dbPath: string;
    workers: Pick<WorkerSupervisor, 'health'>;
    twitch: Pick<TwitchIntegration, 'health'>;
  },
): Pick<HostApi, 'health.get' | 'stats.get'> {
  const { control } = deps;
  return {
    'health.get': async () => ({
      startedAt: deps.startedAt,
      workers: deps.workers.health(),
      connectors: [
        ...(await control('ingress')
          .call('connectors', undefined, { timeoutMs: CONNECTORS_TIMEOUT_MS })
          .catch(() => [])),
        ...deps.twitch.health(),
        ...(await control('reaction')
          .call('obsHealth', undefined, { timeoutMs: CONNECTORS_TIMEOUT_MS })
          .catch(() => [])),
      ],
      database: { path: deps.dbPath, sizeBytes: fileSize(deps.dbPath) + fileSize(`${deps.dbPath}-wal`) },
    }),
    'stats.get': async () => {
      const stats = await control('router').call('stats', undefined);
      return { ...stats, rejected: deps.reader.rejectionCount() };
    },
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
