/**
 * The `bitbrat` command: serve, replay, bench, start. Arguments are checked before anything
 * starts; every failure ends with one clear sentence and a non-zero exit code.
 */
import { parseArgs } from 'node:util';
import type { LogLevel } from '../../core/rpc.js';
import { PipelineHost, type HostLog } from '../host/pipeline-host.js';
import { bench } from './bench.js';
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
      --format jsonl|irc      Input format (default jsonl)
      --approve all|none      Decide replies still held for approval at the end
      --json                  Print JSON lines (the only output format)
  bench                       Measure the pipeline and print figures
      --json                  Print one JSON object
      --rate N                Events per second for the latency run (default 1000)
      --seconds N             Length of the latency run (default 60)
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
          ui: { type: 'boolean', default: false },
          chromium: { type: 'string' },
          verbose: { type: 'boolean', default: false },
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
          ? { ratePerSecond: positiveInt(values['demo-rate'], '--demo-rate', 2), scripted: true }
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
      if (values.format !== 'jsonl' && values.format !== 'irc')
        fail(`--format must be jsonl or irc, got "${values.format}"`);
      if (values.approve !== undefined && values.approve !== 'all' && values.approve !== 'none') {
        fail(`--approve must be all or none, got "${values.approve}"`);
      }
      // A replay never talks to a real channel, even when the data folder has a linked bot.
      const host = await PipelineHost.start({
        dataDir,
        log: quietLog(values.verbose ?? false),
        twitch: { enabled: false },
      });
      // Raw Twitch IRC is parsed by tmi.js (the live connector's code) on the ingress worker, off this thread.
      const parse: LineParser | BatchParser =
        values.format === 'irc' ? { batch: (lines) => host.parseLines('irc', lines) } : parseJsonLine;
      try {
        await replay(host, file, {
          parse,
          connector: values.format === 'irc' ? 'twitch-chat' : 'replay',
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
      const result = await bench({
        rate: positiveInt(values.rate, '--rate', 1000),
        latencySeconds: positiveInt(values.seconds, '--seconds', 60),
        saturationSeconds: positiveInt(values['saturation-seconds'], '--saturation-seconds', 10),
        log: quietLog(values.verbose ?? false),
        progress: (line) => process.stderr.write(`bench: ${line}\n`),
      });
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
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
