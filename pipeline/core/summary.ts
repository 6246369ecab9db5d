/** The compact view of an event that the live feed and event lists show. */
import type { Envelope } from './envelope.js';
import { eventHeadline } from './event-headline.js';
import type { EventSummary } from './protocol/pipeline.js';
import { allSteps, selectedCandidate } from './slip.js';

export function summarizeEvent(event: Envelope, updatedAt: number): EventSummary {
  const phaseMs: EventSummary['phaseMs'] = {};
  for (const step of allSteps(event)) {
    if (step.durationMs === undefined) continue;
    phaseMs[step.phase] = (phaseMs[step.phase] ?? 0) + step.durationMs;
  }
  const reply = selectedCandidate(event);
  const external = event.identity.external;
  const headline = eventHeadline(event.type, event.details);
  return {
    id: event.id,
    type: event.type,
    at: event.ingress.at,
    channel: event.ingress.channel,
    connector: event.ingress.connector,
    login: external.login,
    displayName: external.displayName,
    roles: event.identity.user?.roles ?? external.roles,
    text: event.message?.text ?? null,
    ...(headline ? { headline } : {}),
    stage: event.routing.stage,
    disposition: event.disposition ?? null,
    reason: event.dispositionReason ?? null,
    reply: reply ? (reply.finalText ?? reply.text) : null,
    phaseMs,
    updatedAt,
  };
}
