import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { HandlerDetails, WindowOpenHandlerResponse } from 'electron';
import {
  createFrameNavigationGuard,
  createNavigationGuard,
  createWindowOpenHandler,
  EXTERNAL_PAGES,
  externalPageFor,
  installNavigationPolicy,
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
    ['https://www.twitch.tv/activate', 'https://www.twitch.tv/activate'],
    // Twitch's verification_uri carries the code: the page opens without it (no pre-filled code from a link).
    ['https://www.twitch.tv/activate?public=true&device-code=ABCDEFGH', 'https://www.twitch.tv/activate'],
    ['https://WWW.Twitch.TV/activate#x', 'https://www.twitch.tv/activate'],
    ['https://dev.twitch.tv/console/apps', 'https://dev.twitch.tv/console/apps'],
    ['https://dev.twitch.tv/console/apps/create', 'https://dev.twitch.tv/console/apps/create'],
    // Whole sites are not allowed: only the listed pages.
    ['https://github.com/bitbrat', null],
    ['https://github.com/', null],
    ['https://www.twitch.tv/someone-else', null],
    ['https://twitch.tv/activate', null],
    ['https://www.twitch.tv/activate/', null],
    ['https://dev.twitch.tv/console/apps/1234/edit', null],
    ['https://id.twitch.tv/oauth2/authorize?client_id=x', null],
    ['https://platform.openai.com/api-keys', null],
    ['http://www.twitch.tv/activate', null],
    ['https://evil.twitch.tv.example.com/activate', null],
    ['https://www.twitch.tv@evil.example/activate', null],
    ['https://user:pw@www.twitch.tv/activate', null],
    ['https://www.twitch.tv:8443/activate', null],
    ['file:///etc/passwd', null],
    ['javascript:alert(1)', null],
    ['smb://share/x', null],
    ['not a url', null],
  ])('%s opens %s', (url, page) => {
    expect(externalPageFor(url)).toBe(page);
  });

  it('lists only https pages of Twitch, each exactly', () => {
    for (const page of EXTERNAL_PAGES) expect(externalPageFor(page)).toBe(page);
    expect(EXTERNAL_PAGES.every((page) => /^https:\/\/(www|dev)\.twitch\.tv\/[a-z/]+$/.test(page))).toBe(true);
  });
});

describe('window.open', () => {
  it('never opens an Electron window, and opens vetted links in the browser', () => {
    const { deps, opened } = policy();
    const handle = createWindowOpenHandler(deps);
    expect(handle({ url: 'https://www.twitch.tv/activate?device-code=X' })).toEqual({ action: 'deny' });
    expect(handle({ url: 'https://phish.example/login' })).toEqual({ action: 'deny' });
    expect(handle({ url: 'https://github.com/login' })).toEqual({ action: 'deny' });
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
    const vetted = navigation('https://dev.twitch.tv/console/apps');
    guard(vetted.event);
    expect(vetted.prevented()).toBe(true);
    expect(opened).toEqual(['https://dev.twitch.tv/console/apps']);
    expect(logged).toEqual(['navigation blocked']);
  });

  it('never lets a sub-frame navigate, not even to a vetted page or the app origin', () => {
    const { deps, opened, logged } = policy();
    const guard = createFrameNavigationGuard(deps);
    for (const url of ['https://evil.example/', 'https://www.twitch.tv/activate', 'app://bitbrat/index.html']) {
      const attempt = navigation(url);
      guard({ ...attempt.event, isMainFrame: false });
      expect(attempt.prevented()).toBe(true);
    }
    expect(opened).toEqual([]);
    expect(logged).toEqual(Array(3).fill('sub-frame navigation blocked'));
  });

  it('leaves the main frame to the navigation guard, so a vetted link opens once', () => {
    const { deps, logged } = policy();
    const attempt = navigation('https://evil.example/');
    createFrameNavigationGuard(deps)({ ...attempt.event, isMainFrame: true });
    expect(attempt.prevented()).toBe(false);
    expect(logged).toEqual([]);
  });

  it('installs guards for navigation, redirects, frames, webviews and window.open', () => {
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
    const frame = navigation('https://evil.example/');
    emitter.emit('will-frame-navigate', { ...frame.event, isMainFrame: false });
    expect(frame.prevented()).toBe(true);
    const webview = navigation('');
    emitter.emit('will-attach-webview', webview.event);
    expect(webview.prevented()).toBe(true);
    expect(openHandler!({ url: 'https://evil.example/' } as HandlerDetails)).toEqual({ action: 'deny' });
  });
});
