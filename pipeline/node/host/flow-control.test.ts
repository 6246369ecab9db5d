/**
 * Flow control against held replies, on real worker threads and a real SQLite file: ingress keeps
 * at most `highWater` events in the router's hands, and a reply parked at the approval gate (waiting
 * on a person) no longer counts, so a raid of bot mentions nobody moderates cannot stop chat.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../core/envelope.js';
import { PipelineHost } from './pipeline-host.js';
import { HOLD_HELLO } from '../../../test/support/rules.js';

const HIGH_WATER = 4;

let host: PipelineHost | undefined;
let dir: string | undefined;

afterEach(async () => {
  await host?.stop();
  host = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

let sequence = 0;
function chat(text: string, login: string): InboundEvent {
  sequence += 1;
  return {
    type: 'chat.message.v1',
    ingress: { connector: 'test', channel: 'chan' },
    identity: { external: { id: `id-${login}`, login, displayName: login, roles: ['viewer'] } },
    message: { id: `flow-${sequence}`, text },
  };
}

async function submitOne(target: PipelineHost, event: InboundEvent): Promise<string> {
  const [result] = await target.submit('test', [event]);
  if (!result?.ok) throw new Error(`not accepted: ${result?.ok === false ? result.error : '?'}`);
  return result.id;
}

describe('Flow control: held replies do not hold ingress credit', () => {
  it(`keeps chat flowing with three times the high-water mark (${HIGH_WATER}) of replies held and undecided`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'bitbrat-flow-'));
    host = await PipelineHost.start({ dataDir: dir, log: () => undefined, highWater: HIGH_WATER });
    expect((await host.api['rules.save']({ rule: HOLD_HELLO })).ok).toBe(true);

    const heldIds: string[] = [];
    for (let i = 0; i < HIGH_WATER * 3; i++) heldIds.push(await submitOne(host, chat('!hello', `raider${i}`)));
    // Every one reaches the gate: before the fix, the ones past the high-water mark waited in the
    // ingress backlog for credit that only a moderator's decision would have returned.
    const held = await Promise.all(heldIds.map((id) => host!.waitForSettled(id, { timeoutMs: 20_000 })));
    expect(held.map((summary) => summary.stage)).toEqual(heldIds.map(() => 'approval'));

    // Ordinary chat and commands still get through while all of them wait.
    const chatter = await submitOne(host, chat('just chatting', 'regular'));
    expect((await host.waitForSettled(chatter, { terminalOnly: true, timeoutMs: 20_000 })).disposition).toBe('ignored');
    const stats = await host.api['stats.get']({});
    expect(stats.held).toBe(HIGH_WATER * 3);
    expect((await host.api['approvals.list']({})).length).toBe(HIGH_WATER * 3);
  });
});
