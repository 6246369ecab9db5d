/**
 * The overlay page (the local-file form, real page code in headless Chromium) against a local
 * WebSocket server that speaks the client protocol and chooses the order of frames: an event that
 * has both a reply and an alert (a cheer thanked in chat) shows both, whichever arrives first. The
 * page once kept one "already shown" set for both, so a reply that beat its alert hid the alert —
 * under load in CI that made a cheer's alert (and its speech) disappear.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLIENT_WS_PROTOCOL } from '../../../core/protocol/websocket.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../cli/chromium.js';
import { overlayFileHtml } from './overlay-page.js';
import { waitUntil } from '../../../../test/support/wait.js';

let server: WebSocketServer;
let browser: Browser;
let dir: string;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dir = mkdtempSync(join(tmpdir(), 'bitbrat-overlay-order-'));
  server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (offered) => (offered.has(CLIENT_WS_PROTOCOL) ? CLIENT_WS_PROTOCOL : false),
  });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (ws) => {
    sockets.push(ws);
    ws.send(JSON.stringify({ type: 'welcome', id: null, payload: {} }));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; id: string };
      if (frame.type === 'subscribe') ws.send(JSON.stringify({ type: 'ack', id: frame.id, payload: {} }));
    });
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

it('shows a cheer’s alert when its thank-you reply arrived first', async () => {
  const gateway = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = join(dir, 'overlay.html');
  writeFileSync(file, overlayFileHtml({ gateway, query: 'token=read-only-token' }));
  const page = await browser.newPage();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-state="connected"]', { state: 'attached' });
  const at = Date.now();
  const eventId = '00000000-0000-4000-8000-00000000c4ee';
  const socket = sockets.at(-1)!;
  socket.send(
    JSON.stringify({
      type: 'reply',
      id: null,
      payload: { eventId, at, text: 'Thanks for the 150 bits, Fan!', to: { login: 'fan', displayName: 'Fan' } },
    }),
  );
  socket.send(
    JSON.stringify({
      type: 'alert',
      id: null,
      payload: {
        eventId,
        at,
        kind: 'cheer',
        login: 'fan',
        displayName: 'Fan',
        text: 'great stream',
        headline: 'cheered 150 bits',
        title: 'Fan cheered 150 bits!',
        sound: null,
        durationMs: 1000,
        volume: 1,
        speech: null,
      },
    }),
  );
  const both = `document.querySelector('.item.reply[data-event-id="${eventId}"]') !== null && document.querySelector('.item.alert[data-event-id="${eventId}"]') !== null`;
  await waitUntil('the reply and the alert are both on the page', async () => (await page.evaluate(both)) as boolean);
  expect(await page.textContent(`.item.alert[data-event-id="${eventId}"] .text`)).toBe('Fan cheered 150 bits!');
  await page.close();
});
