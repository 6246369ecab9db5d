/**
 * Safety on the way out: every reply the bot drafts passes these layers before it can reach chat,
 * for every endpoint, local or hosted.
 *
 * 1. Deterministic detectors (`safety-detectors.ts`): leaks of the system prompt (canary and
 *    overlap), personal data, links in any disguise, slurs, harassment of a named user,
 *    instructions to viewers, impersonation, chat commands.
 * 2. Input-side findings: request risks the analyzer rated `hold` (passed in by the caller).
 * 3. The model-based judge (`safety-judge.ts`) on the drafts that passed 1 and 2; when it cannot
 *    answer, the draft is held (fail closed).
 * A failing reply is never dropped silently: it stays `proposed` with a reason starting "held:" and
 * its findings in `candidate.hold`; the router holds it for a moderator, and only an explicit
 * "send anyway" override sends it.
 */
import {
  HELD_REASON_PREFIX,
  SafetyFindingSchema,
  describeHold,
  type SafetyFindingInput,
  type SafetyHold,
  type SafetySettings,
} from '../../core/safety.js';
import { detectReplyRisks, type ReplyContext } from './safety-detectors.js';
import { judgeFindings, type Judge } from './safety-judge.js';

export type SafetyVerdict = { ok: true } | { ok: false; reason: string; hold: SafetyHold };

export interface ReplyCheckOptions {
  context?: ReplyContext;
  settings?: Pick<SafetySettings, 'detectors'>;
  /** Findings that hold every draft of this request (the analyzer's request risks). */
  requestFindings?: readonly SafetyFindingInput[];
  judge?: Judge;
  signal?: AbortSignal;
}

function verdictOf(findings: readonly SafetyFindingInput[]): SafetyVerdict {
  if (findings.length === 0) return { ok: true };
  const hold: SafetyHold = { findings: findings.slice(0, 30).map((finding) => SafetyFindingSchema.parse(finding)) };
  return { ok: false, reason: `${HELD_REASON_PREFIX} ${describeHold(hold)}`.slice(0, 500), hold };
}

/** The local layers only: cheap, offline. */
export function checkLocally(text: string, options: Omit<ReplyCheckOptions, 'judge' | 'signal'> = {}): SafetyVerdict {
  return verdictOf([
    ...(options.requestFindings ?? []),
    ...detectReplyRisks(text, options.context, options.settings?.detectors),
  ]);
}

/** Every layer over each draft; the judge sees only drafts the local layers passed. */
export async function checkReplies(
  texts: readonly string[],
  options: ReplyCheckOptions = {},
): Promise<SafetyVerdict[]> {
  const findings: SafetyFindingInput[][] = texts.map((text) => [
    ...(options.requestFindings ?? []),
    ...detectReplyRisks(text, options.context, options.settings?.detectors),
  ]);
  const judge = options.judge;
  const pending = texts.map((text, index) => ({ text, index })).filter(({ index }) => findings[index]!.length === 0);
  if (judge && pending.length > 0) {
    try {
      const verdicts = await judge(
        pending.map((item) => item.text),
        options.signal ?? new AbortController().signal,
      );
      pending.forEach(({ index }, position) => findings[index]!.push(...judgeFindings(verdicts[position])));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const why = error instanceof Error ? error.message.slice(0, 160) : 'error';
      for (const { index } of pending) findings[index]!.push(...judgeFindings(undefined, `judge unavailable: ${why}`));
    }
  }
  return findings.map(verdictOf);
}
