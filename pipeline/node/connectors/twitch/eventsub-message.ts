/**
 * One EventSub WebSocket `notification` message, exactly as Twitch sends it on the socket
 * (https://dev.twitch.tv/docs/eventsub/handling-websocket-events/#notification-message):
 * `{metadata: {message_id, message_type: "notification", message_timestamp, subscription_type,
 * subscription_version}, payload: {subscription, event}}`.
 *
 * `bitbrat replay --format eventsub` reads one per line. The frame is checked here (zod, errors name the
 * field); the event itself goes through eventsub-normalize.ts, the code the live connectors run.
 */
import { z } from 'zod';
import { describeIssues } from '../../../core/envelope.js';
import { normalizeEventSubNotification, type EventSubNormalizeResult } from './eventsub-normalize.js';

const NotificationFrameSchema = z.object({
  metadata: z.object({
    message_id: z.string().min(1).max(200),
    message_type: z.literal('notification'),
    message_timestamp: z.string().max(60).optional(),
    subscription_type: z.string().min(1).max(100),
    subscription_version: z.string().max(10).optional(),
  }),
  payload: z.object({
    subscription: z.object({ type: z.string().min(1).max(100) }).passthrough(),
    event: z.record(z.string(), z.unknown()),
  }),
});

/** Parses one notification frame (a JSON string or an already parsed value) and normalizes its event. */
export function normalizeEventSubFrame(frame: unknown): EventSubNormalizeResult {
  let value = frame;
  if (typeof frame === 'string') {
    try {
      value = JSON.parse(frame);
    } catch (error) {
      return { ok: false, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const parsed = NotificationFrameSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
  const { metadata, payload } = parsed.data;
  if (payload.subscription.type !== metadata.subscription_type) {
    return {
      ok: false,
      error: `payload.subscription.type: "${payload.subscription.type.slice(0, 80)}" differs from metadata.subscription_type`,
    };
  }
  const sentAt = metadata.message_timestamp ? Date.parse(metadata.message_timestamp) : Number.NaN;
  return normalizeEventSubNotification({
    subscriptionType: metadata.subscription_type,
    messageId: metadata.message_id,
    event: payload.event,
    ...(Number.isFinite(sentAt) ? { sentAt } : {}),
  });
}
