/**
 * What the tray shows: the pipeline's connection state (from Health) and the number of held
 * replies, as a tooltip and a context menu template. Pure, so the words are tested.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Health } from '../../pipeline/core/host-api.js';

export type ConnectionState = 'starting' | 'connected' | 'reconnecting' | 'failed' | 'offline';

/** The worst state among connectors and workers is the one the streamer needs to see. */
export function connectionStateOf(health: Health | null): ConnectionState {
  if (!health) return 'starting';
  if (health.workers.some((worker) => worker.state === 'failed')) return 'failed';
  const connectors = health.connectors;
  if (connectors.some((connector) => connector.state === 'failed')) return 'failed';
  if (connectors.some((connector) => connector.state === 'reconnecting')) return 'reconnecting';
  if (health.workers.some((worker) => worker.state === 'starting' || worker.state === 'restarting')) return 'starting';
  if (connectors.some((connector) => connector.state === 'connected')) return 'connected';
  return 'offline';
}

const STATE_WORDS: Record<ConnectionState, string> = {
  starting: 'starting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  failed: 'connection failed',
  offline: 'not connected',
};

export function heldRepliesLabel(held: number): string {
  if (held === 0) return 'No replies waiting';
  return held === 1 ? '1 reply waiting for approval' : `${held} replies waiting for approval`;
}

export function trayTooltip(state: ConnectionState, held: number): string {
  return `BitBrat Desktop: ${STATE_WORDS[state]} · ${heldRepliesLabel(held)}`;
}

export interface TrayMenuInput {
  state: ConnectionState;
  held: number;
  closeToTray: boolean;
  notifyHeldReplies: boolean;
  /** The version of a downloaded update waiting for the next quit, if any. */
  updateReady?: string | null;
}

export function updateReadyLabel(version: string): string {
  return `Update ${version} installs when you quit`;
}

export interface TrayMenuActions {
  showWindow(): void;
  setCloseToTray(value: boolean): void;
  setNotifyHeldReplies(value: boolean): void;
  openDataFolder(): void;
  quit(): void;
}

export function trayMenuTemplate(input: TrayMenuInput, actions: TrayMenuActions): MenuItemConstructorOptions[] {
  return [
    { label: `Status: ${STATE_WORDS[input.state]}`, enabled: false },
    ...(input.updateReady ? [{ label: updateReadyLabel(input.updateReady), enabled: false }] : []),
    { label: heldRepliesLabel(input.held), enabled: input.held > 0, click: () => actions.showWindow() },
    { type: 'separator' },
    { label: 'Show BitBrat', click: () => actions.showWindow() },
    {
      label: 'Keep running in the tray when the window closes',
      type: 'checkbox',
      checked: input.closeToTray,
      click: (item) => actions.setCloseToTray(item.checked),
    },
    {
      label: 'Notify me about replies waiting for approval',
      type: 'checkbox',
      checked: input.notifyHeldReplies,
      click: (item) => actions.setNotifyHeldReplies(item.checked),
    },
    { label: 'Open data folder', click: () => actions.openDataFolder() },
    { type: 'separator' },
    { label: 'Quit BitBrat', click: () => actions.quit() },
  ];
}
