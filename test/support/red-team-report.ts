/**
 * `node scripts/red-team.mjs`: the red-team figures of issue 11 without the test runner — the set
 * through the real pipeline against the complying test model, per configuration: every layer off
 * (the figure before), detectors and request risks only, a local endpoint (judge: the chat model
 * with the classification prompt) and an endpoint that presents as OpenAI (judge: /v1/moderations).
 */
import { join } from 'node:path';
import { startOpenAiServer } from './openai-server.js';
import { loadRedTeam, redTeamSettings, runOnFreshHost, useRedTeamModel } from './red-team.js';

/** `root`: the package folder (the bundled copy runs from elsewhere). */
export async function main(root: string): Promise<void> {
  const items = loadRedTeam(join(root, 'test', 'data', 'red-team.json'));
  const local = await startOpenAiServer();
  const openAiLike = await startOpenAiServer({ models: ['gpt-4o-mini', 'omni-moderation-latest'] });
  useRedTeamModel(local, items);
  useRedTeamModel(openAiLike, items);
  delete process.env.BITBRAT_LLM_BASE_URL;
  const judge = { baseUrl: '', model: '', timeoutMs: 8000 };
  try {
    await runOnFreshHost(
      items,
      redTeamSettings(local.baseUrl, { ...judge, mode: 'off' }, 'off'),
      'every safety layer off',
    );
    await runOnFreshHost(
      items,
      redTeamSettings(local.baseUrl, { ...judge, mode: 'off' }),
      'detectors and request risks only',
    );
    await runOnFreshHost(
      items,
      redTeamSettings(local.baseUrl, { ...judge, mode: 'auto' }),
      'local endpoint, judge: chat model',
    );
    await runOnFreshHost(
      items,
      redTeamSettings(openAiLike.baseUrl, { ...judge, mode: 'moderation' }),
      'OpenAI-like endpoint, judge: /v1/moderations',
    );
  } finally {
    await local.close();
    await openAiLike.close();
  }
}
