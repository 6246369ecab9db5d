/**
 * A short chime as a WAV file (16-bit mono PCM), made here rather than shipped: the demo's alerts
 * play it, so a newcomer hears what an alert with sound is before uploading one of their own.
 */
import type { AlertApi } from '../../core/alerts.js';
import type { HostApi } from '../../core/host-api.js';

export const DEMO_SOUND = 'bitbrat-chime.wav';

/** Two rising notes with a soft decay; `seconds` long in all. */
export function chimeWav(seconds = 0.6, rate = 22_050): Buffer {
  const samples = Math.round(rate * seconds);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) {
    const t = i / rate;
    const frequency = t < seconds / 2 ? 660 : 880;
    const envelope = Math.exp(-4 * ((t % (seconds / 2)) / (seconds / 2)));
    data.writeInt16LE(Math.round(9000 * envelope * Math.sin(2 * Math.PI * frequency * t)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** The demo's alerts get the chime, unless the streamer already chose sounds. */
export async function seedDemoAlertSound(
  api: Pick<AlertApi, 'alerts.sounds.upload'> & Pick<HostApi, 'settings.get' | 'settings.set'>,
): Promise<void> {
  const { alerts } = await api['settings.get']({});
  if (Object.values(alerts).some((kind) => kind.sound !== '')) return;
  const stored = await api['alerts.sounds.upload']({ name: DEMO_SOUND, data: chimeWav().toString('base64') });
  if (!stored.ok) return;
  const withSound = Object.fromEntries(
    Object.entries(alerts).map(([kind, settings]) => [kind, { ...settings, sound: DEMO_SOUND }]),
  );
  await api['settings.set']({ key: 'alerts', value: withSound });
}
