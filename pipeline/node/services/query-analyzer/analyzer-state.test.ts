import { describe, expect, it } from 'vitest';
import { AnalyzerState, copyPastaKey } from './analyzer-state.js';

describe('AnalyzerState memory bounds', () => {
  it('never remembers more users than maxUsers, evicting the least recently seen', () => {
    const state = new AnalyzerState({ maxUsers: 100 });
    for (let index = 0; index < 5_000; index++) state.observe(`user-${index}`, `e${index}`, '', 1_000 + index);
    expect(state.size.users).toBeLessThanOrEqual(100);
    expect(state.size.users).toBeGreaterThanOrEqual(90);
    // The newest user is still known: its second message counts as its second.
    expect(state.observe('user-4999', 'again', '', 7_000).recentMessages).toBe(2);
    // An evicted one starts over.
    expect(state.observe('user-0', 'again', '', 7_000).recentMessages).toBe(1);
  });

  it('never remembers more texts than maxTexts', () => {
    const state = new AnalyzerState({ maxTexts: 50 });
    for (let index = 0; index < 2_000; index++) {
      state.observe(`user-${index}`, `e${index}`, `a distinct long text number ${index}`, 1_000 + index);
    }
    expect(state.size.texts).toBeLessThanOrEqual(50);
  });

  it('forgets users and texts once their windows have passed', () => {
    const state = new AnalyzerState({ rateWindowMs: 10_000, copyPastaWindowMs: 60_000 });
    for (let index = 0; index < 500; index++) {
      state.observe(`user-${index}`, `e${index}`, `some copy pasta text long enough ${index}`, 1_000 + index);
    }
    expect(state.size).toEqual({ users: 500, texts: 500 });
    state.observe('late-user', 'late', 'short', 1_000 + 120_000);
    expect(state.size).toEqual({ users: 1, texts: 0 });
  });

  it('keeps a bounded number of timestamps for a user who never stops', () => {
    const state = new AnalyzerState({ rateLimit: 5, rateWindowMs: 1_000_000 });
    let last = state.observe('flooder', 'e0', '', 0);
    for (let index = 1; index < 10_000; index++) last = state.observe('flooder', `e${index}`, '', index);
    expect(last.recentMessages).toBe(10);
  });

  it('bounds the users remembered per text', () => {
    const state = new AnalyzerState({ copyPastaUsers: 3 });
    let last = state.observe('u0', 'e0', 'the very same long pasta text', 0);
    for (let index = 1; index < 1_000; index++)
      last = state.observe(`u${index}`, `e${index}`, 'the very same long pasta text', index);
    expect(last.distinctUsersWithText).toBe(12);
  });

  it('normalizes copy-pasta keys and cuts them to a bounded length', () => {
    expect(copyPastaKey('COPY, pasta!!')).toBe(copyPastaKey('copy pasta'));
    expect(copyPastaKey('x'.repeat(10_000)).length).toBe(160);
  });
});
