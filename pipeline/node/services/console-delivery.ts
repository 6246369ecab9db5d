/**
 * The `console` egress service: delivers the reply to the moderators' live feed.
 *
 * Every delivery is claimed in SQLite under an idempotency key before it happens, so a reply is
 * never delivered twice, even when the egress worker crashed after delivering and the router
 * re-dispatched the step.
 */
import type { DeliveryClaim } from '../../core/protocol/store.js';
import { StepFailure, type Service, SERVICE_IDS } from '../../core/service.js';
import { selectedCandidate } from '../../core/slip.js';

export interface DeliveryLedger {
  claim(claim: DeliveryClaim): Promise<boolean>;
  finish(result: { key: string; status: 'sent' | 'dropped'; detail?: string; at: number }): Promise<void>;
}

/**
 * One delivery per event per place. Not per candidate: an event resumed after a crash may run its
 * reaction again and get a new candidate id, and its reply must still not go out a second time.
 */
export function deliveryKey(eventId: string, connector: string): string {
  return `${eventId}:${connector}`;
}

export function createConsoleDelivery(deps: { ledger: DeliveryLedger; now?: () => number }): Service {
  const now = deps.now ?? Date.now;
  return {
    id: SERVICE_IDS.console,
    phase: 'egress',
    async run(event) {
      const candidate = selectedCandidate(event);
      if (!candidate) throw new StepFailure('NO_REPLY', 'no selected reply to deliver', false);
      const text = candidate.finalText ?? candidate.text;
      const key = deliveryKey(event.id, SERVICE_IDS.console);
      // For the console the record is the delivery (the feed shows the reply from the event), so it
      // is written as sent in one step.
      const fresh = await deps.ledger.claim({
        key,
        eventId: event.id,
        connector: SERVICE_IDS.console,
        text,
        at: now(),
        status: 'sent',
      });
      if (!fresh) {
        return {
          status: 'OK',
          delivery: {
            connector: SERVICE_IDS.console,
            status: 'duplicate',
            detail: 'already delivered before a restart; not sent again',
          },
        };
      }
      return { status: 'OK', delivery: { connector: SERVICE_IDS.console, status: 'sent' } };
    },
  };
}
