/**
 * `bitbrat replay FILE --format irc` through the real CLI (dist/: build with
 * `node scripts/build.mjs --node-only` first): raw Twitch IRC lines normalized by the live connector's
 * code, run through the pipeline, one JSON line each; a garbage line gets `ok: false` with the reason.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('replays raw IRC lines through the pipeline and reports each line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bitbrat-replay-irc-'));
  dirs.push(dir);
  const file = join(dir, 'chat.irc');
  writeFileSync(
    file,
    [
      '@badge-info=subscriber/14;badges=subscriber/12;color=#1E90FF;display-name=Ann;emotes=;first-msg=0;id=abc-123;' +
        'mod=0;room-id=1001;subscriber=1;tmi-sent-ts=1700000000000;user-id=42;user-type= ' +
        ':ann!ann@ann.tmi.twitch.tv PRIVMSG #streamer :!hello',
      'this is not IRC at all',
      '',
    ].join('\n'),
  );
  const { stdout } = await run(
    process.execPath,
    ['bin/bitbrat.js', 'replay', file, '--format', 'irc', '--data-dir', join(dir, 'data'), '--json'],
    { timeout: 25_000 },
  );
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines).toHaveLength(2);
  const [hello, garbage] = lines as [
    {
      ok: boolean;
      disposition: string;
      event: {
        ingress: { connector: string; channel: string };
        identity: { external: { id: string; login: string; displayName: string; roles: string[] } };
        message: { id: string; text: string };
      };
      steps: { id: string; status: string; notes?: string[] }[];
    },
    { ok: boolean; error: string },
  ];
  expect(hello.ok).toBe(true);
  expect(hello.event.ingress).toMatchObject({ connector: 'twitch-chat', channel: 'streamer' });
  expect(hello.event.identity.external).toMatchObject({ id: '42', login: 'ann', displayName: 'Ann' });
  expect(hello.event.identity.external.roles).toContain('subscriber');
  expect(hello.event.message).toMatchObject({ id: 'abc-123', text: '!hello' });
  expect(hello.disposition).toBe('replied');
  // A replay never talks to Twitch: the twitch-chat step SKIPs, the console gets the reply.
  expect(hello.steps.find((step) => step.id === 'twitch-chat')).toMatchObject({
    status: 'SKIP',
    notes: ['no bot account linked'],
  });
  expect(hello.steps.find((step) => step.id === 'console')).toMatchObject({ status: 'OK' });
  expect(garbage).toMatchObject({ ok: false });
  expect(garbage.error).toMatch(/not an event|malformed/i);
});
