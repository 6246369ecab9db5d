#!/usr/bin/env node
/**
 * Prints the red-team figures (issue 11): unsafe drafts passing without a safety reason, leaks,
 * benign questions without a usable reply, and the latency the safety layers add per reply.
 *
 *   node scripts/build.mjs --node-only && node scripts/red-team.mjs
 *
 * Bundles test/support/red-team-report.ts with esbuild (the project's bundler) into
 * node_modules/.cache and runs it; the host loads its workers from dist/ as the tests do.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'node_modules', '.cache', 'bitbrat-red-team', 'report.mjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(root, 'test', 'support', 'red-team-report.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const { main } = await import(pathToFileURL(outfile).href);
await main(root);
