/**
 * The egress worker's side of the delivery ledger. Claims made in one tick leave in one message
 * (a reply goes to several places, and under a flood thousands of claims are in flight); how a
 * delivery ended is written behind with the worker's other writes, since the delivery has already
 * happened by then.
 */
import type { DeliveryClaim, StoreProtocol, StoreWrite } from '../../core/protocol/store.js';
import type { Peer } from '../../core/rpc.js';
import type { DeliveryLedger } from '../services/console-delivery.js';

export function createBatchedLedger(deps: {
  store: () => Peer<StoreProtocol>;
  write: (op: StoreWrite) => void;
}): DeliveryLedger {
  let queue: { claim: DeliveryClaim; resolve: (fresh: boolean) => void; reject: (error: unknown) => void }[] = [];
  const send = () => {
    const batch = queue;
    queue = [];
    deps
      .store()
      .call(
        'claimDeliveries',
        batch.map((entry) => entry.claim),
      )
      .then(
        (answers) => batch.forEach((entry, index) => entry.resolve(answers[index] === true)),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      );
  };
  return {
    claim: (claim) =>
      new Promise<boolean>((resolve, reject) => {
        if (queue.length === 0) setImmediate(send);
        queue.push({ claim, resolve, reject });
      }),
    finish: async (result) => deps.write({ op: 'delivery.finish', result }),
  };
}
