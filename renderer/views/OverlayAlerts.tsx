/**
 * The Overlay view's alerts panel: per kind (follow, sub, gift, raid, cheer, redemption) whether it
 * plays, its template, sound, duration and volume (settings `alerts`, checked with the schema the host
 * parses with), the sounds in the data folder (uploaded here; the host checks what the file is), and a
 * "Test" button per kind that sends a test alert through the pipeline to every open overlay.
 * Speech (off by default): the supporter's own message read aloud by the overlay with the system's voices.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  ALERT_KINDS,
  AlertSettingsSchema,
  MAX_SOUND_BYTES,
  MAX_SPOKEN_CHARACTERS,
  type AlertKind,
  type AlertSettings,
  type SoundInfo,
} from '../../pipeline/core/alerts.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { fileBase64 } from '../ui/files.js';

const KIND_LABELS: Record<AlertKind, string> = {
  follow: 'Follow',
  sub: 'Sub',
  subgift: 'Gifted subs',
  raid: 'Raid',
  cheer: 'Cheer',
  redemption: 'Redemption',
};

/** A file name the host accepts: lower-case, no spaces, the extension kept. */
const soundName = (file: string) =>
  file
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');

export function OverlayAlerts() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const settings = useConsole((state) => state.settings);
  const status = useConsole((state) => state.connection.status);
  const [draft, setDraft] = useState<AlertSettings | null>(settings?.alerts ?? null);
  const [sounds, setSounds] = useState<SoundInfo[]>([]);
  // This computer's voices, as names to pick from (OBS on the same computer has the same system voices).
  const [voices, setVoices] = useState<string[]>([]);
  useEffect(() => {
    const synth = typeof window.speechSynthesis === 'object' ? window.speechSynthesis : null;
    if (!synth) return;
    const load = () => setVoices([...new Set(synth.getVoices().map((voice) => voice.name))]);
    load();
    synth.addEventListener('voiceschanged', load);
    return () => synth.removeEventListener('voiceschanged', load);
  }, []);
  useEffect(() => {
    if (settings && !draft) setDraft(settings.alerts);
  }, [settings, draft]);
  const reloadSounds = useCallback(async () => {
    const list = await run('Loading sounds', () => bridge.call('alerts.sounds.list', {}));
    if (list) setSounds(list);
  }, [bridge, run]);
  useEffect(() => {
    if (status === 'open') void reloadSounds();
  }, [reloadSounds, status]);
  if (!draft || !settings) return null;

  const checked = AlertSettingsSchema.safeParse(draft);
  const dirty = JSON.stringify(draft) !== JSON.stringify(settings.alerts);
  const patch = (kind: AlertKind, change: Partial<AlertSettings[AlertKind]>) =>
    setDraft({ ...draft, [kind]: { ...draft[kind], ...change } });
  const patchSpeech = (kind: AlertKind, change: Partial<AlertSettings[AlertKind]['tts']>) =>
    patch(kind, { tts: { ...draft[kind].tts, ...change } });

  const save = async () => {
    if (!checked.success) return;
    const result = await run('Saving the alerts', () =>
      bridge.call('settings.set', { key: 'alerts', value: checked.data }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    store.setState({ settings: result.value });
    setDraft(result.value.alerts);
    notify(store, 'Alerts saved.');
  };
  const test = async (kind: AlertKind) => {
    const result = await run('Sending a test alert', () => bridge.call('alerts.test', { kind }));
    if (result && !result.ok) notify(store, `No test alert: ${result.error}`, 'error');
    else if (result) notify(store, `Test ${KIND_LABELS[kind].toLowerCase()} alert sent to the overlay.`);
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_SOUND_BYTES) return notify(store, 'A sound is at most 2 MiB.', 'error');
    const data = await fileBase64(file);
    const result = await run('Uploading the sound', () =>
      bridge.call('alerts.sounds.upload', { name: soundName(file.name), data }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not stored: ${result.error}`, 'error');
    notify(store, `Sound ${result.value.name} stored.`);
    await reloadSounds();
  };

  return (
    <section className="panel" aria-label="Alerts">
      <h3>Alerts</h3>
      <p className="muted small">
        Follows, subs, gifts, raids, cheers and redemptions play on the overlay one at a time (the thank-supporters
        rule&apos;s overlay-alerts step). Template: {'{user}'}, {'{headline}'}, {'{message}'}.
      </p>
      <table className="alerts-table">
        <thead>
          <tr>
            <th>Kind</th>
            <th>On</th>
            <th>Template</th>
            <th>Sound</th>
            <th>Seconds</th>
            <th>Volume</th>
            <th>Read message aloud</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {ALERT_KINDS.map((kind) => (
            <tr key={kind} data-testid={`alert-${kind}`}>
              <td>{KIND_LABELS[kind]}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${KIND_LABELS[kind]} alerts on`}
                  checked={draft[kind].enabled}
                  onChange={(event) => patch(kind, { enabled: event.target.checked })}
                />
              </td>
              <td>
                <input
                  aria-label={`${KIND_LABELS[kind]} template`}
                  value={draft[kind].template}
                  onChange={(event) => patch(kind, { template: event.target.value })}
                />
              </td>
              <td>
                <select
                  aria-label={`${KIND_LABELS[kind]} sound`}
                  value={draft[kind].sound}
                  onChange={(event) => patch(kind, { sound: event.target.value as AlertSettings[AlertKind]['sound'] })}
                >
                  <option value="">none</option>
                  {sounds.map((sound) => (
                    <option key={sound.name} value={sound.name}>
                      {sound.name}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type="number"
                  min={1}
                  max={60}
                  aria-label={`${KIND_LABELS[kind]} seconds`}
                  value={draft[kind].durationSeconds}
                  onChange={(event) => patch(kind, { durationSeconds: Number(event.target.value) })}
                />
              </td>
              <td>
                <input
                  type="range"
                  min={0}
                  max={1}
                  step={0.05}
                  aria-label={`${KIND_LABELS[kind]} volume`}
                  value={draft[kind].volume}
                  onChange={(event) => patch(kind, { volume: Number(event.target.value) })}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${KIND_LABELS[kind]} reads the message aloud`}
                  checked={draft[kind].tts.enabled}
                  onChange={(event) => patchSpeech(kind, { enabled: event.target.checked })}
                />
                {draft[kind].tts.enabled && (
                  <>
                    <input
                      aria-label={`${KIND_LABELS[kind]} voice`}
                      list="alert-voices"
                      placeholder="system default"
                      value={draft[kind].tts.voice}
                      onChange={(event) => patchSpeech(kind, { voice: event.target.value })}
                    />
                    <input
                      type="range"
                      min={0.5}
                      max={2}
                      step={0.1}
                      aria-label={`${KIND_LABELS[kind]} speech rate`}
                      value={draft[kind].tts.rate}
                      onChange={(event) => patchSpeech(kind, { rate: Number(event.target.value) })}
                    />
                    <input
                      type="range"
                      min={0}
                      max={1}
                      step={0.05}
                      aria-label={`${KIND_LABELS[kind]} speech volume`}
                      value={draft[kind].tts.volume}
                      onChange={(event) => patchSpeech(kind, { volume: Number(event.target.value) })}
                    />
                  </>
                )}
              </td>
              <td>
                <button type="button" onClick={() => void test(kind)}>
                  Test {KIND_LABELS[kind].toLowerCase()}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <datalist id="alert-voices">
        {voices.map((voice) => (
          <option key={voice} value={voice} />
        ))}
      </datalist>
      <p className="muted small">
        Read aloud: only the viewer&apos;s own message (a cheer&apos;s or a redemption&apos;s text), links said as
        &quot;link&quot;, at most {MAX_SPOKEN_CHARACTERS} characters, never words the analyzer rates strong or severe.
        OBS speaks it with the system&apos;s voices, offline (Windows and macOS; not in OBS on Linux, which has no
        speech engine).
      </p>
      {!checked.success && (
        <p className="error" role="alert">
          {checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}
        </p>
      )}
      <div className="actions">
        <button type="button" disabled={!dirty || !checked.success} onClick={() => void save()}>
          Save alerts
        </button>{' '}
        <label>
          Upload a sound (mp3, ogg or wav, at most 2 MiB){' '}
          <input
            type="file"
            accept=".mp3,.ogg,.wav,audio/mpeg,audio/ogg,audio/wav"
            onChange={(event) => void upload(event.target.files?.[0])}
          />
        </label>
      </div>
    </section>
  );
}
