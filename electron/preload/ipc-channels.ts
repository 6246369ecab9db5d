/**
 * IPC channel names and the reply envelope, derived from the HostApi contract.
 *
 * Both ends import this one module (main and preload), so no channel name is written twice. It lives
 * beside the preload because the layer rule forbids the preload from importing electron/main; it is
 * pure (no Electron, no Node) so the main process may import it as well.
 */
import { HOST_METHODS, HOST_TOPICS, type HostMethod, type HostTopic } from '../../pipeline/core/host-api.js';

const CALL_PREFIX = 'bitbrat:call:';
const PUSH_PREFIX = 'bitbrat:push:';

export type MethodChannel = `${typeof CALL_PREFIX}${HostMethod}`;
export type TopicChannel = `${typeof PUSH_PREFIX}${HostTopic}`;

export function methodChannel(method: HostMethod): MethodChannel {
  return `${CALL_PREFIX}${method}`;
}

export function topicChannel(topic: HostTopic): TopicChannel {
  return `${PUSH_PREFIX}${topic}`;
}

const methodsByChannel = new Map<string, HostMethod>(HOST_METHODS.map((method) => [methodChannel(method), method]));

/** The HostApi method a channel stands for, or null for any channel the contract does not name. */
export function methodForChannel(channel: string): HostMethod | null {
  return methodsByChannel.get(channel) ?? null;
}

export const METHOD_CHANNELS: readonly MethodChannel[] = HOST_METHODS.map(methodChannel);
export const TOPIC_CHANNELS: readonly TopicChannel[] = HOST_TOPICS.map(topicChannel);

/**
 * What an IPC call resolves with. Electron flattens errors thrown from `ipcMain.handle` into a
 * message string prefixed with "Error invoking remote method", losing the code; an envelope keeps
 * the code so the console can tell invalid params from a refused sender.
 */
export type IpcReply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

export type IpcErrorCode = 'UNKNOWN_CHANNEL' | 'FORBIDDEN_SENDER' | 'INVALID_PARAMS' | 'UNKNOWN_METHOD' | 'HOST_ERROR';
