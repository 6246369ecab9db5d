/**
 * Export and import of the configuration between two real hosts: never a secret in the file,
 * field-level errors, a dry-run preview that changes nothing, an import that the pipeline uses at once.
 */
import { describe, expect, it } from 'vitest';
import { startObsWebSocketServer } from '../../../test/support/obs-websocket-server.js';
import { replyTo, useTestHosts } from '../../../test/support/test-hosts.js';
import { waitUntil } from '../../../test/support/wait.js';

const { startHost } = useTestHosts('bitbrat-config-');
/** The viewer the imported commands answer. */
const viewer = { login: 'v', displayName: 'v' };

describe('configuration export and import', () => {
  it('moves commands, timers, counters, quotes and settings to another install, previewed first', async () => {
    const source = await startHost();
    await source.api['llm.setApiKey']({ key: 'sk-very-secret-key-123' });
    expect(
      await source.api['commands.save']({
        command: {
          id: 'socials',
          trigger: { kind: 'exact', text: '!socials' },
          template: 'Find me everywhere, {user}',
        },
      }),
    ).toMatchObject({ ok: true });
    await source.api['timers.save']({ timer: { id: 'hydrate', messages: ['Drink water'] } });
    await source.api['counters.setValue']({ name: 'deaths', value: 12 });
    await source.api['quotes.save']({ quote: { text: 'gg', saidBy: 'chan' }, moderator: 'mod' });
    await source.api['settings.set']({ key: 'botName', value: 'helperbot' });
    const exported = JSON.parse(JSON.stringify(await source.api['config.export']({}))) as Record<string, unknown>;
    expect(JSON.stringify(exported)).not.toContain('sk-very-secret-key-123');
    expect(exported).toMatchObject({ format: 'bitbrat-config', version: 1 });

    const target = await startHost();
    const preview = await target.api['config.import']({ file: exported });
    if (!preview.ok) throw new Error(preview.errors.join('\n'));
    expect(preview.applied).toBe(false);
    expect(preview.preview.commands.added).toEqual(['socials']);
    expect(preview.preview.timers.added).toEqual(['hydrate']);
    expect(preview.preview.counters.changed).toEqual(['deaths']);
    expect(preview.preview.quotes.added).toHaveLength(1);
    expect(preview.preview.settings.changed).toEqual(['botName']);
    expect(preview.preview.rules).toMatchObject({ added: [], changed: [] });
    // A dry run changes nothing.
    expect((await target.api['commands.list']({})).map((command) => command.id)).not.toContain('socials');
    expect(await replyTo(target, '!socials', viewer)).toBeUndefined();

    const applied = await target.api['config.import']({ file: exported, dryRun: false });
    expect(applied).toMatchObject({ ok: true, applied: true });
    expect(await replyTo(target, '!socials', viewer)).toBe('Find me everywhere, v');
    expect(await replyTo(target, '!deaths', viewer)).toBe('Deaths so far: 12 💀');
    expect(await replyTo(target, '!quote 1', viewer)).toBe('#1: "gg" — chan');
    expect((await target.api['settings.get']({})).botName).toBe('helperbot');
    expect((await target.api['timers.list']({})).map((timer) => timer.id)).toEqual(['hydrate']);

    const again = await target.api['config.import']({ file: exported });
    if (!again.ok) throw new Error(again.errors.join('\n'));
    for (const section of Object.values(again.preview)) expect(section).toMatchObject({ added: [], changed: [] });
  });

  it('connects to OBS at once when the imported settings name it, as settings.set does', async () => {
    const obs = await startObsWebSocketServer({ scenes: [{ name: 'Main', items: [] }] });
    try {
      const host = await startHost();
      const file = JSON.parse(JSON.stringify(await host.api['config.export']({}))) as {
        settings: Record<string, unknown>;
      };
      file.settings = { obs: { enabled: true, url: obs.url } };
      expect(await host.api['config.import']({ file, dryRun: false })).toMatchObject({ ok: true, applied: true });
      await waitUntil('OBS connected after the import', async () =>
        (await host.api['health.get']({})).connectors.some(
          (connector) => connector.id === 'obs' && connector.state === 'connected',
        ),
      );
      expect(obs.sessions()).toBe(1);
    } finally {
      await obs.close();
    }
  });

  it('names the field of every problem and applies nothing from a bad file', async () => {
    const host = await startHost();
    const file = JSON.parse(JSON.stringify(await host.api['config.export']({}))) as {
      version: number;
      commands: unknown[];
      timers: unknown[];
    };
    file.commands.push({ id: 'slow', trigger: { kind: 'regex', pattern: '(a+)+$' }, template: 'x' });
    file.timers.push({ id: 'bad', messages: [], intervalMinutes: 0 });
    const result = await host.api['config.import']({ file, dryRun: false });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^commands\.\d+\.trigger\.pattern: a repetition inside a repetition/),
        expect.stringMatching(/^timers\.0\.intervalMinutes: /),
        expect.stringMatching(/^timers\.0\.messages: /),
      ]),
    );
    expect((await host.api['commands.list']({})).map((command) => command.id)).not.toContain('slow');
    const clean = JSON.parse(JSON.stringify(await host.api['config.export']({}))) as object;
    expect(await host.api['config.import']({ file: { ...clean, version: 2 } })).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^version: /)],
    });
    expect(await host.api['config.import']({ file: 'not json' })).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^\(file\): /)],
    });
  });
});
