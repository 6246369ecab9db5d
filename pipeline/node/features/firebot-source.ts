/**
 * Reads the files of one Firebot v5 profile (core/firebot-format.ts FIREBOT_FILES) from a folder or
 * a zip: Firebot's own backup (`profiles/<name>/…` beside `global-settings.json`), or a zipped
 * profile folder. Only those four files are read, each at most MAX_FIREBOT_FILE_BYTES.
 *
 * Zips are read with yauzl: entry names with `..` or an absolute path make it refuse the archive,
 * and `validateEntrySizes` stops an entry that inflates past its declared size, so the size caps
 * hold against a zip bomb that lies in its headers. Nothing is ever extracted to disk.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import yauzl from 'yauzl';
import {
  FIREBOT_FILES,
  MAX_FIREBOT_FILE_BYTES,
  type FirebotFileKind,
  type FirebotFiles,
} from '../../core/firebot-format.js';

export type FirebotSource = { ok: true; profile: string; files: FirebotFiles } | { ok: false; errors: string[] };
export interface FirebotSourceOptions {
  /** Which profile, when the backup holds several. */
  profile?: string;
}

/** Largest zip read from disk; an uploaded one is capped by the HostApi's params already. */
const MAX_FIREBOT_ZIP_BYTES = 2 * 1024 * 1024 * 1024;
/** Entries a zip may list (a backup with overlay resources has thousands, not millions). */
const MAX_ZIP_ENTRIES = 200_000;
/** Folders above a profile's files: `profiles/<name>/` inside a backup, at most one more around it. */
const MAX_PREFIX_DEPTH = 3;

const KINDS = Object.keys(FIREBOT_FILES) as FirebotFileKind[];

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function decode(bytes: Buffer): string {
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/** The profile's name for the folders above its files: `profiles/Main/` → "Main", none → "(root)". */
function profileName(prefix: string): string {
  const segments = prefix.split('/').filter(Boolean);
  return segments.at(-1) ?? '(root)';
}

function chooseProfile<T>(
  groups: Map<string, T>,
  options: FirebotSourceOptions,
  where: string,
): { ok: true; name: string; group: T } | { ok: false; errors: string[] } {
  const names = [...groups.keys()];
  if (names.length === 0)
    return {
      ok: false,
      errors: [`${where}: no Firebot profile found (looked for ${Object.values(FIREBOT_FILES).join(', ')})`],
    };
  if (options.profile !== undefined) {
    const group = groups.get(options.profile);
    if (group === undefined)
      return { ok: false, errors: [`profile: no profile "${options.profile}" here (found: ${names.join(', ')})`] };
    return { ok: true, name: options.profile, group };
  }
  if (names.length > 1)
    return { ok: false, errors: [`profile: ${where} holds several profiles (${names.join(', ')}); choose one`] };
  return { ok: true, name: names[0]!, group: groups.get(names[0]!)! };
}

// ---------------------------------------------------------------------------------------------
// Folders
// ---------------------------------------------------------------------------------------------

function readProfileFolder(folder: string): { ok: true; files: FirebotFiles } | { ok: false; errors: string[] } {
  const files: FirebotFiles = {};
  const errors: string[] = [];
  for (const kind of KINDS) {
    const file = join(folder, FIREBOT_FILES[kind]);
    if (!existsSync(file)) continue;
    const stat = lstatSync(file);
    if (!stat.isFile()) {
      errors.push(`${FIREBOT_FILES[kind]}: not a regular file`);
      continue;
    }
    if (stat.size > MAX_FIREBOT_FILE_BYTES) {
      errors.push(`${FIREBOT_FILES[kind]}: larger than ${MAX_FIREBOT_FILE_BYTES} bytes`);
      continue;
    }
    files[kind] = decode(readFileSync(file));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, files };
}

const hasProfileFiles = (folder: string) => KINDS.some((kind) => existsSync(join(folder, FIREBOT_FILES[kind])));

/** Firebot's data folder (with `profiles/`), or one profile's folder. */
function readFirebotFolder(folder: string, options: FirebotSourceOptions = {}): FirebotSource {
  const profilesDir = join(folder, 'profiles');
  const groups = new Map<string, string>();
  if (existsSync(profilesDir) && statSync(profilesDir).isDirectory()) {
    for (const entry of readdirSync(profilesDir, { withFileTypes: true }))
      if (entry.isDirectory() && hasProfileFiles(join(profilesDir, entry.name)))
        groups.set(entry.name, join(profilesDir, entry.name));
  } else if (hasProfileFiles(folder)) groups.set(basename(folder), folder);
  const chosen = chooseProfile(groups, options, folder);
  if (!chosen.ok) return chosen;
  const read = readProfileFolder(chosen.group);
  return read.ok ? { ok: true, profile: chosen.name, files: read.files } : read;
}

// ---------------------------------------------------------------------------------------------
// Zips
// ---------------------------------------------------------------------------------------------

const ZIP_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  decodeStrings: true,
  validateEntrySizes: true,
  strictFileNames: false,
};

