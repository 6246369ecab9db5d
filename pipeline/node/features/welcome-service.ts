/**
 * The `welcome` reaction service: greets a first-time chatter or one back for a new stream with the
 * greeting from the `welcome` settings. Which messages count is the rules' business (the default rules
 * `welcome-first-time` and `welcome-returning`, off until the streamer turns them on); the service picks
 * the greeting by the rule that chose it, so a streamer's own rule may reuse either.
 */
import { renderTemplate } from '../../core/commands.js';
import { KnownEventTypes, type Envelope } from '../../core/envelope.js';
import type { Service, StepContext, StepOutcome } from '../../core/service.js';
import { DEFAULT_WELCOME_SETTINGS, WELCOME_RULE_IDS, type WelcomeSettings } from '../../core/welcome.js';
import { counterExtras, streamVars, twitchVars, type VariableSources } from './template-context.js';
import { SERVICE_IDS } from '../../core/service.js';

export interface WelcomeServiceDeps {
  settings?: () => WelcomeSettings;
  variables?: VariableSources;
  newId?: () => string;
}

export function createWelcomeService(deps: WelcomeServiceDeps): Service {
  const newId = deps.newId ?? (() => crypto.randomUUID());

  async function run(event: Readonly<Envelope>, context: StepContext): Promise<StepOutcome> {
    if (event.type !== KnownEventTypes.chatMessage) return { status: 'SKIP', notes: ['not a chat message'] };
    const settings = deps.settings?.() ?? DEFAULT_WELCOME_SETTINGS;
    const tags = event.identity.user?.tags ?? [];
    const firstTime =
      event.routing.reaction?.ruleId === WELCOME_RULE_IDS.firstTime ||
      (event.routing.reaction?.ruleId !== WELCOME_RULE_IDS.returning &&
        (event.details?.firstMessage === true || tags.includes('first-message')));
    const kind = firstTime ? 'first-time' : 'returning';
    const template = firstTime ? settings.firstTime : settings.returning;
    if (template.length === 0) return { status: 'SKIP', notes: [`the ${kind} greeting is empty`] };
    const external = event.identity.external;
    const now = context.now();
    const vars = {
      user: external.displayName,
      login: external.login,
      channel: event.ingress.channel,
      target: external.displayName,
      count: event.identity.user?.messageCount,
      ...streamVars(template, deps.variables, now),
      ...(await twitchVars(template, deps.variables, external, now)),
    };
    const text = renderTemplate(template, vars, counterExtras(template, external.login, deps.variables));
    if (text.length === 0) return { status: 'SKIP', notes: [`the ${kind} greeting was blank`] };
    return {
      status: 'OK',
      notes: [`${kind} greeting`],
      candidates: [
        {
          id: newId(),
          text,
          source: 'welcome',
          priority: 100,
          confidence: 1,
          status: 'proposed',
          reason: `${kind} greeting`,
        },
      ],
    };
  }

  return { id: SERVICE_IDS.welcome, phase: 'reaction', run };
}
