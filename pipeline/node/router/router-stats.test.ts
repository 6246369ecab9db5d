import { describe, expect, it } from 'vitest';
import { RouterStats } from './router-stats.js';

describe('RouterStats', () => {
  it('counts accepted events and dispositions, and takes live counts from the router', () => {
    const stats = new RouterStats(42);
    stats.accepted();
    stats.accepted(2);
    stats.ended('ignored');
    stats.ended('failed');
    stats.ended('ignored');
    const snapshot = stats.snapshot({ inFlight: 1, held: 4, queueDepths: { enrichment: 1, reaction: 0, egress: 0 } });
    expect(snapshot).toMatchObject({
      since: 42,
      accepted: 3,
      rejected: 0,
      inFlight: 1,
      held: 4,
      queueDepths: { enrichment: 1, reaction: 0, egress: 0 },
    });
    expect(snapshot.dispositions).toEqual({
      replied: 0,
      ignored: 2,
      filtered: 0,
      rejected: 0,
      expired: 0,
      failed: 1,
      'dead-lettered': 0,
    });
    // A snapshot is a copy: counting on does not change what was handed out.
    stats.ended('ignored');
    expect(snapshot.dispositions.ignored).toBe(2);
  });

  it("splits a reply's latency into the moderator's wait and the pipeline's own time", () => {
    const stats = new RouterStats(0);
    stats.ended('replied', { totalMs: 180_010, waitedMs: 180_000 });
    stats.ended('replied', { totalMs: 8, waitedMs: 0 });
    const snapshot = stats.snapshot({ inFlight: 0, held: 0, queueDepths: { enrichment: 0, reaction: 0, egress: 0 } });
    expect(snapshot.endToEnd.count).toBe(2);
    expect(snapshot.pipelineLatency).toMatchObject({ count: 2, p99Ms: 10 });
    // Only replies that waited count towards the wait.
    expect(snapshot.approvalWait).toEqual({ count: 1, p50Ms: 180_000, p99Ms: 180_000 });
  });

  it('keeps a latency window per phase and one for the router', () => {
    const stats = new RouterStats(0);
    stats.phase('reaction', 3);
    stats.phase('reaction', 5);
    stats.phase('router', 0.25);
    const { phases } = stats.snapshot({ inFlight: 0, held: 0, queueDepths: { enrichment: 0, reaction: 0, egress: 0 } });
    expect(phases.reaction.count).toBe(2);
    expect(phases.router).toEqual({ count: 1, p50Ms: 0.25, p99Ms: 0.25 });
    expect(phases.enrichment.count).toBe(0);
  });
});
