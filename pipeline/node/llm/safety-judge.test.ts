import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAFETY_SETTINGS } from '../../core/safety.js';
import { startOpenAiServer, type OpenAiTestServer } from '../../../test/support/openai-server.js';
import { createLlmClient } from './client.js';
import { createJudge, JudgeError, parseJudgeAnswer, resolveJudge } from './safety-judge.js';

let server: OpenAiTestServer;
beforeAll(async () => {
  server = await startOpenAiServer();
  server.setModeration((input) => (input.includes('hateful') ? ['hate'] : null));
});
afterAll(async () => server.close());

const judgeSettings = DEFAULT_SAFETY_SETTINGS.judge;
const chat = (baseUrl: string, apiKey?: string) => ({
  endpoint: { baseUrl, ...(apiKey ? { apiKey } : {}), timeoutMs: 5000, maxRetries: 0 },
  model: 'chat-model',
});

describe('the safety judge', () => {
  it('parses a strict JSON verdict and a Llama Guard answer, and refuses anything else', () => {
    expect(parseJudgeAnswer('{"safe": true, "categories": []}')).toEqual({ flagged: false, categories: [] });
    expect(parseJudgeAnswer('```json\n{"safe": false, "categories": ["hate"]}\n```')).toEqual({
      flagged: true,
      categories: ['hate'],
    });
    expect(parseJudgeAnswer('{"safe": false}')).toEqual({ flagged: true, categories: ['unspecified'] });
    expect(parseJudgeAnswer('unsafe\nS10,S11')).toEqual({ flagged: true, categories: ['hate', 'self-harm'] });
    expect(parseJudgeAnswer('safe')).toEqual({ flagged: false, categories: [] });
    expect(() => parseJudgeAnswer('Sure! The draft looks fine to me.')).toThrow(JudgeError);
    expect(() => parseJudgeAnswer('{"verdict": "ok"}')).toThrow(/"safe"/);
  });

  it('picks moderation on api.openai.com and a model elsewhere (auto), and never sends the key to another host', () => {
    expect(resolveJudge(judgeSettings, chat('https://api.openai.com/v1', 'sk-x'))?.mode).toBe('moderation');
    expect(resolveJudge(judgeSettings, chat('https://api.openai.com/v1', 'sk-x'), false)?.mode).toBe('model');
    expect(resolveJudge(judgeSettings, chat('http://127.0.0.1:11434/v1'))).toMatchObject({
      mode: 'model',
      model: 'chat-model',
    });
    const guard = resolveJudge(
      { ...judgeSettings, baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama-guard3:1b' },
      chat('https://openrouter.ai/api/v1', 'sk-secret'),
    );
    expect(guard).toMatchObject({ mode: 'model', model: 'llama-guard3:1b' });
    expect(guard?.endpoint.apiKey).toBeUndefined();
    expect(resolveJudge({ ...judgeSettings, mode: 'off' }, chat('http://x/v1'))).toBeUndefined();
  });

  it('asks a chat model with the classification prompt, the draft as quoted data', async () => {
    const target = resolveJudge(judgeSettings, chat(server.baseUrl))!;
    const judge = createJudge(target, createLlmClient(target.endpoint));
    const verdicts = await judge(['a hateful draft', 'a kind draft'], new AbortController().signal);
    expect(verdicts).toEqual([
      { flagged: true, categories: ['hate'] },
      { flagged: false, categories: [] },
    ]);
    const request = server.chatRequests().at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(request.messages[0]!.content).toMatch(/content-safety classifier/);
    expect(request.messages[1]!.content).toBe('DRAFT: "a kind draft"');
  });

  it('uses the moderation route when told to', async () => {
    const target = resolveJudge({ ...judgeSettings, mode: 'moderation' }, chat(server.baseUrl))!;
    const judge = createJudge(target, createLlmClient(target.endpoint));
    expect(await judge(['hateful words'], new AbortController().signal)).toEqual([
      { flagged: true, categories: ['hate'] },
    ]);
  });

  it('throws when the model answers prose instead of a verdict (the caller holds the draft)', async () => {
    server.setResponder(() => ({ kind: 'reply', texts: ['I think this is fine!'] }));
    try {
      const target = resolveJudge(judgeSettings, chat(server.baseUrl))!;
      const judge = createJudge(target, createLlmClient(target.endpoint));
      await expect(judge(['anything'], new AbortController().signal)).rejects.toThrow(JudgeError);
    } finally {
      server.setResponder(undefined);
    }
  });
});
