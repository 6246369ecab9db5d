/** The append-only event store: put at accept, one log row per window, one narrow update at the end, and the reader's rebuild. */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../core/envelope.js';
import type { EventDelta, EventLogEntry } from '../../core/event-log.js';
import { toEventRow } from '../../core/protocol/store.js';
import { finish } from '../../core/slip.js';
import { chatEvent, storePerTest } from './test-support.js';

const fixture = storePerTest();

const changes = () => (fixture.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

function entry(
  event: Envelope,
  at: number,
  delta: EventDelta | string | null,
  statuses: ('RUNNING' | 'OK')[],
  stage: EventLogEntry['stage'] = 'enrichment',
): EventLogEntry {
  return {
    eventId: event.id,
    at,
    stage,
    transitions: statuses.map((status, index) => ({
      stage: 'enrichment',
      index,
      service: 'auth',
      phase: 'enrichment',
      status,
      attempt: 1,
      at: at + index,
      ...(status === 'OK' ? { durationMs: 0.5 } : {}),
    })),
    delta: typeof delta === 'string' || delta === null ? delta : JSON.stringify(delta),
  };
}

const annotation = (kind: string, at: number) => ({ kind, source: 'test', value: kind, at });

describe('event.log and event.end', () => {
  it('writes one log row per entry, keeps the accepted row as it was, and rebuilds the open event from it', async () => {
    const event = chatEvent({ text: 'an open event' });
    await fixture.writer.write([{ op: 'event.put', row: toEventRow(event) }]);
    const accepted = (fixture.db.prepare('SELECT envelope FROM events').get() as { envelope: string }).envelope;

    const routing = { ...structuredClone(event.routing), stage: 'reaction' as const, hops: 2 };
    const before = changes();
    await fixture.writer.write([
      { op: 'event.log', entry: entry(event, 10, { annotations: [annotation('first', 10)] }, ['RUNNING', 'OK']) },
      {
        op: 'event.log',
        entry: entry(event, 20, { annotations: [annotation('second', 20)], routing }, ['RUNNING'], 'reaction'),
      },
      { op: 'event.log', entry: entry(event, 30, null, ['OK']) },
    ]);
    // Three appends, nothing else: the events row (and its indexes) is not touched.
    expect(changes() - before).toBe(3);
    expect((fixture.db.prepare('SELECT envelope FROM events').get() as { envelope: string }).envelope).toBe(accepted);

    const expected: Envelope = {
      ...structuredClone(event),
      routing,
      annotations: [...event.annotations, annotation('first', 10), annotation('second', 20)],
    };
    const detail = fixture.reader.getEvent(event.id)!;
    expect(detail.event).toEqual(expected);
    expect(detail.transitions.map((t) => [t.seq, t.status, t.at])).toEqual([
      [1, 'RUNNING', 10],
      [2, 'OK', 11],
      [3, 'RUNNING', 20],
      [4, 'OK', 30],
    ]);
    expect(detail.transitions[1]).toEqual({
      seq: 2,
      eventId: event.id,
      stage: 'enrichment',
      index: 1,
      service: 'auth',
      phase: 'enrichment',
      status: 'OK',
      attempt: 1,
      at: 11,
      durationMs: 0.5,
    });
    expect(fixture.reader.openEvents()).toEqual([expected]);
    expect(fixture.reader.listEvents({}).items[0]).toMatchObject({ id: event.id, stage: 'reaction' });
    // The stage filter follows the log too (the row's stage column still says where it was accepted).
    expect(fixture.reader.listEvents({ stage: 'reaction' }).items.map((item) => item.id)).toEqual([event.id]);
    expect(fixture.reader.listEvents({ stage: 'initial' }).items).toEqual([]);
    expect(fixture.reader.listEvents({ stage: 'terminal' }).items).toEqual([]);
  });

  it('stores the delta exactly as it arrived, never serialized again', async () => {
    const event = chatEvent();
    const delta = '{ "annotations" : [ {"kind":"spaced","source":"test","at":1} ] }';
    await fixture.writer.write([
      { op: 'event.put', row: toEventRow(event) },
      { op: 'event.log', entry: entry(event, 1, delta, ['OK']) },
    ]);
    expect(fixture.db.prepare('SELECT delta FROM event_log').get()).toEqual({ delta });
  });

  it('ends an event with one narrow update plus its last log row; a terminal row is read as written', async () => {
    const event = chatEvent({ login: 'Ender', text: 'the end' });
    await fixture.writer.write([
      { op: 'event.put', row: toEventRow(event) },
      { op: 'event.log', entry: entry(event, 10, { annotations: [annotation('first', 10)] }, ['RUNNING']) },
    ]);
    const done = structuredClone(event);
    done.annotations.push(annotation('first', 10), annotation('last', 20));
    finish(done, 'replied', 'sent');
    const before = changes();
    await fixture.writer.write([
      {
        op: 'event.end',
        row: toEventRow(done),
        entry: entry(event, 20, { annotations: [annotation('last', 20)] }, ['OK']),
      },
    ]);
    expect(changes() - before).toBe(2);
    expect(fixture.db.prepare('SELECT stage, disposition, reason, login, text, type FROM events').get()).toEqual({
      stage: 'terminal',
      disposition: 'replied',
      reason: 'sent',
      login: 'ender',
      text: 'the end',
      type: 'chat.message.v1',
    });
    const detail = fixture.reader.getEvent(event.id)!;
    // Terminal: the envelope written at the end, no delta applied again.
    expect(detail.event).toEqual(done);
    expect(detail.transitions.map((t) => t.status)).toEqual(['RUNNING', 'OK']);
    expect(fixture.reader.openEvents()).toEqual([]);
    expect(fixture.reader.listEvents({ disposition: 'replied' }).items.map((item) => item.id)).toEqual([event.id]);
  });

  it('inserts the whole row when an event ends that was never put', async () => {
    const event = chatEvent({ disposition: 'ignored' });
    await fixture.writer.write([{ op: 'event.end', row: toEventRow(event), entry: entry(event, 5, null, ['OK']) }]);
    expect(fixture.reader.getEvent(event.id)).toMatchObject({ event, transitions: [{ status: 'OK' }] });
  });

  it('applies only the deltas after an envelope that was rewritten whole (no annotation twice)', async () => {
    const event = chatEvent();
    await fixture.writer.write([
      { op: 'event.put', row: toEventRow(event) },
      { op: 'event.log', entry: entry(event, 10, { annotations: [annotation('first', 10)] }, ['OK']) },
    ]);
    // The router rewrites the whole envelope (e.g. at a hold): it already holds the first annotation.
    const held = structuredClone(event);
    held.annotations.push(annotation('first', 10));
    held.routing.stage = 'approval';
    await fixture.writer.write([{ op: 'event.put', row: toEventRow(held) }]);
    await fixture.writer.write([
      { op: 'event.log', entry: entry(event, 20, { annotations: [annotation('second', 20)] }, ['OK']) },
    ]);
    expect(fixture.reader.getEvent(event.id)!.event.annotations.map((a) => a.kind)).toEqual(['first', 'second']);
    expect(fixture.reader.openEvents()[0]!.annotations.map((a) => a.kind)).toEqual(['first', 'second']);
  });

  it('skips an unreadable delta with a warning instead of failing the read', async () => {
    const event = chatEvent();
    await fixture.writer.write([
      { op: 'event.put', row: toEventRow(event) },
      { op: 'event.log', entry: entry(event, 10, 'not json', ['OK']) },
      { op: 'event.log', entry: entry(event, 20, { annotations: [annotation('kept', 20)] }, ['OK']) },
    ]);
    expect(fixture.reader.getEvent(event.id)!.event.annotations.map((a) => a.kind)).toEqual(['kept']);
    expect(fixture.warnings).toContain('a stored event delta is unreadable and was skipped');
  });

  it('skips and reports a log entry of an event that is not stored', async () => {
    await fixture.writer.write([{ op: 'event.log', entry: entry(chatEvent(), 1, null, ['OK']) }]);
    expect(fixture.db.prepare('SELECT count(*) AS n FROM event_log').get()).toEqual({ n: 0 });
    expect(fixture.warnings).toContain('event log entries for events that are not stored were skipped');
  });

  it('prunes a terminal event with its log rows', async () => {
    const old = chatEvent({ at: 1_000 });
    const done = structuredClone(old);
    finish(done, 'ignored', 'test');
    await fixture.writer.write([
      { op: 'event.put', row: toEventRow(old) },
      { op: 'event.log', entry: entry(old, 1, null, ['RUNNING']) },
      { op: 'event.end', row: toEventRow(done), entry: entry(old, 2, null, ['OK']) },
    ]);
    expect(fixture.db.prepare('SELECT count(*) AS n FROM event_log').get()).toEqual({ n: 2 });
    expect(await fixture.writer.prune({ before: 2_000 })).toBe(1);
    expect(fixture.db.prepare('SELECT count(*) AS n FROM event_log').get()).toEqual({ n: 0 });
  });
});
