/**
 * The `gateway-clients` egress service: publishes a reply to the gateway's connected clients.
 *
 * It runs in the egress worker, which has no sockets: the delivery leaves on the worker's control
 * line (`delivery` push) to the host, whose client hub fans it out. Like every egress service it
 * claims the delivery in SQLite first (idempotency key), so a re-dispatch after a crash never
 * publishes the same reply twice; the result is recorded on the slip (`StepOutcome.delivery`).
 */
import type { GatewayDelivery } from '../../../core/client-protocol.js';
import { StepFailure, type Service, SERVICE_IDS } from '../../../core/service.js';
import { selectedCandidate } from '../../../core/slip.js';
import { deliveryKey, type DeliveryLedger } from '../../services/console-delivery.js';

export const GATEWAY_CLIENTS_SERVICE = SERVICE_IDS.gatewayClients;
/** The ingress connector of events sent by gateway clients; `ingress.source` is `client:<name>`. */
export const GATEWAY_CLIENTS_CONNECTOR = 'gateway-clients';
export const CLIENT_SOURCE_PREFIX = 'client:';

export function createGatewayClientsDelivery(deps: {
  ledger: DeliveryLedger;
  publish(delivery: GatewayDelivery): void;
  now?: () => number;
}): Service {
  const now = deps.now ?? Date.now;
  return {
    id: GATEWAY_CLIENTS_SERVICE,
    phase: 'egress',
    async run(event) {
      const candidate = selectedCandidate(event);
      if (!candidate) throw new StepFailure('NO_REPLY', 'no selected reply to deliver', false);
      const text = candidate.finalText ?? candidate.text;
      const key = deliveryKey(event.id, GATEWAY_CLIENTS_SERVICE);
      const at = now();
      const fresh = await deps.ledger.claim({ key, eventId: event.id, connector: GATEWAY_CLIENTS_SERVICE, text, at });
      if (!fresh) {
        return {
          status: 'OK',
          delivery: {
            connector: GATEWAY_CLIENTS_SERVICE,
            status: 'duplicate',
            detail: 'already published before a restart',
          },
        };
      }
      const source = event.ingress.source;
      const client =
        event.ingress.connector === GATEWAY_CLIENTS_CONNECTOR && source.startsWith(CLIENT_SOURCE_PREFIX)
          ? source.slice(CLIENT_SOURCE_PREFIX.length)
          : undefined;
      const replyTo = event.egress?.replyTo ?? event.message?.id;
      deps.publish({
        key,
        eventId: event.id,
        at,
        channel: event.ingress.channel,
        text,
        ...(replyTo ? { replyTo } : {}),
        ...(client ? { client } : {}),
      });
      await deps.ledger.finish({ key, status: 'sent', at: now() });
      return {
        status: 'OK',
        delivery: { connector: GATEWAY_CLIENTS_SERVICE, status: 'sent', detail: 'published to the gateway' },
      };
    },
  };
}
