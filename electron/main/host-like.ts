/**
 * The shape of the PipelineHost the shell starts (pipeline/node/host/pipeline-host.ts). Declared
 * here while that file is being written; main.ts uses the real class, everything else takes this
 * narrow interface so tests pass a fake.
 */
import type { HostApi, HostPushes, HostTopic } from '../../pipeline/core/host-api.js';

export type HostLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type HostLog = (level: HostLogLevel, message: string, fields?: Record<string, unknown>) => void;

export type HostPushListener = <T extends HostTopic>(topic: T, data: HostPushes[T]) => void;

export interface HostLike {
  readonly api: HostApi;
  subscribe(listener: HostPushListener): () => void;
  stop(): Promise<void>;
  /** The gateway URL with its token, when the host runs the gateway. */
  readonly consoleUrl?: string | null;
}
