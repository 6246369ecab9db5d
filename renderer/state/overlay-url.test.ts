import { describe, expect, it } from 'vitest';
import { buildOverlayUrl, DEFAULT_OVERLAY_THEME, gatewayBase, overlayThemeErrors } from './overlay-url.js';

describe('the OBS overlay URL', () => {
  it('carries only the token when the theme is the default', () => {
    expect(buildOverlayUrl('http://127.0.0.1:7420', 'bbc_abc', DEFAULT_OVERLAY_THEME)).toBe(
      'http://127.0.0.1:7420/overlay?token=bbc_abc',
    );
  });

  it('adds the changed theme values, encoded, and which items to show', () => {
    const url = new URL(
      buildOverlayUrl('http://127.0.0.1:7420', 'bbc_abc', {
        ...DEFAULT_OVERLAY_THEME,
        position: 'top-right',
        font: 'Comic Sans MS',
        accent: '#ff0000',
        duration: '30',
        alerts: false,
      }),
    );
    expect(url.pathname).toBe('/overlay');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      token: 'bbc_abc',
      position: 'top-right',
      font: 'Comic Sans MS',
      accent: '#ff0000',
      duration: '30',
      show: 'replies',
    });
  });

  it('refuses values the overlay page would ignore', () => {
    expect(overlayThemeErrors(DEFAULT_OVERLAY_THEME)).toEqual({});
    const errors = overlayThemeErrors({
      ...DEFAULT_OVERLAY_THEME,
      color: 'red;background:url(x)',
      size: '28',
      duration: '0',
      max: '21',
      font: 'x</style>',
      replies: false,
      alerts: false,
    });
    expect(Object.keys(errors).sort()).toEqual(['color', 'duration', 'font', 'max', 'replies', 'size']);
  });

  it('uses the page origin in a browser console and the gateway port in the desktop window', () => {
    expect(gatewayBase({ protocol: 'http:', origin: 'http://192.168.1.5:7420' }, 7420)).toBe('http://192.168.1.5:7420');
    expect(gatewayBase({ protocol: 'app:', origin: 'app://bitbrat' }, 7421)).toBe('http://127.0.0.1:7421');
  });
});
