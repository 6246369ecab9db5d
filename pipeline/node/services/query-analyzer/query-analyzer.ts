/**
 * The `query-analyzer` enrichment service: annotates every chat message with intent, sentiment,
 * toxicity, spam, risk and cleaned tokens (see pipeline/core/analysis.ts), so reaction rules can
 * short-circuit spam and high risk (disposition `filtered`) before any LLM is asked.
 *
 * The local analysis is the answer. An optional LLM classification (`classify`, off unless given)
 * may refine intent and sentiment and raise (never lower) risk; it has a deadline, and when it
 * fails, times out or returns something malformed, the local analysis stands and a note says why.
 */
import {
  ANALYZER_LLM_SOURCE,
  LlmClassificationSchema,
  compareRiskLevel,
  type AnalysisKind,
  type LlmClassification,
} from '../../../core/analysis.js';
import type { Envelope } from '../../../core/envelope.js';
import type { Service, StepContext, StepOutcome } from '../../../core/service.js';
import { analysisToAnnotations, analyzeMessage, type MessageAnalysis } from './analyze-message.js';
import { AnalyzerState, type AnalyzerStateOptions } from './analyzer-state.js';
import { rateRequest, withRequestRisks } from './request-risks.js';
import { DEFAULT_SAFETY_SETTINGS, type SafetySettings } from '../../../core/safety.js';
import { SERVICE_IDS } from '../../../core/service.js';

export const QUERY_ANALYZER_ID = SERVICE_IDS.queryAnalyzer;
export const DEFAULT_CLASSIFY_TIMEOUT_MS = 1_500;

export interface QueryAnalyzerDeps {
  /** The bot's current chat name (it can change when another bot account is linked). */
  botName: () => string;
  /** Clock for the rate and copy-pasta windows; defaults to the step's clock. */
  now?: () => number;
  /**
   * Optional LLM classification (off by default), e.g. a structured-output call through the
   * OpenAI-compatible client. Receives the cleaned text; must stop when `signal` aborts.
   */
  classify?: (text: string, signal: AbortSignal) => Promise<Partial<LlmClassification>>;
  classifyTimeoutMs?: number;
  /** Window sizes and memory caps of the analyzer's state. */
  state?: Partial<AnalyzerStateOptions>;
  /** What each request risk does (filter, hold, off); read per message. Default: the safety defaults. */
  requestModes?: () => SafetySettings['requests'];
}

export interface QueryAnalyzer extends Service {
  /** Exposed for inspection (memory bounds, tests); the service owns it. */
  readonly state: AnalyzerState;
}

class ClassifyTimeout extends Error {}

/** Runs `classify` with a deadline, aborting it when the deadline passes or the step is cancelled. */
async function classifyWithDeadline(
  classify: NonNullable<QueryAnalyzerDeps['classify']>,
  text: string,
  timeoutMs: number,
  stepSignal: AbortSignal,
): Promise<unknown> {
  const controller = new AbortController();
  const onStepAbort = (): void => controller.abort(stepSignal.reason);
  if (stepSignal.aborted) controller.abort(stepSignal.reason);
  else stepSignal.addEventListener('abort', onStepAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Reject before aborting: the abort makes `classify` reject too, and the timeout is the real cause.
      const timeout = new ClassifyTimeout(`timed out after ${timeoutMs} ms`);
      reject(timeout);
      controller.abort(timeout);
    }, timeoutMs);
  });
  try {
    return await Promise.race([classify(text, controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    stepSignal.removeEventListener('abort', onStepAbort);
  }
}

/** Applies a validated LLM answer: intent and sentiment replace the local ones, risk may only rise. */
function mergeClassification(
  analysis: MessageAnalysis,
  classification: LlmClassification,
): { analysis: MessageAnalysis; sources: Partial<Record<AnalysisKind, string>> } {
  const sources: Partial<Record<AnalysisKind, string>> = {};
  const merged = { ...analysis };
  if (classification.intent) {
    merged.intent = classification.intent;
    sources.intent = ANALYZER_LLM_SOURCE;
  }
  if (classification.sentiment) {
    merged.sentiment = classification.sentiment;
    sources.sentiment = ANALYZER_LLM_SOURCE;
  }
  if (classification.risk && compareRiskLevel(classification.risk.level, analysis.risk.level) > 0) {
    merged.risk = {
      level: classification.risk.level,
      type: classification.risk.type,
      reasons: [...analysis.risk.reasons, ...classification.risk.reasons.map((reason) => `LLM: ${reason}`)].slice(
        0,
        20,
      ),
      ...(analysis.risk.requests ? { requests: analysis.risk.requests } : {}),
    };
    sources.risk = ANALYZER_LLM_SOURCE;
  }
  return { analysis: merged, sources };
}

function describeFailure(error: unknown): string {
  if (error instanceof ClassifyTimeout) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200);
  return String(error).slice(0, 200);
}

export function createQueryAnalyzer(deps: QueryAnalyzerDeps): QueryAnalyzer {
  const state = new AnalyzerState(deps.state);

  async function refine(
    analysis: MessageAnalysis,
    at: number,
    context: StepContext,
    classify: NonNullable<QueryAnalyzerDeps['classify']>,
  ): Promise<StepOutcome> {
    try {
      // Read per message: the deps may be live settings.
      const timeoutMs = deps.classifyTimeoutMs ?? DEFAULT_CLASSIFY_TIMEOUT_MS;
      const answer = await classifyWithDeadline(classify, analysis.tokens.cleanedText, timeoutMs, context.signal);
      const parsed = LlmClassificationSchema.safeParse(answer);
      if (!parsed.success) {
        return {
          status: 'OK',
          annotations: analysisToAnnotations(analysis, at),
          notes: ['LLM classification ignored: malformed answer; local analysis kept'],
        };
      }
      const { analysis: merged, sources } = mergeClassification(analysis, parsed.data);
      const used = Object.keys(sources);
      return {
        status: 'OK',
        annotations: analysisToAnnotations(merged, at, sources),
        notes: [used.length > 0 ? `LLM classification used for ${used.join(', ')}` : 'LLM classification agreed'],
      };
    } catch (error) {
      return {
        status: 'OK',
        annotations: analysisToAnnotations(analysis, at),
        notes: [`LLM classification failed (${describeFailure(error)}); local analysis kept`],
      };
    }
  }

  return {
    id: QUERY_ANALYZER_ID,
    phase: 'enrichment',
    state,
    run(event: Readonly<Envelope>, context: StepContext): StepOutcome | Promise<StepOutcome> {
      const message = event.message;
      if (message === undefined) return { status: 'SKIP', notes: ['not a chat message: nothing to analyze'] };
      const at = (deps.now ?? context.now)();
      const external = event.identity.external;
      const local = analyzeMessage(
        {
          text: message.text,
          userId: event.identity.user?.id ?? `${external.platform}:${external.id}`,
          eventId: event.id,
          at,
          ...(message.emotes ? { emotes: message.emotes } : {}),
          roles: event.identity.user?.roles ?? external.roles,
        },
        state,
        { botName: deps.botName() },
      );
      const analysis = {
        ...local,
        risk: withRequestRisks(
          local.risk,
          rateRequest({ text: message.text, displayName: external.displayName }),
          deps.requestModes?.() ?? DEFAULT_SAFETY_SETTINGS.requests,
        ),
      };
      if (deps.classify === undefined) return { status: 'OK', annotations: analysisToAnnotations(analysis, at) };
      return refine(analysis, at, context, deps.classify);
    },
    close(): void {
      state.clear();
    },
  };
}
