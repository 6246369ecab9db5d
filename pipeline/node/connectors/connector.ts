/**
 * Inbound connectors (Twitch chat, EventSub, the demo source, gateway clients, webhooks) run in
 * the ingress worker. They hand raw platform data, already normalized to an `InboundEvent`, to
 * the sink; the sink parses it at the boundary (zod) and either accepts it into the pipeline or
 * records the rejection with a reason that names the field. A connector never throws at the sink.
 *
 * Outbound connectors are egress services (see pipeline/core/service.ts).
 */
import type { InboundEvent } from '../../core/envelope.js';
import type { ConnectorHealth, SubmitResult } from '../../core/protocol/pipeline.js';

export interface IngressSink {
  /**
   * Parses and accepts an event from a live source. `ok` means parsed and queued for its commit
   * (the event is routed only once it is on disk); a live source has nobody to ack to.
   */
  accept(event: InboundEvent | unknown, raw?: string): SubmitResult;
  /**
   * Resolves when the pipeline has room. Sources that can wait (the bench load, replays, webhooks)
   * await it; live chat cannot wait, so its events queue in ingress instead.
   */
  ready(): Promise<void>;
}

export interface InboundConnector {
  readonly id: string;
  start(sink: IngressSink): Promise<void>;
  stop(): Promise<void>;
  health(): ConnectorHealth;
}
