/**
 * An acknowledgement is a promise: the built `bitbrat serve` in a child process, a real `ws`
 * client and signed webhooks over HTTP, the database's write lock held by a second SQLite
 * connection (as a DB browser mid-edit would), SIGKILL, and a restart on the same folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerFrame } from '../../core/client-protocol.js';
import { CLIENT_WS_PATH, CLIENT_WS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../core/protocol/websocket.js';
import { serve } from '../cli/serve.js';
import { RETRY_AFTER_SECONDS } from '../gateway/webhooks/inbound.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from '../gateway/webhooks/signature.js';
import { PipelineHost } from '../host/pipeline-host.js';
import { waitUntil } from '../../../test/support/wait.js';

const bin = fileURLToPath(new URL('../../../bin/bitbrat.js', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const quiet = { log: () => undefined };

async function startServeChild(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [bin, 'serve', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/[^\s]*#token=/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return { child, port };
}

type Outcome = { kind: 'acked'; eventId: string } | { kind: 'refused'; code: string };

describe('ingress acknowledges only committed events', () => {
  it('while another connection holds the write lock: acked events survive SIGKILL, the others were told to retry', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bitbrat-acks-'));
    dirs.push(dataDir);

    // A client token and an inbound webhook, made through the real admin handlers.
    const setup = await serve({ dataDir, port: 0, lan: false, demo: null, ...quiet });
    const token = await setup.extensions.clients.create({ name: 'deck', scopes: ['send'] });
    const hook = await setup.extensions.webhooks.create({
      direction: 'in',
      name: 'kofi',
      template: { type: 'webhook.kofi.v1', text: 'data.message', displayName: 'data.from_name' },
    });
    await setup.stop();
    if (!token.ok || !hook.ok) throw new Error('setup failed');
    const secret = hook.value.secret;

    const { child, port } = await startServeChild(dataDir);
    const ws = new WebSocket(`ws://127.0.0.1:${port}${CLIENT_WS_PATH}`, [
      CLIENT_WS_PROTOCOL,
      `${TOKEN_PROTOCOL_PREFIX}${token.value.token}`,
    ]);
    const answers = new Map<string, Outcome>();
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (typeof frame.id !== 'string') return;
      if (frame.type === 'ack')
        answers.set(frame.id, { kind: 'acked', eventId: (frame.payload as { eventId: string }).eventId });
      else if (frame.type === 'error') answers.set(frame.id, { kind: 'refused', code: frame.payload.code });
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const sendFrame = (id: string) =>
      ws.send(JSON.stringify({ type: 'client.chat.v1', id, payload: { text: `frame ${id}` } }));
    const retryAfter = new Map<string, string | null>();
    const postHook = async (id: string): Promise<void> => {
      const body = JSON.stringify({ data: { message: `hook ${id}`, from_name: 'Alice' } });
      const at = Date.now();
      const response = await fetch(`http://127.0.0.1:${port}/hooks/kofi`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [TIMESTAMP_HEADER]: String(at),
          [SIGNATURE_HEADER]: signBody(secret, at, body),
        },
        body,
      });
      const json = (await response.json()) as { eventId?: string; error?: { code: string } };
      retryAfter.set(id, response.headers.get('retry-after'));
      answers.set(
        id,
        response.status === 202
          ? { kind: 'acked', eventId: json.eventId! }
          : { kind: 'refused', code: `${response.status} ${json.error?.code}` },
      );
    };
    const waitForAnswers = (ids: string[]) =>
      waitUntil(
        () => `answers for ${ids.filter((id) => !answers.has(id)).join(', ')}`,
        () => ids.every((id) => answers.has(id)),
        30_000,
      );

    // Before the stall: acked as usual.
    const before = ['a1', 'a2'];
    sendFrame('a1');
    await postHook('a2');
    await waitForAnswers(before);

    // The store stalls: a second connection holds the write lock for the whole batch.
    const locker = new Database(join(dataDir, 'bitbrat.db'));
    locker.exec('BEGIN IMMEDIATE');
    const stalled = [
      ...Array.from({ length: 10 }, (_, index) => `s-frame-${index}`),
      ...Array.from({ length: 5 }, (_, index) => `s-hook-${index}`),
    ];
    for (const id of stalled.filter((id) => id.startsWith('s-frame'))) sendFrame(id);
    await Promise.all(stalled.filter((id) => id.startsWith('s-hook')).map((id) => postHook(id)));
    await waitForAnswers(stalled);

    // Sent while locked, the lock released soon after: these wait (bounded) and are acked once committed.
    const late = ['l-frame-0', 'l-frame-1', 'l-hook-0'];
    sendFrame('l-frame-0');
    sendFrame('l-frame-1');
    const lateHook = postHook('l-hook-0');
    // The wait is the point here: the lock is released while these callers are still inside their
    // 3 s ack deadline, so they must end acked (and stored), not refused.
    await new Promise((resolve) => setTimeout(resolve, 300));
    locker.exec('ROLLBACK');
    await lateHook;
    await waitForAnswers(late);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    locker.close();
    ws.terminate();

    const host = await PipelineHost.start({ dataDir, ...quiet });
    try {
      const stored = (id: string) => host.api['events.get']({ id });
      for (const id of [...before, ...stalled, ...late]) {
        const outcome = answers.get(id)!;
        if (outcome.kind === 'acked') {
          expect([id, (await stored(outcome.eventId))?.event.id]).toEqual([id, outcome.eventId]);
        } else {
          expect([id, outcome.code]).toEqual([id, id.includes('hook') ? '503 UNAVAILABLE' : 'UNAVAILABLE']);
          if (id.includes('hook')) expect(retryAfter.get(id)).toBe(String(RETRY_AFTER_SECONDS));
        }
      }
      // The lock never lifted for the stalled batch: every one of them was refused, and nothing else.
      expect(stalled.map((id) => answers.get(id)!.kind)).toEqual(stalled.map(() => 'refused'));
      expect([...before, ...late].map((id) => answers.get(id)!.kind)).toEqual([...before, ...late].map(() => 'acked'));
      // Nothing refused was stored behind the sender's back.
      const texts = (await host.api['events.list']({ limit: 500 })).items.map((item) => item.text);
      expect(texts.filter((text) => stalled.some((id) => text?.endsWith(` ${id}`)))).toEqual([]);
    } finally {
      await host.stop();
    }
  });
});
