/**
 * Optional alerts for new held replies: a short tone and a desktop notification. A per-console
 * choice (localStorage), off by default: a moderator on a second monitor opts in. Browsers only
 * show notifications after the user grants permission, and only play audio after a user gesture,
 * so enabling either happens from a click in Settings.
 */
import type { Approval } from '../../pipeline/core/approval.js';

export const ALERTS_KEY = 'bitbrat.alerts';

export interface AlertPrefs {
  sound: boolean;
  desktop: boolean;
}

export const NO_ALERTS: AlertPrefs = { sound: false, desktop: false };

interface PrefStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Reads the stored choice; anything unreadable means "no alerts". */
export function readAlertPrefs(storage: PrefStorage): AlertPrefs {
  try {
    const value = JSON.parse(storage.getItem(ALERTS_KEY) ?? 'null') as Partial<AlertPrefs> | null;
    return { sound: value?.sound === true, desktop: value?.desktop === true };
  } catch {
    return NO_ALERTS;
  }
}

export function writeAlertPrefs(storage: PrefStorage, prefs: AlertPrefs): void {
  storage.setItem(ALERTS_KEY, JSON.stringify(prefs));
}

let audio: AudioContext | null = null;

function beep(): void {
  audio ??= new AudioContext();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.08, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.25);
}

/** Called by the store for each newly held reply; reads the choice each time so Settings applies at once. */
export function alertNewHeld(approval: Approval): void {
  const prefs = readAlertPrefs(localStorage);
  if (prefs.sound) {
    try {
      beep();
    } catch {
      // No audio device, or the page never had a user gesture: the badge still counts it.
    }
  }
  if (prefs.desktop && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    const notification = new Notification('BitBrat: reply held for approval', {
      body: approval.originalText.slice(0, 140),
      tag: approval.id,
    });
    notification.onclick = () => window.focus();
  }
}
