/**
 * Counters and quotes end to end: real worker threads, the default rules, a real SQLite file.
 * The steps are on the event's slip (what the console's event detail shows) and persisted.
 */
import { describe, expect, it } from 'vitest';
import type { InboundEvent, Role } from '../../core/envelope.js';
import type { PipelineHost } from '../host/pipeline-host.js';
import { useTestHosts } from '../../../test/support/test-hosts.js';

const { tempDir, startHost } = useTestHosts('bitbrat-features-');

let sequence = 0;
function chat(text: string, login: string, roles: Role[]): InboundEvent {
  sequence += 1;
  return {
    type: 'chat.message.v1',
    ingress: { connector: 'test', channel: 'chan' },
    identity: { external: { id: `id-${login}`, login, displayName: login, roles } },
    message: { id: `msg-${sequence}`, text },
  };
}

async function reply(host: PipelineHost, event: InboundEvent) {
  const [result] = await host.submit('test', [event]);
  if (!result?.ok) throw new Error('not accepted');
  const summary = await host.waitForSettled(result.id);
  await host.flush();
  const detail = (await host.api['events.get']({ id: result.id }))!;
  return { summary, detail, text: detail.deliveries[0]?.text };
}

describe('counters and quotes in the running pipeline', () => {
  it('counts !deaths from a moderator, shows it to a viewer, and keeps it across a restart', async () => {
    const dataDir = tempDir();
    const host = await startHost(dataDir);
    const change = await reply(host, chat('!deaths +1', 'mod1', ['moderator']));
    expect(change.summary.disposition).toBe('replied');
    expect(change.text).toBe('Deaths so far: 1 💀');
    const steps = change.detail.event.routing.history
      .concat(change.detail.event.routing.slip)
      .filter((step) => step.phase === 'reaction');
    expect(steps.map((step) => [step.id, step.status])).toEqual([
      ['giveaways', 'SKIP'],
      ['counters', 'OK'],
      ['commands', 'SKIP'],
    ]);
    expect(change.detail.transitions.some((t) => t.service === 'counters' && t.status === 'OK')).toBe(true);

    expect((await reply(host, chat('!deaths +1', 'viewer1', ['viewer']))).summary.disposition).toBe('ignored');
    await host.stop();
    const again = await startHost(dataDir);
    expect((await reply(again, chat('!deaths', 'viewer1', ['viewer']))).text).toBe('Deaths so far: 1 💀');
    expect(await again.api['counters.values']({ name: 'deaths' })).toMatchObject([{ scopeKey: '', value: 1 }]);
  });

  it('adds and shows a quote through the chat-quotes rule', async () => {
    const host = await startHost();
    const added = await reply(host, chat('!quote add @chan that was on purpose', 'vip1', ['vip']));
    expect(added.text).toBe('Added quote #1.');
    expect(added.detail.event.routing.history.some((step) => step.id === 'quotes' && step.status === 'OK')).toBe(true);
    expect((await reply(host, chat('!quote 1', 'viewer1', ['viewer']))).text).toBe('#1: "that was on purpose" — chan');
    expect(await host.api['quotes.list']({})).toMatchObject([{ id: 1, addedBy: 'vip1' }]);
  });

  it('sends a due timer through the pipeline: its own rules, the timers step, egress', async () => {
    const host = await startHost();
    const saved = await host.api['timers.save']({
      timer: { id: 'tip', onlyWhenLive: false, minChatLines: 0, intervalMinutes: 30, messages: ['Drink water, chat!'] },
    });
    expect(saved.ok).toBe(true);
    const waitForTimerEvent = new Promise<string>((resolve) => {
      const stop = host.subscribe((topic, data) => {
        if (topic !== 'feed') return;
        const summary = (data as { id: string; type: string; disposition?: string }[]).find(
          (item) => item.type === 'timer.fired.v1' && item.disposition,
        );
        if (summary) {
          stop();
          resolve(summary.id);
        }
      });
    });
    expect(await host.workers.control('ingress').call('tickTimers', undefined)).toEqual(['tip']);
    const id = await waitForTimerEvent;
    await host.flush();
    const detail = (await host.api['events.get']({ id }))!;
    expect(detail.event.disposition).toBe('replied');
    expect(detail.deliveries.map((delivery) => delivery.text)).toContain('Drink water, chat!');
    expect(detail.event.routing.decisions.flatMap((decision) => decision.chosen ?? [])).toEqual([
      'timers-skip-enrichment',
      'timer-messages',
      'deliver-console',
    ]);
    expect(detail.event.routing.history.some((step) => step.id === 'timers' && step.status === 'OK')).toBe(true);
    // Fired once: the next check is within the interval.
    expect(await host.workers.control('ingress').call('tickTimers', undefined)).toEqual([]);
  });
});
