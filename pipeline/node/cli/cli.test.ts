/**
 * The `bitbrat` command as a user runs it: the built CLI in a child process, real files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineHost } from '../host/pipeline-host.js';
import { openReadConnection } from '../store/database.js';
import { HOLD_HELLO } from '../../../test/support/rules.js';
import { startOpenAiServer } from '../../../test/support/openai-server.js';

const bin = fileURLToPath(new URL('../../../bin/bitbrat.js', import.meta.url));
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bitbrat-cli-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function bitbrat(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
}

const line = (text: string, login = 'ann', extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'chat.message.v1',
    ingress: { connector: 'twitch-chat', channel: 'mychannel' },
    identity: { external: { id: `id-${login}`, login, displayName: login, roles: ['subscriber'] } },
    message: { text },
    ...extra,
  });

describe('bitbrat replay', () => {
  it('prints one JSON line per input: results for good lines, reasons for bad ones', () => {
    const dir = tempDir();
    const file = join(dir, 'in.jsonl');
    writeFileSync(
      file,
      [
        line('!hello'),
        '{ this is not json',
        line('just chatting', 'bob'),
        JSON.stringify({
          type: 'chat.message.v1',
          ingress: { connector: 'x', channel: 'c' },
          identity: { external: { id: '1', login: 'x', displayName: 'x' } },
        }),
        '',
        line('@bitbrat what is this game?', 'cid'),
      ].join('\n'),
    );
    const result = bitbrat(['replay', file, '--data-dir', join(dir, 'data'), '--json']);
    expect(result.status).toBe(0);
    const out = result.stdout
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text));
    expect(out.map((entry) => entry.input)).toEqual([1, 2, 3, 4, 5]);
    expect(out[0]).toMatchObject({ ok: true, disposition: 'replied' });
    expect(out[0].event.identity.external.login).toBe('ann');
    // A reply to Twitch chat goes to twitch-chat first (skipped: a replay never talks to Twitch), then the console.
    expect(out[0].steps.map((step: { id: string }) => step.id)).toEqual([
      'auth',
      'query-analyzer',
      'giveaways',
      'counters',
      'commands',
      'twitch-chat',
      'console',
      'gateway-clients',
      'webhook',
    ]);
    expect(out[1]).toMatchObject({ ok: false });
    expect(out[1].error).toMatch(/JSON/);
    expect(out[2]).toMatchObject({ ok: true, disposition: 'ignored' });
    expect(out[3]).toMatchObject({ ok: false, error: 'message: required for chat.message.v1' });
    // A bot mention with no LLM configured: the step is skipped with the reason, never a fake reply.
    expect(out[4]).toMatchObject({ ok: true, disposition: 'ignored' });
    const llmStep = out[4].steps.find((step: { id: string }) => step.id === 'llm-bot');
    expect(llmStep).toMatchObject({ status: 'SKIP', notes: ['no LLM configured'] });
  });

  it('reports replies still held as `held`, or decides them with --approve', () => {
    const dir = tempDir();
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, `${line('!hello')}\n`);
    const data = join(dir, 'data');
    // Make !hello need approval first, through a one-off host on the same data folder.
    return (async () => {
      const host = await PipelineHost.start({ dataDir: data, log: () => undefined });
      await host.api['rules.save']({ rule: HOLD_HELLO });
      await host.stop();
      const held = JSON.parse(bitbrat(['replay', file, '--data-dir', data, '--json']).stdout.trim());
      expect(held).toMatchObject({ ok: true, disposition: 'held' });
      const approved = JSON.parse(
        bitbrat(['replay', file, '--data-dir', data, '--json', '--approve', 'all']).stdout.trim(),
      );
      expect(approved).toMatchObject({ ok: true, disposition: 'replied' });
      const rejected = JSON.parse(
        bitbrat(['replay', file, '--data-dir', data, '--json', '--approve', 'none']).stdout.trim(),
      );
      expect(rejected).toMatchObject({ ok: true, disposition: 'rejected' });
    })();
  });

  it('--approve all sends rule-held replies but leaves a safety-held one held (it needs "send anyway")', async () => {
    const server = await startOpenAiServer();
    server.setResponder((body) => {
      const user = body.messages?.[1]?.content ?? '';
      if (!body.messages?.[0]?.content.startsWith('You write the replies')) return undefined;
      return { kind: 'reply', texts: [user.includes('login: "bob"') ? 'Sure, call her at 555-0100' : 'Welcome in!'] };
    });
    try {
      const dir = tempDir();
      const file = join(dir, 'in.jsonl');
      writeFileSync(file, `${line('@bitbrat hi', 'ann')}\n${line("@bitbrat what is ann's number?", 'bob')}\n`);
      // Asynchronously: the LLM test server answers from this process.
      const child = spawn(
        process.execPath,
        [bin, 'replay', file, '--data-dir', join(dir, 'data'), '--json', '--approve', 'all'],
        {
          env: { ...process.env, BITBRAT_LLM_BASE_URL: server.baseUrl, BITBRAT_LLM_MODEL: 'test-model' },
        },
      );
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      await new Promise((resolve) => child.on('close', resolve));
      const [ann, bob] = stdout
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text));
      expect(ann).toMatchObject({ ok: true, disposition: 'replied' });
      expect(bob).toMatchObject({ ok: true, disposition: 'held' });
      expect(bob.event.candidates[0].hold.findings[0]).toMatchObject({ check: 'personal-data', found: '555-0100' });
    } finally {
      await server.close();
    }
  });

  it('says clearly what is wrong with its arguments', () => {
    expect(bitbrat(['replay']).stderr).toMatch(/replay needs a FILE/);
    expect(bitbrat(['replay', 'x.jsonl']).stderr).toMatch(/--data-dir/);
    expect(bitbrat(['replay', 'x', '--data-dir', 'd', '--format', 'xml']).stderr).toMatch(
      /--format must be one of jsonl, irc, eventsub, discord/,
    );
    expect(bitbrat(['frobnicate']).stderr).toMatch(/unknown command "frobnicate"/);
    const missing = bitbrat(['replay', join(tempDir(), 'nope.jsonl'), '--data-dir', tempDir()]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/nope\.jsonl/);
  });

  it('refuses a corrupt database with a clear message and leaves it untouched', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bitbrat.db'), 'this is not a database, but it is somebody’s file'.repeat(200));
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, `${line('!hello')}\n`);
    const result = bitbrat(['replay', file, '--data-dir', dir, '--json']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/bitbrat\.db/);
    expect(readFileSync(join(dir, 'bitbrat.db'), 'utf8').startsWith('this is not a database')).toBe(true);
  });
});

/** Events in a data folder's database, and those not ended and not waiting for a moderator. */
function countEvents(dir: string): { total: number; open: number } {
  const db = openReadConnection(join(dir, 'bitbrat.db'));
  try {
    return db
      .prepare(
        "SELECT count(*) AS total, coalesce(sum(disposition IS NULL AND stage != 'approval'), 0) AS open FROM events",
      )
      .get() as { total: number; open: number };
  } finally {
    db.close();
  }
}

