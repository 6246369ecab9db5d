/**
 * Log lines (JSON, one per line) to logs/main.log in the data folder, rotated by size:
 * main.log → main.1.log → ... → main.N.log, the oldest dropped. Fields whose names look like
 * secrets are redacted, so a token passed by mistake never reaches the disk in clear.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { HostLog, HostLogLevel } from './host-like.js';

export interface RotatingLogOptions {
  dir: string;
  /** Base name without extension (default "main"). */
  name?: string;
  maxBytes?: number;
  /** Rotated files kept besides the current one. */
  keep?: number;
  /** Also echo to the console (development). */
  echo?: (line: string) => void;
  now?: () => number;
}

const SECRET_FIELD = /token|secret|password|passphrase|api[-_]?key|authorization|cookie/i;

export function redactFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    result[key] = SECRET_FIELD.test(key) ? '[redacted]' : value;
  }
  return result;
}

export interface RotatingLog {
  log: HostLog;
  readonly file: string;
}

export function createRotatingLog(options: RotatingLogOptions): RotatingLog {
  const name = options.name ?? 'main';
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const keep = options.keep ?? 5;
  const now = options.now ?? Date.now;
  const file = path.join(options.dir, `${name}.log`);
  const rotated = (index: number) => path.join(options.dir, `${name}.${index}.log`);
  mkdirSync(options.dir, { recursive: true });

  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }

  const rotate = () => {
    rmSync(rotated(keep), { force: true });
    for (let index = keep - 1; index >= 1; index--) {
      try {
        renameSync(rotated(index), rotated(index + 1));
      } catch {
        // that generation does not exist yet
      }
    }
    renameSync(file, keep >= 1 ? rotated(1) : `${file}.old`);
    if (keep < 1) rmSync(`${file}.old`, { force: true });
    size = 0;
  };

  const log: HostLog = (level: HostLogLevel, message: string, fields?: Record<string, unknown>) => {
    const entry = { at: now(), level, message, ...(fields ? { fields: redactFields(fields) } : {}) };
    let line: string;
    try {
      line = `${JSON.stringify(entry)}\n`;
    } catch {
      line = `${JSON.stringify({ at: entry.at, level, message, fields: '[unserializable]' })}\n`;
    }
    try {
      if (size > 0 && size + Buffer.byteLength(line) > maxBytes) rotate();
      appendFileSync(file, line);
      size += Buffer.byteLength(line);
    } catch {
      // A full disk must not take the app down with it; the echo below still shows the line.
    }
    options.echo?.(line.trimEnd());
  };
  return { log, file };
}
