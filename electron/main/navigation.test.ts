import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { HandlerDetails, WindowOpenHandlerResponse } from 'electron';
import {
  createNavigationGuard,
  createWindowOpenHandler,
  installNavigationPolicy,
  isAllowedExternalUrl,
  type GuardedContents,
  type NavigationPolicyDeps,
} from './navigation.js';

function policy() {
  const opened: string[] = [];
  const logged: string[] = [];
  const deps: NavigationPolicyDeps = {
    openExternal: async (url) => {
      opened.push(url);
    },
    log: (_level, message) => logged.push(message),
  };
  return { deps, opened, logged };
}

function navigation(url: string) {
  let prevented = false;
  return {
    event: {
      url,
      preventDefault: () => {
        prevented = true;
      },
    },
    prevented: () => prevented,
  };
}

describe('external links', () => {
  it.each([
    ['https://www.twitch.tv/activate', true],
    ['https://dev.twitch.tv/console/apps', true],
    ['https://github.com/bitbrat', true],
    ['http://www.twitch.tv/activate', false],
    ['https://evil.twitch.tv.example.com/', false],
    ['https://www.twitch.tv@evil.example/', false],
    ['https://user:pw@github.com/', false],
    ['https://github.com:8443/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://share/x', false],
    ['not a url', false],
  ])('%s allowed: %s', (url, allowed) => {
    expect(isAllowedExternalUrl(url)).toBe(allowed);
  });
});

describe('window.open', () => {
  it('never opens an Electron window, and opens vetted links in the browser', () => {
    const { deps, opened } = policy();
    const handle = createWindowOpenHandler(deps);
    expect(handle({ url: 'https://www.twitch.tv/activate' })).toEqual({ action: 'deny' });
    expect(handle({ url: 'https://phish.example/login' })).toEqual({ action: 'deny' });
    expect(handle({ url: 'app://bitbrat/index.html' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://www.twitch.tv/activate']);
  });
});

describe('navigation', () => {
  it('keeps the window on the app origin', () => {
    const { deps, opened, logged } = policy();
    const guard = createNavigationGuard(deps);
    const inside = navigation('app://bitbrat/index.html');
    guard(inside.event);
    expect(inside.prevented()).toBe(false);
    const foreign = navigation('https://evil.example/');
    guard(foreign.event);
    expect(foreign.prevented()).toBe(true);
    const vetted = navigation('https://github.com/');
    guard(vetted.event);
    expect(vetted.prevented()).toBe(true);
    expect(opened).toEqual(['https://github.com/']);
    expect(logged).toEqual(['navigation blocked']);
  });

  it('installs guards for navigation, redirects, webviews and window.open', () => {
    const { deps } = policy();
    const emitter = new EventEmitter();
    let openHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null;
    const contents = {
      on: (event: string, listener: (...args: unknown[]) => void) => emitter.on(event, listener),
      setWindowOpenHandler: (handler: (details: HandlerDetails) => WindowOpenHandlerResponse) => {
        openHandler = handler;
      },
    } as unknown as GuardedContents;
    installNavigationPolicy(contents, deps);
    for (const event of ['will-navigate', 'will-redirect']) {
      const attempt = navigation('https://evil.example/');
      emitter.emit(event, attempt.event);
      expect(attempt.prevented()).toBe(true);
    }
    const webview = navigation('');
    emitter.emit('will-attach-webview', webview.event);
    expect(webview.prevented()).toBe(true);
    expect(openHandler!({ url: 'https://evil.example/' } as HandlerDetails)).toEqual({ action: 'deny' });
  });
});
