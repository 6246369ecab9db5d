/**
 * The `timers` reaction service: turns a `timer.fired.v1` event into the chosen message, with the
 * template variables filled (`{uptime}`, `{count:NAME}`, `{random:…}` ...). The message was chosen
 * by the scheduler and is part of the event, so a resumed event proposes the same one.
 */
import { renderTemplate } from '../../core/commands.js';
import type { Envelope } from '../../core/envelope.js';
import type { Service, StepContext, StepOutcome } from '../../core/service.js';
import { TIMER_EVENT_TYPE } from '../../core/timers.js';
import type { FeatureReader } from './feature-reader.js';
import { counterExtras, streamVars, twitchVars, type VariableSources } from './template-context.js';
import { SERVICE_IDS } from '../../core/service.js';

export interface TimersServiceDeps {
  reader: Pick<FeatureReader, 'timers' | 'counters' | 'counterValue' | 'stream'>;
  /** `{game}`, `{title}` from Twitch, while a broadcaster is linked. */
  twitch?: VariableSources['twitch'];
  newId?: () => string;
  random?: () => number;
}

export function createTimersService(deps: TimersServiceDeps): Service {
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const sources: VariableSources = {
    counters: () => deps.reader.counters(),
    counterValue: (name, scopeKey) => deps.reader.counterValue(name, scopeKey),
    stream: () => deps.reader.stream(),
    ...(deps.twitch ? { twitch: deps.twitch } : {}),
  };

  async function run(event: Readonly<Envelope>, context: StepContext): Promise<StepOutcome> {
    if (event.type !== TIMER_EVENT_TYPE) return { status: 'SKIP', notes: ['not a timer event'] };
    const timerId = event.details?.timerId;
    const index = event.details?.messageIndex;
    const timer = deps.reader.timers().find((candidate) => candidate.id === timerId);
    if (!timer) return { status: 'SKIP', notes: [`timer ${String(timerId)} no longer exists`] };
    if (!timer.enabled) return { status: 'SKIP', notes: [`timer ${timer.id} was turned off`] };
    const template = timer.messages[typeof index === 'number' ? index : 0] ?? timer.messages[0]!;
    const vars = {
      channel: event.ingress.channel,
      login: event.identity.external.login,
      user: event.identity.external.displayName,
      ...streamVars(template, sources, context.now()),
      ...(await twitchVars(template, sources, event.identity.external, context.now())),
    };
    const extras = counterExtras(template, event.identity.external.login, sources);
    const text = renderTemplate(template, vars, { ...extras, ...(deps.random ? { random: deps.random } : {}) });
    if (text.length === 0) return { status: 'SKIP', notes: [`timer ${timer.id}: the message was blank`] };
    return {
      status: 'OK',
      notes: [`timer ${timer.id}, message ${(typeof index === 'number' ? index : 0) + 1} of ${timer.messages.length}`],
      candidates: [
        {
          id: newId(),
          text,
          source: 'timers',
          priority: 100,
          confidence: 1,
          status: 'proposed',
          reason: `timer ${timer.id}`,
        },
      ],
    };
  }

  return { id: SERVICE_IDS.timers, phase: 'reaction', run };
}
