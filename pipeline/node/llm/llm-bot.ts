/**
 * The `llm-bot` reaction service: drafts replies to chat with an LLM, in the voice of the persona
 * the reaction rule chose, for moderators to approve.
 *
 * What it guarantees (issue 3):
 * - No endpoint configured: the step is SKIP "no LLM configured", never an error, never a fake reply.
 * - Provider errors become visible step errors (`StepFailure`): retryable for timeouts, 429, 5xx and
 *   unreachable endpoints (the router retries up to the rule's maxAttempts), not for 400/401/403.
 * - `context.signal` (a moderator rejected the reply, or it expired) aborts the HTTP request.
 * - Replies obey the reply policy (≤ 500 chars, one line, no echo, no commands) and pass the
 *   safety layers (issue 11: detectors, the analyzer's request risks, the judge) for every
 *   endpoint; a reply that fails comes back `proposed` with a "held: ..." reason and its findings
 *   in `candidate.hold`, so the router holds it until a moderator overrides. Never dropped silently,
 *   never sent unreviewed.
 * - Regenerate: the drafts a moderator turned down go into the prompt as "write something different".
 * - Memory: the viewer's line is remembered once per event; the bot's own line only when it was
 *   delivered (the router writes it), so a rejected draft never becomes the bot's memory.
 * - Limits (cooldown, per-minute cap, daily budgets) end in SKIP with the reason on the slip.
 * - Usage (tokens, estimated cost) and memory (the viewer's line, the bot's reply) are written
 *   through the store worker.
 */
import { randomUUID } from 'node:crypto';
import type { Candidate, Envelope } from '../../core/envelope.js';
import { LLM_BOT_ID, usageDay, type LlmSettings, type LlmStoreWrite, type Persona } from '../../core/llm.js';
import { StepFailure, type Service, type StepContext, type StepOutcome } from '../../core/service.js';
import { readAnalysis } from '../../core/analysis.js';
import type { SafetyFindingInput } from '../../core/safety.js';
import {
  costOf,
  createLlmClient,
  LlmCallError,
  type LlmClient,
  type LlmEndpoint,
  type LlmEnvConfig,
} from './client.js';
import type { LlmLimits } from './limits.js';
import { channelMemoryKey, userMemoryKey, type LlmMemory } from './memory.js';
import type { PersonaStore } from './personas.js';
import { assemblePrompt } from './prompt.js';
import { cleanReply, rankReplies } from './reply-policy.js';
import { checkReplies } from './safety.js';
import { createJudge, resolveJudge } from './safety-judge.js';

export { LLM_BOT_ID };
export const NO_LLM_CONFIGURED = 'no LLM configured';

export interface LlmBotDeps {
  settings(): LlmSettings;
  /** The key from the secret store (or BITBRAT_LLM_API_KEY); undefined for local servers. */
  apiKey(): string | undefined;
  personas: Pick<PersonaStore, 'get'>;
  memory: Pick<LlmMemory, 'recall' | 'remember'>;
  limits: LlmLimits;
  write(op: LlmStoreWrite): void;
  now?: () => number;
  newId?: () => string;
  /** For tests or a shared pool; by default one SDK client per endpoint, key, timeout and retries. */
  clientFor?: (endpoint: LlmEndpoint) => LlmClient;
}

/** Settings with the headless environment (BITBRAT_LLM_*) laid over them. */
export function applyLlmEnv(settings: LlmSettings, env: LlmEnvConfig | undefined): LlmSettings {
  if (!env) return settings;
  return { ...settings, baseUrl: env.baseUrl, ...(env.model ? { model: env.model } : {}) };
}

interface ResolvedModel {
  endpoint: LlmEndpoint;
  model: string;
  temperature: number;
  maxTokens: number;
}

function resolveModel(settings: LlmSettings, persona: Persona, apiKey: string | undefined): ResolvedModel | undefined {
  const overrides = persona.model;
  const baseUrl = overrides.baseUrl ?? settings.baseUrl;
  const model = overrides.model ?? settings.model;
  if (!baseUrl || !model) return undefined;
  return {
    endpoint: {
      baseUrl,
      ...(apiKey ? { apiKey } : {}),
      timeoutMs: overrides.timeoutMs ?? settings.timeoutMs,
      maxRetries: overrides.maxRetries ?? settings.maxRetries,
    },
    model,
    temperature: overrides.temperature ?? settings.temperature,
    maxTokens: overrides.maxTokens ?? settings.maxTokens,
  };
}

function cachedClients(): (endpoint: LlmEndpoint) => LlmClient {
  const clients = new Map<string, LlmClient>();
  return (endpoint) => {
    // The key is part of the cache key (a changed key needs a new client); it stays in memory only.
    const key = JSON.stringify([endpoint.baseUrl, endpoint.apiKey ?? '', endpoint.timeoutMs, endpoint.maxRetries]);
    let client = clients.get(key);
    if (!client) {
      if (clients.size >= 8) clients.delete(clients.keys().next().value!);
      client = createLlmClient(endpoint);
      clients.set(key, client);
    }
    return client;
  };
}

