#!/usr/bin/env node
// A micro-benchmark of the store alone (not a test, not `bitbrat bench`): drives the real writer on
// a temp SQLite file with the op stream the router sends, and prints the store thread's CPU µs per
// event and SQLite statements per event.
//
//   node scripts/store-bench.mjs [--events 20000] [--batch 100] [--base <git-rev>]
//
// Streams (per event, pipelined: each commit holds the accept rows of one group of events and the
// later windows of the groups before it, as the router's write-behind does):
//   append-only  1 event.put, 2 event.log (6 transitions, ~1 KB delta each), 1 event.end with a last entry
//   legacy ops   4 event.put of the whole ~3.3 KB row + 3 steps.append of 4 transitions (12 step rows)
// `--base <rev>` also runs the legacy ops on the writer of that revision (the store as it was before
// the append-only log), bundled from `git archive`. Op objects and their JSON are built before the
// clock starts: the figures are the store's own work (no structured clone: writer and driver share
// this thread). The search index the writer maintains off the commits is included (close() indexes
// what is left).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
const EVENTS = Number(option('events', '20000'));
const BATCH = Number(option('batch', '100'));
const BASE = option('base', undefined);

/** Bundles the store's entry points from `sourceRoot` into one ESM file beside node_modules. */
async function bundle(sourceRoot, name) {
  const outDir = path.join(root, 'dist', 'store-bench');
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `${name}.mjs`);
  await build({
    stdin: {
      contents: `
        export { createStoreWriter } from './pipeline/node/store/writer.ts';
        export { migrate } from './pipeline/node/store/migrations.ts';
        export { openWriteConnection } from './pipeline/node/store/database.ts';
        export { acceptInbound } from './pipeline/core/envelope.ts';
        export { toEventRow } from './pipeline/core/protocol/store.ts';
      `,
      resolveDir: sourceRoot,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    external: ['better-sqlite3'],
    nodePaths: [path.join(root, 'node_modules')],
    logLevel: 'error',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  return import(pathToFileURL(outfile).href);
}

/** CPU ns of this thread (the writer's), from the kernel's per-thread accounting. */
function threadCpuNs() {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) * 1000;
  }
}

/** Counts statement executions of a connection by wrapping what `prepare` returns. */
function countStatements(db) {
  const counter = { n: 0 };
  const prepare = db.prepare.bind(db);
  db.prepare = (sql) => {
    const statement = prepare(sql);
    for (const method of ['run', 'get', 'all']) {
      const original = statement[method].bind(statement);
      statement[method] = (...params) => {
        counter.n += 1;
        return original(...params);
      };
    }
    return statement;
  };
  return counter;
}

function padding(bytes) {
  return 'x'.repeat(Math.max(0, bytes));
}

/** Envelopes as ingress builds them, padded to the measured ~3.3 KB with realistic annotations. */
function makeEvents(store, count) {
  const events = [];
  for (let i = 0; i < count; i += 1) {
    const accepted = store.acceptInbound(
      {
        type: 'chat.message.v1',
        ingress: { connector: 'twitch-chat', channel: 'streamer', at: 1_000_000 + i },
        identity: {
          external: {
            id: `id-${i % 500}`,
            login: `viewer${i % 500}`,
            displayName: `Viewer${i % 500}`,
            roles: ['viewer'],
          },
        },
        message: { text: `message ${i} about the game, pog ${i % 97}` },
      },
      Date.now(),
      () => randomUUID(),
    );
    if (!accepted.ok) throw new Error(accepted.error);
    const event = accepted.value;
    const size = JSON.stringify(event).length;
    event.annotations.push({ kind: 'analysis', source: 'query-analyzer', value: padding(3_300 - size - 90), at: 1 });
    events.push(event);
  }
  return events;
}

function transitions(event, count, at) {
  return Array.from({ length: count }, (_, index) => ({
    eventId: event.id,
    stage: 'enrichment',
    index: index % 3,
    service: ['auth', 'query-analyzer', 'commands'][index % 3],
    phase: 'enrichment',
    status: index % 2 === 0 ? 'RUNNING' : 'OK',
    attempt: 1,
    at: at + index,
    ...(index % 2 === 1 ? { durationMs: 0.4 } : {}),
  }));
}

/** Per event, the ops of each of its four commit windows (accept, two windows, end). */
function appendOnlyWindows(store, event) {
  const entry = (at, stage) => ({
    eventId: event.id,
    at,
    stage,
    transitions: transitions(event, 6, at).map(({ eventId: _id, ...rest }) => rest),
    delta: JSON.stringify({ annotations: [{ kind: 'sentiment', source: 'analyzer', value: padding(950), at }] }),
  });
  const done = JSON.parse(JSON.stringify(event));
  done.routing.stage = 'terminal';
  done.disposition = 'ignored';
  return [
    [{ op: 'event.put', row: store.toEventRow(event) }],
    [{ op: 'event.log', entry: entry(10, 'enrichment') }],
    [{ op: 'event.log', entry: entry(20, 'reaction') }],
    [{ op: 'event.end', row: store.toEventRow(done), entry: entry(30, 'terminal') }],
  ];
}