describe('bitbrat serve: a host killed mid-stream resumes its events', () => {
  it('picks up every non-terminal event after kill -9, and delivers no reply twice', async () => {
    const dir = tempDir();
    // Kill while events are mid-flight. Whether one is at the instant of the kill is chance, so
    // the kill is repeated (on the same folder, which resumes and streams on) until the file a
    // dead process left shows one; the test then proves those are picked up.
    let openAtKill = 0;
    for (let attempt = 0; attempt < 5 && openAtKill === 0; attempt++) {
      const child = spawn(
        process.execPath,
        [bin, 'serve', '--data-dir', dir, '--port', '0', '--demo', '--demo-rate', '300'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 30_000);
        child.stdout.on('data', () => {
          if (output.includes('#token=')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      // Streaming, with some events on disk and some of them not yet ended.
      const enough = 20 * (attempt + 1);
      await expect
        .poll(
          () => {
            const { total, open } = countEvents(dir); // throws until serve has created the file
            return total > enough && open > 0;
          },
          { timeout: 30_000, interval: 20 },
        )
        .toBe(true);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      openAtKill = countEvents(dir).open;
    }
    expect(openAtKill).toBeGreaterThan(0);

    // The lock of a dead process is taken over; events left mid-flight resume.
    const host = await PipelineHost.start({ dataDir: dir, log: () => undefined });
    try {
      const deadline = Date.now() + 20_000;
      let open = Infinity;
      while (Date.now() < deadline) {
        const page = await host.api['events.list']({ disposition: 'open', limit: 500 });
        open = page.items.filter((item) => item.stage !== 'approval').length;
        if (open === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(open).toBe(0);
      const all = await host.api['events.list']({ limit: 500 });
      expect(all.items.length).toBeGreaterThan(20);
      for (const item of all.items.filter((entry) => entry.disposition === 'replied')) {
        const detail = await host.api['events.get']({ id: item.id });
        expect(detail!.deliveries.filter((d) => d.connector === 'console' && d.status === 'sent')).toHaveLength(1);
      }
    } finally {
      await host.stop();
    }
  });
});
