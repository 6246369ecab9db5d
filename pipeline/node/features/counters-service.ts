/**
 * The `counters` reaction service: `!deaths` shows a counter, `!deaths +1`, `!deaths -1`,
 * `!deaths = 0` change it (moderators by default), `!hugs @name +1` changes someone's per-user count.
 *
 * A change is committed before the reply is proposed: the service sends `counter.change` (with the
 * event id) to the store worker, waits for the commit, then reads the value that change produced.
 * Retried or resumed, the step finds its change already applied and replies with the same value.
 */
import { renderTemplate } from '../../core/commands.js';
import { mayEditCounter, parseCounterRequest, type Counter } from '../../core/counters.js';
import { KnownEventTypes, type Envelope } from '../../core/envelope.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import { StepFailure, type Service, type StepContext, type StepOutcome, SERVICE_IDS } from '../../core/service.js';
import type { FeatureReader } from './feature-reader.js';
import { counterExtras, streamVars, targetOf, twitchVars, type VariableSources } from './template-context.js';

export interface CountersServiceDeps {
  reader: Pick<FeatureReader, 'counters' | 'counterValue' | 'changeResult' | 'stream'>;
  /** Resolves once the batch is committed (the store worker's `write`). */
  commit(batch: StoreWrite[]): Promise<void>;
  newId?: () => string;
  random?: () => number;
  /** `{game}`, `{title}`, `{followage}` from Twitch, while a broadcaster is linked (see template-context.ts). */
  twitch?: VariableSources['twitch'];
}

const INVISIBLE_CHARACTERS = /[\u034f\u200b-\u200d\u2060\ufeff\u{e0000}-\u{e007f}]/gu;

function skip(reason: string): StepOutcome {
  return { status: 'SKIP', notes: [reason] };
}

export function createCountersService(deps: CountersServiceDeps): Service {
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const sources: VariableSources = {
    counters: () => deps.reader.counters(),
    counterValue: (name, scopeKey) => deps.reader.counterValue(name, scopeKey),
    stream: () => deps.reader.stream(),
    ...(deps.twitch ? { twitch: deps.twitch } : {}),
  };

  function find(text: string): { counter: Counter; rest: string } | undefined {
    const [word = '', ...rest] = text.split(/\s+/u);
    const command = word.toLowerCase();
    if (command.length === 0) return undefined;
    const counter = deps.reader
      .counters()
      .find((candidate) => candidate.enabled && candidate.command.toLowerCase() === command);
    return counter ? { counter, rest: rest.join(' ') } : undefined;
  }

  async function run(event: Readonly<Envelope>, context: StepContext): Promise<StepOutcome> {
    if (event.type !== KnownEventTypes.chatMessage) return skip('not a chat message');
    const text = (event.message?.text ?? '').replace(INVISIBLE_CHARACTERS, '').trim();
    const found = find(text);
    if (!found) return skip('no counter command');
    const { counter } = found;
    const request = parseCounterRequest(found.rest);
    if (!request) return skip(`${counter.command}: "${found.rest.slice(0, 40)}" is not +N, -N or = N`);

    const external = event.identity.external;
    const login = external.login.toLowerCase();
    // A per-user counter is the caller's own unless a name is given; a global one ignores names.
    const owner = counter.scope === 'user' ? (request.target ?? login) : login;
    const scopeKey = counter.scope === 'user' ? owner : '';
    const notes: string[] = [];

    if (request.kind === 'change') {
      const roles = event.identity.user?.roles ?? external.roles;
      if (!mayEditCounter(counter, roles)) {
        return skip(`${counter.command}: changing it needs ${counter.editRoles.join(' or ')}`);
      }
      try {
        await deps.commit([
          {
            op: 'counter.change',
            eventId: event.id,
            name: counter.name,
            scopeKey,
            mode: request.mode,
            amount: request.amount,
            at: context.now(),
          },
        ]);
      } catch (error) {
        throw new StepFailure('COUNTER_WRITE', `could not save ${counter.name}: ${String(error)}`, true);
      }
      const after = deps.reader.changeResult(event.id, counter.name);
      if (after === undefined)
        throw new StepFailure('COUNTER_WRITE', `${counter.name}: the change was not stored`, true);
      notes.push(
        `${counter.name}${scopeKey ? ` (${scopeKey})` : ''} ${request.mode === 'set' ? '=' : request.amount >= 0 ? '+' : ''}${request.amount} → ${after}`,
      );
    } else {
      notes.push(`${counter.name}${scopeKey ? ` (${scopeKey})` : ''} shown`);
    }

    const vars = {
      user: external.displayName,
      login: external.login,
      channel: event.ingress.channel,
      args: found.rest,
      target: targetOf(text, request.target, external.displayName),
      ...streamVars(counter.template, sources, context.now()),
      ...(await twitchVars(counter.template, sources, external, context.now())),
    };
    const extras = counterExtras(counter.template, owner, sources);
    const reply = renderTemplate(counter.template, vars, {
      ...extras,
      ...(deps.random ? { random: deps.random } : {}),
    });
    if (reply.length === 0) return { status: 'OK', notes: [...notes, 'the reply was blank'] };
    return {
      status: 'OK',
      notes,
      candidates: [
        {
          id: newId(),
          text: reply,
          source: 'counters',
          priority: 100,
          confidence: 1,
          status: 'proposed',
          reason: `counter ${counter.name}`,
        },
      ],
    };
  }

  return { id: SERVICE_IDS.counters, phase: 'reaction', run };
}
