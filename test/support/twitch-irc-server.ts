/**
 * A local Twitch-like chat server for tests: IRC over WebSocket on 127.0.0.1, speaking what
 * https://dev.twitch.tv/docs/chat/irc/ documents: CAP REQ/ACK for the three twitch.tv capabilities,
 * PASS/NICK (anonymous `justinfan*` accepted), JOIN with USERSTATE/ROOMSTATE, PRIVMSG from clients
 * recorded and answered with USERSTATE, PING/PONG both ways, RECONNECT, NOTICE msg_ratelimit and
 * msg_duplicate. Tests inject server lines, freeze a connection (a stall) or drop sockets.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface TwitchIrcServerOptions {
  /** Messages a non-moderator may send per window before NOTICE msg_ratelimit (Twitch: 20 / 30 s). */
  rateLimit?: { messages: number; windowMs: number };
  /** Same for moderators and the broadcaster (Twitch: 100 / 30 s). */
  moderatorRateLimit?: { messages: number; windowMs: number };
  /** Twitch drops a message identical to the sender's previous one within 30 s. */
  duplicateWindowMs?: number;
  /** Logins that are moderators in every channel (their USERSTATE says mod). */
  moderators?: string[];
  /** `oauth:` tokens accepted, by login. Absent: any token is accepted. */
  tokens?: Record<string, string>;
}

export interface RecordedPrivmsg {
  login: string;
  channel: string;
  text: string;
  replyParentId: string | undefined;
  at: number;
}

export interface ClientSession {
  socket: WebSocket;
  login: string | null;
  anonymous: boolean;
  caps: string[];
  channels: Set<string>;
  frozen: boolean;
  sent: number[];
  lastText: { text: string; at: number } | null;
}

export interface TwitchIrcServer {
  readonly port: number;
  readonly sessions: ReadonlySet<ClientSession>;
  /** Every PRIVMSG accepted from clients, in order. */
  readonly privmsgs: RecordedPrivmsg[];
  /** Every NOTICE msg-id the server sent, in order. */
  readonly notices: string[];
  readonly events: EventEmitter;
  /** Sends a raw line to every registered client that joined `channel` (or to all when absent). */
  inject(line: string, channel?: string): void;
  /** Builds and injects a Twitch-format PRIVMSG; returns the line. */
  chat(params: { channel: string; login: string; text: string; id: string; userId?: string; tags?: string }): string;
  ping(): void;
  /** Sends RECONNECT, as Twitch does before a server restart. */
  reconnect(): void;
  /** Drops every socket at once (no close handshake), like a network failure. */
  drop(): void;
  /** Stops answering and sending on current sockets, leaving them open: a stalled connection. */
  freeze(): void;
  /** Resolves when `count` sessions have joined `channel`. */
  waitForJoins(channel: string, count: number): Promise<void>;
  close(): Promise<void>;
}

const SERVER = 'tmi.twitch.tv';
const KNOWN_CAPS = new Set(['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership']);

