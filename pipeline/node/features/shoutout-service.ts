/**
 * The `shoutout` reaction service: `!so @user` as the streamer's `shoutout` command defines it (enabled,
 * trigger, roles, cooldown, template). The reply's `{lastgame}` is the category the user last streamed,
 * and Twitch's own shoutout (Helix Send Shoutout) goes out where the broadcaster is linked; its result
 * is a note on the slip, and a refusal (cooldown, missing scope) never stops the chat reply.
 *
 * A retried step (the worker restarted mid-step) does not send Twitch's shoutout again: the events it
 * was sent for are remembered, and Twitch would refuse a repeat within its cooldown anyway.
 */
import { checkRegex, matchChatTrigger, renderTemplate } from '../../core/commands.js';
import { KnownEventTypes, type Envelope } from '../../core/envelope.js';
import type { CommandDefinition } from '../../core/protocol/store.js';
import type { Service, StepContext, StepOutcome } from '../../core/service.js';
import { SHOUTOUT_COMMAND_ID } from '../../core/welcome.js';
import type { HelixChannel } from '../connectors/twitch/helix-channel.js';
import { mayRun } from '../services/commands.js';
import { targetOf, UNAVAILABLE } from './template-context.js';
import { SERVICE_IDS } from '../../core/service.js';

export interface ShoutoutServiceDeps {
  commands: () => readonly CommandDefinition[];
  /** Helix with the linked broadcaster's token; undefined while none is linked. */
  twitch?: () => Pick<HelixChannel, 'userByLogin' | 'channel' | 'shoutout'> | undefined;
  newId?: () => string;
}

export const LAST_GAME_UNKNOWN = UNAVAILABLE.lastgame;
const LOGIN = /^[A-Za-z0-9_]{1,25}$/;
const REMEMBERED_SHOUTOUTS = 500;

export function createShoutoutService(deps: ShoutoutServiceDeps): Service {
  const newId = deps.newId ?? (() => crypto.randomUUID());
  /** The last chat shoutout: its time for the command's cooldown, its event so a retry is not refused. */
  let lastReply: { at: number; eventId: string } | undefined;
  const sentFor = new Set<string>();

  async function run(event: Readonly<Envelope>, context: StepContext): Promise<StepOutcome> {
    if (event.type !== KnownEventTypes.chatMessage) return skip('not a chat message');
    const command = deps.commands().find((candidate) => candidate.id === SHOUTOUT_COMMAND_ID);
    if (!command || !command.enabled) return skip(`the ${SHOUTOUT_COMMAND_ID} command is off`);
    const text = (event.message?.text ?? '').trim();
    const match = matchChatTrigger(command.trigger, text, (pattern, flags) => {
      const check = checkRegex(pattern, flags);
      return check.ok ? check.regex : undefined;
    });
    if (!match) return skip(`not the ${SHOUTOUT_COMMAND_ID} command's trigger`);
    const roles = event.identity.user?.roles ?? event.identity.external.roles;
    if (!mayRun(command, roles)) return skip(`shoutouts need ${command.roles.join(' or ')}`);
    const login = targetOf(text, match.argList[0], '').replace(/^@/, '');
    if (!LOGIN.test(login)) return skip('name who to shout out: !so @user');
    const now = context.now();
    if (command.globalCooldownSeconds > 0 && lastReply && lastReply.eventId !== event.id) {
      const wait = lastReply.at + command.globalCooldownSeconds * 1000 - now;
      if (wait > 0) return skip(`shoutout cooldown, ${Math.ceil(wait / 1000)} s left`);
    }

    const notes: string[] = [];
    let display = login;
    let lastGame: string = LAST_GAME_UNKNOWN;
    const helix = deps.twitch?.();
    if (!helix) notes.push("no broadcaster linked: Twitch's shoutout not sent");
    else {
      try {
        const user = await helix.userByLogin(login);
        if (!user) return skip(`no Twitch user named ${login}`);
        display = user.displayName;
        const channel = await helix.channel(user.id);
        lastGame = channel.game ?? 'nothing yet';
        if (sentFor.has(event.id)) notes.push("Twitch's shoutout already sent for this message");
        else {
          const result = await helix.shoutout(user.id);
          if (result.ok) {
            if (sentFor.size >= REMEMBERED_SHOUTOUTS) sentFor.clear();
            sentFor.add(event.id);
            notes.push(`Twitch shoutout sent to ${user.login}`);
          } else notes.push(`Twitch's shoutout not sent: ${result.error}`);
        }
      } catch (error) {
        lastGame = `(last game unknown: ${error instanceof Error ? error.message : String(error)})`.slice(0, 200);
        notes.push(`Twitch lookup failed: ${lastGame}`);
      }
    }
    const external = event.identity.external;
    const reply = renderTemplate(command.template, {
      user: external.displayName,
      login: external.login,
      channel: event.ingress.channel,
      args: match.args,
      target: display,
      arg1: login,
      lastgame: lastGame,
    });
    if (reply.length === 0) return { status: 'OK', notes: [...notes, 'the reply was blank'] };
    lastReply = { at: now, eventId: event.id };
    return {
      status: 'OK',
      notes,
      candidates: [
        {
          id: newId(),
          text: reply,
          source: 'shoutout',
          priority: 100,
          confidence: 1,
          status: 'proposed',
          reason: `shoutout ${login}`,
        },
      ],
    };
  }

  return { id: SERVICE_IDS.shoutout, phase: 'reaction', run };
}

function skip(reason: string): StepOutcome {
  return { status: 'SKIP', notes: [reason] };
}
