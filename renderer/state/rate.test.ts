import { describe, expect, it } from 'vitest';
import { addSample, perMinute, rateSeries, type Sample } from './rate.js';

describe('events per minute', () => {
  it('is measured over the last minute of samples', () => {
    let samples: Sample[] = [];
    for (let second = 0; second <= 120; second += 10)
      samples = addSample(samples, { at: second * 1000, accepted: second * 5 });
    expect(perMinute(samples)).toBe(300);
    expect(rateSeries(samples)[1].every((rate) => rate === 5)).toBe(true);
  });

  it('starts over when the host restarted and its counter went back', () => {
    const before = addSample(addSample([], { at: 0, accepted: 100 }), { at: 1_000, accepted: 200 });
    const after = addSample(before, { at: 2_000, accepted: 3 });
    expect(after).toEqual([{ at: 2_000, accepted: 3 }]);
    expect(perMinute(after)).toBeNull();
  });
});
