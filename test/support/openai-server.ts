/**
 * A local OpenAI-compatible HTTP server for tests: the real `openai` SDK talks to it over a real
 * socket on 127.0.0.1, so timeouts, aborts, retries and SSE parsing are exercised for real.
 *
 * Speaks the wire format of https://platform.openai.com/docs/api-reference/chat (JSON and
 * `stream: true` server-sent events with `chat.completion.chunk` objects, a final usage chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`), /v1/moderations and /v1/models.
 *
 * Each chat completion takes the responder's answer (a model, see `setResponder`), else the next
 * scripted response (or the default one), and every request is recorded so a test can read the prompt the bot sent and see whether the client hung up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JUDGE_PROMPT_TITLE } from '../../pipeline/node/llm/safety-judge.js';

export type ScriptedResponse =
  | {
      kind: 'reply';
      /** One text per choice. */
      texts: string[];
      /** Usage to report; `null` reports none (the client must estimate). Default: counted from characters. */
      usage?: { prompt_tokens: number; completion_tokens: number } | null;
      finishReason?: 'stop' | 'length';
      /** Streaming only: stop after this many content chunks and wait until the client hangs up. */
      stallAfterChunks?: number;
    }
  | { kind: 'error'; status: number; message?: string; retryAfterSeconds?: number }
  /** Never answers: the client's timeout or abort must end it. */
  | { kind: 'hang' }
  /** Answers a streaming request with a broken event stream (the client should fall back to JSON). */
  | { kind: 'broken-stream' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined for GET). */
  body: unknown;
  /** Resolves `aborted` when the client hung up before the response ended. */
  readonly outcome: Promise<'completed' | 'aborted'>;
  /** Resolves once the first streamed content chunk was written. */
  readonly streamStarted: Promise<void>;
}

