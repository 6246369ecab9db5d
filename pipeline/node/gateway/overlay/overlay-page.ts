/**
 * The OBS overlay: a browser-source page that shows approved bot replies and alerts (follows, subs,
 * gifts, raids, cheers, redemptions). Alerts queue and play one at a time, each with its sound and,
 * where the streamer turned it on, the supporter's message read aloud (speechSynthesis). Plain
 * HTML/CSS/JS kept as strings here, so the bundled CLI serves it with no extra build step and no renderer; the page talks to the client API (`/api/clients`) with the
 * read-only token from its URL (an OBS browser source can only be given a URL).
 *
 * Themeable: CSS variables, set from query parameters (`position`, `font`, `size`, `color`, `bg`,
 * `accent`, `duration` seconds, `max` items, `show=replies,alerts`). Reconnects by itself, and after a
 * reconnect asks for what it missed (`since`), so an app restart mid-stream loses nothing.
 */
import { MAX_SPOKEN_CHARACTERS } from '../../../core/alerts.js';
import { CLIENT_WS_PATH, CLIENT_WS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../../core/protocol/websocket.js';

/**
 * frame-ancestors 'self': the console served by this gateway shows the overlay as a live preview.
 * media-src 'self': alert sounds come from this gateway (`/overlay/sounds/`), nowhere else.
 */
export const OVERLAY_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; font-src 'self' data:; " +
  "media-src 'self'; img-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'none'";

export const OVERLAY_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>BitBrat overlay</title>
<link rel="stylesheet" href="/overlay/overlay.css">
<script src="/overlay/overlay.js" defer></script>
</head>
<body data-state="connecting">
<main id="items" aria-live="polite"></main>
</body>
</html>
`;

export const OVERLAY_CSS = `:root {
  --bb-font: "Inter", "Segoe UI", system-ui, sans-serif;
  --bb-size: 28px;
  --bb-color: #ffffff;
  --bb-bg: rgba(20, 20, 28, 0.82);
  --bb-accent: #9146ff;
  --bb-radius: 12px;
  --bb-gap: 10px;
  --bb-width: 560px;
  --bb-fade: 300ms;
}
html, body { margin: 0; padding: 0; background: transparent; overflow: hidden; }
body { font-family: var(--bb-font); font-size: var(--bb-size); color: var(--bb-color); }
#items {
  position: fixed; display: flex; flex-direction: column; gap: var(--bb-gap);
  width: var(--bb-width); max-width: calc(100vw - 48px); padding: 24px;
}
body[data-position="top-left"] #items { top: 0; left: 0; }
body[data-position="top-right"] #items { top: 0; right: 0; }
body[data-position="bottom-left"] #items { bottom: 0; left: 0; flex-direction: column-reverse; }
body[data-position="bottom-right"] #items { bottom: 0; right: 0; flex-direction: column-reverse; }
body[data-position="top"] #items { top: 0; left: 50%; transform: translateX(-50%); }
body[data-position="bottom"] #items { bottom: 0; left: 50%; transform: translateX(-50%); flex-direction: column-reverse; }
body[data-position="center"] #items { top: 50%; left: 50%; transform: translate(-50%, -50%); }
.item {
  background: var(--bb-bg); border-left: 6px solid var(--bb-accent); border-radius: var(--bb-radius);
  padding: 12px 16px; line-height: 1.25; word-wrap: break-word;
  animation: bb-in var(--bb-fade) ease-out;
}
.item.leaving { opacity: 0; transition: opacity var(--bb-fade) ease-in; }
.item .who { display: block; font-weight: 700; color: var(--bb-accent); font-size: 0.8em; }
/* Alerts must not look like a bot reply: centred, framed all round, lit with the accent, a kind label. */
.item.alert {
  text-align: center; font-weight: 700; border-left: none; border: 3px solid var(--bb-accent);
  background: linear-gradient(135deg, var(--bb-accent), var(--bb-bg) 70%); font-size: 1.1em;
}
.item.alert .kind {
  display: block; font-size: 0.55em; letter-spacing: 0.2em; text-transform: uppercase; opacity: 0.85;
}
.item.alert[data-alert-state="playing"] { animation: bb-alert-in 600ms cubic-bezier(0.2, 1.4, 0.4, 1); }
@keyframes bb-alert-in { from { opacity: 0; transform: scale(0.6); } to { opacity: 1; transform: none; } }
@keyframes bb-in { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }
`;

export const OVERLAY_JS = `(() => {
  'use strict';
  // Set by the local-file overlay (see overlayFileHtml), which has no server to take its URL from.
  const fileConfig = window.BITBRAT_OVERLAY || null;
  const params = new URLSearchParams(fileConfig ? fileConfig.query : location.search);
  const token = params.get('token') || '';
  const root = document.documentElement;
  const body = document.body;
  const list = document.getElementById('items');

  // Theme from the URL, each value checked so a URL cannot inject anything but a plain value.
  const safe = {
    color: /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\\([0-9.,\\s%]+\\))$/,
    font: /^[\\w\\s"',-]{1,100}$/,
    size: /^\\d{1,3}(px|em|rem|pt)$/,
  };
  const theme = { color: ['--bb-color', safe.color], bg: ['--bb-bg', safe.color], accent: ['--bb-accent', safe.color],
    font: ['--bb-font', safe.font], size: ['--bb-size', safe.size], width: ['--bb-width', safe.size] };
  for (const [key, [variable, pattern]] of Object.entries(theme)) {
    const value = params.get(key);
    if (value && pattern.test(value)) root.style.setProperty(variable, value);
  }
  const positions = ['top-left', 'top-right', 'bottom-left', 'bottom-right', 'top', 'bottom', 'center'];
  body.dataset.position = positions.includes(params.get('position')) ? params.get('position') : 'bottom-left';
  const seconds = Number(params.get('duration'));
  const durationMs = Number.isFinite(seconds) && seconds > 0 && seconds <= 3600 ? seconds * 1000 : 10000;
  const maxItems = Math.min(20, Math.max(1, Number(params.get('max')) || 5));
  const show = (params.get('show') || 'replies,alerts').split(',').filter((t) => t === 'replies' || t === 'alerts');
  const topics = show.length > 0 ? show : ['replies', 'alerts'];

  // An event can have both a reply and an alert (a cheer thanked in chat): each is shown once, and
  // one never hides the other, whichever arrives first.
  const shownAlerts = new Set();
  const shownReplies = new Set();
  let lastAt = Date.now();

  // Alerts play one at a time: the next waits until the one on screen has ended (its duration and
  // its sound), so two raids never overlap. The host words them (the kind's template).
  const soundBase = (fileConfig ? 'http://' + fileConfig.gateway : '') + '/overlay/sounds/';
  const alertQueue = [];
  let alertPlaying = false;
  function queueAlert(alert) {
    if (shownAlerts.has(alert.eventId)) return;
    shownAlerts.add(alert.eventId);
    if (typeof alert.at === 'number' && alert.at > lastAt) lastAt = alert.at;
    alertQueue.push(alert);
    body.dataset.alertsQueued = String(alertQueue.length);
    if (!alertPlaying) playNextAlert();
  }
  function playNextAlert() {
    const alert = alertQueue.shift();
    body.dataset.alertsQueued = String(alertQueue.length);
    if (!alert) { alertPlaying = false; return; }
    alertPlaying = true;
    const item = document.createElement('div');
    item.className = 'item alert';
    item.dataset.eventId = alert.eventId;
    item.dataset.alert = alert.kind;
    item.dataset.alertState = 'playing';
    const label = document.createElement('span');
    label.className = 'kind';
    label.textContent = alert.kind === 'subgift' ? 'gift' : alert.kind;
    item.appendChild(label);
    const line = document.createElement('span');
    line.className = 'text';
    line.textContent = alert.title || (alert.displayName + ' ' + (alert.headline || 'sent an alert') + '!');
    item.appendChild(line);
    item.dataset.shownAt = String(Date.now());
    list.appendChild(item);
    while (list.children.length > maxItems) list.firstElementChild.remove();
    const durationMs = Math.min(60000, Math.max(1000, Number(alert.durationMs) || 6000));
    let waiting = 1;
    let finished = false;
    const done = () => {
      waiting -= 1;
      if (waiting > 0 || finished) return;
      finished = true;
      item.dataset.alertState = 'ended';
      item.classList.add('leaving');
      setTimeout(() => { item.remove(); playNextAlert(); }, 400);
    };
    // Speech (the supporter's message, read aloud) follows the sound, so the two never talk over each other.
    let speechStarted = false;
    const startSpeech = () => {
      if (speechStarted) return;
      speechStarted = true;
      if (alert.speech) speak(alert.speech, done);
    };
    if (alert.speech && canSpeak()) waiting += 1;
    else alert.speech = null;
    if (alert.sound) {
      waiting += 1;
      const audio = document.createElement('audio');
      audio.className = 'alert-sound';
      audio.dataset.eventId = alert.eventId;
      audio.volume = Math.min(1, Math.max(0, Number(alert.volume)));
      audio.src = soundBase + encodeURIComponent(alert.sound) + '?token=' + encodeURIComponent(token);
      let soundDone = false;
      // A sound that cannot play (missing file, stalled) must not hold the queue forever.
      const cap = setTimeout(() => finishSound(), durationMs + 30000);
      const finishSound = () => {
        if (soundDone) return;
        soundDone = true;
        clearTimeout(cap);
        audio.remove();
        done();
        startSpeech();
      };
      audio.addEventListener('ended', finishSound);
      audio.addEventListener('error', finishSound);
      item.appendChild(audio);
      const played = audio.play();
      if (played && played.catch) played.catch(finishSound);
    } else startSpeech();
    setTimeout(done, durationMs);
  }

  // Text-to-speech with the browser's own voices (in OBS: the system's, offline). The host sends only
  // the supporter's cleaned message; it is handed to the speech engine as text, never as markup.
  function canSpeak() {
    return typeof window.speechSynthesis === 'object' && window.speechSynthesis !== null &&
      typeof window.SpeechSynthesisUtterance === 'function';
  }
  function speak(speech, finish) {
    const synth = window.speechSynthesis;
    const utterance = new window.SpeechSynthesisUtterance(String(speech.text).slice(0, ${MAX_SPOKEN_CHARACTERS}));
    utterance.volume = Math.min(1, Math.max(0, Number(speech.volume)));
    utterance.rate = Math.min(2, Math.max(0.5, Number(speech.rate) || 1));
    const voice = speech.voice ? synth.getVoices().find((candidate) => candidate.name === speech.voice) : null;
    if (voice) utterance.voice = voice;
    let over = false;
    // An engine that never reports the end (no voices installed) must not hold the queue.
    const cap = setTimeout(() => end(), 30000);
    const end = () => {
      if (over) return;
      over = true;
      clearTimeout(cap);
      finish();
    };
    utterance.onend = end;
    utterance.onerror = end;
    synth.speak(utterance);
  }

  function add(kind, eventId, who, text, at) {
    if (shownReplies.has(eventId)) return;
    shownReplies.add(eventId);
    if (typeof at === 'number' && at > lastAt) lastAt = at;
    const item = document.createElement('div');
    item.className = 'item ' + kind;
    item.dataset.eventId = eventId;
    item.dataset.shownAt = String(Date.now());
    if (who) {
      const name = document.createElement('span');
      name.className = 'who';
      name.textContent = who;
      item.appendChild(name);
    }
    const line = document.createElement('span');
    line.className = 'text';
    line.textContent = text;
    item.appendChild(line);
    list.appendChild(item);
    while (list.children.length > maxItems) list.firstElementChild.remove();
    setTimeout(() => {
      item.classList.add('leaving');
      setTimeout(() => item.remove(), 400);
    }, durationMs);
  }

  let socket = null;
  let backoff = 500;
  let pingTimer = null;
  let pongDeadline = null;
  function connect() {
    body.dataset.state = 'connecting';
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    // The local-file overlay (OBS "Local file") names its gateway; the served page uses its own host.
    const gateway = fileConfig ? fileConfig.gateway : location.host;
    try {
      socket = new WebSocket(scheme + gateway + ${JSON.stringify(CLIENT_WS_PATH)}, [${JSON.stringify(CLIENT_WS_PROTOCOL)}, ${JSON.stringify(TOKEN_PROTOCOL_PREFIX)} + token]);
    } catch (error) {
      return retry();
    }
    socket.onopen = () => {
      backoff = 500;
    };
    socket.onmessage = (message) => {
      let frame;
      try { frame = JSON.parse(message.data); } catch (error) { return; }
      if (frame.type === 'welcome') {
        socket.send(JSON.stringify({ type: 'subscribe', id: 'overlay', payload: { topics, since: lastAt } }));
      } else if (frame.type === 'ack' && frame.id === 'overlay') {
        // Connected means subscribed: from here on every reply and alert reaches this page.
        body.dataset.state = 'connected';
      } else if (frame.type === 'reply') {
        add('reply', frame.payload.eventId, frame.payload.to.displayName, frame.payload.text, frame.payload.at);
      } else if (frame.type === 'alert') {
        queueAlert(frame.payload);
      } else if (frame.type === 'pong') {
        clearTimeout(pongDeadline);
      } else if (frame.type === 'error') {
        body.dataset.error = frame.payload.code;
      }
    };
    socket.onclose = () => retry();
    clearInterval(pingTimer);
    // A half-open connection (laptop sleep, network change) never closes by itself: ping it.
    pingTimer = setInterval(() => {
      if (!socket || socket.readyState !== 1) return;
      socket.send(JSON.stringify({ type: 'ping', id: 'hb' }));
      clearTimeout(pongDeadline);
      pongDeadline = setTimeout(() => socket.close(), 5000);
    }, 10000);
  }
  function retry() {
    body.dataset.state = 'connecting';
    if (socket) { socket.onclose = null; socket.onmessage = null; }
    socket = null;
    clearInterval(pingTimer);
    clearTimeout(pongDeadline);
    setTimeout(connect, backoff);
    backoff = Math.min(5000, Math.round(backoff * 1.5));
  }
  connect();
})();
`;

/**
 * The overlay as one self-contained file for an OBS "Local file" browser source: OBS can load a file
 * before BitBrat runs, and the page then waits and connects when the app starts. The gateway address,
 * the read-only token and the theme are written into it (a local file has no query string in OBS).
 */
export function overlayFileHtml(options: { gateway: string; query: string }): string {
  const config = JSON.stringify({ gateway: options.gateway, query: options.query }).replace(/</g, '\\u003c');
  const csp =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
    `connect-src ws://${options.gateway}; media-src http://${options.gateway}; img-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<title>BitBrat overlay</title>
<style>${OVERLAY_CSS}</style>
</head>
<body data-state="connecting">
<main id="items" aria-live="polite"></main>
<script>window.BITBRAT_OVERLAY = ${config};</script>
<script>${OVERLAY_JS}</script>
</body>
</html>
`;
}
