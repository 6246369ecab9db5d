/** Events per minute from the host's cumulative `accepted` counter, sampled by the dashboard. */
export interface Sample {
  at: number;
  accepted: number;
}

export const MAX_SAMPLES = 300;

export function addSample(samples: readonly Sample[], sample: Sample): Sample[] {
  const last = samples.at(-1);
  // The counter restarts with the host: start a fresh series rather than plot a negative rate.
  const base = last && sample.accepted < last.accepted ? [] : samples;
  return [...base.slice(-(MAX_SAMPLES - 1)), sample];
}

/** Rate over the last `windowMs` (per minute), or null before two samples exist. */
export function perMinute(samples: readonly Sample[], windowMs = 60_000): number | null {
  const last = samples.at(-1);
  if (!last) return null;
  let first: Sample | undefined;
  for (const sample of samples) {
    if (last.at - sample.at <= windowMs) {
      first = sample;
      break;
    }
  }
  if (!first || first === last || last.at === first.at) return null;
  return ((last.accepted - first.accepted) / (last.at - first.at)) * 60_000;
}

/** Per-second rates between consecutive samples: [times in seconds, rates]. */
export function rateSeries(samples: readonly Sample[]): [number[], number[]] {
  const times: number[] = [];
  const rates: number[] = [];
  for (let index = 1; index < samples.length; index++) {
    const previous = samples[index - 1]!;
    const current = samples[index]!;
    const seconds = (current.at - previous.at) / 1000;
    if (seconds <= 0) continue;
    times.push(current.at / 1000);
    rates.push((current.accepted - previous.accepted) / seconds);
  }
  return [times, rates];
}
