/**
 * The router's figures for the health view and `bitbrat bench`: how many events it took, how
 * they ended, and latency windows per phase and end to end. The router tells it what happened;
 * the live counts (in flight, held, queue depths) are the router's own state and come in with
 * `snapshot`.
 */
import type { Disposition, WorkerPhase } from '../../core/envelope.js';
import type { PhaseStats, PipelineStats } from '../../core/protocol/pipeline.js';
import { LatencyWindow } from './latency-window.js';

/** How long a reply took end to end, and how much of that it waited for a moderator. */
export interface ReplyLatency {
  totalMs: number;
  waitedMs: number;
}

export interface LiveCounts {
  inFlight: number;
  held: number;
  queueDepths: Record<WorkerPhase, number>;
}

export class RouterStats {
  private acceptedCount = 0;
  private readonly dispositions: Record<Disposition, number> = {
    replied: 0,
    ignored: 0,
    filtered: 0,
    rejected: 0,
    expired: 0,
    failed: 0,
    'dead-lettered': 0,
  };
  private readonly phases: Record<WorkerPhase | 'router', LatencyWindow> = {
    enrichment: new LatencyWindow(),
    reaction: new LatencyWindow(),
    egress: new LatencyWindow(),
    router: new LatencyWindow(),
  };
  private readonly endToEnd = new LatencyWindow();
  private readonly pipeline = new LatencyWindow();
  private readonly approvalWait = new LatencyWindow();

  constructor(private readonly since: number) {}

  /** An event taken from ingress (resumed events are not counted). */
  accepted(count = 1): void {
    this.acceptedCount += count;
  }

  /** An event ended; a `replied` one brings its latency, split into the moderator's wait and the rest. */
  ended(disposition: Disposition, reply?: ReplyLatency): void {
    this.dispositions[disposition] += 1;
    if (disposition !== 'replied' || !reply) return;
    this.endToEnd.add(reply.totalMs);
    this.pipeline.add(Math.max(0, reply.totalMs - reply.waitedMs));
    if (reply.waitedMs > 0) this.approvalWait.add(reply.waitedMs);
  }

  /** Time a phase worker spent on one event, or the router on one step of its state machine. */
  phase(phase: WorkerPhase | 'router', ms: number): void {
    this.phases[phase].add(ms);
  }

  snapshot(live: LiveCounts): PipelineStats {
    const summary = (window: LatencyWindow): PhaseStats => window.summary();
    return {
      since: this.since,
      accepted: this.acceptedCount,
      rejected: 0,
      inFlight: live.inFlight,
      held: live.held,
      dispositions: { ...this.dispositions },
      phases: {
        enrichment: summary(this.phases.enrichment),
        reaction: summary(this.phases.reaction),
        egress: summary(this.phases.egress),
        router: summary(this.phases.router),
      },
      endToEnd: summary(this.endToEnd),
      pipelineLatency: summary(this.pipeline),
      approvalWait: summary(this.approvalWait),
      queueDepths: live.queueDepths,
    };
  }
}
