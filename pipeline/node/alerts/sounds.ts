/**
 * Alert sounds in the data folder's `sounds/`: uploaded through the HostApi (checked by their first
 * bytes and size, whatever the name says), listed for the console, read by the gateway's sound route.
 * Names are checked with `SoundNameSchema`, so no path can leave the folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIR_MODE, FILE_MODE } from '../store/data-dir.js';
import {
  MAX_SOUND_BYTES,
  SOUND_TYPES,
  SoundNameSchema,
  soundTypeOf,
  type SoundInfo,
  type SoundType,
} from '../../core/alerts.js';

export const SOUNDS_FOLDER = 'sounds';

export const soundsFolder = (dataDir: string) => join(dataDir, SOUNDS_FOLDER);

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function extensionOf(name: string): SoundType {
  return name.slice(name.lastIndexOf('.') + 1) as SoundType;
}

/** Checks and stores one sound; the extension must match what the bytes are. */
export function saveSound(dataDir: string, name: string, base64: string): Result<SoundInfo> {
  const parsedName = SoundNameSchema.safeParse(name);
  if (!parsedName.success) return { ok: false, error: `name: ${parsedName.error.issues[0]?.message ?? 'invalid'}` };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return { ok: false, error: 'data: not base64' };
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) return { ok: false, error: 'data: the file is empty' };
  if (bytes.length > MAX_SOUND_BYTES)
    return { ok: false, error: `data: a sound is at most ${MAX_SOUND_BYTES / 1024 / 1024} MiB` };
  const type = soundTypeOf(bytes);
  if (!type) return { ok: false, error: 'data: not an mp3, ogg or wav file' };
  if (type !== extensionOf(parsedName.data)) return { ok: false, error: `name: the file is ${type}, name it .${type}` };
  const folder = soundsFolder(dataDir);
  // Like every file in the data folder: the streamer's only (see data-dir.ts).
  mkdirSync(folder, { recursive: true, mode: DIR_MODE });
  // Written beside and renamed, so the overlay never plays half a file.
  const target = join(folder, parsedName.data);
  const partial = `${target}.partial`;
  writeFileSync(partial, bytes, { mode: FILE_MODE });
  renameSync(partial, target);
  return { ok: true, value: { name: parsedName.data, type, sizeBytes: bytes.length } };
}

export function listSounds(dataDir: string): SoundInfo[] {
  const folder = soundsFolder(dataDir);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => SoundNameSchema.safeParse(name).success)
    .sort()
    .map((name) => ({ name, type: extensionOf(name), sizeBytes: statSync(join(folder, name)).size }));
}

export function deleteSound(dataDir: string, name: string): boolean {
  if (!SoundNameSchema.safeParse(name).success) return false;
  const file = join(soundsFolder(dataDir), name);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

/** The file and its content type, or null for a name that is not a stored sound. */
export function readSound(dataDir: string, name: string): { body: Buffer; contentType: string } | null {
  if (!SoundNameSchema.safeParse(name).success) return null;
  const file = join(soundsFolder(dataDir), name);
  if (!existsSync(file)) return null;
  return { body: readFileSync(file), contentType: SOUND_TYPES[extensionOf(name)] };
}
