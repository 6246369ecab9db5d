/**
 * Import from Firebot v5: a backup zip uploaded from this browser (small ones: it travels in one
 * message to the host), or Firebot's data folder / a backup by its path on the host's computer.
 * First a dry run shows what would be created, changed and left out (with why); then Import.
 */
import { useState } from 'react';
import type { FirebotImportResult } from '../../pipeline/core/feature-api.js';
import { MAX_FIREBOT_UPLOAD_BYTES } from '../../pipeline/core/firebot-format.js';
import type { FirebotSkip } from '../../pipeline/core/firebot-import.js';
import { notify } from '../state/store.js';
import { useConsoleContext, useHostAction } from '../ui/context.js';
import { fileBase64 } from '../ui/files.js';
import { changedSections, ImportPreviewTable } from './ImportPreviewTable.js';

/** What was checked: the import sends exactly this (the profile as it was when Check ran). */
interface Source {
  request: { kind: 'upload'; zipBase64: string } | { kind: 'path'; path: string };
  profile: string;
  /** The file's or the path's name, for the preview's heading. */
  label: string;
}

function SkippedList({ skipped }: { skipped: FirebotSkip[] }) {
  if (skipped.length === 0) return <p className="muted">Everything could be mapped.</p>;
  return (
    <>
      <h4>Not imported ({skipped.length})</h4>
      <ul className="small" data-testid="firebot-skipped">
        {skipped.map((skip, index) => (
          <li key={index}>
            <strong>
              {skip.section} {skip.item}
            </strong>
            {skip.scope === 'part' ? ' (imported without this)' : ''}: {skip.reason}
          </li>
        ))}
      </ul>
    </>
  );
}

export function FirebotImportSection() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [path, setPath] = useState('');
  const [profile, setProfile] = useState('');
  const [source, setSource] = useState<Source | null>(null);
  const [result, setResult] = useState<FirebotImportResult | null>(null);

  const call = (chosen: Source, dryRun: boolean) =>
    bridge.call('firebot.import', {
      source: chosen.request,
      ...(chosen.profile !== '' ? { profile: chosen.profile } : {}),
      dryRun,
    });
  const check = async (chosen: Source) => {
    setSource(chosen);
    setResult(null);
    const answer = await run('Checking the Firebot profile', () => call(chosen, true));
    if (answer) setResult(answer);
  };
  const upload = async (file: File) => {
    if (file.size > MAX_FIREBOT_UPLOAD_BYTES) {
      setSource(null);
      return setResult({
        ok: false,
        errors: [
          `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; the console uploads up to ${Math.floor(MAX_FIREBOT_UPLOAD_BYTES / 1024)} KB. Enter its path below instead (or zip only the profiles folder).`,
        ],
      });
    }
    await check({
      request: { kind: 'upload', zipBase64: await fileBase64(file) },
      profile: profile.trim(),
      label: file.name,
    });
  };
  const apply = async () => {
    if (!source) return;
    const answer = await run('Importing from Firebot', () => call(source, false));
    if (!answer) return;
    if (!answer.ok) return setResult(answer);
    notify(
      store,
      answer.applied ? `Imported Firebot profile ${answer.profile}.` : 'Nothing to import: it is all here.',
    );
    setSource(null);
    setResult(null);
  };

  const preview = result?.ok ? result : null;
  return (
    <section data-testid="firebot-import">
      <h2>Import from Firebot</h2>
      <p className="muted small">
        Commands, timers, counters and quotes from a Firebot v5 backup zip, or from Firebot’s data folder (
        <span className="mono">%APPDATA%\Firebot\v5</span>) or one profile folder. You see what would be created,
        changed and left out before anything is written. From a terminal, with BitBrat closed:{' '}
        <span className="mono">bitbrat import-firebot PATH</span>.
      </p>
      <div className="row-gap">
        <label className="row-gap">
          <span>Upload a backup zip</span>
          <input
            type="file"
            accept=".zip,application/zip"
            aria-label="Firebot backup zip"
            onChange={(event) => {
              const chosen = event.target.files?.[0];
              if (chosen) void upload(chosen);
              event.target.value = '';
            }}
          />
        </label>
      </div>
      <form
        className="row-gap"
        onSubmit={(event) => {
          event.preventDefault();
          const chosen = path.trim();
          if (chosen !== '')
            void check({ request: { kind: 'path', path: chosen }, profile: profile.trim(), label: chosen });
        }}
      >
        <label className="row-gap">
          <span>or its path on this computer</span>
          <input
            aria-label="Firebot folder or zip path"
            className="mono"
            value={path}
            onChange={(event) => setPath(event.target.value)}
            placeholder="C:\Users\me\AppData\Roaming\Firebot\v5"
          />
        </label>
        <label className="row-gap">
          <span>profile</span>
          <input
            aria-label="Firebot profile"
            value={profile}
            onChange={(event) => setProfile(event.target.value)}
            placeholder="only if there are several"
          />
        </label>
        <button type="submit" disabled={path.trim() === ''}>
          Check
        </button>
      </form>
      {result && !result.ok && (
        <ul className="error-text" data-testid="firebot-errors">
          {result.errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      {preview && source && (
        <div data-testid="firebot-preview">
          <h3>
            {source.label} (profile {preview.profile}): what the import would do
          </h3>
          <ImportPreviewTable preview={preview.preview} />
          <SkippedList skipped={preview.skipped} />
          <div className="row-gap">
            <button
              type="button"
              className="primary"
              disabled={changedSections(preview.preview).length === 0}
              onClick={() => void apply()}
            >
              Import from Firebot
            </button>
            <button type="button" onClick={() => (setSource(null), setResult(null))}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
