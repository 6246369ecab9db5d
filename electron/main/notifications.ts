/**
 * Desktop notifications for replies that start waiting for a moderator (optional, a tray setting).
 * One notification per push batch, so a burst of held replies does not flood the streamer's screen.
 */
import type { Approval } from '../../pipeline/core/approval.js';

export interface NotificationContent {
  title: string;
  body: string;
}

const MAX_BODY = 140;

export function heldReplyNotification(newlyHeld: readonly Approval[]): NotificationContent | null {
  const first = newlyHeld[0];
  if (!first) return null;
  if (newlyHeld.length > 1) {
    return { title: `${newlyHeld.length} replies waiting for approval`, body: 'Open BitBrat to review them.' };
  }
  const text =
    first.originalText.length > MAX_BODY ? `${first.originalText.slice(0, MAX_BODY - 1)}…` : first.originalText;
  return { title: 'Reply waiting for approval', body: text };
}

export interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
}

export interface NotifierDeps {
  isSupported(): boolean;
  create(content: NotificationContent & { silent: boolean }): NotificationLike;
  enabled(): boolean;
  onClick(): void;
}

export function notifyHeldReplies(deps: NotifierDeps, newlyHeld: readonly Approval[]): boolean {
  if (!deps.enabled() || !deps.isSupported()) return false;
  const content = heldReplyNotification(newlyHeld);
  if (!content) return false;
  // Silent: the streamer is live, a notification sound could end up on stream.
  const notification = deps.create({ ...content, silent: true });
  notification.on('click', deps.onClick);
  notification.show();
  return true;
}

export function updateReadyNotification(version: string): NotificationContent {
  return {
    title: `BitBrat ${version} is ready`,
    body: 'It will be installed when you quit BitBrat. Nothing restarts while you are live.',
  };
}

/** Announces a downloaded update once; not tied to the held-replies setting (it happens rarely). */
export function notifyUpdateReady(deps: Omit<NotifierDeps, 'enabled'>, version: string): boolean {
  if (!deps.isSupported()) return false;
  const notification = deps.create({ ...updateReadyNotification(version), silent: true });
  notification.on('click', deps.onClick);
  notification.show();
  return true;
}
