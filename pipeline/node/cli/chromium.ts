/**
 * Headless Chromium as these machines run it: Debian's package (Playwright cannot download browsers
 * here), with the flags that keep it from reaching for the network at start. Used by
 * `bitbrat bench --ui` and by the browser tests.
 */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