/** Maps a failed call to the step error the slip shows. */
export function toStepFailure(error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  if (!(error instanceof LlmCallError)) {
    const message = error instanceof Error ? error.message : String(error);
    return new StepFailure('LLM_ERROR', message.slice(0, 500), true);
  }
  switch (error.kind) {
    case 'cancelled':
      return new StepFailure('LLM_CANCELLED', error.message, false);
    case 'timeout':
      return new StepFailure('LLM_TIMEOUT', error.message, true);
    case 'connection':
      return new StepFailure('LLM_UNREACHABLE', error.message, true);
    case 'invalid-response':
      return new StepFailure('LLM_INVALID_RESPONSE', error.message, true);
    case 'http': {
      const status = error.status ?? 0;
      if (status === 429) return new StepFailure('LLM_RATE_LIMITED', error.message, true);
      if (status === 401 || status === 403) return new StepFailure('LLM_AUTH', error.message, false);
      if (status === 408 || status === 409 || status >= 500)
        return new StepFailure('LLM_PROVIDER_ERROR', error.message, true);
      return new StepFailure('LLM_BAD_REQUEST', error.message, false);
    }
  }
}

/** Analysis facts for the prompt: the latest value of a few annotation kinds, as short strings. */
function factsOf(event: Readonly<Envelope>): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const annotation of event.annotations) {
    if (!['intent', 'sentiment', 'topic', 'language'].includes(annotation.kind)) continue;
    const value = annotation.value;
    const text =
      typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value ?? null);
    facts[annotation.kind] = (text ?? '').slice(0, 120);
  }
  return facts;
}

/** The analyzer's request risks that hold (rather than filter) every draft of this event. */
function requestFindings(event: Readonly<Envelope>): SafetyFindingInput[] {
  const risk = readAnalysis(event.annotations, 'risk');
  return (risk?.requests ?? [])
    .filter((request) => request.action === 'hold')
    .map((request) => ({ check: 'request', kind: request.category, found: request.reason }));
}

/** Drafts of this event that a moderator turned down (regenerate, re-route). */
function rejectedDrafts(event: Readonly<Envelope>): string[] {
  return event.candidates
    .filter(
      (candidate) =>
        candidate.source === LLM_BOT_ID && candidate.status !== 'proposed' && candidate.status !== 'selected',
    )
    .map((candidate) => candidate.text);
}

function formatCost(cost: number | undefined, model: string): string {
  return cost === undefined ? `cost unknown (no price for ${model})` : `cost $${cost.toFixed(6)}`;
}

