import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LLM_SETTINGS, usageDay } from '../../core/llm.js';
import { createLlmLimits } from './limits.js';
import { openLlmTestDb, type LlmTestDb } from './test-db.js';

let db: LlmTestDb;
afterEach(() => db?.remove());

// Local times: budgets follow the streamer's day.
const DAY = new Date(2025, 4, 1, 12, 0, 0).getTime();
const baseSettings = {
  ...DEFAULT_LLM_SETTINGS,
  userCooldownSeconds: 30,
  repliesPerMinute: 3,
  dailyTokenBudget: 1000,
  dailyCostBudgetUsd: 0.5,
};

describe('llm limits', () => {
  it('enforces a per-user cooldown, but not against the same event (retry, regenerate)', () => {
    db = openLlmTestDb();
    let now = DAY;
    const limits = createLlmLimits({ db: db.reader, now: () => now });
    const settings = { ...baseSettings, repliesPerMinute: 0 };
    expect(limits.acquire('u1', 'e1', settings).ok).toBe(true);
    const blocked = limits.acquire('u1', 'e2', settings);
    expect(blocked).toEqual({ ok: false, reason: 'user cooldown: 30s left' });
    expect(limits.acquire('u1', 'e1', settings).ok).toBe(true);
    expect(limits.acquire('u2', 'e3', settings).ok).toBe(true);
    now += 29_000;
    expect(limits.acquire('u1', 'e4', settings)).toEqual({ ok: false, reason: 'user cooldown: 1s left' });
    now += 1_000;
    expect(limits.acquire('u1', 'e4', settings).ok).toBe(true);
  });

  it('gives the slot back when the call failed', () => {
    db = openLlmTestDb();
    const limits = createLlmLimits({ db: db.reader, now: () => DAY });
    const slot = limits.acquire('u1', 'e1', baseSettings);
    if (!slot.ok) throw new Error('expected a slot');
    slot.release();
    expect(limits.acquire('u1', 'e2', baseSettings).ok).toBe(true);
  });

  it('caps replies per minute across users', () => {
    db = openLlmTestDb();
    let now = DAY;
    const limits = createLlmLimits({ db: db.reader, now: () => now });
    for (let i = 0; i < 3; i++) expect(limits.acquire(`u${i}`, `e${i}`, baseSettings).ok).toBe(true);
    expect(limits.acquire('u9', 'e9', baseSettings)).toEqual({
      ok: false,
      reason: 'replies-per-minute cap reached (3/min)',
    });
    expect(limits.acquire('u9', 'e9', { ...baseSettings, repliesPerMinute: 0 }).ok).toBe(true);
    now += 60_000;
    expect(limits.acquire('u10', 'e10', baseSettings).ok).toBe(true);
  });

  it('stops at the daily token and cost budgets and counts usage', () => {
    db = openLlmTestDb();
    const limits = createLlmLimits({ db: db.reader, now: () => DAY });
    expect(limits.checkBudget(baseSettings)).toEqual({ ok: true });
    limits.recordUsage({ tokensIn: 600, tokensOut: 400, costUsd: 0.01 });
    expect(limits.usageToday()).toEqual({ day: '2025-05-01', tokensIn: 600, tokensOut: 400, costUsd: 0.01, calls: 1 });
    expect(limits.checkBudget(baseSettings)).toEqual({ ok: false, reason: 'daily token budget reached (1000/1000)' });
    expect(limits.checkBudget({ ...baseSettings, dailyTokenBudget: 0 })).toEqual({ ok: true });
    limits.recordUsage({ tokensIn: 1, tokensOut: 1, costUsd: 0.6 });
    expect(limits.checkBudget({ ...baseSettings, dailyTokenBudget: 0 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('daily cost budget'),
    });
  });

  it("seeds today's counter from llm_usage (budgets survive a restart) and resets on a new local day", () => {
    db = openLlmTestDb();
    const usage = {
      at: DAY,
      day: usageDay(DAY),
      model: 'm',
      persona: 'default',
      eventId: 'e',
      tokensIn: 700,
      tokensOut: 300,
      costUsd: 0.2,
    };
    db.write({ op: 'llmUsage.add', usage });
    db.write({ op: 'llmUsage.add', usage: { ...usage, day: '2025-04-30', tokensIn: 99_999 } });
    db = db.reopen();
    let now = DAY;
    const limits = createLlmLimits({ db: db.reader, now: () => now });
    expect(limits.usageToday()).toEqual({ day: '2025-05-01', tokensIn: 700, tokensOut: 300, costUsd: 0.2, calls: 1 });
    expect(limits.checkBudget(baseSettings).ok).toBe(false);
    now = new Date(2025, 4, 2, 0, 0, 1).getTime();
    expect(limits.usageToday()).toEqual({ day: '2025-05-02', tokensIn: 0, tokensOut: 0, costUsd: 0, calls: 0 });
    expect(limits.checkBudget(baseSettings).ok).toBe(true);
  });
});
