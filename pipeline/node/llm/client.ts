/**
 * The one way the app talks to an LLM: the `openai` SDK (v6) against any OpenAI-compatible endpoint
 * (OpenAI, OpenRouter, Ollama, LM Studio, llama.cpp server).
 *
 * - Streams when the endpoint offers it; an endpoint that rejects `stream`/`stream_options` (400) or
 *   sends a malformed event stream gets the same request again without streaming, and the client
 *   remembers not to stream to it again.
 * - `timeoutMs` bounds the whole call (streamed body included), not just the wait for headers: a
 *   model that dribbles tokens forever would otherwise hold a reply slot open.
 * - The caller's AbortSignal aborts the HTTP request (a moderator rejected the reply).
 * - Usage comes from the response; when an endpoint reports none it is estimated (chars / 4).
 * The API key is only ever handed to the SDK; nothing here logs it or puts it in an error message.
 */
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError, BadRequestError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ModelPrice } from '../../core/llm.js';

export interface LlmEndpoint {
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  /** Choices to ask for (endpoints that ignore `n` return one). */
  n?: number;
  stream?: boolean;
  signal?: AbortSignal;
}

export interface CompletionChoice {
  text: string;
  finishReason: string | null;
}

export interface CompletionResult {
  model: string;
  choices: CompletionChoice[];
  tokensIn: number;
  tokensOut: number;
  /** True when the endpoint reported no usage and the counts are estimates. */
  usageEstimated: boolean;
  streamed: boolean;
  /** Set when a streaming attempt failed and the plain request answered instead. */
  streamFallback?: string;
  ms: number;
}

export interface ModerationVerdict {
  flagged: boolean;
  categories: string[];
}

/** Why a call did not complete; `llm-bot` maps these to step failures. */
export class LlmCallError extends Error {
  constructor(
    readonly kind: 'timeout' | 'cancelled' | 'http' | 'connection' | 'invalid-response',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmCallError';
  }
}

export interface LlmClient {
  readonly endpoint: Readonly<LlmEndpoint>;
  complete(request: CompletionRequest): Promise<CompletionResult>;
  moderate(texts: string[], signal?: AbortSignal): Promise<ModerationVerdict[]>;
}

/** Rough token count for endpoints that report no usage: about four characters per token for English. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Estimated USD for a call; `undefined` when the model has no price in the table. */
export function costOf(
  priceTable: Record<string, ModelPrice>,
  model: string,
  tokensIn: number,
  tokensOut: number,
): number | undefined {
  const price = priceTable[model];
  if (!price) return undefined;
  return (tokensIn * price.inPerMTok + tokensOut * price.outPerMTok) / 1_000_000;
}

