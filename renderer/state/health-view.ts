/**
 * Honest connection state for the dashboard and the status bar. A connector that says
 * "connected" but has not delivered an event for minutes is shown as quiet, and health that
 * stopped arriving is shown as stale: the console never shows green while events have stopped.
 */
import type { Health } from '../../pipeline/core/host-api.js';
import type { ConnectorHealth } from '../../pipeline/core/protocol/pipeline.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

export interface StatusView {
  label: string;
  tone: Tone;
}

/** No event for this long on a connected connector is worth a moderator's glance. */
export const QUIET_AFTER_MS = 2 * 60_000;
/** The host pushes health every few seconds; older than this and we no longer trust it. */
export const HEALTH_STALE_AFTER_MS = 20_000;

export function formatAge(ms: number): string {
  if (ms < 1_000) return 'just now';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

export function connectorView(connector: ConnectorHealth, now: number, healthAt: number | null): StatusView {
  if (healthAt === null || now - healthAt > HEALTH_STALE_AFTER_MS) {
    return {
      label: `unknown (no health report ${healthAt === null ? 'yet' : formatAge(now - healthAt)})`,
      tone: 'bad',
    };
  }
  const last =
    connector.lastEventAt === null ? 'no events yet' : `last event ${formatAge(now - connector.lastEventAt)}`;
  switch (connector.state) {
    case 'connected':
      if (connector.lastEventAt === null || now - connector.lastEventAt > QUIET_AFTER_MS) {
        return { label: `connected, quiet: ${last}`, tone: 'warn' };
      }
      return { label: `connected, ${last}`, tone: 'ok' };
    case 'reconnecting':
      return { label: `reconnecting, ${last}`, tone: 'warn' };
    case 'failed':
      return { label: `failed${connector.detail ? `: ${connector.detail}` : ''}`, tone: 'bad' };
    case 'idle':
      return { label: `idle${connector.detail ? `: ${connector.detail}` : ''}`, tone: 'idle' };
  }
}

export function workersView(health: Health | null): StatusView {
  if (!health) return { label: 'no health report', tone: 'bad' };
  const failed = health.workers.filter((worker) => worker.state === 'failed' || worker.state === 'stopped');
  if (failed.length > 0) return { label: `${failed.map((w) => w.role).join(', ')} down`, tone: 'bad' };
  const restarting = health.workers.filter((worker) => worker.state !== 'ready');
  if (restarting.length > 0) return { label: `${restarting.map((w) => w.role).join(', ')} starting`, tone: 'warn' };
  return { label: `${health.workers.length} workers ready`, tone: 'ok' };
}
