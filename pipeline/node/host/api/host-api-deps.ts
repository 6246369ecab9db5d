/**
 * What the HostApi's handler maps are built from: the host's read connection, the store worker
 * (the single writer), the workers' control lines, and the worker configuration the host pushes.
 */
import type { StoreWrite } from '../../../core/protocol/store.js';
import type { SubmitResult } from '../../../core/protocol/pipeline.js';
import type { StoreReader } from '../../store/reader.js';
import type { SecretStore } from '../../twitch-integration/secret-store.js';
import type { HostLog } from '../pipeline-host.js';
import type { WorkerConfig } from '../worker-config.js';
import type { WorkerSupervisor } from '../worker-supervisor.js';

export interface HostApiDeps {
  reader: StoreReader;
  /** Sends writes to the store worker; resolves once they are committed. */
  write(batch: StoreWrite[]): Promise<void>;
  /** Commits everything the store has queued (an answer that the console's next read must see). */
  flush(): Promise<void>;
  /** Each worker role's control line, typed by its role's protocol. */
  control: WorkerSupervisor['control'];
  /** Parses and submits raw inbound events on the ingress worker; answers after the commit. */
  submit(connector: string, items: unknown[]): Promise<SubmitResult[]>;
  workerConfig: WorkerConfig;
  secrets: SecretStore;
  log: HostLog;
}

/**
 * Stores a secret (or deletes it when `value` is empty) and says so in words; a secret store
 * that refuses (locked keychain, unwritable key file) is an answer, not a crash.
 */
export async function storeSecret(
  secrets: SecretStore,
  name: string,
  value: string,
  what: string,
): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    if (value) await secrets.set(name, value);
    else await secrets.delete(name);
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      message: `could not store the ${what}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
