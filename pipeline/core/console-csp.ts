/**
 * The Content-Security-Policy of the moderator console, one policy wherever the page is served:
 * the desktop window's app:// responses, the gateway's responses to browser consoles, and the
 * <meta> tag the build writes into index.html (which still holds if a header is lost, e.g. the page
 * opened from disk). Everything comes from the page's own origin; emote images may come from
 * Twitch's CDN. No inline script or style, no eval, no remote code. The only frame is the Overlay
 * view's preview of the gateway's own overlay page (same origin in a browser console); the desktop
 * window refuses frames altogether (DESKTOP_CSP), and shows no preview.
 * React's `style` prop and uPlot write styles through the CSSOM, which style-src does not govern;
 * only <style> elements and style="" attributes in HTML are refused.
 */
export const CONSOLE_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'https://static-cdn.jtvnw.net'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'manifest-src': ["'self'"],
  'media-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/** Directives a <meta> policy may not carry: browsers ignore them there and log an error saying so. */
const HEADER_ONLY_DIRECTIVES: ReadonlySet<string> = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

export function buildContentSecurityPolicy(
  directives: Readonly<Record<string, readonly string[]>> = CONSOLE_CSP_DIRECTIVES,
): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** For a Content-Security-Policy response header. */
export const CONSOLE_CSP = buildContentSecurityPolicy();

/** The desktop window's header: the same policy with no frames at all (app:// cannot frame the gateway anyway). */
export const DESKTOP_CSP = buildContentSecurityPolicy({ ...CONSOLE_CSP_DIRECTIVES, 'frame-src': ["'none'"] });

/** The same policy for `<meta http-equiv="Content-Security-Policy">`, minus what only a header can say. */
export const CONSOLE_META_CSP = buildContentSecurityPolicy(
  Object.fromEntries(Object.entries(CONSOLE_CSP_DIRECTIVES).filter(([name]) => !HEADER_ONLY_DIRECTIVES.has(name))),
);
