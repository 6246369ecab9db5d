/**
 * Serves the HostApi to the main window over `ipcMain.handle`: one channel per method, channel
 * names from ipc-channels.ts. Every call checks the sender frame (VS Code's validatedIpcMain does
 * the same: https://github.com/microsoft/vscode/blob/main/src/vs/base/parts/ipc/electron-main/ipcMain.ts)
 * and parses params with the contract's schemas before the host sees them.
 */
import type { IpcMainInvokeEvent, WebFrameMain } from 'electron';
import {
  HOST_METHODS,
  HOST_TOPICS,
  parseHostParams,
  type HostApi,
  type HostMethod,
} from '../../pipeline/core/host-api.js';
import { methodChannel, methodForChannel, topicChannel, type IpcReply } from '../preload/ipc-channels.js';
import { isAppUrl } from './app-protocol.js';
import type { HostLike, HostLog } from './host-like.js';

export type SenderEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>;
export type FrameLike = Pick<WebFrameMain, 'url' | 'parent' | 'processId' | 'routingId'>;

/** The frame every trusted call comes from: the main window's top frame. Null while there is no window. */
export type TrustedFrameSource = () => FrameLike | null;

/** True only for the main window's top frame showing our own app:// origin. */
export function isTrustedSender(event: SenderEvent, trustedFrame: TrustedFrameSource): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed before the call arrived
  const expected = trustedFrame();
  if (!expected) return false;
  // Compared by (process, routing id) rather than object identity: Electron may hand out a new
  // WebFrameMain wrapper for the same frame.
  if (frame.processId !== expected.processId || frame.routingId !== expected.routingId) return false;
  return frame.parent === null && isAppUrl(frame.url);
}

function errorReply(code: string, message: string): IpcReply {
  return { ok: false, error: { code, message } };
}

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

export interface HostIpcDeps {
  api: HostApi;
  trustedFrame: TrustedFrameSource;
  log: HostLog;
}

/** Handles one invoke: refuses unknown channels and foreign senders, parses params, calls the host. */
export async function handleHostInvoke(
  deps: HostIpcDeps,
  channel: string,
  event: SenderEvent,
  params: unknown,
): Promise<IpcReply> {
  const method = methodForChannel(channel);
  if (!method) return errorReply('UNKNOWN_CHANNEL', `unknown channel "${channel.slice(0, 80)}"`);
  if (!isTrustedSender(event, deps.trustedFrame)) {
    deps.log('warn', 'ipc call refused: foreign sender', { method, url: event.senderFrame?.url ?? null });
    return errorReply('FORBIDDEN_SENDER', `${method} refused: the call did not come from the BitBrat window`);
  }
  let parsed: unknown;
  try {
    parsed = parseHostParams(method, params);
  } catch (error) {
    return errorReply(codeOf(error) ?? 'INVALID_PARAMS', (error as Error).message);
  }
  try {
    const call = deps.api[method] as (params: unknown) => Promise<unknown>;
    const value = await call.call(deps.api, parsed);
    return { ok: true, value };
  } catch (error) {
    deps.log('error', 'host call failed', { method, error: (error as Error).message });
    return errorReply(codeOf(error) ?? 'HOST_ERROR', (error as Error).message ?? String(error));
  }
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** Registers one handler per HostApi method; returns a function that removes them all. */
export function registerHostIpc(ipcMain: IpcMainLike, deps: HostIpcDeps): () => void {
  const channels = HOST_METHODS.map((method: HostMethod) => methodChannel(method));
  for (const channel of channels) {
    ipcMain.handle(channel, (event, params) => handleHostInvoke(deps, channel, event, params));
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

export interface PushTarget {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** Forwards host pushes to the window on the topic channels; pushes while there is no window are dropped. */
export function forwardHostPushes(host: Pick<HostLike, 'subscribe'>, target: () => PushTarget | null): () => void {
  const known = new Set<string>(HOST_TOPICS);
  return host.subscribe((topic, data) => {
    if (!known.has(topic)) return;
    const contents = target();
    if (!contents || contents.isDestroyed()) return;
    contents.send(topicChannel(topic), data);
  });
}
