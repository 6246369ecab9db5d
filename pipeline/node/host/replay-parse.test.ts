/**
 * `replay --format irc` parses on the ingress worker: the real host and its real worker threads
 * (from dist/: build with `node scripts/build.mjs --node-only` first). The worker's answers are
 * the live connector's own normalization, line for line, and the host's thread keeps taking turns
 * (timers, sockets, supervision) while a large file is parsed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { normalizeIrcLine } from '../connectors/twitch/irc-normalize.js';
import { PipelineHost } from './pipeline-host.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const privmsg = (index: number) =>
  `@badge-info=;badges=;color=#1E90FF;display-name=Ann;emotes=;first-msg=0;id=msg-${index};mod=0;room-id=1001;` +
  `subscriber=0;tmi-sent-ts=1700000000000;user-id=42;user-type= :ann!ann@ann.tmi.twitch.tv PRIVMSG #streamer :line ${index}`;

it('parses raw IRC lines on the ingress worker exactly as the live connector does, without holding the host thread', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-replay-parse-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const host = await PipelineHost.start({ dataDir, log: () => undefined, twitch: { enabled: false } });
  cleanups.push(() => host.stop());

  const lines = [privmsg(1), 'this is not IRC at all', 'PING :tmi.twitch.tv', privmsg(2)];
  const parsed = await host.parseLines('irc', lines);
  const expected = lines.map((line) => {
    const result = normalizeIrcLine(line);
    return result.ok ? { ok: true, value: result.event } : { ok: false, error: result.error };
  });
  expect(parsed).toEqual(expected);
  expect(parsed.map((result) => result.ok)).toEqual([true, false, false, true]);

  // A large file: the host's thread gets turns while the worker parses (a parse on this thread
  // would run to the end before any setImmediate callback).
  const many = Array.from({ length: 5_000 }, (_, index) => privmsg(index));
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns += 1;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const parsing = host.parseLines('irc', many).then((results) => ({ results, turnsWhenAnswered: turns }));
  const { results, turnsWhenAnswered } = await parsing;
  ticking = false;
  expect(results).toHaveLength(many.length);
  expect(results.every((result) => result.ok)).toBe(true);
  expect(turnsWhenAnswered).toBeGreaterThan(0);
});
