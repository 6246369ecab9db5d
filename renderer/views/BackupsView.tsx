/**
 * Keeping the streamer's work: backups of the database (made at every start and daily; a restore
 * is applied when BitBrat next starts) and export/import of the configuration as one JSON file,
 * with a preview of what an import would change before anything is written; and the import from Firebot.
 */
import { useEffect, useState } from 'react';
import type { ImportPreview } from '../../pipeline/core/config-export.js';
import type { BackupList } from '../../pipeline/core/feature-api.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { FirebotImportSection } from './FirebotImport.js';
import { changedSections, ImportPreviewTable } from './ImportPreviewTable.js';

function BackupsSection() {
  const { bridge, store, moderator } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [list, setList] = useState<BackupList | null>(null);

  const load = async () => {
    const result = await run('Loading backups', () => bridge.call('backups.list', {}));
    if (result) setList(result);
  };
  useEffect(() => {
    if (status === 'open') void load();
  }, [status]);

  const backUp = async () => {
    const result = await run('Backing up', () => bridge.call('backups.create', {}));
    if (!result) return;
    if (!result.ok) return notify(store, result.error, 'error');
    notify(store, `Backup ${result.value.file} written.`);
    await load();
  };
  const restore = async (file: string) => {
    if (!window.confirm(`Restore ${file} when BitBrat next starts? Everything since that backup will be replaced.`))
      return;
    const result = await run('Scheduling the restore', () => bridge.call('backups.restore', { file, moderator }));
    if (!result) return;
    if (!result.ok) return notify(store, `Not scheduled: ${result.error}`, 'error');
    notify(store, `${file} will be restored at the next start.`);
    await load();
  };
  const cancel = async () => {
    await run('Cancelling the restore', () => bridge.call('backups.cancelRestore', {}));
    await load();
  };

  return (
    <section data-testid="backups">
      <div className="row-gap">
        <h2>Backups</h2>
        <button type="button" onClick={() => void backUp()}>
          Back up now
        </button>
      </div>
      <p className="muted small">
        A backup is made at every start and once a day in <span className="mono">{list?.folder ?? 'backups/'}</span>;
        the newest are kept (Settings → Backups kept). A restore happens when BitBrat next starts; from a terminal, with
        BitBrat closed: <span className="mono">bitbrat restore FILE</span>.
      </p>
      {list?.pending && (
        <p className="notice" data-testid="pending-restore">
          {list.pending.file} will be restored at the next start (asked by {list.pending.by}).{' '}
          <button type="button" onClick={() => void cancel()}>
            Cancel
          </button>
        </p>
      )}
      {list && list.backups.length === 0 && <p className="muted">No backups yet.</p>}
      {list && list.backups.length > 0 && (
        <table className="table" data-testid="backup-list">
          <thead>
            <tr>
              <th>backup</th>
              <th>made</th>
              <th>size</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.backups.map((backup) => (
              <tr key={backup.file}>
                <td className="mono">{backup.file}</td>
                <td>{formatDateTime(backup.createdAt)}</td>
                <td>{(backup.sizeBytes / 1024).toFixed(0)} KB</td>
                <td>
                  <button type="button" onClick={() => void restore(backup.file)}>
                    Restore at next start
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ExportImportSection() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [file, setFile] = useState<{ name: string; data: unknown } | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [errors, setErrors] = useState<string[]>([]);

  const exportFile = async () => {
    const config = await run('Exporting', () => bridge.call('config.export', {}));
    if (!config) return;
    const blob = new Blob([JSON.stringify(config, null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `bitbrat-config-${new Date(config.exportedAt).toISOString().slice(0, 10)}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  const check = async (name: string, text: string) => {
    setPreview(null);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      setFile(null);
      return setErrors([`(file): not JSON (${error instanceof Error ? error.message : String(error)})`]);
    }
    setFile({ name, data });
    const result = await run('Checking the file', () => bridge.call('config.import', { file: data, dryRun: true }));
    if (!result) return;
    if (!result.ok) return setErrors(result.errors);
    setErrors([]);
    setPreview(result.preview);
  };

  const apply = async () => {
    if (!file) return;
    const result = await run('Importing', () => bridge.call('config.import', { file: file.data, dryRun: false }));
    if (!result) return;
    if (!result.ok) return setErrors(result.errors);
    notify(store, result.applied ? `Imported ${file.name}.` : 'Nothing to import: everything is the same.');
    setFile(null);
    setPreview(null);
  };

  const changes = preview ? changedSections(preview) : [];
  return (
    <section data-testid="export-import">
      <h2>Export and import</h2>
      <p className="muted small">
        One JSON file with the rules, commands, personas, timers, counters, quotes and settings — never tokens or API
        keys. An import adds and updates; it never deletes.
      </p>
      <div className="row-gap">
        <button type="button" onClick={() => void exportFile()}>
          Export configuration
        </button>
        <label className="row-gap">
          <span>Import a file</span>
          <input
            type="file"
            accept="application/json,.json"
            aria-label="Configuration file"
            onChange={(event) => {
              const chosen = event.target.files?.[0];
              if (chosen) void chosen.text().then((text) => check(chosen.name, text));
              event.target.value = '';
            }}
          />
        </label>
      </div>
      {errors.length > 0 && (
        <ul className="error-text" data-testid="import-errors">
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      {preview && (
        <div data-testid="import-preview">
          <h3>{file?.name}: what the import changes</h3>
          <ImportPreviewTable preview={preview} />
          <div className="row-gap">
            <button type="button" className="primary" disabled={changes.length === 0} onClick={() => void apply()}>
              Import these changes
            </button>
            <button type="button" onClick={() => (setPreview(null), setFile(null))}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

export function BackupsView() {
  return (
    <div className="users backups">
      <BackupsSection />
      <ExportImportSection />
      <FirebotImportSection />
    </div>
  );
}
