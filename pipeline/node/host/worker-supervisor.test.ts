import { describe, expect, it } from 'vitest';
import { WorkerSupervisor } from './worker-supervisor.js';
import { noPushes } from '../../../test/support/no-pushes.js';

const fixture = new URL('../../../test/support/fixture-worker.mjs', import.meta.url);

function supervisor() {
  const logs: string[] = [];
  const instance = new WorkerSupervisor({
    workerFile: fixture,
    init: { dataDir: '/nonexistent', dbPath: '/nonexistent/db', demo: false },
    pushes: noPushes,
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  return { instance, logs };
}

async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

describe('WorkerSupervisor', () => {
  it('restarts a hung worker within a second and tells the router to re-dispatch', async () => {
    const { instance, logs } = supervisor();
    await instance.start();
    try {
      const before = instance.thread('reaction');
      void instance
        .control('reaction')
        // The fixture worker hangs on `load` whatever its role (no reaction request hangs on purpose).
        .call('load' as never, { hang: true } as never)
        .catch(() => undefined);
      const elapsed = await until(
        () =>
          instance.thread('reaction') !== before &&
          instance.health().find((w) => w.role === 'reaction')!.state === 'ready',
        3000,
      );
      // The target is 1 s; the bound leaves room for a loaded CI machine.
      expect(elapsed).toBeLessThan(2000);
      await instance.settled();
      const routerView = (await instance.control('router').call('stats', undefined as never)) as unknown as {
        restartedPhases: string[];
      };
      expect(routerView.restartedPhases).toEqual(['reaction']);
      expect(instance.health().find((w) => w.role === 'reaction')!.restarts).toBe(1);
      // Only the hung worker: the others kept beating.
      expect(
        instance
          .health()
          .filter((w) => w.restarts > 0)
          .map((w) => w.role),
      ).toEqual(['reaction']);
      expect(logs.some((line) => line.includes('restarting the reaction worker') && line.includes('hung'))).toBe(true);
    } finally {
      await instance.stop();
    }
  });

  it('restarts no worker while the host thread itself is blocked for 2.5 s', async () => {
    const { instance, logs } = supervisor();
    await instance.start();
    try {
      // The host thread is busy (a large read, a parse); the workers are healthy on their own threads.
      const blockedUntil = Date.now() + 2500;
      while (Date.now() < blockedUntil) {
        // busy: no timers, no messages on this thread
      }
      // Wait until the supervisor has looked at every worker since the block ended.
      await until(() => instance.health().every((w) => (w.lastPongAt ?? 0) > blockedUntil), 5000);
      await instance.settled();
      expect(instance.health().map((w) => [w.role, w.state, w.restarts])).toEqual(
        instance.health().map((w) => [w.role, 'ready', 0]),
      );
      expect(logs.filter((line) => line.includes('restarting'))).toEqual([]);
    } finally {
      await instance.stop();
    }
  });

  it('sends a call that a worker restart cut off again to the restarted worker', async () => {
    const { instance } = supervisor();
    await instance.start();
    try {
      const old = instance.thread('ingress');
      const answer = instance.control('ingress').call('submit', { connector: 'x', items: [], delayMs: 400 } as never);
      await old.terminate();
      const [result] = (await answer) as unknown as { ok: boolean; id: string }[];
      expect(instance.thread('ingress')).not.toBe(old);
      expect(result).toEqual({ ok: true, id: `ingress-${instance.thread('ingress').threadId}` });
      expect(instance.health().find((w) => w.role === 'ingress')!.restarts).toBe(1);
    } finally {
      await instance.stop();
    }
  });

  it('restarts a worker that exits, and the store together with a fresh router', async () => {
    const { instance } = supervisor();
    await instance.start();
    try {
      const oldRouter = instance.thread('router');
      await instance.thread('store').terminate();
      await until(() => instance.health().find((w) => w.role === 'store')!.restarts === 1, 3000);
      await instance.settled();
      expect(instance.thread('router')).not.toBe(oldRouter);
      expect(instance.health().every((w) => w.state === 'ready')).toBe(true);
    } finally {
      await instance.stop();
    }
  });

  it('rejects start-up with a clear error when a worker cannot start, leaving no thread behind', async () => {
    const instance = new WorkerSupervisor({
      workerFile: new URL('../../../test/support/does-not-exist.mjs', import.meta.url),
      init: { dataDir: '/x', dbPath: '/x/db', demo: false },
      pushes: noPushes,
      log: () => undefined,
    });
    await expect(instance.start()).rejects.toThrow(/worker/);
    for (const { role } of instance.health()) expect([role, instance.thread(role).threadId]).toEqual([role, -1]);
  });

  it('when one worker fails at start-up, terminates the others that did start, leaving no thread behind', async () => {
    const instance = new WorkerSupervisor({
      workerFile: fixture,
      init: { dataDir: '/nonexistent/fail-start:egress', dbPath: '/nonexistent/db', demo: false },
      pushes: noPushes,
      log: () => undefined,
    });
    await expect(instance.start()).rejects.toThrow(/egress/);
    // A worker thread that has exited reports threadId -1; the ones that started were running.
    const roles = instance.health().map((worker) => worker.role);
    expect(roles).toContain('store');
    expect(roles.map((role) => [role, instance.thread(role).threadId])).toEqual(roles.map((role) => [role, -1]));
  });
});
