import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, issueLines } from './zod-issues.js';

const Schema = z.object({ message: z.object({ text: z.string().max(3) }), tags: z.array(z.number()) });

describe('zod issue formatting (the one formatter)', () => {
  it('names every offending field by its path, the whole value as (root) or a given label', () => {
    const error = Schema.safeParse({ message: { text: 'too long' }, tags: [1, 'x'] }).error!;
    expect(describeIssues(error)).toMatch(/^message\.text: .+; tags\.1: .+$/);
    const root = z.string().safeParse(5).error!;
    expect(describeIssues(root)).toMatch(/^\(root\): /);
    expect(describeIssues(root, { root: '(params)' })).toMatch(/^\(params\): /);
  });

  it('keeps at most five issues unless told otherwise', () => {
    const error = z.array(z.string()).safeParse([1, 2, 3, 4, 5, 6, 7]).error!;
    expect(issueLines(error)).toHaveLength(5);
    expect(issueLines(error, { limit: 50 })).toHaveLength(7);
    expect(issueLines(error, { limit: 2 }).map((line) => line.split(':')[0])).toEqual(['0', '1']);
  });
});
