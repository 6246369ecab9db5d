/**
 * Welcome and shoutouts. A first-time chatter (Twitch's `first-msg` tag, or the auth service's
 * `first-message` tag on any platform) and a chatter back for a new session (`returning` +
 * `new-session`) get the greeting below from the `welcome` reaction service, once the streamer turns
 * on the default rules `welcome-first-time` / `welcome-returning` (off on a fresh install: a greeting
 * nobody wrote must not reach chat). `!so @user` is the default `shoutout` command, run by the
 * `shoutout` service: the reply names the user's last category, and Helix Send Shoutout goes out
 * where the broadcaster is linked.
 */
import { z } from 'zod';

/** The rules and the command that the welcome and shoutout services serve. */
export const WELCOME_RULE_IDS = { firstTime: 'welcome-first-time', returning: 'welcome-returning' } as const;
export const SHOUTOUT_COMMAND_ID = 'shoutout';

const GreetingSchema = z.string().trim().max(400);

export const WelcomeSettingsSchema = z.object({
  /** For someone's first message in the channel. Variables as in any template ({user}, {game} ...). */
  firstTime: GreetingSchema.default('Welcome to the stream, {user}! Great to have you here 👋'),
  /** For a chatter seen in an earlier session, at their first message of this one. */
  returning: GreetingSchema.default('Welcome back, {user}!'),
});
export type WelcomeSettings = z.infer<typeof WelcomeSettingsSchema>;
export const DEFAULT_WELCOME_SETTINGS: WelcomeSettings = WelcomeSettingsSchema.parse({});