export function createLlmBot(deps: LlmBotDeps): Service {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const clientFor = deps.clientFor ?? cachedClients();

  async function run(event: Readonly<Envelope>, context: StepContext): Promise<StepOutcome> {
    const settings = deps.settings();
    const lookup = deps.personas.get(context.reaction?.persona);
    const persona = lookup.persona;
    const notes: string[] = lookup.fallback ? [lookup.note] : [];
    const resolved = resolveModel(settings, persona, deps.apiKey());
    if (!resolved) return { status: 'SKIP', notes: [NO_LLM_CONFIGURED] };
    const text = event.message?.text ?? '';
    if (text.trim().length === 0) return { status: 'SKIP', notes: ['no chat message to answer'] };

    const budget = deps.limits.checkBudget(settings);
    if (!budget.ok) return { status: 'SKIP', notes: [budget.reason] };
    const external = event.identity.external;
    const userKey = userMemoryKey(external.platform, external.id);
    const channelKey = channelMemoryKey(event.ingress.connector, event.ingress.channel);
    const slot = deps.limits.acquire(userKey, event.id, settings);
    if (!slot.ok) return { status: 'SKIP', notes: [slot.reason] };

    const prompt = assemblePrompt({
      persona,
      ...(context.reaction?.prompt ? { task: context.reaction.prompt } : {}),
      ...(context.reaction?.hint ? { hint: context.reaction.hint } : {}),
      user: {
        displayName: external.displayName,
        login: external.login,
        roles: event.identity.user?.roles ?? external.roles,
        ...(event.identity.user
          ? {
              firstSeenAt: event.identity.user.firstSeenAt,
              messageCount: event.identity.user.messageCount,
              ...(event.identity.user.notes ? { notes: event.identity.user.notes } : {}),
            }
          : {}),
      },
      channel: event.ingress.channel,
      facts: factsOf(event),
      userMemory: deps.memory.recall('user', userKey),
      channelMemory: deps.memory.recall('channel', channelKey),
      message: text,
      replyLength: persona.replyLength,
      now: now(),
      rejectedDrafts: rejectedDrafts(event),
    });
    if (prompt.truncated.length > 0) notes.push(`prompt cut: ${prompt.truncated.join(', ')}`);

    const client = clientFor(resolved.endpoint);
    let result;
    try {
      result = await client.complete({
        model: resolved.model,
        messages: prompt.messages,
        temperature: resolved.temperature,
        maxTokens: resolved.maxTokens,
        n: settings.candidates,
        stream: settings.stream,
        signal: context.signal,
      });
    } catch (error) {
      slot.release();
      throw toStepFailure(error);
    }

    const cost = costOf(settings.priceTable, result.model, result.tokensIn, result.tokensOut);
    const at = now();
    deps.limits.recordUsage({ tokensIn: result.tokensIn, tokensOut: result.tokensOut, costUsd: cost ?? 0 });
    deps.write({
      op: 'llmUsage.add',
      usage: {
        at,
        day: usageDay(at),
        model: result.model,
        persona: persona.id,
        eventId: event.id,
        tokensIn: result.tokensIn,
        tokensOut: result.tokensOut,
        costUsd: cost ?? 0,
      },
    });
    notes.push(
      `model ${result.model}`,
      `tokens ${result.tokensIn} in / ${result.tokensOut} out${result.usageEstimated ? ' (estimated)' : ''}`,
      formatCost(cost, result.model),
      `${result.ms} ms${result.streamed ? ', streamed' : ''}`,
    );
    if (result.streamFallback) notes.push(`streaming failed, answered without it: ${result.streamFallback}`);

    const cleaned = result.choices.map((choice) => ({
      choice,
      verdict: cleanReply(choice.text, { userText: text, personaName: persona.name, maxLength: persona.replyLength }),
    }));
    const usable = cleaned.flatMap(({ choice, verdict }) =>
      verdict.ok ? [{ text: verdict.text, cut: verdict.cut, finishReason: choice.finishReason }] : [],
    );
    const refused = cleaned.flatMap(({ verdict }) => (verdict.ok ? [] : [verdict.reason]));
    if (refused.length > 0) notes.push(`dropped: ${[...new Set(refused)].join('; ')}`);
    if (usable.length === 0) {
      // Visible and retryable: a second try at temperature > 0 usually gives a usable reply.
      throw new StepFailure('LLM_NO_USABLE_REPLY', `no usable reply (${[...new Set(refused)].join('; ')})`, true);
    }

    const ranked = rankReplies(usable);
    const judgeTarget = resolveJudge(
      settings.safety.judge,
      { endpoint: resolved.endpoint, model: resolved.model },
      settings.moderationEndpoint,
    );
    // The judge's classification calls cost tokens too: they count against the same budgets.
    const recordJudgeUsage = (usage: { model: string; tokensIn: number; tokensOut: number }): void => {
      const judgeCost = costOf(settings.priceTable, usage.model, usage.tokensIn, usage.tokensOut) ?? 0;
      deps.limits.recordUsage({ tokensIn: usage.tokensIn, tokensOut: usage.tokensOut, costUsd: judgeCost });
      const judgedAt = now();
      deps.write({
        op: 'llmUsage.add',
        usage: {
          ...usage,
          at: judgedAt,
          day: usageDay(judgedAt),
          persona: persona.id,
          eventId: event.id,
          costUsd: judgeCost,
        },
      });
    };
    const safetyStarted = now();
    let verdicts;
    try {
      verdicts = await checkReplies(
        ranked.map((reply) => reply.text),
        {
          context: {
            systemPrompt: prompt.messages[0]?.content ?? '',
            canary: prompt.canary,
            boundary: prompt.boundary,
            channel: event.ingress.channel,
            names: [external.login, external.displayName],
          },
          settings: settings.safety,
          requestFindings: requestFindings(event),
          ...(judgeTarget
            ? { judge: createJudge(judgeTarget, clientFor(judgeTarget.endpoint), recordJudgeUsage) }
            : {}),
          signal: context.signal,
        },
      );
    } catch (error) {
      throw toStepFailure(error);
    }
    if (context.signal.aborted)
      throw new StepFailure('LLM_CANCELLED', 'cancelled: the reply is no longer wanted', false);
    notes.push(`safety ${now() - safetyStarted} ms (judge: ${judgeTarget ? judgeTarget.mode : 'off'})`);

    const candidates: Candidate[] = ranked.map((reply, index) => {
      const verdict = verdicts[index]!;
      return {
        id: newId(),
        text: reply.text,
        source: LLM_BOT_ID,
        priority: reply.priority,
        confidence: reply.confidence,
        status: 'proposed',
        ...(verdict.ok ? {} : { reason: verdict.reason, hold: verdict.hold }),
      };
    });
    const held = candidates.filter((candidate) => candidate.reason !== undefined);
    if (held.length > 0) notes.push(`${held.length} of ${candidates.length} held by safety checks`);

    // Once per event: a regenerated reply answers the same line. The bot's own line is remembered by
    // the router when it is delivered (see `rememberDelivered`), never at draft time.
    if (rejectedDrafts(event).length === 0) {
      deps.memory.remember('user', userKey, 'user', text, event.ingress.at);
      deps.memory.remember('channel', channelKey, 'user', text, event.ingress.at);
    }
    return { status: 'OK', notes: notes.map((note) => note.slice(0, 500)).slice(0, 50), candidates };
  }

  return { id: LLM_BOT_ID, phase: 'reaction', run };
}
