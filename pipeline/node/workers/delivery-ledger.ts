/**
 * The egress worker's side of the delivery ledger. Claims made in one tick leave in one message
 * (a reply goes to several places, and under a flood thousands of claims are in flight); how a
 * delivery ended is written behind with the worker's other writes, since the delivery has already
 * happened by then.
 */
import type { DeliveryClaim, StoreProtocol, StoreWrite } from '../../core/protocol/store.js';
import type { Peer } from '../../core/rpc.js';
import type { DeliveryLedger } from '../services/console-delivery.js';
import { batchPerTick } from './batch-per-tick.js';

export function createBatchedLedger(deps: {
  store: () => Peer<StoreProtocol>;
  write: (op: StoreWrite) => void;
}): DeliveryLedger {
  type Pending = { claim: DeliveryClaim; resolve: (fresh: boolean) => void; reject: (error: unknown) => void };
  const claim = batchPerTick<Pending>((batch) =>
    deps
      .store()
      .call(
        'claimDeliveries',
        batch.map((entry) => entry.claim),
      )
      .then(
        (answers) => batch.forEach((entry, index) => entry.resolve(answers[index] === true)),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      ),
  );
  return {
    claim: (delivery) => new Promise<boolean>((resolve, reject) => claim({ claim: delivery, resolve, reject })),
    finish: async (result) => deps.write({ op: 'delivery.finish', result }),
  };
}
