/**
 * The HostApi's LLM methods: personas and memory (the host's read connection; writes through the
 * store worker, committed before the answer), today's usage, the API key, and a test completion.
 */
import type { HostApi } from '../../../core/host-api.js';
import type { PersonaInput } from '../../../core/llm.js';
import { createLlmClient, llmConfigFromEnv } from '../../llm/client.js';
import type { LlmLimits } from '../../llm/limits.js';
import { applyLlmEnv } from '../../llm/llm-bot.js';
import type { LlmMemory } from '../../llm/memory.js';
import type { PersonaStore } from '../../llm/personas.js';
import { SECRET_NAMES } from '../../twitch-integration/secret-store.js';
import { storeSecret, type HostApiDeps } from './host-api-deps.js';

type LlmMethod =
  | 'personas.list'
  | 'personas.save'
  | 'personas.delete'
  | 'memory.list'
  | 'memory.clear'
  | 'llm.usage'
  | 'llm.test'
  | 'llm.setApiKey';

/** `llm.test` is one tiny completion: it never waits as long as a reply may. */
const TEST_TIMEOUT_MS = 15_000;

export function createLlmApi(
  deps: Pick<HostApiDeps, 'reader' | 'flush' | 'secrets' | 'workerConfig'> & {
    personas: PersonaStore;
    memory: LlmMemory;
    limits: LlmLimits;
  },
): Pick<HostApi, LlmMethod> {
  const { personas, memory, flush } = deps;
  return {
    'personas.list': async () => personas.list(),
    'personas.save': async ({ persona }) => {
      const saved = personas.upsert(persona as PersonaInput);
      // Committed before answering, so the console's next `personas.list` shows it.
      await flush();
      return saved.ok ? { ok: true, value: saved.persona } : saved;
    },
    'personas.delete': async ({ id }) => {
      if (!personas.list().some((persona) => persona.id === id)) return { ok: false };
      personas.delete(id);
      await flush();
      return { ok: true };
    },
    'memory.list': async (params) =>
      memory.view({
        ...(params.scope ? { scope: params.scope } : {}),
        ...(params.scopeKey ? { scopeKey: params.scopeKey } : {}),
        limit: params.limit ?? 100,
      }),
    'memory.clear': async (params) => {
      memory.clear(params.scope, params.scopeKey);
      await flush();
      return { ok: true };
    },
    'llm.usage': async () => deps.limits.usageToday(),
    'llm.setApiKey': async ({ key }) => {
      const stored = await storeSecret(deps.secrets, SECRET_NAMES.llmApiKey, key, 'key');
      if (!stored.ok) return stored;
      await deps.workerConfig.llmApiKey();
      return { ok: true, message: key ? 'API key stored in the secret store' : 'API key removed' };
    },
    'llm.test': async () => {
      const settings = applyLlmEnv(deps.reader.loadSettings().llm, llmConfigFromEnv(process.env));
      if (!settings.baseUrl) return { ok: false, message: 'no LLM configured: set the endpoint first', latencyMs: 0 };
      const started = Date.now();
      const storedKey = await deps.secrets.get(SECRET_NAMES.llmApiKey).catch(() => null);
      try {
        const client = createLlmClient({
          baseUrl: settings.baseUrl,
          apiKey: storedKey ?? llmConfigFromEnv(process.env)?.apiKey,
          timeoutMs: Math.min(settings.timeoutMs, TEST_TIMEOUT_MS),
          maxRetries: 0,
        });
        const result = await client.complete({
          model: settings.model,
          messages: [{ role: 'user', content: 'Reply with the single word: ok' }],
          temperature: 0,
          maxTokens: 5,
          stream: false,
        });
        return {
          ok: true,
          message: `answered: ${JSON.stringify(result.choices[0]?.text ?? '').slice(0, 60)}`,
          latencyMs: Date.now() - started,
        };
      } catch (error) {
        return {
          ok: false,
          message: error instanceof Error ? error.message : String(error),
          latencyMs: Date.now() - started,
        };
      }
    },
  };
}