function legacyWindows(store, event) {
  const at = (stage, disposition) => {
    const copy = JSON.parse(JSON.stringify(event));
    copy.routing.stage = stage;
    if (disposition) copy.disposition = disposition;
    return { op: 'event.put', row: store.toEventRow(copy) };
  };
  return [
    [at('initial')],
    [at('enrichment'), { op: 'steps.append', transitions: transitions(event, 4, 10) }],
    [at('reaction'), { op: 'steps.append', transitions: transitions(event, 4, 20) }],
    [at('terminal', 'ignored'), { op: 'steps.append', transitions: transitions(event, 4, 30) }],
  ];
}

async function run(store, label, windowsOf, { count, statements }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbrat-store-bench-'));
  try {
    const db = store.openWriteConnection(path.join(dir, 'bitbrat.db'));
    store.migrate(db);
    const counter = statements ? countStatements(db) : undefined;
    const writer = store.createStoreWriter(db, { log: () => undefined });
    const events = makeEvents(store, count);
    const windows = events.map((event) => windowsOf(store, event));
    const groups = Math.ceil(count / BATCH);
    const cpuStart = threadCpuNs();
    const processStart = process.cpuUsage();
    const wallStart = performance.now();
    let commits = 0;
    // Tick t commits the accept rows of group t and windows 1..3 of groups t-1..t-3.
    for (let tick = 0; tick < groups + 3; tick += 1) {
      const batch = [];
      for (let window = 0; window < 4; window += 1) {
        const group = tick - window;
        if (group < 0 || group >= groups) continue;
        for (let i = group * BATCH; i < Math.min(count, (group + 1) * BATCH); i += 1) batch.push(...windows[i][window]);
      }
      await writer.write(batch);
      commits += 1;
    }
    await writer.close();
    const wallMs = performance.now() - wallStart;
    const cpuUs = (threadCpuNs() - cpuStart) / 1000;
    const processCpu = process.cpuUsage(processStart);
    return {
      label,
      events: count,
      threadCpuUsPerEvent: Math.round((cpuUs / count) * 10) / 10,
      processCpuUsPerEvent: Math.round(((processCpu.user + processCpu.system) / count) * 10) / 10,
      eventsPerSecOneThread: Math.round(count / (wallMs / 1000)),
      commits,
      ...(counter ? { statementsPerEvent: Math.round((counter.n / count) * 10) / 10 } : {}),
      dbBytesPerEvent: Math.round(
        (fs.statSync(path.join(dir, 'bitbrat.db')).size +
          (fs.existsSync(path.join(dir, 'bitbrat.db-wal')) ? fs.statSync(path.join(dir, 'bitbrat.db-wal')).size : 0)) /
          count,
      ),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(store, label, windowsOf) {
  // Statements counted on a small run (the counting wrapper costs CPU); CPU on an unwrapped one.
  const counted = await run(store, label, windowsOf, { count: Math.min(EVENTS, 2_000), statements: true });
  await run(store, label, windowsOf, { count: Math.min(EVENTS, 2_000), statements: false }); // warm-up (JIT)
  const timed = await run(store, label, windowsOf, { count: EVENTS, statements: false });
  return { ...timed, statementsPerEvent: counted.statementsPerEvent };
}

const results = [];
if (BASE) {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbrat-store-base-'));
  try {
    const archive = execFileSync('git', ['archive', BASE, 'pipeline'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', baseDir], { input: archive });
    const base = await bundle(baseDir, 'base');
    results.push(await measure(base, `before (${BASE}): legacy ops`, legacyWindows));
  } finally {
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
}
const current = await bundle(root, 'current');
results.push(await measure(current, 'now: legacy ops', legacyWindows));
results.push(await measure(current, 'now: append-only ops', appendOnlyWindows));

console.log(JSON.stringify({ events: EVENTS, batch: BATCH, results }, null, 2));
for (const r of results) {
  console.log(
    `${r.label.padEnd(40)} ${String(r.threadCpuUsPerEvent).padStart(7)} µs/event (thread)  ` +
      `${String(r.processCpuUsPerEvent).padStart(7)} µs/event (process)  ${String(r.statementsPerEvent).padStart(5)} statements/event  ` +
      `${r.dbBytesPerEvent} B/event on disk`,
  );
}