export async function startTwitchIrcServer(options: TwitchIrcServerOptions = {}): Promise<TwitchIrcServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const events = new EventEmitter();
  const sessions = new Set<ClientSession>();
  const privmsgs: RecordedPrivmsg[] = [];
  const notices: string[] = [];
  const joinCounts = new Map<string, number>();
  const rateLimit = options.rateLimit ?? { messages: 20, windowMs: 30_000 };
  const modRateLimit = options.moderatorRateLimit ?? { messages: 100, windowMs: 30_000 };
  const duplicateWindowMs = options.duplicateWindowMs ?? 30_000;
  const moderators = new Set(options.moderators ?? []);

  const send = (session: ClientSession, line: string) => {
    if (session.frozen || session.socket.readyState !== session.socket.OPEN) return;
    session.socket.send(`${line}\r\n`);
  };

  const notice = (session: ClientSession, channel: string, msgId: string, text: string) => {
    notices.push(msgId);
    send(session, `@msg-id=${msgId} :${SERVER} NOTICE ${channel} :${text}`);
  };

  const userstate = (session: ClientSession, channel: string) => {
    const login = session.login ?? '';
    const mod = moderators.has(login);
    const badges = channel === `#${login}` ? 'broadcaster/1' : mod ? 'moderator/1' : '';
    send(
      session,
      `@badge-info=;badges=${badges};color=;display-name=${login};emote-sets=0;mod=${mod ? 1 : 0};subscriber=0;` +
        `user-type=${mod ? 'mod' : ''} :${SERVER} USERSTATE ${channel}`,
    );
  };

  const register = (session: ClientSession, nick: string, pass: string | null) => {
    const anonymous = /^justinfan\d+$/.test(nick);
    if (!anonymous) {
      const expected = options.tokens?.[nick];
      if (!pass || (expected !== undefined && pass !== expected)) {
        notices.push('login_failed');
        send(session, `:${SERVER} NOTICE * :Login authentication failed`);
        session.socket.close();
        return;
      }
    }
    session.login = nick;
    session.anonymous = anonymous;
    for (const [code, text] of [
      ['001', 'Welcome, GLHF!'],
      ['002', `Your host is ${SERVER}`],
      ['003', 'This server is rather new'],
      ['004', '-'],
      ['375', '-'],
      ['372', 'You are in a maze of twisty passages, all alike.'],
      ['376', '>'],
    ] as const) {
      send(session, `:${SERVER} ${code} ${nick} :${text}`);
    }
    if (!anonymous) {
      send(
        session,
        `@badge-info=;badges=;color=;display-name=${nick};emote-sets=0;user-id=1;user-type= :${SERVER} GLOBALUSERSTATE`,
      );
    }
    events.emit('registered', session);
  };

  const join = (session: ClientSession, channel: string) => {
    const login = session.login ?? '';
    session.channels.add(channel);
    send(session, `:${login}!${login}@${login}.${SERVER} JOIN ${channel}`);
    if (!session.anonymous) userstate(session, channel);
    send(session, `:${login}.${SERVER} 353 ${login} = ${channel} :${login}`);
    send(session, `:${login}.${SERVER} 366 ${login} ${channel} :End of /NAMES list`);
    send(session, `@emote-only=0;followers-only=-1;r9k=0;room-id=1;slow=0;subs-only=0 :${SERVER} ROOMSTATE ${channel}`);
    joinCounts.set(channel, (joinCounts.get(channel) ?? 0) + 1);
    events.emit('join', channel);
  };

  const privmsg = (session: ClientSession, tags: Record<string, string>, channel: string, text: string) => {
    // Anonymous users cannot talk; Twitch ignores them silently.
    if (session.anonymous || !session.login || !session.channels.has(channel)) return;
    const now = Date.now();
    const mod = moderators.has(session.login) || channel === `#${session.login}`;
    const limit = mod ? modRateLimit : rateLimit;
    session.sent = session.sent.filter((at) => now - at < limit.windowMs);
    if (session.sent.length >= limit.messages) {
      notice(
        session,
        channel,
        'msg_ratelimit',
        'Your message was not sent because you are sending messages too quickly.',
      );
      return;
    }
    if (session.lastText && session.lastText.text === text && now - session.lastText.at < duplicateWindowMs) {
      notice(
        session,
        channel,
        'msg_duplicate',
        'Your message was not sent because it is identical to the previous one you sent, less than 30 seconds ago.',
      );
      return;
    }
    session.sent.push(now);
    session.lastText = { text, at: now };
    const recorded = { login: session.login, channel, text, replyParentId: tags['reply-parent-msg-id'], at: now };
    privmsgs.push(recorded);
    userstate(session, channel);
    events.emit('privmsg', recorded);
  };

  const handleLine = (session: ClientSession, state: { pass: string | null }, line: string) => {
    if (session.frozen) return;
    events.emit('line', line, session);
    let rest = line;
    const tags: Record<string, string> = {};
    if (rest.startsWith('@')) {
      const space = rest.indexOf(' ');
      for (const pair of rest.slice(1, space).split(';')) {
        const eq = pair.indexOf('=');
        if (eq > 0) tags[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      rest = rest.slice(space + 1);
    }
    const colon = rest.indexOf(' :');
    const trailing = colon === -1 ? undefined : rest.slice(colon + 2);
    const words = (colon === -1 ? rest : rest.slice(0, colon)).split(' ').filter(Boolean);
    const command = (words[0] ?? '').toUpperCase();
    switch (command) {
      case 'CAP': {
        const wanted = (trailing ?? words.slice(2).join(' ')).split(' ').filter(Boolean);
        session.caps = wanted.filter((cap) => KNOWN_CAPS.has(cap));
        const rejected = wanted.filter((cap) => !KNOWN_CAPS.has(cap));
        if (session.caps.length > 0) send(session, `:${SERVER} CAP * ACK :${session.caps.join(' ')}`);
        if (rejected.length > 0) send(session, `:${SERVER} CAP * NAK :${rejected.join(' ')}`);
        return;
      }
      case 'PASS':
        state.pass = words[1] ?? null;
        return;
      case 'NICK':
        register(session, (words[1] ?? '').toLowerCase(), state.pass);
        return;
      case 'JOIN':
        for (const channel of (words[1] ?? '').split(',').filter((c) => c.startsWith('#'))) join(session, channel);
        return;
      case 'PART':
        session.channels.delete(words[1] ?? '');
        return;
      case 'PING':
        send(session, `PONG :${trailing ?? words[1] ?? SERVER}`);
        return;
      case 'PONG':
        events.emit('pong', session);
        return;
      case 'PRIVMSG':
        privmsg(session, tags, words[1] ?? '', trailing ?? '');
        return;
      default:
        send(session, `:${SERVER} 421 ${session.login ?? '*'} ${command} :Unknown command`);
    }
  };

  wss.on('connection', (socket) => {
    const session: ClientSession = {
      socket,
      login: null,
      anonymous: false,
      caps: [],
      channels: new Set(),
      frozen: false,
      sent: [],
      lastText: null,
    };
    const state = { pass: null as string | null };
    sessions.add(session);
    socket.on('message', (data) => {
      for (const line of data.toString('utf8').split('\r\n')) {
        if (line.trim() !== '') handleLine(session, state, line.trim());
      }
    });
    socket.on('close', () => {
      sessions.delete(session);
      events.emit('disconnect', session);
    });
    socket.on('error', () => sessions.delete(session));
    events.emit('connection', session);
  });

  const registered = () => [...sessions].filter((session) => session.login !== null);

  const inject = (line: string, channel?: string) => {
    for (const session of registered()) {
      if (channel === undefined || session.channels.has(channel)) send(session, line);
    }
  };

  return {
    port: (wss.address() as AddressInfo).port,
    sessions,
    privmsgs,
    notices,
    events,
    inject,
    chat({ channel, login, text, id, userId, tags }) {
      const line =
        `@badge-info=;badges=;color=#FF0000;display-name=${login};emotes=;first-msg=0;flags=;id=${id};mod=0;` +
        `room-id=1;subscriber=0;tmi-sent-ts=${Date.now()};turbo=0;user-id=${userId ?? '100'};user-type=${tags ? `;${tags}` : ''}` +
        ` :${login}!${login}@${login}.${SERVER} PRIVMSG ${channel} :${text}`;
      inject(line, channel);
      return line;
    },
    ping() {
      for (const session of registered()) send(session, `PING :${SERVER}`);
    },
    reconnect() {
      for (const session of registered()) send(session, `:${SERVER} RECONNECT`);
    },
    drop() {
      for (const session of sessions) session.socket.terminate();
    },
    freeze() {
      for (const session of sessions) session.frozen = true;
    },
    waitForJoins(channel, count) {
      return new Promise((resolve) => {
        const check = () => {
          if ((joinCounts.get(channel) ?? 0) >= count) {
            events.off('join', check);
            resolve();
          }
        };
        events.on('join', check);
        check();
      });
    },
    async close() {
      for (const session of sessions) session.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
