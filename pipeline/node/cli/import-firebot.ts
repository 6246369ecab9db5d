/**
 * `bitbrat import-firebot PATH`: imports a Firebot v5 profile (its data folder, a profile folder or
 * a backup zip) into a data folder while BitBrat is not running — the host it starts takes the data
 * folder's lock, so a running app makes it refuse, as `restore` does. The import is the console's
 * (HostApi `firebot.import`): the same preview, report and single store batch.
 */
import type { FirebotImportResult } from '../../core/feature-api.js';
import { CONFIG_SECTIONS } from '../../core/config-export.js';
import { PipelineHost, type HostLog } from '../host/pipeline-host.js';

export interface ImportFirebotOptions {
  dataDir: string;
  path: string;
  profile?: string;
  dryRun: boolean;
  log: HostLog;
}

/** The result as lines for a terminal: what is (or would be) created and changed, then what was left out. */
export function describeFirebotImport(result: FirebotImportResult, dryRun: boolean): string {
  if (!result.ok)
    return ['The Firebot profile could not be imported:', ...result.errors.map((e) => `  ${e}`)].join('\n');
  const lines = [
    `Firebot profile "${result.profile}": ${dryRun ? 'dry run, nothing was changed' : result.applied ? 'imported' : 'nothing to change'}`,
  ];
  for (const section of CONFIG_SECTIONS) {
    const changes = result.preview[section];
    if (changes.added.length + changes.changed.length + changes.unchanged === 0) continue;
    lines.push(
      `  ${section}: ${changes.added.length} ${dryRun ? 'to create' : 'created'}, ${changes.changed.length} ${dryRun ? 'to change' : 'changed'}, ${changes.unchanged} unchanged`,
    );
    for (const key of changes.added) lines.push(`    + ${key}`);
    for (const key of changes.changed) lines.push(`    ~ ${key}`);
  }
  if (result.skipped.length > 0) {
    lines.push(`Not imported (${result.skipped.length}):`);
    for (const skip of result.skipped)
      lines.push(
        `  ${skip.section} ${skip.item}${skip.scope === 'part' ? ' (imported without this)' : ''}: ${skip.reason}`,
      );
  }
  return lines.join('\n');
}

export async function importFirebot(options: ImportFirebotOptions): Promise<FirebotImportResult> {
  let host: PipelineHost;
  try {
    host = await PipelineHost.start({
      dataDir: options.dataDir,
      log: options.log,
      twitch: { enabled: false },
      discord: { enabled: false },
    });
  } catch (error) {
    return { ok: false, errors: [`refused: ${error instanceof Error ? error.message : String(error)}`] };
  }
  try {
    return await host.api['firebot.import']({
      source: { kind: 'path', path: options.path },
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      dryRun: options.dryRun,
    });
  } finally {
    await host.stop();
  }
}
