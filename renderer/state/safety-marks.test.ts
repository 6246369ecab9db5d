import { describe, expect, it } from 'vitest';
import { markFindings } from './safety-marks.js';

const finding = (found: string, at?: number) => ({
  check: 'personal-data' as const,
  kind: 'x',
  found,
  ...(at !== undefined ? { at } : {}),
  overridable: true,
});

describe('marking findings in a held draft', () => {
  it('marks each span once, in order, and leaves findings without a position out', () => {
    const text = 'Call 555-0100 or mail a@b.io';
    expect(markFindings(text, { findings: [finding('a@b.io', 22), finding('555-0100', 5), finding('slur')] })).toEqual([
      { text: 'Call ', marked: false },
      { text: '555-0100', marked: true },
      { text: ' or mail ', marked: false },
      { text: 'a@b.io', marked: true },
    ]);
  });

  it('ignores overlapping and out-of-range spans', () => {
    expect(markFindings('abcdef', { findings: [finding('abcd', 0), finding('cd', 2), finding('zzzz', 5)] })).toEqual([
      { text: 'abcd', marked: true },
      { text: 'ef', marked: false },
    ]);
  });
});
