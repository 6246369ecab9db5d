/**
 * The demo responder, for `bitbrat serve --demo` only: it stands in for the llm-bot without any
 * network so a newcomer sees the approval queue fill. Every reply starts with "[demo]" and the
 * candidates' source is `demo-responder`, so nobody mistakes them for model output.
 * Never register it alongside a configured llm-bot.
 */
import { randomUUID } from 'node:crypto';
import { StepFailure, type Service } from '../../core/service.js';

export const DEMO_PREFIX = '[demo]';
export const DEMO_SOURCE = 'demo-responder';

const LINES: readonly ((name: string) => string)[] = [
  (name) => `Hey ${name}, thanks for chatting! This reply is scripted so you can try the approval queue.`,
  (name) => `Good question, ${name}! A real model would answer here once an LLM endpoint is set in Settings.`,
  (name) => `${name}, I am the demo responder: approve, edit or reject me to see what moderators do.`,
  (name) => `Welcome in, ${name}! Connect an OpenAI-compatible endpoint to hear the bot's own voice.`,
];

export interface ScriptedResponderOptions {
  /** The service id it answers as; 'llm-bot' so the default rules route mentions to it. */
  id?: string;
  newId?: () => string;
}

export function createScriptedResponder(options: ScriptedResponderOptions = {}): Service {
  const newId = options.newId ?? randomUUID;
  let turn = 0;
  return {
    id: options.id ?? 'llm-bot',
    phase: 'reaction',
    run(event, context) {
      if (context.signal.aborted) throw new StepFailure('LLM_CANCELLED', 'cancelled', false);
      if (!event.message?.text.trim()) return { status: 'SKIP', notes: ['no chat message to answer'] };
      const name = event.identity.external.displayName;
      const line = LINES[turn++ % LINES.length]!(name);
      const hint = context.reaction?.hint ? ` (hint noted: ${context.reaction.hint.slice(0, 80)})` : '';
      const text = `${DEMO_PREFIX} ${line}${hint}`.slice(0, 500);
      return {
        status: 'OK',
        notes: ['demo responder: scripted reply, no LLM was called'],
        candidates: [
          {
            id: newId(),
            text,
            source: DEMO_SOURCE,
            priority: 1,
            confidence: 0.5,
            status: 'proposed',
            reason: 'demo reply',
          },
        ],
      };
    },
  };
}
