/**
 * The demo responder, for `bitbrat serve --demo` only: it stands in for the llm-bot without any
 * network so a newcomer sees the approval queue fill. Every reply starts with "[demo]" and the
 * candidates' source is `demo-responder`, so nobody mistakes them for model output.
 * Never register it alongside a configured llm-bot.
 */
import { randomUUID } from 'node:crypto';
import { StepFailure, type Service, SERVICE_IDS } from '../../core/service.js';

export const DEMO_PREFIX = '[demo]';
export const DEMO_SOURCE = 'demo-responder';

const LINES: readonly ((name: string) => string)[] = [
  (name) => `Hey ${name}, thanks for chatting! This reply is scripted so you can try the approval queue.`,
  (name) => `Good question, ${name}! A real model would answer here once an LLM endpoint is set in Settings.`,
  (name) => `${name}, I am the demo responder: approve, edit or reject me to see what moderators do.`,
  (name) => `Welcome in, ${name}! Connect an OpenAI-compatible endpoint to hear the bot's own voice.`,
];

/**
 * Redrafts after a moderator's hint. The hint steers which line is used (asking for a short reply
 * gets a short one) but is never quoted: a hint is an instruction to the bot, not text for chat.
 */
const SHORT: (name: string) => string = (name) => `Hi ${name}, thanks for dropping by!`;
const REDRAFTS: readonly ((name: string) => string)[] = [
  (name) => `${name}, let me put that another way: this scripted reply shows how a moderator steers the bot.`,
  (name) => `Trying again for you, ${name}: a real model would follow the moderator's hint here.`,
];
const WANTS_SHORT = /\b(short|shorter|brief|briefer|concise|less)\b/i;

export interface ScriptedResponderOptions {
  /** The service id it answers as; 'llm-bot' so the default rules route mentions to it. */
  id?: string;
  newId?: () => string;
}

export function createScriptedResponder(options: ScriptedResponderOptions = {}): Service {
  const newId = options.newId ?? randomUUID;
  let turn = 0;
  return {
    id: options.id ?? SERVICE_IDS.llmBot,
    phase: 'reaction',
    run(event, context) {
      if (context.signal.aborted) throw new StepFailure('LLM_CANCELLED', 'cancelled', false);
      if (!event.message?.text.trim()) return { status: 'SKIP', notes: ['no chat message to answer'] };
      const name = event.identity.external.displayName;
      const hint = context.reaction?.hint?.trim();
      const line = hint
        ? WANTS_SHORT.test(hint)
          ? SHORT(name)
          : REDRAFTS[turn++ % REDRAFTS.length]!(name)
        : LINES[turn++ % LINES.length]!(name);
      const text = `${DEMO_PREFIX} ${line}`.slice(0, 500);
      return {
        status: 'OK',
        notes: [
          'demo responder: scripted reply, no LLM was called',
          ...(hint ? ["redrafted after the moderator's hint"] : []),
        ],
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
