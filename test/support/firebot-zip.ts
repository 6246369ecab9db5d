/**
 * Test helpers for the Firebot import: the fixture profile (test/data/firebot, written by hand from
 * Firebot's formats) and real zips of it, written with yazl.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

export const FIREBOT_FIXTURE = fileURLToPath(new URL('../data/firebot/userdata', import.meta.url));

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name))
    .filter((file) => statSync(file).isFile());
}

/** A real zip of `entries` (name → bytes), as yazl writes it. */
export function zipOf(entries: Record<string, Buffer | string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(entries))
    zip.addBuffer(typeof data === 'string' ? Buffer.from(data) : data, name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** The fixture folder as Firebot's backup zip lays it out (paths relative to its data folder). */
export async function fixtureBackupZip(): Promise<Buffer> {
  const entries: Record<string, Buffer> = {};
  for (const file of filesUnder(FIREBOT_FIXTURE))
    entries[relative(FIREBOT_FIXTURE, file).split('\\').join('/')] = readFileSync(file);
  return zipOf(entries);
}
