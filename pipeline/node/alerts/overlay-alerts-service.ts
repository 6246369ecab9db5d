/**
 * The `overlay-alerts` reaction service: a follow, sub, gift, raid, cheer or redemption becomes an
 * alert on the OBS overlay, worded by the kind's template, with its sound, duration and volume.
 *
 * It runs on the slip a rule chose (the default `thank-supporters` rule puts it before the thank-you),
 * so the alert is a step in the event detail like any other. The reaction worker has no sockets: the
 * alert leaves on the control line (`alert` push) to the host, whose client hub sends it to the
 * overlays. It is claimed in the delivery ledger first, so a step re-run after a crash never plays the
 * same raid twice, and left on the event as an annotation, so an overlay that reconnects catches up.
 */
import {
  ALERT_ANNOTATION,
  buildAlert,
  OVERLAY_ALERTS_SERVICE,
  type AlertSettings,
  type OverlayAlert,
} from '../../core/alerts.js';
import type { Service } from '../../core/service.js';
import { deliveryKey, type DeliveryLedger } from '../services/console-delivery.js';

export function createOverlayAlertsService(deps: {
  ledger: DeliveryLedger;
  settings(): AlertSettings;
  publish(alert: OverlayAlert): void;
  now?: () => number;
}): Service {
  const now = deps.now ?? Date.now;
  return {
    id: OVERLAY_ALERTS_SERVICE,
    phase: 'reaction',
    async run(event) {
      const alert = buildAlert(event, deps.settings());
      if (!alert) return { status: 'SKIP', notes: [`no alert: ${event.type} alerts are off or not an alert kind`] };
      const key = deliveryKey(event.id, OVERLAY_ALERTS_SERVICE);
      const annotation = { kind: ALERT_ANNOTATION, source: OVERLAY_ALERTS_SERVICE, value: alert, at: now() };
      const fresh = await deps.ledger.claim({
        key,
        eventId: event.id,
        connector: OVERLAY_ALERTS_SERVICE,
        text: alert.title,
        at: now(),
      });
      // Published again when a restart cut the step off: the claim is committed before the alert
      // leaves, so a worker stopped in between would otherwise lose it. Overlays (and the gateway)
      // show each event's alert once, so an alert that did leave is not played twice.
      deps.publish(alert);
      if (!fresh) return { status: 'OK', notes: ['alert published again after a restart'], annotations: [annotation] };
      await deps.ledger.finish({ key, status: 'sent', at: now() });
      return {
        status: 'OK',
        notes: [`alert: ${alert.title}${alert.sound ? ` (sound ${alert.sound})` : ''}`],
        annotations: [annotation],
      };
    },
  };
}