export interface OpenAiTestServer {
  /** Ends in `/v1`, as the SDK's `baseURL` expects. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Queue responses for the next chat completions, in order. */
  script(...responses: ScriptedResponse[]): void;
  /** Used when the queue is empty. */
  setDefault(response: ScriptedResponse): void;
  /** Decides which moderation inputs are flagged (default: none). */
  setModeration(flag: (input: string) => string[] | null): void;
  /**
   * A model instead of a script: called for every chat completion before the queue; returning
   * undefined falls back to the queue. How the red-team model that complies with attacks is built.
   */
  setResponder(responder: ChatResponder | undefined): void;
  chatRequests(): RecordedRequest[];
  /** Resolves with the n-th chat completion request (1-based) once it has arrived. */
  waitForChatRequest(n?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/** The request as a model sees it: the messages, the model name. */
export interface ChatRequestBody {
  model?: string;
  messages?: { role: string; content: string }[];
}
export type ChatResponder = (body: ChatRequestBody) => ScriptedResponse | undefined;

export interface OpenAiTestServerOptions {
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
  models?: string[];
  /** Answer each chat completion after this long (a real model takes a while; `bitbrat bench`). */
  replyDelayMs?: number;
  /** false: keep no requests (a long benchmark would otherwise hold every prompt in memory). */
  record?: boolean;
}

function estimate(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptText(body: unknown): string {
  const messages = (body as { messages?: { content?: unknown }[] } | undefined)?.messages ?? [];
  return messages.map((message) => (typeof message.content === 'string' ? message.content : '')).join('\n');
}

function errorBody(status: number, message: string): string {
  const type = status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit_exceeded' : 'server_error';
  return JSON.stringify({ error: { message, type, param: null, code: status === 401 ? 'invalid_api_key' : null } });
}

export async function startOpenAiServer(options: OpenAiTestServerOptions = {}): Promise<OpenAiTestServer> {
  const queue: ScriptedResponse[] = [];
  let fallback: ScriptedResponse = { kind: 'reply', texts: ['Hello from the test server!'] };
  let moderation: (input: string) => string[] | null = () => null;
  let responder: ChatResponder | undefined;
  const requests: RecordedRequest[] = [];
  const openResponses = new Set<http.ServerResponse>();
  let sequence = 0;
  const waiters: { n: number; resolve: (request: RecordedRequest) => void }[] = [];
  const chatRequests = (): RecordedRequest[] => requests.filter((request) => request.path === '/v1/chat/completions');
  function wakeWaiters(): void {
    const chats = chatRequests();
    for (const waiter of [...waiters]) {
      const request = chats[waiter.n - 1];
      if (!request) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(request);
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody(400, 'invalid JSON body'));
        return;
      }
      let settle!: (outcome: 'completed' | 'aborted') => void;
      let markStreamStarted!: () => void;
      const record: RecordedRequest = {
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        headers: req.headers,
        body,
        outcome: new Promise((resolve) => (settle = resolve)),
        streamStarted: new Promise((resolve) => (markStreamStarted = resolve)),
      };
      if (options.record !== false) requests.push(record);
      wakeWaiters();
      openResponses.add(res);
      res.on('close', () => {
        openResponses.delete(res);
        settle(res.writableFinished ? 'completed' : 'aborted');
      });
      handle(record, res, markStreamStarted);
    });
  });

  function handle(record: RecordedRequest, res: http.ServerResponse, markStreamStarted: () => void): void {
    if (options.apiKey !== undefined && record.headers.authorization !== `Bearer ${options.apiKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(errorBody(401, 'Incorrect API key provided'));
      return;
    }
    if (record.method === 'GET' && record.path === '/v1/models') {
      const data = (options.models ?? ['test-model']).map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'test',
      }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
      return;
    }
    if (record.method === 'POST' && record.path === '/v1/moderations') {
      const input = (record.body as { input?: unknown }).input;
      const inputs = Array.isArray(input) ? input.map(String) : [String(input ?? '')];
      const results = inputs.map((text) => {
        const flaggedCategories = moderation(text) ?? [];
        const categories: Record<string, boolean> = { harassment: false, hate: false, sexual: false, violence: false };
        for (const category of flaggedCategories) categories[category] = true;
        const scores = Object.fromEntries(Object.entries(categories).map(([key, value]) => [key, value ? 0.9 : 0.01]));
        return { flagged: flaggedCategories.length > 0, categories, category_scores: scores };
      });
      const payload = { id: `modr-${++sequence}`, model: 'omni-moderation-latest', results };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      return;
    }
    if (record.method === 'POST' && record.path === '/v1/chat/completions') {
      const response =
        responder?.(record.body as ChatRequestBody) ??
        judgeVerdict(record.body as ChatRequestBody) ??
        queue.shift() ??
        fallback;
      if (options.replyDelayMs) {
        setTimeout(() => {
          if (!res.destroyed) completeChat(record, res, response, markStreamStarted);
        }, options.replyDelayMs);
      } else completeChat(record, res, response, markStreamStarted);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody(404, `no route ${record.path}`));
  }

  /**
   * The judge's classification prompt is answered like a guard model, from the same classifier as
   * /v1/moderations, so scripted chat replies are not used up by safety checks.
   */
  function judgeVerdict(body: ChatRequestBody): ScriptedResponse | undefined {
    const messages = body.messages ?? [];
    if (!messages[0]?.content.startsWith(JUDGE_PROMPT_TITLE)) return undefined;
    let draft: string;
    try {
      draft = JSON.parse((messages[1]?.content ?? '').replace(/^DRAFT:\s*/, '')) as string;
    } catch {
      return { kind: 'reply', texts: ['not a draft'] };
    }
    const categories = moderation(draft) ?? [];
    return { kind: 'reply', texts: [JSON.stringify({ safe: categories.length === 0, categories })] };
  }

  function completeChat(
    record: RecordedRequest,
    res: http.ServerResponse,
    response: ScriptedResponse,
    markStreamStarted: () => void,
  ): void {
    const body = record.body as {
      model?: string;
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    const model = body.model ?? 'test-model';
    if (response.kind === 'hang') return;
    if (response.kind === 'error') {
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
      if (response.retryAfterSeconds !== undefined) headers['retry-after'] = String(response.retryAfterSeconds);
      res
        .writeHead(response.status, headers)
        .end(errorBody(response.status, response.message ?? `status ${response.status}`));
      return;
    }
    const id = `chatcmpl-${++sequence}`;
    const created = Math.floor(Date.now() / 1000);
    if (response.kind === 'broken-stream') {
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"id": this is not json\n\n');
      } else {
        const fixed: ScriptedResponse = { kind: 'reply', texts: ['Recovered without streaming.'] };
        completeChat(record, res, fixed, markStreamStarted);
      }
      return;
    }
    const usage =
      response.usage === null
        ? undefined
        : (response.usage ?? {
            prompt_tokens: estimate(promptText(record.body)),
            completion_tokens: response.texts.reduce((sum, text) => sum + estimate(text), 0),
          });
    const usageObject = usage && { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const finishReason = response.finishReason ?? 'stop';

    if (!body.stream) {
      const payload = {
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: null,
        choices: response.texts.map((text, index) => ({
          index,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: finishReason,
        })),
        ...(usageObject ? { usage: usageObject } : {}),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      return;
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: null,
        choices,
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    response.texts.forEach((_, index) => {
      res.write(chunk([{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    });
    // Words as content deltas, interleaved across choices as OpenAI does with n > 1.
    const pieces = response.texts.map((text) => text.match(/\S+\s*|\s+/g) ?? []);
    const longest = Math.max(...pieces.map((list) => list.length));
    let sent = 0;
    for (let position = 0; position < longest; position++) {
      for (const [index, list] of pieces.entries()) {
        const piece = list[position];
        if (piece === undefined) continue;
        res.write(chunk([{ index, delta: { content: piece }, logprobs: null, finish_reason: null }]));
        sent++;
        if (sent === 1) markStreamStarted();
        if (response.stallAfterChunks !== undefined && sent >= response.stallAfterChunks) return;
      }
    }
    response.texts.forEach((_, index) => {
      res.write(chunk([{ index, delta: {}, logprobs: null, finish_reason: finishReason }]));
    });
    if (includeUsage && usageObject) res.write(chunk([], { usage: usageObject }));
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...responses) => queue.push(...responses),
    setDefault: (response) => (fallback = response),
    setModeration: (flag) => (moderation = flag),
    setResponder: (next) => (responder = next),
    chatRequests,
    waitForChatRequest: (n = 1) =>
      new Promise((resolve) => {
        waiters.push({ n, resolve });
        wakeWaiters();
      }),
    close: async () => {
      for (const res of openResponses) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
