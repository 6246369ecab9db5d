/**
 * The OBS overlay's URL: the gateway's `/overlay` page with a read-only client token and theme query
 * parameters. The checks mirror the ones the page itself applies (pipeline/node/gateway/overlay/
 * overlay-page.ts), so the console refuses a value the overlay would silently ignore.
 */

export const OVERLAY_POSITIONS = [
  'bottom-left',
  'bottom-right',
  'top-left',
  'top-right',
  'top',
  'bottom',
  'center',
] as const;
export type OverlayPosition = (typeof OVERLAY_POSITIONS)[number];

export interface OverlayTheme {
  position: OverlayPosition;
  font: string;
  size: string;
  color: string;
  bg: string;
  accent: string;
  /** Seconds an item stays on screen (1–3600). */
  duration: string;
  /** Items on screen at once (1–20). */
  max: string;
  replies: boolean;
  alerts: boolean;
}

/** The overlay's own defaults: a value equal to these is left out of the URL. */
export const DEFAULT_OVERLAY_THEME: OverlayTheme = {
  position: 'bottom-left',
  font: '',
  size: '28px',
  color: '#ffffff',
  bg: 'rgba(20, 20, 28, 0.82)',
  accent: '#9146ff',
  duration: '10',
  max: '5',
  replies: true,
  alerts: true,
};

const COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([0-9.,\s%]+\))$/;
const FONT = /^[\w\s"',-]{1,100}$/;
const SIZE = /^\d{1,3}(px|em|rem|pt)$/;

export type OverlayThemeErrors = Partial<Record<keyof OverlayTheme, string>>;

export function overlayThemeErrors(theme: OverlayTheme): OverlayThemeErrors {
  const errors: OverlayThemeErrors = {};
  if (theme.font !== '' && !FONT.test(theme.font)) errors.font = 'letters, digits, spaces, quotes, commas, dashes';
  if (!SIZE.test(theme.size)) errors.size = 'a whole number with px, em, rem or pt (e.g. 28px)';
  for (const key of ['color', 'bg', 'accent'] as const) {
    if (!COLOR.test(theme[key])) errors[key] = 'a colour: #rrggbb, a name, or rgba(…)';
  }
  const duration = Number(theme.duration);
  if (!/^\d+(\.\d+)?$/.test(theme.duration) || duration <= 0 || duration > 3600) {
    errors.duration = 'seconds, more than 0 and at most 3600';
  }
  const max = Number(theme.max);
  if (!/^\d+$/.test(theme.max) || max < 1 || max > 20) errors.max = 'a whole number from 1 to 20';
  if (!theme.replies && !theme.alerts) errors.replies = 'show replies, alerts, or both';
  return errors;
}

/** The gateway's base URL as this console can reach it. */
export function gatewayBase(location: { protocol: string; origin: string }, gatewayPort: number): string {
  // The browser console is served by the gateway itself; the desktop window (app://) is not.
  if (location.protocol === 'http:' || location.protocol === 'https:') return location.origin;
  return `http://127.0.0.1:${gatewayPort}`;
}

/** The URL to paste into an OBS browser source. Only values that differ from the defaults are added. */
export function buildOverlayUrl(base: string, token: string, theme: OverlayTheme): string {
  const url = new URL('/overlay', base);
  url.searchParams.set('token', token);
  const defaults = DEFAULT_OVERLAY_THEME;
  for (const key of ['position', 'font', 'size', 'color', 'bg', 'accent', 'duration', 'max'] as const) {
    const value = theme[key].trim();
    if (value !== '' && value !== defaults[key]) url.searchParams.set(key, value);
  }
  if (!(theme.replies && theme.alerts)) {
    url.searchParams.set('show', [theme.replies && 'replies', theme.alerts && 'alerts'].filter(Boolean).join(','));
  }
  return url.toString();
}
