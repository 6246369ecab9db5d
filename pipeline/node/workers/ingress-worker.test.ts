/**
 * The ingress worker on its own: the built worker (dist/workers/ingress.js) in a real thread, with the test
 * holding the other end of its router and store ports. It parses at the boundary (a bad item is
 * refused naming the field, and recorded), commits before it hands events on, and keeps at most
 * `highWater` events in the router's hands until the router reports some settled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope, InboundEvent } from '../../core/envelope.js';
import {
  fromJson,
  type HostControlProtocol,
  type IngressPortProtocol,
  type RoleProtocol,
  type RouterPortProtocol,
} from '../../core/protocol/pipeline.js';
import type { StoreProtocol, StoreWrite } from '../../core/protocol/store.js';
import { createPeer, type Peer, type Protocol } from '../../core/rpc.js';
import { workerFileUrl } from '../host/worker-file.js';
import { openWriteConnection } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import { createHeartbeatSlot } from './heartbeat.js';
import { portTransport } from './port-transport.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the ingress worker alone; the test plays router and store. */
async function startIngress(highWater: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-ingress-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const dbPath = join(dataDir, 'bitbrat.db');
  const db = openWriteConnection(dbPath); // the timer scheduler reads settings from a migrated file
  migrate(db);
  db.close();

  const toRouter = new MessageChannel();
  const toStore = new MessageChannel();
  const writes: StoreWrite[] = [];
  createPeer<StoreProtocol, Protocol>(portTransport(toStore.port2), {
    handlers: {
      write: (batch) => void writes.push(...batch),
      writeWithin: ({ batch }) => void writes.push(...batch),
    } as Partial<StoreProtocol['requests']> as never,
  });
  const accepted: Envelope[] = [];
  const router: Peer<IngressPortProtocol> = createPeer<RouterPortProtocol, IngressPortProtocol>(
    portTransport(toRouter.port2),
    { pushes: { accepted: (batch) => void accepted.push(...fromJson(batch)) } },
  );

  const worker = new Worker(workerFileUrl('ingress'), {
    workerData: {
      init: { role: 'ingress', dataDir, dbPath, demo: false, highWater },
      ports: { router: toRouter.port1, store: toStore.port1 },
      heartbeat: createHeartbeatSlot(),
    },
    transferList: [toRouter.port1, toStore.port1],
  });
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const control = createPeer<HostControlProtocol, RoleProtocol['ingress']>(portTransport(worker), {
    pushes: { ready: () => ready() },
  });
  cleanups.push(async () => {
    control.close('test over');
    toRouter.port2.close();
    toStore.port2.close();
    await worker.terminate();
  });
  await started;
  return { control, router, accepted, writes };
}

let sequence = 0;
function chat(text: string): InboundEvent {
  sequence += 1;
  return {
    type: 'chat.message.v1',
    ingress: { connector: 'test', channel: 'chan' },
    identity: { external: { id: `id-${sequence}`, login: `viewer${sequence}`, displayName: 'V', roles: ['viewer'] } },
    message: { id: `ingress-${sequence}`, text },
  };
}

describe('ingress worker', () => {
  it('refuses an invalid item naming the field and records it, while committing the valid ones first', async () => {
    const ingress = await startIngress(100);
    const bad = { ...chat('x'), identity: { external: { id: 'i', displayName: 'V', roles: [] } } };
    const [ok, refused] = await ingress.control.call('submit', { connector: 'test', items: [chat('hello'), bad] });
    expect(ok).toMatchObject({ ok: true });
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('identity.external.login') });
    // The valid one was written before its ack; the invalid one was recorded with its reason.
    expect(ingress.writes.filter((w) => w.op === 'event.put').map((w) => w.op === 'event.put' && w.row.id)).toEqual([
      ok!.ok && ok!.id,
    ]);
    expect(ingress.writes.find((w) => w.op === 'rejection.record')).toMatchObject({
      rejection: { connector: 'test', error: expect.stringContaining('identity.external.login') },
    });
    await expect
      .poll(() => ingress.accepted.map((event) => event.message?.text), { timeout: 10_000 })
      .toEqual(['hello']);
  });

  it('hands the router at most highWater events, and the rest in order as it reports some settled', async () => {
    const ingress = await startIngress(3);
    const results = await ingress.control.call('submit', {
      connector: 'test',
      items: ['a', 'b', 'c', 'd', 'e'].map((text) => chat(text)),
    });
    expect(results.every((result) => result.ok)).toBe(true);
    // All five are committed (acked). They were forwarded or queued in the one tick of their commit,
    // so forwarded ones leave in one push: seeing exactly three proves two wait for credit.
    await expect.poll(() => ingress.accepted.length, { timeout: 10_000 }).toBe(3);
    expect(ingress.accepted.map((event) => event.message?.text)).toEqual(['a', 'b', 'c']);
    ingress.router.push('settled', 2);
    await expect
      .poll(() => ingress.accepted.map((event) => event.message?.text), { timeout: 10_000 })
      .toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