function openZip(input: Buffer | string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: yauzl.ZipFile) => (error || !zip ? reject(error) : resolve(zip));
    if (typeof input === 'string') yauzl.open(input, ZIP_OPTIONS, done);
    else yauzl.fromBuffer(input, ZIP_OPTIONS, done);
  });
}

/** Every entry that is one of the profile files, grouped by the folders above it. */
function listProfileEntries(zip: yauzl.ZipFile): Promise<Map<string, Partial<Record<FirebotFileKind, yauzl.Entry>>>> {
  return new Promise((resolve, reject) => {
    const groups = new Map<string, Partial<Record<FirebotFileKind, yauzl.Entry>>>();
    if (zip.entryCount > MAX_ZIP_ENTRIES) {
      reject(new Error(`it lists ${zip.entryCount} entries (at most ${MAX_ZIP_ENTRIES})`));
      return;
    }
    zip.on('error', reject);
    zip.on('end', () => resolve(groups));
    zip.on('entry', (entry: yauzl.Entry) => {
      for (const kind of KINDS) {
        const path = FIREBOT_FILES[kind];
        const name = entry.fileName;
        if (name !== path && !name.endsWith(`/${path}`)) continue;
        const prefix = name.slice(0, name.length - path.length);
        if (prefix.split('/').filter(Boolean).length > MAX_PREFIX_DEPTH) continue;
        const group = groups.get(profileName(prefix)) ?? {};
        // Two folders with the same last name: the first wins, as the zip lists them.
        group[kind] ??= entry;
        groups.set(profileName(prefix), group);
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (entry.uncompressedSize > MAX_FIREBOT_FILE_BYTES) {
      reject(new Error(`larger than ${MAX_FIREBOT_FILE_BYTES} bytes`));
      return;
    }
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(error ?? new Error('cannot be read'));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // validateEntrySizes already stops at the declared size; this is the cap whatever was declared.
        if (size > MAX_FIREBOT_FILE_BYTES) stream.destroy(new Error(`larger than ${MAX_FIREBOT_FILE_BYTES} bytes`));
        else chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** A Firebot backup zip or a zipped profile folder, as bytes or a file on this computer. */
export async function readFirebotZip(
  input: Buffer | string,
  options: FirebotSourceOptions = {},
): Promise<FirebotSource> {
  if (typeof input === 'string' && statSync(input).size > MAX_FIREBOT_ZIP_BYTES)
    return { ok: false, errors: [`(zip): larger than ${MAX_FIREBOT_ZIP_BYTES} bytes`] };
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(input);
  } catch (error) {
    return { ok: false, errors: [`(zip): not a readable zip (${errorText(error)})`] };
  }
  try {
    let groups;
    try {
      groups = await listProfileEntries(zip);
    } catch (error) {
      return { ok: false, errors: [`(zip): ${errorText(error)}`] };
    }
    const chosen = chooseProfile(groups, options, 'the zip');
    if (!chosen.ok) return chosen;
    const files: FirebotFiles = {};
    const errors: string[] = [];
    for (const kind of KINDS) {
      const entry = chosen.group[kind];
      if (!entry) continue;
      try {
        files[kind] = decode(await readEntry(zip, entry));
      } catch (error) {
        errors.push(`${entry.fileName}: ${errorText(error)}`);
      }
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, profile: chosen.name, files };
  } finally {
    zip.close();
  }
}

/** A folder or a `.zip` file on this computer. */
export async function readFirebotPath(path: string, options: FirebotSourceOptions = {}): Promise<FirebotSource> {
  if (!existsSync(path)) return { ok: false, errors: [`path: ${path} does not exist`] };
  try {
    return statSync(path).isDirectory() ? readFirebotFolder(path, options) : await readFirebotZip(path, options);
  } catch (error) {
    return { ok: false, errors: [`path: ${errorText(error)}`] };
  }
}
