/** The HostApi's approval methods: held replies with their events, and a moderator's decision (the router decides). */
import type { HostApi } from '../../../core/host-api.js';
import { summarizeEvent } from '../../../core/summary.js';
import { turnTaker } from '../turn-taker.js';
import type { HostApiDeps } from './host-api-deps.js';

export function createApprovalsApi(
  deps: Pick<HostApiDeps, 'reader' | 'control'>,
): Pick<HostApi, 'approvals.list' | 'approvals.decide'> {
  const { reader } = deps;
  return {
    'approvals.list': async ({ open = true, limit = 200 }) => {
      const approvals = reader.listApprovals({ open, limit });
      const held = [];
      // Up to `limit` event reads: in slices, so the gateway and supervision get their turns.
      const turn = turnTaker();
      for (const approval of approvals) {
        await turn();
        const detail = reader.getEvent(approval.eventId);
        if (detail) held.push({ approval, event: summarizeEvent(detail.event, Date.now()) });
      }
      return held;
    },
    'approvals.decide': (request) => deps.control('router').call('decide', request),
  };
}
