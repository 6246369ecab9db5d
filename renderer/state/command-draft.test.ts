import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMANDS } from '../../pipeline/core/commands.js';
import { checkCommandDraft, NEW_COMMAND_DRAFT, previewCommand, toCommandDraft } from './command-draft.js';

describe('the command form', () => {
  it('round-trips every default command through the form unchanged', () => {
    for (const command of DEFAULT_COMMANDS) {
      expect(checkCommandDraft(toCommandDraft(command))).toEqual({ ok: true, command });
    }
  });

  it('names the field a bad value is in', () => {
    const check = checkCommandDraft({
      ...NEW_COMMAND_DRAFT,
      id: 'so',
      kind: 'prefix',
      text: '!so now',
      userCooldownSeconds: 'x',
    });
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error).toMatch(/trigger\.text: a prefix is one word/);
      expect(check.error).toMatch(/userCooldownSeconds/);
    }
  });

  it('previews the reply to a sample line, with the arguments, or says why it does not run', () => {
    const check = checkCommandDraft({
      ...NEW_COMMAND_DRAFT,
      id: 'so',
      kind: 'prefix',
      text: '!so',
      template: 'Go follow {arg1}, {user} says!',
    });
    if (!check.ok) throw new Error(check.error);
    expect(previewCommand(check.command, { text: '!so @ada', user: 'Bea', channel: 'c' })).toEqual({
      runs: true,
      reply: 'Go follow ada, Bea says!',
    });
    expect(previewCommand(check.command, { text: '!something', user: 'Bea', channel: 'c' })).toMatchObject({
      runs: false,
    });
  });
});
