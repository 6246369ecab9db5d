/**
 * The last N latency samples of one measurement, for p50/p99 on demand. A fixed ring: memory
 * stays flat however long the app runs.
 */
import type { PhaseStats } from '../../core/protocol/pipeline.js';

export class LatencyWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;
  private total = 0;

  constructor(size = 8192) {
    this.samples = new Float64Array(size);
  }

  add(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.filled < this.samples.length) this.filled += 1;
    this.total += 1;
  }

  summary(): PhaseStats {
    if (this.filled === 0) return { count: 0, p50Ms: 0, p99Ms: 0 };
    const sorted = this.samples.slice(0, this.filled).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { count: this.total, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
  }
}

const round = (value: number) => Math.round(value * 1000) / 1000;
