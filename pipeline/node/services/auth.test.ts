import { describe, expect, it } from 'vitest';
import { acceptInbound, type Envelope, type Role } from '../../core/envelope.js';
import type { StoreWrite, UserRow } from '../../core/protocol/store.js';
import { StepFailure, type StepContext, type StepOutcome } from '../../core/service.js';
import { createAuthService, ordinal, type AuthServiceDeps } from './auth.js';

const MINUTE = 60_000;

/** A users table keyed like the store's (platform, external id); counts reads so cache hits show. */
function userTable() {
  const rows = new Map<string, UserRow>();
  const writes: UserRow[] = [];
  let reads = 0;
  return {
    rows,
    writes,
    reads: () => reads,
    getUser: (platform: string, externalId: string) => {
      reads++;
      const row = rows.get(`${platform}:${externalId}`);
      return row ? structuredClone(row) : undefined;
    },
    write: (op: StoreWrite) => {
      if (op.op !== 'user.upsert') throw new Error(`unexpected ${op.op}`);
      writes.push(op.user);
      rows.set(`${op.user.platform}:${op.user.externalId}`, structuredClone(op.user));
    },
  };
}

function makeEvent(options: {
  type?: string;
  id?: string;
  login?: string;
  roles?: Role[];
  platform?: string;
  text?: string;
}): Envelope {
  const type = options.type ?? 'chat.message.v1';
  const login = options.login ?? 'ada';
  const result = acceptInbound(
    {
      type,
      ingress: { connector: 'twitch-chat', channel: 'streamer' },
      identity: {
        external: {
          id: options.id ?? `id-${login}`,
          platform: options.platform ?? 'twitch',
          login,
          displayName: login.toUpperCase(),
          roles: options.roles ?? [],
        },
      },
      ...(type === 'chat.message.v1' ? { message: { text: options.text ?? 'hello' } } : {}),
    },
    0,
    () => crypto.randomUUID(),
  );
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function setup(extra: Partial<AuthServiceDeps> = {}) {
  const table = userTable();
  let clock = 1_000_000;
  const service = createAuthService({ getUser: table.getUser, write: table.write, now: () => clock, ...extra });
  const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => clock };
  const run = (event: Envelope) => service.run(event, context) as StepOutcome;
  return { table, service, run, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('auth service', () => {
  it('is the enrichment service "auth"', () => {
    const { service } = setup();
    expect(service.id).toBe('auth');
    expect(service.phase).toBe('enrichment');
  });

  it('counts chat messages and tags a session over time', () => {
    const { run, advance, table, now } = setup();
    const steps: Array<{ advance: number; type?: string; count: number; tags: string[]; note: string }> = [
      { advance: 0, count: 1, tags: ['first-message', 'new-session'], note: '1st message, new-session' },
      { advance: MINUTE, count: 2, tags: [], note: '2nd message' },
      { advance: MINUTE, count: 3, tags: [], note: '3rd message' },
      { advance: MINUTE, type: 'twitch.follow.v1', count: 3, tags: [], note: '3 messages so far' },
      { advance: 29 * MINUTE, count: 4, tags: [], note: '4th message' },
      // Silence of exactly the gap: a new session, and the user is now returning.
      {
        advance: 30 * MINUTE,
        count: 5,
        tags: ['returning', 'new-session'],
        note: '5th message, returning, new-session',
      },
      { advance: MINUTE, count: 6, tags: ['returning'], note: '6th message, returning' },
      {
        advance: 5 * MINUTE,
        type: 'twitch.cheer.v1',
        count: 6,
        tags: ['returning'],
        note: '6 messages so far, returning',
      },
    ];
    const firstSeenAt = now();
    for (const [index, step] of steps.entries()) {
      advance(step.advance);
      const outcome = run(makeEvent({ type: step.type }));
      expect(outcome.status, `step ${index}`).toBe('OK');
      expect(outcome.user, `step ${index}`).toMatchObject({
        id: 'twitch:id-ada',
        messageCount: step.count,
        tags: step.tags,
        firstSeenAt,
        lastSeenAt: now(),
      });
      expect(outcome.notes, `step ${index}`).toEqual([step.note]);
    }
    expect(table.writes).toHaveLength(steps.length);
    expect(table.rows.get('twitch:id-ada')).toMatchObject({ messageCount: 6, login: 'ada', displayName: 'ADA' });
  });

  it('a non-chat event first: first seen, and the first chat message after it is still first-message', () => {
    const { run, advance } = setup();
    const follow = run(makeEvent({ type: 'twitch.follow.v1' }));
    expect(follow.user).toMatchObject({ messageCount: 0, tags: ['new-session'] });
    expect(follow.notes).toEqual(['first seen, new-session']);
    advance(MINUTE);
    expect(run(makeEvent({})).user).toMatchObject({ messageCount: 1, tags: ['first-message'] });
  });

  it('roles are those of this event, never remembered', () => {
    const { run, table } = setup();
    const cases: Array<{ roles: Role[]; expected: Role[] }> = [
      { roles: ['moderator', 'subscriber'], expected: ['moderator', 'subscriber'] },
      { roles: [], expected: [] }, // unmodded
      { roles: ['vip'], expected: ['vip'] },
      { roles: ['broadcaster'], expected: ['broadcaster'] },
    ];
    for (const { roles, expected } of cases) {
      expect(run(makeEvent({ roles })).user?.roles).toEqual(expected);
      expect(table.rows.get('twitch:id-ada')?.roles).toEqual(expected);
    }
  });

  it('keeps users apart per platform and id, and follows a renamed login', () => {
    const { run, table } = setup();
    run(makeEvent({ id: '42', login: 'ada' }));
    run(makeEvent({ id: '42', login: 'ada', platform: 'youtube' }));
    run(makeEvent({ id: '42', login: 'ada_lovelace' }));
    expect(table.rows.get('twitch:42')).toMatchObject({ messageCount: 2, login: 'ada_lovelace' });
    expect(table.rows.get('youtube:42')).toMatchObject({ messageCount: 1 });
  });

  it('reads the database once per user, then trusts its cache', () => {
    const { run, table } = setup();
    for (let i = 0; i < 5; i++) run(makeEvent({ login: 'ada' }));
    expect(table.reads()).toBe(1);
  });

  it('picks up a user stored before start (a cache miss reads the database)', () => {
    const table = userTable();
    table.rows.set('twitch:id-old', {
      platform: 'twitch',
      externalId: 'id-old',
      login: 'old',
      displayName: 'Old',
      roles: ['moderator'],
      firstSeenAt: 10,
      lastSeenAt: 1000,
      messageCount: 41,
      sessionStartedAt: 500,
    });
    const service = createAuthService({ getUser: table.getUser, write: table.write, now: () => 2000 });
    const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => 2000 };
    const outcome = service.run(makeEvent({ login: 'old' }), context) as StepOutcome;
    // Within the session gap, and first seen before this session started: returning, no new session.
    expect(outcome.user).toMatchObject({ messageCount: 42, firstSeenAt: 10, tags: ['returning'], roles: [] });
    expect(table.rows.get('twitch:id-old')).toMatchObject({ sessionStartedAt: 500, lastSeenAt: 2000 });
  });

  it('evicts the least recently used user and falls back to getUser for it', () => {
    const { run, table } = setup({ cacheSize: 2 });
    run(makeEvent({ login: 'a' })); // reads: a
    run(makeEvent({ login: 'b' })); // reads: b
    run(makeEvent({ login: 'a' })); // cached; a is now the most recent
    run(makeEvent({ login: 'c' })); // reads: c, evicts b
    expect(table.reads()).toBe(3);
    run(makeEvent({ login: 'a' })); // still cached
    expect(table.reads()).toBe(3);
    const again = run(makeEvent({ login: 'b' })); // evicted: read back from the table, count continues
    expect(table.reads()).toBe(4);
    expect(again.user).toMatchObject({ messageCount: 2, tags: [] });
  });

  it('a retried step does not count the same event twice', () => {
    const { run, table } = setup();
    const event = makeEvent({});
    const first = run(event);
    const retry = run(event);
    expect(retry.user).toEqual(first.user);
    expect(retry.notes).toEqual(['already counted (retry)']);
    expect(table.writes).toHaveLength(1);
  });

  it('never changes the event it reads', () => {
    const { run } = setup();
    const event = makeEvent({ roles: ['vip'] });
    const before = structuredClone(event);
    run(Object.freeze(event));
    expect(event).toEqual(before);
  });

  it('fails the step as retryable when the store cannot be reached, and counts once it can', () => {
    const table = userTable();
    let broken = true;
    const service = createAuthService({
      getUser: table.getUser,
      write: (op) => {
        if (broken) throw new Error('store worker gone');
        table.write(op);
      },
      now: () => 5000,
    });
    const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => 5000 };
    const event = makeEvent({});
    let failure: unknown;
    try {
      service.run(event, context);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure).toMatchObject({ code: 'user-write-failed', retryable: true });
    broken = false;
    expect((service.run(event, { ...context, attempt: 2 }) as StepOutcome).user?.messageCount).toBe(1);
  });

  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [102, '102nd'],
    [111, '111th'],
  ])('ordinal(%i) = %s', (n, expected) => {
    expect(ordinal(n)).toBe(expected);
  });
});
