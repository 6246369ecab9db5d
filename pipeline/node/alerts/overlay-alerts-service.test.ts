/**
 * The `overlay-alerts` step on its own: an alert kind that is on is published with its claim; a
 * step run again after a restart (its claim already on disk) publishes the alert again, because
 * the first run may have been stopped between the claim and the publish. Receivers show an
 * event's alert once (the gateway and the overlay page both keep the event ids they showed).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS, type OverlayAlert } from '../../core/alerts.js';
import { acceptInbound, KnownEventTypes } from '../../core/envelope.js';
import type { DeliveryClaim } from '../../core/protocol/store.js';
import type { DeliveryLedger } from '../services/console-delivery.js';
import { createOverlayAlertsService } from './overlay-alerts-service.js';

/** A ledger like the store's: a key is claimed once. */
function memoryLedger(): DeliveryLedger & { finished: string[] } {
  const claimed = new Set<string>();
  const finished: string[] = [];
  return {
    finished,
    claim: async (claim: DeliveryClaim) => {
      if (claimed.has(claim.key)) return false;
      claimed.add(claim.key);
      return true;
    },
    finish: async ({ key, status }) => void finished.push(`${key}:${status}`),
  };
}

const follow = () => {
  const accepted = acceptInbound(
    {
      type: KnownEventTypes.follow,
      ingress: { connector: 'test', channel: 'c' },
      identity: { external: { id: 'id-fan', login: 'fan', displayName: 'Fan', roles: [] } },
    },
    1_000,
    () => '00000000-0000-4000-8000-000000000001',
  );
  if (!accepted.ok) throw new Error(accepted.error);
  return accepted.value;
};

describe('the overlay-alerts step', () => {
  it('publishes the alert, and publishes it again when the step runs again after a restart', async () => {
    const published: OverlayAlert[] = [];
    const ledger = memoryLedger();
    const service = createOverlayAlertsService({
      ledger,
      settings: () => DEFAULT_ALERT_SETTINGS,
      publish: (alert) => published.push(alert),
      now: () => 2_000,
    });
    const event = follow();
    const context = { signal: new AbortController().signal, attempt: 1, now: () => 2_000 };
    const first = await service.run(event, context);
    expect(first).toMatchObject({ status: 'OK' });
    const again = await service.run(event, { ...context, attempt: 2 });
    expect(again).toMatchObject({ status: 'OK', notes: ['alert published again after a restart'] });
    expect(published.map((alert) => [alert.eventId, alert.kind])).toEqual([
      [event.id, 'follow'],
      [event.id, 'follow'],
    ]);
    expect(ledger.finished).toEqual([`${event.id}:overlay-alerts:sent`]);
  });

  it('publishes nothing for a kind that is off', async () => {
    const published: OverlayAlert[] = [];
    const service = createOverlayAlertsService({
      ledger: memoryLedger(),
      settings: () => ({ ...DEFAULT_ALERT_SETTINGS, follow: { ...DEFAULT_ALERT_SETTINGS.follow, enabled: false } }),
      publish: (alert) => published.push(alert),
    });
    const outcome = await service.run(follow(), { signal: new AbortController().signal, attempt: 1, now: Date.now });
    expect(outcome).toMatchObject({ status: 'SKIP' });
    expect(published).toEqual([]);
  });
});
