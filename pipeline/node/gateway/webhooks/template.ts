/**
 * Maps an inbound webhook body to an event with the webhook's template: the type is fixed by the
 * template (always `webhook.*`), text, display name and details are copied from dot paths. The
 * sender is the webhook itself: a body can never choose who it speaks as, nor the event type.
 */
import type { WebhookTemplate } from '../../../core/client-protocol.js';

export const WEBHOOKS_CONNECTOR = 'webhooks';

/** Reads `a.b.0.c` from parsed JSON, following own properties only (never the prototype chain). */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function asText(value: unknown, max: number): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed.slice(0, max) : undefined;
}

export function mapWebhookBody(name: string, template: WebhookTemplate, body: unknown): Record<string, unknown> {
  const text = template.text ? asText(readPath(body, template.text), 2000) : undefined;
  const displayName = (template.displayName ? asText(readPath(body, template.displayName), 100) : undefined) ?? name;
  const details: Record<string, unknown> = {};
  for (const [field, path] of Object.entries(template.details)) {
    const value = readPath(body, path);
    if (value !== undefined) details[field] = value;
  }
  return {
    type: template.type,
    ingress: { connector: WEBHOOKS_CONNECTOR, source: `webhook:${name}`, channel: `webhook:${name}` },
    identity: { external: { id: `webhook:${name}`, platform: 'webhook', login: name, displayName, roles: [] } },
    ...(text !== undefined ? { message: { text } } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
    externalEvent: { kind: 'webhook', payload: body },
  };
}
