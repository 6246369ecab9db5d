/**
 * One bundle per worker role (scripts/worker-build.mjs): builds the real options in memory and reads
 * esbuild's metafile to see which libraries each role's entry can ever load, following its static
 * imports and its import()s through the shared chunks. The store and the router must never load the
 * chat, LLM or Discord clients; a single bundle for every role (what the app had before) fails here,
 * because then every role's entry holds every library.
 */
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRole } from '../../core/protocol/pipeline.js';

type Options = Parameters<typeof build>[0];

let metafile: Metafile;
let outDir: string;

beforeAll(async () => {
  const script = '../../../scripts/worker-build.mjs';
  const { workerBuildOptions } = (await import(/* @vite-ignore */ script)) as { workerBuildOptions(): Options };
  const options = workerBuildOptions();
  outDir = options.outdir!;
  const result = await build({ ...options, write: false, metafile: true, sourcemap: false, logLevel: 'silent' });
  metafile = result.metafile;
});

/** The npm packages whose code is in the outputs `entry` reaches; `lazy` follows import() too. */
function packagesLoadedBy(role: WorkerRole, lazy: boolean): Set<string> {
  const entry = `${outDir}/${role}.js`;
  if (!metafile.outputs[entry]) throw new Error(`no bundle for the ${role} role (${entry})`);
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const output = queue.pop()!;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const next of metafile.outputs[output]!.imports) {
      if (next.external || (next.kind === 'dynamic-import' && !lazy)) continue;
      queue.push(next.path);
    }
  }
  const packages = new Set<string>();
  for (const output of seen) {
    for (const input of Object.keys(metafile.outputs[output]!.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
      if (name) packages.add(name);
    }
  }
  return packages;
}

const CLIENT_LIBRARIES = /^(discord\.js|@discordjs\/|openai$|@twurple\/|tmi\.js$|obs-websocket-js$|ws$)/;
const clientsIn = (packages: Set<string>) => [...packages].filter((name) => CLIENT_LIBRARIES.test(name)).sort();

describe('one bundle per worker role', () => {
  it('has an entry for every role', () => {
    const roles: WorkerRole[] = ['store', 'router', 'ingress', 'enrichment', 'reaction', 'egress'];
    // dist/workers/<role>.js are the entries; what the roles share or import() lies in chunks/.
    const entries = Object.entries(metafile.outputs)
      .filter(([file]) => file.endsWith('.js') && !file.slice(outDir.length + 1).includes('/'))
      .map(([file, output]) => [file, output.entryPoint]);
    expect(Object.fromEntries(entries)).toEqual(
      Object.fromEntries(roles.map((role) => [`${outDir}/${role}.js`, `pipeline/node/workers/entries/${role}.ts`])),
    );
  });

  it('the store and the router can never load discord.js (or its REST client), openai, twurple, tmi.js, obs-websocket or ws', () => {
    expect(clientsIn(packagesLoadedBy('store', true))).toEqual([]);
    expect(clientsIn(packagesLoadedBy('router', true))).toEqual([]);
    // Only what they run: the store has zod, the router adds the rules engine and the word filter.
    expect([...packagesLoadedBy('store', true)]).toEqual(['zod']);
  });

  it('the roles that need a client reach it only through import(), never at start', () => {
    // The check sees libraries where they are: egress delivers to Discord and Twitch chat, reaction asks the LLM.
    expect(clientsIn(packagesLoadedBy('egress', true))).toEqual(expect.arrayContaining(['@discordjs/rest', 'tmi.js']));
    expect(clientsIn(packagesLoadedBy('reaction', true))).toContain('openai');
    expect(clientsIn(packagesLoadedBy('ingress', true))).toEqual(expect.arrayContaining(['@twurple/eventsub-ws']));
    for (const role of ['ingress', 'enrichment', 'reaction', 'egress'] as const) {
      expect(clientsIn(packagesLoadedBy(role, false))).toEqual([]);
    }
  });
});
