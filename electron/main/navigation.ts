/**
 * Navigation and new-window policy of the desktop window: the window only ever shows app://bitbrat/;
 * links to a few vetted https sites open in the streamer's browser; everything else is dropped.
 * https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 * https://www.electronjs.org/docs/latest/tutorial/security#14-disable-or-limit-creation-of-new-windows
 * https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content
 */
import type { HandlerDetails, WindowOpenHandlerResponse } from 'electron';
import { isAppUrl } from './app-protocol.js';
import type { HostLog } from './host-like.js';

/**
 * The exact pages the app links to, nothing else: a whole site (github.com, twitch.tv) would let a
 * link in chat or in an LLM reply open any page of it — a look-alike login, another app's OAuth
 * consent, a device code someone else started. A listed page opens without its query or fragment,
 * so a link cannot carry a pre-filled code either: the streamer types the code BitBrat shows.
 * (The app has no docs or release page of its own online yet; list them here when it does.)
 */
export const EXTERNAL_PAGES: readonly string[] = [
  'https://www.twitch.tv/activate', // the Device Code Flow's sign-in page (ConnectionsView)
  'https://dev.twitch.tv/console/apps', // where the Twitch client id comes from (the login's error text)
  'https://dev.twitch.tv/console/apps/create', // "register an application" (ConnectionsView)
];

/**
 * The listed page a URL points at, as the URL to open (query and fragment dropped), or null.
 * https only, no credentials, no port, origin and path exactly as listed (a trailing slash or a
 * subdomain is a different page).
 */
export function externalPageFor(url: string, pages: readonly string[] = EXTERNAL_PAGES): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return null;
  const page = `${parsed.origin}${parsed.pathname}`;
  return pages.includes(page) ? page : null;
}

export type OpenExternal = (url: string) => Promise<void>;

export interface NavigationPolicyDeps {
  openExternal: OpenExternal;
  log: HostLog;
  pages?: readonly string[];
}

function openIfAllowed(deps: NavigationPolicyDeps, url: string, why: string): void {
  const page = externalPageFor(url, deps.pages);
  if (page) {
    deps.openExternal(page).catch((error: unknown) => {
      deps.log('warn', 'could not open external link', { url: page, error: (error as Error).message });
    });
  } else {
    deps.log('warn', `${why} blocked`, { url: url.slice(0, 200) });
  }
}

/** For webContents.setWindowOpenHandler: never a new Electron window; vetted links go to the browser. */
export function createWindowOpenHandler(
  deps: NavigationPolicyDeps,
): (details: Pick<HandlerDetails, 'url'>) => WindowOpenHandlerResponse {
  return (details) => {
    openIfAllowed(deps, details.url, 'window.open');
    return { action: 'deny' };
  };
}

export interface NavigationEvent {
  url: string;
  preventDefault(): void;
}

/** For will-navigate / will-redirect: the main frame stays on our origin; vetted pages open in the browser. */
export function createNavigationGuard(deps: NavigationPolicyDeps): (event: NavigationEvent) => void {
  return (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    openIfAllowed(deps, event.url, 'navigation');
  };
}

export interface FrameNavigationEvent extends NavigationEvent {
  isMainFrame: boolean;
}

/**
 * For will-frame-navigate (fires for every frame, the main one included): a sub-frame never
 * navigates — the console has none, and `frame-src 'none'` in the CSP refuses them too; both stay,
 * so neither alone is the only wall. It never opens the browser: a frame's navigation is not a
 * click by the streamer. The main frame is left to the will-navigate guard (it would open twice).
 */
export function createFrameNavigationGuard(deps: NavigationPolicyDeps): (event: FrameNavigationEvent) => void {
  return (event) => {
    if (event.isMainFrame) return;
    event.preventDefault();
    deps.log('warn', 'sub-frame navigation blocked', { url: event.url.slice(0, 200) });
  };
}

/** The narrow part of WebContents the policy installs itself on. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: FrameNavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
}

export function installNavigationPolicy(contents: GuardedContents, deps: NavigationPolicyDeps): void {
  const guard = createNavigationGuard(deps);
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-frame-navigate', createFrameNavigationGuard(deps));
  // webviewTag is off in the window options; refuse attachment too in case a page finds a way.
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(createWindowOpenHandler(deps));
}
