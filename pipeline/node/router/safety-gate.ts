/**
 * What the approval gate leaves to the router's Node side (issue 11): the bot's line becomes
 * conversation memory only once it was delivered. The gate's rules themselves (safety holds,
 * overrides, edits checked again) are `core/approval-decision.ts`.
 */
import type { Envelope } from '../../core/envelope.js';
import type { Settings } from '../../core/host-api.js';
import { LLM_BOT_ID, type LlmStoreWrite } from '../../core/llm.js';
import { channelMemoryKey, userMemoryKey } from '../llm/memory.js';

/**
 * The memory writes for a delivered llm-bot reply: the bot's line, under the user and the channel.
 * Called when the event ends `replied`, so drafts that were rejected, expired or regenerated never
 * shape the next prompt.
 */
export function rememberDelivered(event: Readonly<Envelope>, settings: Settings['llm'], at: number): LlmStoreWrite[] {
  const selected = event.candidates.find((candidate) => candidate.status === 'selected');
  if (!selected || selected.source !== LLM_BOT_ID) return [];
  const text = selected.finalText ?? selected.text;
  if (text.trim().length === 0 || settings.memoryEntries <= 0 || settings.memoryChars <= 0) return [];
  const external = event.identity.external;
  const bounds = { maxEntries: settings.memoryEntries, maxChars: settings.memoryChars };
  return [
    {
      op: 'memory.append',
      scope: 'user',
      scopeKey: userMemoryKey(external.platform, external.id),
      role: 'assistant',
      text,
      at,
      ...bounds,
    },
    {
      op: 'memory.append',
      scope: 'channel',
      scopeKey: channelMemoryKey(event.ingress.connector, event.ingress.channel),
      role: 'assistant',
      text,
      at,
      ...bounds,
    },
  ];
}
