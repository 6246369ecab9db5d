/**
 * The `bitbrat` command: serve, replay, restore, import-firebot, bench, start. Arguments are checked before anything
 * starts; every failure ends with one clear sentence and a non-zero exit code.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LogLevel } from '../../core/rpc.js';
import { DISCORD_CONNECTOR, normalizeDiscordDispatch } from '../connectors/discord/discord-normalize.js';
import { normalizeEventSubFrame } from '../connectors/twitch/eventsub-message.js';
import { TWITCH_EVENTSUB_CONNECTOR } from '../connectors/twitch/eventsub-normalize.js';
import { TWITCH_CHAT_CONNECTOR } from '../connectors/twitch/irc-normalize.js';
import type { DiscordRoleMap } from '../../core/protocol/discord.js';
import { PipelineHost, type HostLog } from '../host/pipeline-host.js';
import { bench, benchSummary } from './bench.js';
import { CHROMIUM } from './chromium.js';
import { defaultDataDir } from './paths.js';
import { parseJsonLine, replay, type BatchParser, type LineParser } from './replay.js';
import { serve } from './serve.js';

const USAGE = `Usage: bitbrat <command> [options]

Commands:
  start                       Start the desktop app (or the browser console where Electron is missing)
  serve                       Run the pipeline headless with the browser console
      --data-dir DIR          Where the database lives (default: ${defaultDataDir()})
      --port N                Console port (default: the console port setting, 7420; 0 = any free port)
      --lan                   Also listen on the local network, token-protected (default: the LAN setting, off)
      --demo                  Add a simulated chat so you can see the whole flow with no account
      --demo-rate N           Demo events per second (default 2)
  replay FILE                 Run inbound events through the pipeline, one JSON result per line
      --data-dir DIR          (required)
      --format FORMAT         Input format, one item per line (default jsonl): jsonl (inbound events),
                              irc (raw Twitch IRC), eventsub (EventSub WebSocket notification messages),
                              discord (Discord gateway MESSAGE_CREATE dispatches)
      --approve all|none      Decide replies still held for approval at the end
      --json                  Print JSON lines (the only output format)
  restore FILE                Replace the database with a backup (BitBrat must not be running)
      --data-dir DIR          Where the database lives (default: ${defaultDataDir()})
  import-firebot PATH         Import commands, timers, counters and quotes from Firebot v5 (its data
                              folder, a profile folder or a backup zip; BitBrat must not be running)
      --data-dir DIR          Where the database lives (default: ${defaultDataDir()})
      --profile NAME          Which Firebot profile, when there are several
      --dry-run               Only show what would be created, changed and left out
  bench                       Measure the pipeline and print figures (a readable summary)
      --json                  Print one JSON object instead
      --rate N                Events per second of each latency run, open loop (default 1000)
      --seconds N             Length of each latency run (default 60; 600 for the memory trend)
      --workload mix|commands|both  Which latency runs (default both): a realistic chat mix, or every
                              event a replying command
      --llm-delay MS          How long the local LLM server takes per bot mention (default 800)
      --saturation-seconds N  Length of the throughput run (default 10)
      --ui                    Measure the console instead: headless Chromium on the live view while the
                              host takes --rate events/s (default 1000) for --seconds (default 20);
                              prints frames per second and the longest main-thread task
      --chromium PATH         Browser for --ui (default /usr/bin/chromium)
`;

const quietLog =
  (verbose: boolean): HostLog =>
  (level: LogLevel, message, fields) => {
    if (!verbose && (level === 'debug' || level === 'info')) return;
    process.stderr.write(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  };

const consoleLog: HostLog = (level, message, fields) => {
  if (level === 'debug') return;
  const line = `${new Date().toISOString()} ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`;
  (level === 'info' ? process.stdout : process.stderr).write(line);
};

function fail(message: string): never {
  process.stderr.write(`bitbrat: ${message}\n`);
  process.exit(2);
}

function positiveInt(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) fail(`${name} must be a whole number ≥ ${min}, got "${value}"`);
  return number;
}

/** Each platform's own format, normalized by the same code its live connector runs. */
const FORMATS: Record<
  string,
  { connector: string; parser(context: { host: PipelineHost; roleMap: DiscordRoleMap }): LineParser | BatchParser }
> = {
  jsonl: { connector: 'replay', parser: () => parseJsonLine },
  // Raw Twitch IRC is parsed by tmi.js (the live connector's code) on the ingress worker, off this thread.
  irc: {
    connector: TWITCH_CHAT_CONNECTOR,
    parser: ({ host }) => ({ batch: (lines) => host.parseLines('irc', lines) }),
  },
  eventsub: { connector: TWITCH_EVENTSUB_CONNECTOR, parser: () => (line) => asLine(normalizeEventSubFrame(line)) },
  // Discord roles map by role id through the data folder's `discord.roleMap` (names need the live
  // connector's role cache).
  discord: {
    connector: DISCORD_CONNECTOR,
    parser:
      ({ roleMap }) =>
      (line) =>
        asLine(normalizeDiscordDispatch(line, { roleMap })),
  },
};

