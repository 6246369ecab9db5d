/**
 * The HostApi's rule and command methods. A change is committed, then the worker that uses it
 * reloads (rules: the router; commands: the reaction worker) before the answer.
 */
import { checkCommand } from '../../../core/commands.js';
import type { HostApi } from '../../../core/host-api.js';
import { RuleBook, checkRule, ruleFacts, type Rule } from '../../../core/rules.js';
import type { HostApiDeps } from './host-api-deps.js';

type RulesMethod = 'rules.list' | 'rules.save' | 'rules.delete' | 'rules.test';
type CommandsMethod = 'commands.list' | 'commands.save' | 'commands.delete';

export function createRulesApi(
  deps: Pick<HostApiDeps, 'reader' | 'write' | 'workerConfig'>,
): Pick<HostApi, RulesMethod | CommandsMethod> {
  const { reader, write, workerConfig } = deps;
  return {
    'rules.list': async () => reader.loadRules(),
    'rules.save': async ({ rule }) => {
      const checked = checkRule(rule);
      if (!checked.ok) return checked;
      await write([{ op: 'rule.upsert', rule: checked.rule }]);
      await workerConfig.reloadRules();
      return { ok: true, value: checked.rule };
    },
    'rules.delete': async ({ id }) => {
      const exists = reader.loadRules().some((rule) => rule.id === id);
      if (!exists) return { ok: false };
      await write([{ op: 'rule.delete', id }]);
      await workerConfig.reloadRules();
      return { ok: true };
    },
    'rules.test': async ({ eventId, rule }) => {
      const detail = reader.getEvent(eventId);
      if (!detail) return { ok: false, error: 'no such event' };
      let rules: Rule[] = reader.loadRules();
      let stage: Rule['stage'] = 'reaction';
      if (rule !== undefined) {
        const checked = checkRule(rule);
        if (!checked.ok) return checked;
        rules = [...rules.filter((existing) => existing.id !== checked.rule.id), checked.rule];
        stage = checked.rule.stage;
      }
      const matched = new RuleBook(rules).match(stage, ruleFacts(detail.event));
      const chosen = matched[0];
      return {
        ok: true,
        value: { matched: matched.map((r) => r.id), chosen: chosen?.id ?? null, slip: chosen?.slip ?? [] },
      };
    },
    'commands.list': async () => reader.loadCommands(),
    'commands.save': async ({ command }) => {
      const checked = checkCommand(command);
      if (!checked.ok) return { ok: false, error: checked.error };
      await write([{ op: 'command.upsert', command: checked.command }]);
      await workerConfig.reloadCommands();
      return { ok: true, value: checked.command };
    },
    'commands.delete': async ({ id }) => {
      if (!reader.loadCommands().some((command) => command.id === id)) return { ok: false };
      await write([{ op: 'command.delete', id }]);
      await workerConfig.reloadCommands();
      return { ok: true };
    },
  };
}
