#!/usr/bin/env node
// The `bitbrat` command. The CLI is built into dist/ at install time (npm's prepare step).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('bitbrat: the app is not built yet. Run `npm run build` in the project folder, then try again.');
  process.exit(1);
}
await import(new URL('../dist/cli.js', import.meta.url).href);