function asLine(result: { ok: true; event: unknown } | { ok: false; error: string }): ReturnType<LineParser> {
  return result.ok ? { ok: true, value: result.event } : { ok: false, error: result.error };
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          'data-dir': { type: 'string' },
          port: { type: 'string' },
          lan: { type: 'boolean', default: false },
          demo: { type: 'boolean', default: false },
          'demo-rate': { type: 'string' },
          format: { type: 'string', default: 'jsonl' },
          approve: { type: 'string' },
          json: { type: 'boolean', default: false },
          rate: { type: 'string' },
          seconds: { type: 'string' },
          'saturation-seconds': { type: 'string' },
          workload: { type: 'string' },
          'llm-delay': { type: 'string' },
          ui: { type: 'boolean', default: false },
          chromium: { type: 'string' },
          verbose: { type: 'boolean', default: false },
          profile: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
        },
      });
    } catch (error) {
      fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    }
  })();

  switch (command) {
    case 'serve': {
      const served = await serve({
        dataDir: values['data-dir'] ?? defaultDataDir(),
        ...(values.port !== undefined ? { port: positiveInt(values.port, '--port', 7420, 0) } : {}),
        ...(values.lan ? { lan: true } : {}),
        demo: values.demo
          ? { ratePerSecond: positiveInt(values['demo-rate'], '--demo-rate', 2), scripted: true, live: true }
          : null,
        log: consoleLog,
      });
      process.stdout.write(`\nBitBrat is running. Open the console:\n\n  ${served.gateway.consoleUrl}\n\n`);
      process.stdout.write(`Data folder: ${served.host.dataDir}\nPress Ctrl+C to stop.\n`);
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        process.stdout.write('Stopping: finishing in-flight events and closing the database...\n');
        served.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`bitbrat: stop failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return;
    }
    case 'replay': {
      const file = positionals[0];
      if (!file) fail('replay needs a FILE');
      const dataDir = values['data-dir'];
      if (!dataDir) fail('replay needs --data-dir DIR');
      const format = FORMATS[values.format ?? 'jsonl'];
      if (!format) fail(`--format must be one of ${Object.keys(FORMATS).join(', ')}, got "${values.format}"`);
      if (values.approve !== undefined && values.approve !== 'all' && values.approve !== 'none') {
        fail(`--approve must be all or none, got "${values.approve}"`);
      }
      // A replay never talks to a real channel, even when the data folder has a linked bot.
      const host = await PipelineHost.start({
        dataDir,
        log: quietLog(values.verbose ?? false),
        twitch: { enabled: false },
        discord: { enabled: false },
      });
      const { roleMap } = (await host.api['settings.get']({})).discord;
      const parse = format.parser({ host, roleMap });
      try {
        await replay(host, file, {
          parse,
          connector: format.connector,
          approve: (values.approve as 'all' | 'none' | undefined) ?? null,
          write: (line) => process.stdout.write(`${line}\n`),
        });
      } finally {
        await host.stop();
      }
      return;
    }
    case 'bench': {
      if (values.ui) {
        const { benchUi } = await import('./bench-ui.js');
        const result = await benchUi({
          rate: positiveInt(values.rate, '--rate', 1000),
          seconds: positiveInt(values.seconds, '--seconds', 20),
          chromium: values.chromium ?? CHROMIUM,
          log: quietLog(values.verbose ?? false),
          progress: (line) => process.stderr.write(`bench --ui: ${line}\n`),
        });
        process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const workload = values.workload ?? 'both';
      if (workload !== 'mix' && workload !== 'commands' && workload !== 'both') {
        fail(`--workload must be mix, commands or both (got "${workload}")`);
      }
      const result = await bench({
        rate: positiveInt(values.rate, '--rate', 1000),
        seconds: positiveInt(values.seconds, '--seconds', 60),
        saturationSeconds: positiveInt(values['saturation-seconds'], '--saturation-seconds', 10),
        workloads: workload === 'both' ? ['mix', 'commands'] : [workload],
        llmDelayMs: positiveInt(values['llm-delay'], '--llm-delay', 800, 0),
        log: quietLog(values.verbose ?? false),
        progress: (line) => process.stderr.write(`bench: ${line}\n`),
      });
      // With --json the readable summary still goes to stderr, so one run gives both.
      if (values.json) process.stderr.write(`${benchSummary(result)}\n`);
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${benchSummary(result)}\n`);
      return;
    }
    case 'restore': {
      const file = positionals[0];
      if (!file) fail("restore needs a FILE (a backup from the data folder's backups/)");
      const { restoreFromFile } = await import('./restore.js');
      const result = restoreFromFile(values['data-dir'] ?? defaultDataDir(), file);
      if (!result.ok) fail(result.error);
      process.stdout.write(`${result.message}\n`);
      return;
    }
    case 'import-firebot': {
      const path = positionals[0];
      if (!path) fail("import-firebot needs a PATH (Firebot's data folder, a profile folder or a backup zip)");
      const { importFirebot, describeFirebotImport } = await import('./import-firebot.js');
      const dryRun = values['dry-run'] ?? false;
      const result = await importFirebot({
        dataDir: values['data-dir'] ?? defaultDataDir(),
        path: resolve(path),
        ...(values.profile !== undefined ? { profile: values.profile } : {}),
        dryRun,
        log: quietLog(values.verbose ?? false),
      });
      if (!result.ok) fail(describeFirebotImport(result, dryRun));
      process.stdout.write(`${describeFirebotImport(result, dryRun)}\n`);
      return;
    }
    case 'start': {
      const { startApp } = await import('./start.js');
      await startApp({
        dataDir: values['data-dir'] ?? defaultDataDir(),
        ...(values.port !== undefined ? { port: positiveInt(values.port, '--port', 7420, 0) } : {}),
        log: consoleLog,
      });
      return;
    }
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bitbrat: ${message}\n`);
  process.exit(1);
});
