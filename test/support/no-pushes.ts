import type { WorkerPushHandlers } from '../../pipeline/node/host/worker-supervisor.js';

/** For supervisor tests that watch no worker push: every topic handled, and dropped. */
export const noPushes: WorkerPushHandlers = {
  feed: () => undefined,
  approvals: () => undefined,
  delivery: () => undefined,
  alert: () => undefined,
  twitchToken: () => undefined,
};