/** OpenAI's own API (where the moderation endpoint exists and is free to use). */
export function isOpenAiEndpoint(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

export interface LlmEnvConfig {
  baseUrl: string;
  apiKey?: string;
  model?: string;
}

/**
 * Headless configuration (`bitbrat serve`, `bitbrat replay`): BITBRAT_LLM_BASE_URL,
 * BITBRAT_LLM_API_KEY, BITBRAT_LLM_MODEL. Returns undefined when no base URL is set or it is not an
 * http(s) URL. The key is returned to the caller, never logged: use `describeLlmEnv` for logs.
 */
export function llmConfigFromEnv(env: Record<string, string | undefined>): LlmEnvConfig | undefined {
  const baseUrl = env.BITBRAT_LLM_BASE_URL?.trim();
  if (!baseUrl || !/^https?:\/\/\S+$/i.test(baseUrl)) return undefined;
  const apiKey = env.BITBRAT_LLM_API_KEY?.trim();
  const model = env.BITBRAT_LLM_MODEL?.trim();
  return { baseUrl, ...(apiKey ? { apiKey } : {}), ...(model ? { model } : {}) };
}

/** A log line for the env config that shows whether a key is set, never the key. */
export function describeLlmEnv(config: LlmEnvConfig | undefined): string {
  if (!config) return 'LLM: not configured (set BITBRAT_LLM_BASE_URL)';
  return `LLM: ${config.baseUrl} model=${config.model ?? '(settings)'} key=${config.apiKey ? 'set' : 'none'}`;
}

// Local servers (Ollama, LM Studio) want no key, but the SDK refuses to start without one.
const NO_KEY = 'no-key';

export function createLlmClient(endpoint: LlmEndpoint): LlmClient {
  const sdk = new OpenAI({
    baseURL: endpoint.baseUrl,
    apiKey: endpoint.apiKey || NO_KEY,
    timeout: endpoint.timeoutMs,
    maxRetries: endpoint.maxRetries,
  });
  let streamingWorks = true;

  /** Runs `call` with the caller's signal and the whole-call deadline combined into one. */
  async function withDeadline<T>(
    signal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) throw new LlmCallError('cancelled', 'cancelled before the request was sent');
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, endpoint.timeoutMs);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await call(controller.signal);
    } catch (error) {
      if (timedOut) throw new LlmCallError('timeout', `no complete answer within ${endpoint.timeoutMs} ms`);
      if (signal?.aborted) throw new LlmCallError('cancelled', 'cancelled: the reply is no longer wanted');
      throw toCallError(error);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function completePlain(
    request: CompletionRequest,
    signal: AbortSignal,
    started: number,
  ): Promise<CompletionResult> {
    const response = await sdk.chat.completions.create(
      {
        model: request.model,
        messages: request.messages as ChatCompletionMessageParam[],
        temperature: request.temperature,
        max_tokens: request.maxTokens,
        ...(request.n && request.n > 1 ? { n: request.n } : {}),
      },
      { signal },
    );
    if (!Array.isArray(response.choices)) throw new LlmCallError('invalid-response', 'the endpoint sent no choices');
    const choices = response.choices.map((choice) => ({
      text: choice.message?.content ?? '',
      finishReason: choice.finish_reason ?? null,
    }));
    return finish(request, response.model || request.model, choices, response.usage, false, started);
  }

  async function completeStreaming(
    request: CompletionRequest,
    signal: AbortSignal,
    started: number,
  ): Promise<CompletionResult> {
    const stream = await sdk.chat.completions.create(
      {
        model: request.model,
        messages: request.messages as ChatCompletionMessageParam[],
        temperature: request.temperature,
        max_tokens: request.maxTokens,
        ...(request.n && request.n > 1 ? { n: request.n } : {}),
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    const texts: string[] = [];
    const finishReasons: (string | null)[] = [];
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    let model = request.model;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices ?? []) {
        texts[choice.index] = (texts[choice.index] ?? '') + (choice.delta?.content ?? '');
        if (choice.finish_reason) finishReasons[choice.index] = choice.finish_reason;
      }
    }
    if (chunks === 0) throw new StreamUnusable('the event stream was empty');
    const choices = Array.from(texts, (text, index) => ({
      text: text ?? '',
      finishReason: finishReasons[index] ?? null,
    }));
    return finish(request, model, choices, usage, true, started);
  }

  return {
    endpoint,
    async complete(request) {
      const started = Date.now();
      const stream = (request.stream ?? true) && streamingWorks;
      if (!stream) return withDeadline(request.signal, (signal) => completePlain(request, signal, started));
      return withDeadline(request.signal, async (signal) => {
        try {
          return await completeStreaming(request, signal, started);
        } catch (error) {
          if (signal.aborted || !streamingUnsupported(error)) throw error;
          streamingWorks = false;
          const result = await completePlain(request, signal, started);
          return { ...result, streamFallback: describe(error) };
        }
      });
    },
    async moderate(texts, signal) {
      if (texts.length === 0) return [];
      return withDeadline(signal, async (combined) => {
        const response = await sdk.moderations.create({ input: texts }, { signal: combined });
        return texts.map((_, index) => {
          const result = response.results[index];
          if (!result) throw new LlmCallError('invalid-response', 'the moderation endpoint returned too few results');
          const categories = Object.entries(result.categories ?? {})
            .filter(([, flagged]) => flagged === true)
            .map(([name]) => name);
          return { flagged: result.flagged === true, categories };
        });
      });
    },
  };
}

class StreamUnusable extends Error {}

/**
 * A streaming attempt that failed because of streaming itself: a 400 (the endpoint does not know
 * `stream`/`stream_options`), an unparseable event stream, or no events at all. Rate limits, auth,
 * server errors and timeouts are not: repeating them without streaming would only double the load.
 */
function streamingUnsupported(error: unknown): boolean {
  if (error instanceof StreamUnusable || error instanceof BadRequestError) return true;
  if (error instanceof APIError || error instanceof LlmCallError) return false;
  return error instanceof SyntaxError || (error instanceof Error && /json|stream|chunk/i.test(error.message));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
}

function toCallError(error: unknown): LlmCallError {
  if (error instanceof LlmCallError) return error;
  if (error instanceof APIUserAbortError) return new LlmCallError('cancelled', 'request aborted');
  if (error instanceof APIConnectionTimeoutError)
    return new LlmCallError('timeout', 'the endpoint did not answer in time');
  if (error instanceof APIError) {
    if (error.status === undefined)
      return new LlmCallError('connection', `cannot reach the endpoint: ${describe(error)}`);
    return new LlmCallError('http', `HTTP ${error.status}: ${describe(error)}`, error.status);
  }
  return new LlmCallError('invalid-response', `unexpected answer: ${describe(error)}`);
}

function finish(
  request: CompletionRequest,
  model: string,
  choices: CompletionChoice[],
  usage: { prompt_tokens: number; completion_tokens: number } | null | undefined,
  streamed: boolean,
  started: number,
): CompletionResult {
  const estimated = !usage;
  const tokensIn = usage ? usage.prompt_tokens : estimateTokens(request.messages.map((m) => m.content).join('\n'));
  const tokensOut = usage
    ? usage.completion_tokens
    : choices.reduce((sum, choice) => sum + estimateTokens(choice.text), 0);
  return { model, choices, tokensIn, tokensOut, usageEstimated: estimated, streamed, ms: Date.now() - started };
}
