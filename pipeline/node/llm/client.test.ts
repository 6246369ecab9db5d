import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiTestServer } from '../../../test/support/openai-server.js';
import {
  costOf,
  createLlmClient,
  describeLlmEnv,
  isOpenAiEndpoint,
  LlmCallError,
  llmConfigFromEnv,
  type CompletionRequest,
} from './client.js';

let server: OpenAiTestServer;
beforeEach(async () => {
  server = await startOpenAiServer({ apiKey: 'sk-test-123' });
});
afterEach(async () => {
  await server.close();
});

const request = (extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'test-model',
  messages: [
    { role: 'system', content: 'be nice' },
    { role: 'user', content: 'hello there' },
  ],
  temperature: 0.5,
  maxTokens: 50,
  ...extra,
});

function client(overrides: { timeoutMs?: number; maxRetries?: number; apiKey?: string } = {}) {
  return createLlmClient({
    baseUrl: server.baseUrl,
    apiKey: 'sk-test-123',
    timeoutMs: 5000,
    maxRetries: 0,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<LlmCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmCallError);
  return error as LlmCallError;
}

describe('llm client (real openai SDK against a local server)', () => {
  it('streams a reply with the usage from the final chunk', async () => {
    server.script({ kind: 'reply', texts: ['Hi there, friend!'], usage: { prompt_tokens: 11, completion_tokens: 5 } });
    const result = await client().complete(request());
    expect(result).toMatchObject({
      choices: [{ text: 'Hi there, friend!', finishReason: 'stop' }],
      tokensIn: 11,
      tokensOut: 5,
      usageEstimated: false,
      streamed: true,
      model: 'test-model',
    });
    const sent = server.chatRequests()[0]!;
    expect(sent.headers.authorization).toBe('Bearer sk-test-123');
    expect(sent.body).toMatchObject({
      model: 'test-model',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.5,
      max_tokens: 50,
    });
  });

  it('collects several streamed choices (n > 1)', async () => {
    server.script({ kind: 'reply', texts: ['first answer here', 'second one'] });
    const result = await client().complete(request({ n: 2 }));
    expect(result.choices.map((c) => c.text)).toEqual(['first answer here', 'second one']);
    expect((server.chatRequests()[0]!.body as { n: number }).n).toBe(2);
  });

  it('answers without streaming when asked, and estimates usage the endpoint did not report', async () => {
    server.script({ kind: 'reply', texts: ['Plain answer'], usage: null });
    const result = await client().complete(request({ stream: false }));
    expect(result).toMatchObject({
      choices: [{ text: 'Plain answer' }],
      streamed: false,
      usageEstimated: true,
      tokensOut: 3,
    });
    expect(result.tokensIn).toBeGreaterThan(0);
    expect(server.chatRequests()[0]!.body).not.toHaveProperty('stream');
  });

  it('falls back to a plain request on a broken event stream, and stops streaming to that endpoint', async () => {
    server.setDefault({ kind: 'broken-stream' });
    const llm = client();
    const first = await llm.complete(request());
    expect(first).toMatchObject({ streamed: false, choices: [{ text: 'Recovered without streaming.' }] });
    expect(first.streamFallback).toMatch(/\S/); // the reason it fell back, for the log
    await llm.complete(request());
    expect(server.chatRequests().map((r) => (r.body as { stream?: boolean }).stream ?? false)).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('falls back when the endpoint rejects streaming with a 400', async () => {
    server.script(
      { kind: 'error', status: 400, message: 'stream_options is not supported' },
      { kind: 'reply', texts: ['ok'] },
    );
    const result = await client().complete(request());
    expect(result).toMatchObject({ streamed: false, choices: [{ text: 'ok' }] });
  });

  it('times out a slow endpoint and hangs up on it', async () => {
    server.script({ kind: 'hang' });
    const error = await failure(client({ timeoutMs: 300 }).complete(request()));
    expect(error.kind).toBe('timeout');
    expect(await server.chatRequests()[0]!.outcome).toBe('aborted');
  });

  it('aborts the HTTP request mid-stream when the signal fires', async () => {
    server.script({ kind: 'reply', texts: ['one two three four five'], stallAfterChunks: 2 });
    const controller = new AbortController();
    const pending = client().complete(request({ signal: controller.signal }));
    await (
      await server.waitForChatRequest()
    ).streamStarted;
    controller.abort();
    const error = await failure(pending);
    expect(error.kind).toBe('cancelled');
    expect(await server.chatRequests()[0]!.outcome).toBe('aborted');
  });

  it('reports HTTP errors with their status; the SDK retries a 429 that says when', async () => {
    server.script({ kind: 'error', status: 500 });
    expect(await failure(client().complete(request()))).toMatchObject({ kind: 'http', status: 500 });
    server.script({ kind: 'error', status: 429, retryAfterSeconds: 0 }, { kind: 'reply', texts: ['after the wait'] });
    const result = await client({ maxRetries: 1 }).complete(request());
    expect(result.choices[0]!.text).toBe('after the wait');
    expect(server.chatRequests()).toHaveLength(3);
  });

  it('fails with 401 on a wrong key and never puts the key in the error', async () => {
    const error = await failure(client({ apiKey: 'sk-wrong-secret' }).complete(request()));
    expect(error).toMatchObject({ kind: 'http', status: 401 });
    expect(error.message).not.toContain('sk-wrong-secret');
  });

  it('calls the moderation endpoint', async () => {
    server.setModeration((text) => (text.includes('hate') ? ['hate'] : null));
    const verdicts = await client().moderate(['nice words', 'i hate you']);
    expect(verdicts).toEqual([
      { flagged: false, categories: [] },
      { flagged: true, categories: ['hate'] },
    ]);
  });
});

describe('llm configuration helpers', () => {
  it('reads the headless environment and never describes the key', () => {
    const env = {
      BITBRAT_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      BITBRAT_LLM_API_KEY: 'sk-secret',
      BITBRAT_LLM_MODEL: 'llama3',
    };
    const config = llmConfigFromEnv(env);
    expect(config).toEqual({ baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'sk-secret', model: 'llama3' });
    expect(describeLlmEnv(config)).not.toContain('sk-secret');
    expect(describeLlmEnv(config)).toContain('key=set');
    expect(llmConfigFromEnv({})).toBeUndefined();
    expect(llmConfigFromEnv({ BITBRAT_LLM_BASE_URL: 'ftp://nope' })).toBeUndefined();
  });

  it('prices calls from the table and knows OpenAI when it sees it', () => {
    expect(costOf({ m: { inPerMTok: 2, outPerMTok: 8 } }, 'm', 1_000_000, 500_000)).toBeCloseTo(6);
    expect(costOf({}, 'm', 10, 10)).toBeUndefined();
    expect(isOpenAiEndpoint('https://api.openai.com/v1')).toBe(true);
    expect(isOpenAiEndpoint('https://api.openai.com.evil.example/v1')).toBe(false);
    expect(isOpenAiEndpoint('not a url')).toBe(false);
  });
});
