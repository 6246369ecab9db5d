/**
 * The one registry of store operations: an applier for every `StoreWrite` op, built from the core
 * part (store-tables.ts), the LLM part, the gateway part and the features part. The type has one
 * key per op name, so an op added to `StoreWrite` without its applier fails to compile; an op whose
 * name is not in the registry is refused when it is written (`UNKNOWN_STORE_OP`), before anything of
 * that write is queued — never silently dropped.
 */
import type { CounterStoreWrite } from '../../core/counters.js';
import { GATEWAY_STORE_OPS, type GatewayStoreWrite } from '../../core/gateway-store.js';
import type { GiveawayStoreWrite } from '../../core/giveaways.js';
import { GIVEAWAY_STORE_OPS } from '../../core/giveaways.js';
import { COUNTER_STORE_OPS } from '../../core/counters.js';
import { LLM_STORE_OPS, type LlmStoreWrite } from '../../core/llm.js';
import {
  CORE_STORE_OPS,
  type CoreStoreWrite,
  type FeatureStoreWrite,
  type StoreOpName,
  type StoreWrite,
} from '../../core/protocol/store.js';
import { QUOTE_STORE_OPS, type QuoteStoreWrite } from '../../core/quotes.js';
import { CodedError } from '../../core/rpc.js';
import { TIMER_STORE_OPS, type TimerStoreWrite } from '../../core/timers.js';
import { createFeatureStoreAppliers } from '../features/feature-store-appliers.js';
import { createGatewayStoreAppliers } from '../gateway/clients/store-appliers.js';
import { createLlmStoreAppliers } from '../llm/llm-store-appliers.js';
import type { FlushNotes, StoreLog } from './commit-queue.js';
import type { WriteDb } from './database.js';

/** What an applier may know about the flush it runs in. */
export interface ApplyContext {
  /** The flush's clock (updated_at of what it writes). */
  readonly at: number;
  readonly notes: FlushNotes;
}

/** One applier per op of `W`, each typed by its own op. Runs inside the batch transaction. */
export type AppliersOf<W extends { op: string }> = {
  readonly [K in W['op']]: (db: WriteDb, op: Extract<W, { op: K }>, context: ApplyContext) => void;
};

export type StoreOpRegistry = AppliersOf<StoreWrite>;

/** The parts other than the core's: each owned by the module that owns its tables. */
export interface ExtensionParts {
  llm: AppliersOf<LlmStoreWrite>;
  gateway: AppliersOf<GatewayStoreWrite>;
  features: AppliersOf<FeatureStoreWrite>;
}

// Each part lists its op names (the features and the LLM build their appliers from them, the
// registry checks them at start); these lines fail to compile when an op of a union is not listed.
type Unlisted<W extends { op: string }, L extends readonly string[]> = Exclude<W['op'], L[number]>;
type MustBeNever<T extends never> = T;
export type _EveryOpListed = MustBeNever<
  | Unlisted<CoreStoreWrite, typeof CORE_STORE_OPS>
  | Unlisted<GatewayStoreWrite, typeof GATEWAY_STORE_OPS>
  | Unlisted<LlmStoreWrite, typeof LLM_STORE_OPS>
  | Unlisted<CounterStoreWrite, typeof COUNTER_STORE_OPS>
  | Unlisted<QuoteStoreWrite, typeof QUOTE_STORE_OPS>
  | Unlisted<TimerStoreWrite, typeof TIMER_STORE_OPS>
  | Unlisted<GiveawayStoreWrite, typeof GIVEAWAY_STORE_OPS>
>;

/** Every op name of `StoreWrite`, from the parts' lists. */
export const STORE_OP_NAMES: readonly StoreOpName[] = [
  ...CORE_STORE_OPS,
  ...LLM_STORE_OPS,
  ...GATEWAY_STORE_OPS,
  ...COUNTER_STORE_OPS,
  ...QUOTE_STORE_OPS,
  ...TIMER_STORE_OPS,
  ...GIVEAWAY_STORE_OPS,
];

/** The app's extension parts. Invalid LLM and feature ops are logged and skipped (they travel with events). */
export function createExtensionParts(log: StoreLog, overrides: Partial<ExtensionParts> = {}): ExtensionParts {
  return {
    llm:
      overrides.llm ??
      createLlmStoreAppliers({
        onInvalid: (op, error) => log('warn', 'dropped an invalid LLM write', { op, error }),
      }),
    // Client tokens and webhooks: an invalid op fails its caller's write (admin calls see the error).
    gateway: overrides.gateway ?? createGatewayStoreAppliers(),
    features:
      overrides.features ??
      createFeatureStoreAppliers({
        onInvalid: (op, error) => log('warn', 'dropped an invalid feature write', { op, error }),
      }),
  };
}

export function buildOpRegistry(core: AppliersOf<CoreStoreWrite>, parts: ExtensionParts): StoreOpRegistry {
  const registry: StoreOpRegistry = { ...core, ...parts.llm, ...parts.gateway, ...parts.features };
  // The types make a missing applier a compile error; this catches a part built wrongly (a cast).
  for (const name of STORE_OP_NAMES) {
    if (typeof (registry as Record<string, unknown>)[name] !== 'function') {
      throw new Error(`store op "${name}" has no applier`);
    }
  }
  return Object.freeze(registry);
}

/** The name of `op` when it is an op of the registry, else undefined. */
function knownOpName(registry: StoreOpRegistry, op: unknown): StoreOpName | undefined {
  if (typeof op !== 'object' || op === null) return undefined;
  const name = (op as { op?: unknown }).op;
  return typeof name === 'string' && Object.hasOwn(registry, name) ? (name as StoreOpName) : undefined;
}

/** Refuses a batch with an op the store does not know, naming it: nothing of the batch is written. */
export function checkBatch(registry: StoreOpRegistry, batch: readonly unknown[]): CodedError | undefined {
  for (const [index, op] of batch.entries()) {
    if (knownOpName(registry, op) !== undefined) continue;
    const name = typeof op === 'object' && op !== null ? (op as { op?: unknown }).op : undefined;
    const what = typeof name === 'string' ? `"${name}"` : `(not an op: ${op === null ? 'null' : typeof op})`;
    return new CodedError(
      'UNKNOWN_STORE_OP',
      `store write: op ${index} ${what} is not a store operation; nothing of this write was stored`,
    );
  }
  return undefined;
}

/** Applies one op of the registry (its name checked by `checkBatch` when it was written). */
export function applyOp(registry: StoreOpRegistry, db: WriteDb, op: StoreWrite, context: ApplyContext): void {
  context.notes.ops += 1;
  (registry[op.op] as (db: WriteDb, op: StoreWrite, context: ApplyContext) => void)(db, op, context);
}
