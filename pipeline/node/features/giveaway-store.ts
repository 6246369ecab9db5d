/**
 * Giveaways in SQLite (migration 5): the store writes, applied inside the store worker's batch
 * transaction, and the reads the service and the console make on their own read-only connection.
 * One entry per user per giveaway (primary key), one open giveaway at a time, and one open or draw per
 * chat event, so a retried step changes nothing twice.
 */
import type Database from 'better-sqlite3';
import type { Role } from '../../core/envelope.js';
import type { Giveaway, GiveawayEntrant, GiveawayEntry, GiveawayStoreWrite } from '../../core/giveaways.js';
import type { ReadDb } from '../store/database.js';

type Writer = Pick<Database.Database, 'prepare'>;

export function applyGiveawayWrite(db: Writer, write: GiveawayStoreWrite): void {
  switch (write.op) {
    case 'giveaway.open': {
      if (db.prepare('SELECT 1 FROM giveaways WHERE event_id = ?').get(write.eventId)) return;
      db.prepare("UPDATE giveaways SET status = 'closed', closed_at = ? WHERE status = 'open'").run(write.at);
      db.prepare(
        `INSERT INTO giveaways (keyword, required_role, requires_follow, status, opened_by, opened_at, event_id)
         VALUES (?, ?, ?, 'open', ?, ?, ?)`,
      ).run(write.keyword, write.requiredRole, write.requiresFollow ? 1 : 0, write.openedBy, write.at, write.eventId);
      return;
    }
    case 'giveaway.enter':
      // Only while open; the primary key keeps a second entry of the same user out.
      db.prepare(
        `INSERT INTO giveaway_entries (giveaway_id, platform, user_id, login, display_name, entered_at)
         SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM giveaways WHERE id = ? AND status = 'open')
         ON CONFLICT DO NOTHING`,
      ).run(
        write.giveawayId,
        write.entrant.platform,
        write.entrant.userId,
        write.entrant.login,
        write.entrant.displayName,
        write.at,
        write.giveawayId,
      );
      return;
    case 'giveaway.close':
      db.prepare("UPDATE giveaways SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'").run(
        write.at,
        write.giveawayId,
      );
      return;
    case 'giveaway.draw':
      db.prepare(
        `INSERT INTO giveaway_draws (event_id, giveaway_id, platform, user_id, login, display_name, drawn_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
      ).run(
        write.eventId,
        write.giveawayId,
        write.winner.platform,
        write.winner.userId,
        write.winner.login,
        write.winner.displayName,
        write.at,
      );
      return;
  }
}

interface GiveawayRow {
  id: number;
  keyword: string;
  required_role: string | null;
  requires_follow: number;
  status: string;
  opened_by: string;
  opened_at: number;
  closed_at: number | null;
  entries: number;
}
interface EntrantRow {
  platform: string;
  user_id: string;
  login: string;
  display_name: string;
}

export interface GiveawayReader {
  /** The newest giveaway (open or not): what draw, redraw and close act on. */
  latest(): Giveaway | undefined;
  open(): Giveaway | undefined;
  byId(id: number): Giveaway | undefined;
  openedBy(eventId: string): Giveaway | undefined;
  /** The winner a draw event picked, if that draw is stored. */
  drawnBy(eventId: string): GiveawayEntrant | undefined;
  hasEntered(giveawayId: number, platform: string, userId: string): boolean;
  entries(giveawayId: number, limit?: number): GiveawayEntry[];
  list(limit: number): Giveaway[];
}

const GIVEAWAY_COLUMNS = `g.id, g.keyword, g.required_role, g.requires_follow, g.status, g.opened_by, g.opened_at, g.closed_at,
  (SELECT count(*) FROM giveaway_entries e WHERE e.giveaway_id = g.id) AS entries`;

export function createGiveawayReader(db: ReadDb): GiveawayReader {
  const statements = {
    latest: db.prepare<[], GiveawayRow>(`SELECT ${GIVEAWAY_COLUMNS} FROM giveaways g ORDER BY g.id DESC LIMIT 1`),
    open: db.prepare<[], GiveawayRow>(
      `SELECT ${GIVEAWAY_COLUMNS} FROM giveaways g WHERE g.status = 'open' ORDER BY g.id DESC LIMIT 1`,
    ),
    byId: db.prepare<[number], GiveawayRow>(`SELECT ${GIVEAWAY_COLUMNS} FROM giveaways g WHERE g.id = ?`),
    byEvent: db.prepare<[string], GiveawayRow>(`SELECT ${GIVEAWAY_COLUMNS} FROM giveaways g WHERE g.event_id = ?`),
    list: db.prepare<[number], GiveawayRow>(`SELECT ${GIVEAWAY_COLUMNS} FROM giveaways g ORDER BY g.id DESC LIMIT ?`),
    winners: db.prepare<[number], EntrantRow>(
      'SELECT platform, user_id, login, display_name FROM giveaway_draws WHERE giveaway_id = ? ORDER BY drawn_at, rowid',
    ),
    drawn: db.prepare<[string], EntrantRow>(
      'SELECT platform, user_id, login, display_name FROM giveaway_draws WHERE event_id = ?',
    ),
    entered: db.prepare<[number, string, string], { one: number }>(
      'SELECT 1 AS one FROM giveaway_entries WHERE giveaway_id = ? AND platform = ? AND user_id = ?',
    ),
    entries: db.prepare<[number, number], EntrantRow & { entered_at: number }>(
      `SELECT platform, user_id, login, display_name, entered_at FROM giveaway_entries
       WHERE giveaway_id = ? ORDER BY entered_at, user_id LIMIT ?`,
    ),
  };
  const entrant = (row: EntrantRow): GiveawayEntrant => ({
    platform: row.platform,
    userId: row.user_id,
    login: row.login,
    displayName: row.display_name,
  });
  const toGiveaway = (row: GiveawayRow | undefined): Giveaway | undefined =>
    row && {
      id: row.id,
      keyword: row.keyword,
      requiredRole: row.required_role as Role | null,
      requiresFollow: row.requires_follow === 1,
      status: row.status === 'open' ? 'open' : 'closed',
      openedBy: row.opened_by,
      openedAt: row.opened_at,
      closedAt: row.closed_at,
      entries: row.entries,
      winners: statements.winners.all(row.id).map(entrant),
    };
  return {
    latest: () => toGiveaway(statements.latest.get()),
    open: () => toGiveaway(statements.open.get()),
    byId: (id) => toGiveaway(statements.byId.get(id)),
    openedBy: (eventId) => toGiveaway(statements.byEvent.get(eventId)),
    drawnBy(eventId) {
      const row = statements.drawn.get(eventId);
      return row ? entrant(row) : undefined;
    },
    hasEntered: (giveawayId, platform, userId) => statements.entered.get(giveawayId, platform, userId) !== undefined,
    entries: (giveawayId, limit = 100_000) =>
      statements.entries.all(giveawayId, limit).map((row) => ({ ...entrant(row), enteredAt: row.entered_at })),
    list: (limit) => statements.list.all(limit).map((row) => toGiveaway(row)!),
  };
}
