import { describe, expect, it } from 'vitest';
import { createPeer, type Protocol, type RpcMessage, type Transport } from './rpc.js';

/** Two transports joined back to back: the RPC without any real port. */
function createTransportPair(): [Transport, Transport] {
  const receivers: [((m: RpcMessage) => void) | undefined, ((m: RpcMessage) => void) | undefined] = [
    undefined,
    undefined,
  ];
  const side = (self: 0 | 1): Transport => ({
    send(message) {
      const other = receivers[self === 0 ? 1 : 0];
      // A real port delivers asynchronously and clones; so does this, so tests see real ordering.
      queueMicrotask(() => other?.(structuredClone(message)));
    },
    onMessage(receive) {
      receivers[self] = receive;
      return () => {
        receivers[self] = undefined;
      };
    },
  });
  return [side(0), side(1)];
}

interface MathProtocol extends Protocol {
  requests: {
    add(params: { a: number; b: number }): number;
    slow(params: { ms: number }): string;
    fail(params: { code: string }): never;
  };
  pushes: { tick: number };
}

function pair() {
  const [left, right] = createTransportPair();
  const cancelled: string[] = [];
  const server = createPeer<MathProtocol, Protocol>(right, {
    handlers: {
      add: ({ a, b }) => a + b,
      slow: ({ ms }, signal) =>
        new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => resolve('done'), ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            cancelled.push('slow');
            reject(new Error('aborted'));
          });
        }),
      fail: ({ code }) => {
        throw Object.assign(new Error(`failed with ${code}`), { code });
      },
    },
  });
  const ticks: number[] = [];
  const client = createPeer<{ requests: Record<string, never>; pushes: { tick: number } }, MathProtocol>(left, {
    pushes: { tick: (value) => ticks.push(value) },
  });
  return { server, client, cancelled, ticks };
}

describe('rpc', () => {
  it('answers requests in any order and carries errors with their code', async () => {
    const { client } = pair();
    const [slow, sum] = await Promise.all([client.call('slow', { ms: 20 }), client.call('add', { a: 2, b: 3 })]);
    expect(sum).toBe(5);
    expect(slow).toBe('done');
    await expect(client.call('fail', { code: 'E_BROKEN' })).rejects.toMatchObject({
      code: 'E_BROKEN',
      message: 'failed with E_BROKEN',
    });
  });

  it('refuses an unknown method, including inherited names', async () => {
    const { client } = pair();
    await expect(client.call('nope' as 'add', { a: 1, b: 1 })).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(client.call('toString' as 'add', { a: 1, b: 1 })).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
  });

  it('cancels the handler when the caller aborts or times out', async () => {
    const { client, cancelled } = pair();
    const controller = new AbortController();
    const call = client.call('slow', { ms: 5000 }, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(client.call('slow', { ms: 5000 }, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    // The cancel message crosses the transport after the caller's rejection: wait for it, no clock.
    await expect.poll(() => cancelled, { timeout: 10_000 }).toEqual(['slow', 'slow']);
  });

  it('rejects every pending call when the connection closes, and refuses new ones', async () => {
    const { client } = pair();
    const pending = client.call('slow', { ms: 5000 });
    client.close('worker exited');
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED', message: 'connection closed: worker exited' });
    await expect(client.call('add', { a: 1, b: 2 })).rejects.toMatchObject({ code: 'CLOSED' });
    expect(client.pendingCount).toBe(0);
  });

  it('delivers pushes, and validates params before the handler runs', async () => {
    const [left, right] = createTransportPair();
    const seen: unknown[] = [];
    const server = createPeer<MathProtocol, Protocol>(right, {
      handlers: { add: (params) => (seen.push(params), 0) },
      validate: (_method, params) => {
        if (typeof (params as { a?: unknown }).a !== 'number')
          throw Object.assign(new Error('a: expected number'), { code: 'INVALID_PARAMS' });
        return params;
      },
    });
    const ticks: number[] = [];
    const client = createPeer<{ requests: Record<string, never>; pushes: { tick: number } }, MathProtocol>(left, {
      pushes: { tick: (value) => ticks.push(value) },
    });
    server.push('tick' as never, 7 as never);
    await expect(client.call('add', { a: 'x' as never, b: 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(seen).toEqual([]);
    expect(ticks).toEqual([7]);
  });
});
