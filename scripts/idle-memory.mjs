// What the app costs doing nothing, without the benchmark's load: starts the real host headless
// (`bitbrat serve --port 0` on a fresh data folder), waits until it prints the console URL (every
// worker is ready by then), lets it settle, and reads the process's VmRSS from /proc. Then, to see
// each worker isolate's heap, it starts the host from the sources in a child process (jiti compiles
// the TypeScript) and asks every worker for its threadInfo(). Each figure is the median of --runs.
//   node scripts/build.mjs --node-only && node scripts/idle-memory.mjs [--runs 3] [--settle-ms 3000]
// Linux only (/proc). Prints one JSON object.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, 'settle-ms': { type: 'string', default: '3000' } },
});
const runs = Number(values.runs);
const settleMs = Number(values['settle-ms']);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const vmRssMb = (pid) => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round((Number(kb) / 1024) * 10) / 10;
};

/** Runs `args` until a stdout line matches `ready`, measures, then stops it with SIGINT. */
async function measureChild(args, ready, measure) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bitbrat-idle-'));
  const child = spawn(process.execPath, [...args, dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (ready.test(out)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code} before it was ready:\n${out}\n${err}`)));
      setTimeout(() => reject(new Error(`not ready within 60 s:\n${out}\n${err}`)), 60_000).unref();
    });
    await sleep(settleMs);
    return await measure(child, () => out);
  } finally {
    child.kill('SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// The host from the sources, in a child: prints its RSS and every isolate's heap as one JSON line.
const heapProbe = `
  const { createJiti } = await import(${JSON.stringify(import.meta.resolve('jiti'))});
  const jiti = createJiti(${JSON.stringify(path.join(root, 'package.json'))});
  const { PipelineHost } = await jiti.import(${JSON.stringify(path.join(root, 'pipeline/node/host/pipeline-host.ts'))});
  const { getHeapStatistics } = await import('node:v8');
  const host = await PipelineHost.start({ dataDir: process.argv.at(-1), log: () => undefined });
  process.stdout.write('started\\n');
  process.stdin.resume();
  process.stdin.once('data', async () => {
    const roles = ['store', 'router', 'ingress', 'enrichment', 'reaction', 'egress'];
    const heaps = {};
    for (const role of roles) {
      const info = await host.workers.control(role).call('threadInfo', undefined);
      heaps[role] = { usedMb: info.heapUsedBytes / 1048576, totalMb: info.heapTotalBytes / 1048576 };
    }
    heaps.host = { usedMb: getHeapStatistics().used_heap_size / 1048576, totalMb: getHeapStatistics().total_heap_size / 1048576 };
    process.stdout.write(JSON.stringify({ heaps }) + '\\n');
    await host.stop();
    process.stdin.destroy();
  });
`;

async function heapRun() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bitbrat-idle-'));
  // A file, not --eval: worker threads inherit the process's execArgv.
  const probe = path.join(dataDir, 'probe.mjs');
  writeFileSync(probe, heapProbe);
  const child = spawn(process.execPath, [probe, dataDir], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const deadline = Date.now() + 60_000;
    while (!out.includes('started\n')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`heap probe failed:\n${out}\n${err}`);
      await sleep(100);
    }
    await sleep(settleMs);
    child.stdin.write('go\n');
    while (!out.includes('{"heaps"')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`heap probe failed:\n${out}\n${err}`);
      await sleep(100);
    }
    await exited;
    return JSON.parse(out.split('\n').find((line) => line.startsWith('{"heaps"'))).heaps;
  } finally {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rss = [];
const heaps = [];
for (let i = 0; i < runs; i++) {
  rss.push(
    await measureChild(['bin/bitbrat.js', 'serve', '--port', '0', '--data-dir'], /Open the console/, (child) =>
      vmRssMb(child.pid),
    ),
  );
  heaps.push(await heapRun());
}
const roles = Object.keys(heaps[0]);
const perIsolate = Object.fromEntries(
  roles.map((role) => [
    role,
    {
      usedMb: mb(median(heaps.map((h) => h[role].usedMb)) * 1048576),
      totalMb: mb(median(heaps.map((h) => h[role].totalMb)) * 1048576),
    },
  ]),
);
process.stdout.write(
  `${JSON.stringify({ runs, settleMs, serveRssMb: { median: median(rss), all: rss }, perIsolateHeapMb: perIsolate }, null, 2)}\n`,
);
