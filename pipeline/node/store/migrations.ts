/**
 * Numbered schema migrations, tracked in `PRAGMA user_version`.
 *
 * Each migration runs in its own transaction together with the version bump, so a crash leaves the
 * file at the previous version, never half-migrated. Migrations are append-only: a released one is
 * never edited; a change is a new number. Column names of migration 1 are a contract with the
 * router, workers and host: add, never rename.
 */
import type { CommandDefinition } from '../../core/protocol/store.js';
import type { Rule } from '../../core/rules.js';
import { CodedError } from '../../core/rpc.js';
import type { WriteDb } from './database.js';

export interface Migration {
  version: number;
  name: string;
  up(db: WriteDb): void;
}

export class DatabaseTooNewError extends CodedError {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      'DATABASE_TOO_NEW',
      `The database file ${file} was written by a newer BitBrat (schema version ${found}; this version knows up to ${known}). ` +
        'It was left untouched. Install the newer BitBrat again, or point this one at another data folder.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

const initialSchema: Migration = {
  version: 1,
  name: 'initial schema',
  up(db) {
    db.exec(`
      CREATE TABLE events (
        rowid INTEGER PRIMARY KEY,
        id TEXT UNIQUE NOT NULL,
        correlation_id TEXT NOT NULL,
        type TEXT NOT NULL,
        channel TEXT NOT NULL,
        connector TEXT NOT NULL,
        login TEXT NOT NULL,           -- lower-cased
        user_id TEXT,
        at INTEGER NOT NULL,           -- ingress time
        stage TEXT NOT NULL,
        disposition TEXT,
        reason TEXT,
        text TEXT,                     -- message text, indexed by events_fts
        updated_at INTEGER NOT NULL,
        envelope TEXT NOT NULL         -- the whole Envelope as JSON
      );
      -- The console lists newest first and pages on (at, id); every filter index ends in (at, id)
      -- so a filtered page is an index range scan with no sort.
      CREATE INDEX events_at_id ON events (at DESC, id DESC);
      CREATE INDEX events_disposition_at ON events (disposition, at, id);
      CREATE INDEX events_type_at ON events (type, at, id);
      CREATE INDEX events_login_at ON events (login, at, id);
      -- Resume at start-up and the 'open' filter: only the few unfinished events are in it.
      CREATE INDEX events_open ON events (at, id) WHERE stage <> 'terminal';

      CREATE VIRTUAL TABLE events_fts USING fts5 (
        text,
        content = 'events',
        content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.text IS NOT NULL BEGIN
        INSERT INTO events_fts (rowid, text) VALUES (new.rowid, new.text);
      END;
      CREATE TRIGGER events_fts_delete AFTER DELETE ON events WHEN old.text IS NOT NULL BEGIN
        INSERT INTO events_fts (events_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      END;
      -- Events are upserted at every stage boundary with the same text: only a real change
      -- touches the index.
      CREATE TRIGGER events_fts_update AFTER UPDATE OF text ON events WHEN old.text IS NOT new.text BEGIN
        INSERT INTO events_fts (events_fts, rowid, text)
          SELECT 'delete', old.rowid, old.text WHERE old.text IS NOT NULL;
        INSERT INTO events_fts (rowid, text) SELECT new.rowid, new.text WHERE new.text IS NOT NULL;
      END;

      CREATE TABLE slip_steps (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL,
        event_rowid INTEGER,           -- events.rowid of event_id: see slip_steps_event
        stage TEXT NOT NULL,
        idx INTEGER NOT NULL,
        service TEXT NOT NULL,
        phase TEXT NOT NULL,
        status TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        at INTEGER NOT NULL,
        duration_ms REAL,
        error TEXT,                    -- JSON StepError
        notes TEXT                     -- JSON string[]
      );
      -- Indexed by the event's integer rowid, not its uuid: rowids grow with time, so the ~8 rows
      -- per event append to the end of the index, where random uuids touched a random page per
      -- event (measured: 6.2 µs vs 3.0 µs per row, the difference between ~10k and ~20k events/s).
      -- Look steps up by event id with: event_rowid = (SELECT rowid FROM events WHERE id = ?).
      CREATE INDEX slip_steps_event ON slip_steps (event_rowid, seq);

      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        candidate_id TEXT NOT NULL,
        state TEXT NOT NULL,
        policy TEXT NOT NULL,          -- JSON ApprovalPolicy
        reason TEXT NOT NULL,
        held_at INTEGER NOT NULL,
        auto_send_at INTEGER,
        expires_at INTEGER,
        decided_by TEXT,
        decided_at INTEGER,
        console TEXT,
        original_text TEXT NOT NULL,
        final_text TEXT,
        note TEXT
      );
      CREATE INDEX approvals_state ON approvals (state, held_at);
      CREATE INDEX approvals_event ON approvals (event_id);
      CREATE INDEX approvals_held_at ON approvals (held_at);

      CREATE TABLE users (
        platform TEXT NOT NULL,
        external_id TEXT NOT NULL,
        login TEXT NOT NULL,           -- lower-cased
        display_name TEXT NOT NULL,
        roles TEXT NOT NULL,           -- JSON string[], as last seen (never sticky)
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        message_count INTEGER NOT NULL DEFAULT 0,
        session_started_at INTEGER NOT NULL,
        notes TEXT,
        trust REAL,
        PRIMARY KEY (platform, external_id)
      );
      CREATE INDEX users_login ON users (login);
      CREATE INDEX users_last_seen ON users (last_seen_at);

      CREATE TABLE rules (id TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE commands (id TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE deliveries (
        key TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        connector TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'dropped')),
        detail TEXT,
        claimed_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX deliveries_event ON deliveries (event_id);

      CREATE TABLE ingress_rejections (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        connector TEXT NOT NULL,
        error TEXT NOT NULL,
        raw TEXT NOT NULL
      );

      CREATE TABLE connector_state (id TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE personas (id TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at INTEGER);

      CREATE TABLE memory (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scope TEXT NOT NULL CHECK (scope IN ('user', 'channel')),
        scope_key TEXT NOT NULL,
        role TEXT NOT NULL,
        text TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX memory_scope ON memory (scope, scope_key, id);

      CREATE TABLE llm_usage (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        day TEXT NOT NULL,             -- YYYY-MM-DD, local day of the streamer
        model TEXT NOT NULL,
        persona TEXT,
        event_id TEXT,
        tokens_in INTEGER NOT NULL,
        tokens_out INTEGER NOT NULL,
        cost_usd REAL
      );
      CREATE INDEX llm_usage_day ON llm_usage (day);

      -- Bookkeeping of the store itself (e.g. which defaults were seeded once).
      CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  },
};

/**
 * Gateway clients and webhooks (issue 7). Client tokens are stored as the sha-256 of the token
 * (tokens are 32 random bytes, so a plain hash is enough); webhook secrets are stored encrypted
 * (AES-256-GCM) with a key kept in a 0600 file in the data folder (gateway/webhooks/secret-box.ts).
 */
const gatewayClients: Migration = {
  version: 2,
  name: 'gateway clients and webhooks',
  up(db) {
    db.exec(`
      CREATE TABLE client_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,          -- JSON ClientScope[]
        token_hash TEXT UNIQUE NOT NULL, -- hex sha-256 of the token
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        last_used_at INTEGER
      );
      CREATE UNIQUE INDEX client_tokens_live_name ON client_tokens (name) WHERE revoked_at IS NULL;

      CREATE TABLE webhooks (
        name TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        url TEXT,                      -- outbound only
        template TEXT,                 -- inbound only: JSON WebhookTemplate
        secret TEXT NOT NULL,          -- encrypted: v1:<iv>:<tag>:<ciphertext>, base64url
        created_at INTEGER NOT NULL
      );
    `);
  },
};

/**
 * On-air safety (issue 11): a safety-held reply keeps its findings on the approval (JSON
 * SafetyHold), and a moderator's "send anyway" is recorded as an override for the audit.
 */
const approvalSafety: Migration = {
  version: 3,
  name: 'safety findings and overrides on approvals',
  up(db) {
    db.exec(`
      ALTER TABLE approvals ADD COLUMN hold TEXT;                          -- JSON SafetyHold, NULL: held by the rule only
      ALTER TABLE approvals ADD COLUMN override INTEGER NOT NULL DEFAULT 0; -- 1: sent anyway by a moderator
      CREATE INDEX approvals_override ON approvals (decided_at) WHERE override = 1;
    `);
  },
};

/**
 * Streamer features (issue 14): counters, quotes and timers. Counter changes from chat are kept
 * per event (`counter_changes`), so a retried step never counts twice. An install that already had
 * its default rules gets the counters and quotes steps added to them here, only where the
 * streamer left the default untouched; a fresh one gets them from DEFAULT_RULES when seeded.
 * The values are written out rather than imported: a released migration never changes.
 */
const streamerFeatures: Migration = {
  version: 4,
  name: 'counters, quotes and timers',
  up(db) {
    db.exec(`
      CREATE TABLE counters (name TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE counter_values (
        name TEXT NOT NULL,
        scope_key TEXT NOT NULL,       -- '' for a global counter, the lower-case login per user
        value INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (name, scope_key)
      ) WITHOUT ROWID;
      CREATE TABLE counter_changes (
        event_id TEXT NOT NULL,
        name TEXT NOT NULL,
        scope_key TEXT NOT NULL,
        value_after INTEGER NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (event_id, name)
      ) WITHOUT ROWID;
      CREATE INDEX counter_changes_at ON counter_changes (at);

      CREATE TABLE quotes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, -- the number chat asks for (!quote 12); never reused
        text TEXT NOT NULL,
        said_by TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        game TEXT,
        event_id TEXT UNIQUE           -- the chat event that added it; NULL from the console
      );

      CREATE TABLE timers (id TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE timer_state (
        id TEXT PRIMARY KEY,
        next_index INTEGER NOT NULL,   -- the next message in an in-order rotation
        last_sent_at INTEGER,
        updated_at INTEGER NOT NULL
      );
    `);
    const now = Date.now();
    db.prepare('INSERT OR IGNORE INTO counters (name, json, updated_at) VALUES (?, ?, ?)').run(
      'deaths',
      JSON.stringify({
        name: 'deaths',
        enabled: true,
        scope: 'global',
        command: '!deaths',
        template: 'Deaths so far: {count:deaths} 💀',
        editRoles: ['moderator'],
      }),
      now,
    );
    if (!db.prepare("SELECT 1 FROM store_meta WHERE key = 'seeded.rules'").get()) return;
    const chatCommands = db.prepare("SELECT json FROM rules WHERE id = 'chat-commands'").get() as
      { json: string } | undefined;
    if (chatCommands) {
      const rule = JSON.parse(chatCommands.json) as { slip?: unknown };
      if (JSON.stringify(rule.slip) === JSON.stringify(['commands'])) {
        db.prepare("UPDATE rules SET json = ?, updated_at = ? WHERE id = 'chat-commands'").run(
          JSON.stringify({ ...rule, slip: ['counters', 'commands'] }),
          now,
        );
      }
    }
    const insertRule = db.prepare('INSERT OR IGNORE INTO rules (id, json, updated_at) VALUES (?, ?, ?)');
    const timerEvent = { '==': [{ var: 'type' }, 'timer.fired.v1'] };
    insertRule.run(
      'timers-skip-enrichment',
      JSON.stringify({
        id: 'timers-skip-enrichment',
        name: 'Timer messages need no enrichment',
        description: 'A timer firing is the bot itself: no user record, no analysis.',
        enabled: true,
        priority: 100,
        stage: 'enrichment',
        when: timerEvent,
        slip: [],
        enrichments: {},
        approval: { mode: 'auto' },
        maxAttempts: 3,
      }),
      now,
    );
    insertRule.run(
      'timer-messages',
      JSON.stringify({
        id: 'timer-messages',
        name: 'Timers',
        description:
          'Timer messages (every N minutes while live, after M chat lines) go out at once; set approval to "require" to check each one.',
        enabled: true,
        priority: 120,
        stage: 'reaction',
        when: timerEvent,
        slip: ['timers'],
        enrichments: {},
        approval: { mode: 'auto' },
        maxAttempts: 3,
      }),
      now,
    );
    insertRule.run(
      'chat-quotes',
      JSON.stringify({
        id: 'chat-quotes',
        name: 'Quotes',
        description: '!quote, !quote 12, !quote search words, !quote add text (moderators and VIPs).',
        enabled: true,
        priority: 110,
        stage: 'reaction',
        when: { or: [{ '==': [{ var: 'text' }, '!quote'] }, { startsWith: [{ var: 'text' }, '!quote '] }] },
        slip: ['quotes'],
        enrichments: {},
        approval: { mode: 'auto' },
        maxAttempts: 3,
      }),
      now,
    );
  },
};

/**
 * Giveaways, welcome and shoutouts (issue 14): the giveaway tables (one entry per user per giveaway,
 * one open or draw per chat event), and for an install that already had its default rules: the
 * giveaways step in the chat-commands rule where the streamer left it as shipped, and the shoutout and
 * (off) welcome rules. A fresh install gets them from DEFAULT_RULES when seeded. Values written out:
 * a released migration never changes.
 */
const giveawaysWelcome: Migration = {
  version: 5,
  name: 'giveaways, welcome and shoutout rules',
  up(db) {
    db.exec(`
      CREATE TABLE giveaways (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        keyword TEXT NOT NULL,         -- lower-case chat command, "!join"
        required_role TEXT,            -- NULL: everyone may enter
        status TEXT NOT NULL,          -- 'open' | 'closed'
        opened_by TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        closed_at INTEGER,
        event_id TEXT NOT NULL UNIQUE  -- the chat event that opened it
      );
      CREATE TABLE giveaway_entries (
        giveaway_id INTEGER NOT NULL REFERENCES giveaways (id) ON DELETE CASCADE,
        platform TEXT NOT NULL,
        user_id TEXT NOT NULL,
        login TEXT NOT NULL,
        display_name TEXT NOT NULL,
        entered_at INTEGER NOT NULL,
        PRIMARY KEY (giveaway_id, platform, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE giveaway_draws (
        event_id TEXT PRIMARY KEY,     -- the chat event that drew: a retried step draws once
        giveaway_id INTEGER NOT NULL REFERENCES giveaways (id) ON DELETE CASCADE,
        platform TEXT NOT NULL,
        user_id TEXT NOT NULL,
        login TEXT NOT NULL,
        display_name TEXT NOT NULL,
        drawn_at INTEGER NOT NULL
      );
      CREATE INDEX giveaway_draws_giveaway ON giveaway_draws (giveaway_id, drawn_at);
    `);
    if (!db.prepare("SELECT 1 FROM store_meta WHERE key = 'seeded.rules'").get()) return;
    const now = Date.now();
    const chatCommands = db.prepare("SELECT json FROM rules WHERE id = 'chat-commands'").get() as
      { json: string } | undefined;
    if (chatCommands) {
      const rule = JSON.parse(chatCommands.json) as { slip?: unknown };
      if (JSON.stringify(rule.slip) === JSON.stringify(['counters', 'commands'])) {
        db.prepare("UPDATE rules SET json = ?, updated_at = ? WHERE id = 'chat-commands'").run(
          JSON.stringify({ ...rule, slip: ['giveaways', 'counters', 'commands'] }),
          now,
        );
      }
    }
    const insertRule = db.prepare('INSERT OR IGNORE INTO rules (id, json, updated_at) VALUES (?, ?, ?)');
    const chat = { '==': [{ var: 'type' }, 'chat.message.v1'] };
    const notCommand = { '!': { startsWith: [{ var: 'text' }, '!'] } };
    const rules = [
      {
        id: 'chat-shoutout',
        name: 'Shoutouts',
        description:
          "!so @user (the shoutout command: its roles, template and cooldown): the reply names the user's last category, and Twitch's own shoutout is sent where the broadcaster account is linked.",
        enabled: true,
        priority: 115,
        stage: 'reaction',
        when: { or: [{ '==': [{ var: 'text' }, '!so'] }, { startsWith: [{ var: 'text' }, '!so '] }] },
        slip: ['shoutout'],
      },
      {
        id: 'welcome-first-time',
        name: 'Welcome first-time chatters',
        description:
          "A chatter's first message in the channel (Twitch's first-msg) gets the greeting from Settings → welcome.firstTime. Off until you turn it on.",
        enabled: false,
        priority: 60,
        stage: 'reaction',
        when: {
          and: [
            chat,
            notCommand,
            {
              or: [
                { '==': [{ var: 'details.firstMessage' }, true] },
                { in: ['first-message', { var: 'identity.user.tags' }] },
              ],
            },
          ],
        },
        slip: ['welcome'],
      },
      {
        id: 'welcome-returning',
        name: 'Welcome back returning chatters',
        description:
          'A chatter seen in an earlier stream, at their first message of this one, gets the greeting from Settings → welcome.returning. Off until you turn it on.',
        enabled: false,
        priority: 58,
        stage: 'reaction',
        when: {
          and: [
            chat,
            notCommand,
            { in: ['returning', { var: 'identity.user.tags' }] },
            { in: ['new-session', { var: 'identity.user.tags' }] },
          ],
        },
        slip: ['welcome'],
      },
    ];
    for (const rule of rules) {
      insertRule.run(
        rule.id,
        JSON.stringify({ ...rule, enrichments: {}, approval: { mode: 'auto' }, maxAttempts: 3 }),
        now,
      );
    }
  },
};

/**
 * Overlay alerts and OBS control (issue 14): an install seeded before them gets the `overlay-alerts`
 * step in its untouched thank-supporters rule (redemptions included), the rule for the console's test
 * alerts, and the raid-scene OBS rule (off).
 * No tables: the alert is claimed in `deliveries` and kept on the event as an annotation.
 */
const overlayAlerts: Migration = {
  version: 6,
  name: 'overlay alerts and OBS control in the default rules',
  up(db) {
    if (!db.prepare("SELECT 1 FROM store_meta WHERE key = 'seeded.rules'").get()) return;
    const now = Date.now();
    const thank = db.prepare("SELECT json FROM rules WHERE id = 'thank-supporters'").get() as
      { json: string } | undefined;
    if (thank) {
      const rule = JSON.parse(thank.json) as { slip?: unknown; when?: unknown; description?: unknown };
      if (JSON.stringify(rule.slip) === JSON.stringify(['commands'])) {
        const types = ['twitch.follow.v1', 'twitch.sub.v1', 'twitch.subgift.v1', 'twitch.cheer.v1', 'twitch.raid.v1'];
        const untouchedWhen = JSON.stringify(rule.when) === JSON.stringify({ in: [{ var: 'type' }, types] });
        db.prepare("UPDATE rules SET json = ?, updated_at = ? WHERE id = 'thank-supporters'").run(
          JSON.stringify({
            ...rule,
            description:
              'Follows, subs, gifts, cheers, raids and redemptions play their alert on the OBS overlay (overlay-alerts: template, sound, duration per kind), then get a thank-you from the commands service.',
            ...(untouchedWhen ? { when: { in: [{ var: 'type' }, [...types, 'twitch.redemption.v1']] } } : {}),
            slip: ['overlay-alerts', 'commands'],
          }),
          now,
        );
      }
    }
    db.prepare('INSERT OR IGNORE INTO rules (id, json, updated_at) VALUES (?, ?, ?)').run(
      'test-alerts',
      JSON.stringify({
        id: 'test-alerts',
        name: 'Test alerts',
        description: 'The console\'s "test alert" buttons: the alert plays on the overlay and nothing is said in chat.',
        enabled: true,
        priority: 1000,
        stage: 'reaction',
        when: { '==': [{ var: 'ingress.connector' }, 'alert-test'] },
        slip: ['overlay-alerts'],
        enrichments: {},
        approval: { mode: 'auto' },
        maxAttempts: 3,
      }),
      now,
    );
    db.prepare('INSERT OR IGNORE INTO rules (id, json, updated_at) VALUES (?, ?, ?)').run(
      'raid-obs-scene',
      JSON.stringify({
        id: 'raid-obs-scene',
        name: 'Raid scene in OBS',
        description:
          'Off until OBS is linked: on a raid, the alert plays, OBS switches to the "Raid" scene for 20 seconds (the obs step; change the actions in obs.actions), and the raider is thanked.',
        enabled: false,
        priority: 95,
        stage: 'reaction',
        when: { '==': [{ var: 'type' }, 'twitch.raid.v1'] },
        slip: ['overlay-alerts', 'obs', 'commands'],
        enrichments: {
          annotations: [{ kind: 'obs.actions', value: [{ do: 'switchScene', scene: 'Raid', seconds: 20 }] }],
        },
        approval: { mode: 'auto' },
        maxAttempts: 3,
      }),
      now,
    );
  },
};

/**
 * The append-only event store (issue 12). An event is written as its accepted row, one `event_log`
 * row per commit window (its step transitions as one JSON array and the delta of that window), and
 * one terminal update; see core/event-log.ts. Here:
 * - `event_log` replaces `slip_steps`: each event's existing steps move into one log row holding
 *   its transitions in order (steps of events no longer stored have nothing to show them and go).
 * - `events.log_seq`: the last log row an envelope rewritten whole already contains (NULL: none),
 *   so rebuilding an open event applies only the deltas after it.
 * - Search leaves the hot path: no insert trigger; the writer indexes new rows in batches up to the
 *   watermark `search.indexed_rowid` (store/search-index.ts); the delete and text-update triggers
 *   act only on rows at or below it, and a delete keeps it at or below the last rowid. Every row
 *   existing now is indexed already.
 * - `events_disposition_at` only holds finished events (`disposition IS NOT NULL`): an accepted
 *   row no longer writes to it; `disposition = ?` still uses it.
 */
const appendOnlyEvents: Migration = {
  version: 7,
  name: 'append-only event log, search indexed off the hot path',
  up(db) {
    db.exec(`
      CREATE TABLE event_log (
        seq INTEGER PRIMARY KEY,
        event_rowid INTEGER NOT NULL,  -- events.rowid (rowids grow with time: appends at the index's end)
        at INTEGER NOT NULL,           -- when the commit window closed
        stage TEXT NOT NULL,           -- the event's stage at the end of the window
        transitions TEXT NOT NULL,     -- JSON: the window's step transitions, in order (without eventId)
        delta TEXT                     -- JSON EventDelta, NULL when only steps moved
      );
      CREATE INDEX event_log_event ON event_log (event_rowid, seq);
      ALTER TABLE events ADD COLUMN log_seq INTEGER;

      INSERT INTO event_log (event_rowid, at, stage, transitions, delta)
        SELECT e.rowid, max(s.at), e.stage,
               json_group_array(json_object(
                 'stage', s.stage, 'index', s.idx, 'service', s.service, 'phase', s.phase, 'status', s.status,
                 'attempt', s.attempt, 'at', s.at, 'durationMs', s.duration_ms,
                 'error', CASE WHEN json_valid(s.error) THEN json(s.error) END,
                 'notes', CASE WHEN json_valid(s.notes) THEN json(s.notes) END
               ) ORDER BY s.seq),
               NULL
        FROM slip_steps s
        JOIN events e ON e.rowid = coalesce(s.event_rowid, (SELECT rowid FROM events WHERE id = s.event_id))
        GROUP BY e.rowid
        ORDER BY e.rowid;
      DROP TABLE slip_steps;

      DROP TRIGGER events_fts_insert;
      DROP TRIGGER events_fts_update;
      DROP TRIGGER events_fts_delete;
      INSERT OR REPLACE INTO store_meta (key, value)
        VALUES ('search.indexed_rowid', CAST(coalesce((SELECT max(rowid) FROM events), 0) AS TEXT));
      -- A deleted row leaves the index if it was in it; then the watermark is kept at or below the
      -- last rowid, since SQLite gives a new row max(rowid) + 1 (a reused rowid must count as new).
      CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
        INSERT INTO events_fts (events_fts, rowid, text)
          SELECT 'delete', old.rowid, old.text
          WHERE old.text IS NOT NULL
            AND old.rowid <= (SELECT CAST(value AS INTEGER) FROM store_meta WHERE key = 'search.indexed_rowid');
        UPDATE store_meta SET value = CAST((SELECT coalesce(max(rowid), 0) FROM events) AS TEXT)
          WHERE key = 'search.indexed_rowid'
            AND CAST(value AS INTEGER) > (SELECT coalesce(max(rowid), 0) FROM events);
      END;
      -- An event's text is set at accept and the pipeline never changes it; an edit of an indexed row is followed.
      CREATE TRIGGER events_fts_update AFTER UPDATE OF text ON events
        WHEN old.text IS NOT new.text
          AND old.rowid <= (SELECT CAST(value AS INTEGER) FROM store_meta WHERE key = 'search.indexed_rowid')
      BEGIN
        INSERT INTO events_fts (events_fts, rowid, text)
          SELECT 'delete', old.rowid, old.text WHERE old.text IS NOT NULL;
        INSERT INTO events_fts (rowid, text) SELECT new.rowid, new.text WHERE new.text IS NOT NULL;
      END;

      DROP INDEX events_disposition_at;
      CREATE INDEX events_disposition_at ON events (disposition, at, id) WHERE disposition IS NOT NULL;
    `);
  },
};

/**
 * The giveaways' follow requirement (issue 14): `!giveaway open !join follower` lets in only chatters
 * who follow the channel. (Version 7 is the append-only event log.)
 */
const giveawayFollow: Migration = {
  version: 8,
  name: 'giveaways: follow requirement',
  up(db) {
    db.exec('ALTER TABLE giveaways ADD COLUMN requires_follow INTEGER NOT NULL DEFAULT 0');
  },
};

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  gatewayClients,
  approvalSafety,
  streamerFeatures,
  giveawaysWelcome,
  overlayAlerts,
  appendOnlyEvents,
  giveawayFollow,
];
export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

export function schemaVersion(db: WriteDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema to the latest version. Returns the versions before and after.
 * A database from a newer BitBrat is refused (and not touched) rather than guessed at.
 */
export function migrate(db: WriteDb, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const from = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) throw new DatabaseTooNewError(db.name, from, latest);
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      migration.up(db);
      // user_version is in the file header, so it commits (or rolls back) with the migration.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    }).immediate();
  }
  return { from, to: Math.max(from, latest) };
}

/**
 * Inserts the default rules and commands on first start only. The fact that a table was seeded is
 * remembered, so a streamer who deleted a default (or all of them) does not get it back.
 */
export function seedIfEmpty(
  db: WriteDb,
  defaults: { rules: readonly Rule[]; commands: readonly CommandDefinition[] },
  now: number = Date.now(),
): { rules: number; commands: number } {
  const seeded = { rules: 0, commands: 0 };
  const isSeeded = db.prepare<[string], { value: string }>('SELECT value FROM store_meta WHERE key = ?');
  const markSeeded = db.prepare<[string, string]>('INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)');
  const seedTable = (table: 'rules' | 'commands', items: readonly { id: string }[]): number => {
    const key = `seeded.${table}`;
    if (isSeeded.get(key)) return 0;
    const count = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const insert = db.prepare<[string, string, number]>(
      `INSERT OR IGNORE INTO ${table} (id, json, updated_at) VALUES (?, ?, ?)`,
    );
    let inserted = 0;
    if (count === 0) for (const item of items) inserted += insert.run(item.id, JSON.stringify(item), now).changes;
    markSeeded.run(key, String(now));
    return inserted;
  };
  db.transaction(() => {
    seeded.rules = seedTable('rules', defaults.rules);
    seeded.commands = seedTable('commands', defaults.commands);
  }).immediate();
  return seeded;
}
