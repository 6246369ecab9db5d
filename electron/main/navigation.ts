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

/** Hosts the console may link to (exact match: a subdomain is a different site). */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'twitch.tv',
  'www.twitch.tv', // www.twitch.tv/activate: the Device Code Flow's sign-in page
  'dev.twitch.tv',
  'dashboard.twitch.tv',
  'help.twitch.tv',
  'github.com',
  'platform.openai.com',
  'openrouter.ai',
  'ollama.com',
  'lmstudio.ai',
];

/** https only, a vetted host, no credentials, no custom port. */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return false;
  return hosts.includes(parsed.hostname.toLowerCase());
}

export type OpenExternal = (url: string) => Promise<void>;

export interface NavigationPolicyDeps {
  openExternal: OpenExternal;
  log: HostLog;
  allowedHosts?: readonly string[];
}

function openIfAllowed(deps: NavigationPolicyDeps, url: string, why: string): void {
  if (isAllowedExternalUrl(url, deps.allowedHosts)) {
    deps.openExternal(url).catch((error: unknown) => {
      deps.log('warn', 'could not open external link', { url, error: (error as Error).message });
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

/** For will-navigate / will-redirect / will-frame-navigate: stay on our origin, nothing else. */
export function createNavigationGuard(deps: NavigationPolicyDeps): (event: NavigationEvent) => void {
  return (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    openIfAllowed(deps, event.url, 'navigation');
  };
}

/** The narrow part of WebContents the policy installs itself on. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
}

export function installNavigationPolicy(contents: GuardedContents, deps: NavigationPolicyDeps): void {
  const guard = createNavigationGuard(deps);
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  // webviewTag is off in the window options; refuse attachment too in case a page finds a way.
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(createWindowOpenHandler(deps));
}
