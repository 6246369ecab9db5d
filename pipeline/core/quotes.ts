/**
 * Quotes: `!quote` (a random one), `!quote 12`, `!quote search words` (or just `!quote words`),
 * `!quote add [@who] text`. The `quotes` reaction service runs them; the console lists, edits and
 * deletes them. A quote added from chat carries its event id, so a retried step adds it once.
 */
import { z } from 'zod';
import { RoleSchema, type Role } from './envelope.js';

export const MAX_QUOTE_TEXT = 400;

export interface Quote {
  id: number;
  text: string;
  /** Who said it (a login or name); the channel when `!quote add` names nobody. */
  saidBy: string;
  /** Who added it (a login, or `console:<moderator>`). */
  addedBy: string;
  addedAt: number;
  /** The category the stream was in, when known. */
  game: string | null;
}

const QuoteTextSchema = z.string().trim().min(1, 'must not be empty').max(MAX_QUOTE_TEXT);
const NameSchema = z.string().trim().max(100);

/** A quote as the console edits it (the id comes from the store). */
export const QuoteEditSchema = z.object({
  text: QuoteTextSchema,
  saidBy: NameSchema.min(1, 'must not be empty'),
  game: NameSchema.nullable().default(null),
});
export type QuoteEdit = z.infer<typeof QuoteEditSchema>;

export const QuoteStoreWriteSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('quote.add'),
    /** The chat event that added it (at most one quote per event); null from the console. */
    eventId: z.string().min(1).max(100).nullable(),
    text: QuoteTextSchema,
    saidBy: NameSchema.min(1),
    addedBy: NameSchema.min(1),
    game: NameSchema.nullable(),
    at: z.number(),
  }),
  z.object({ op: z.literal('quote.update'), id: z.number().int().positive(), quote: QuoteEditSchema }),
  z.object({ op: z.literal('quote.delete'), id: z.number().int().positive() }),
]);
export type QuoteStoreWrite = z.infer<typeof QuoteStoreWriteSchema>;
export const QUOTE_STORE_OPS = ['quote.add', 'quote.update', 'quote.delete'] as const;

/** Settings of the quotes feature (stored as the `quotes` setting). */
export const QuoteSettingsSchema = z.object({
  /** Who may `!quote add` (the broadcaster always may). */
  addRoles: z.array(RoleSchema).max(6).default(['moderator', 'vip']),
  /** How a quote is shown in chat. */
  template: z.string().trim().min(1).max(300).default('#{id}: "{text}" — {saidBy}{game}'),
});
export type QuoteSettings = z.infer<typeof QuoteSettingsSchema>;
export const DEFAULT_QUOTE_SETTINGS: QuoteSettings = QuoteSettingsSchema.parse({});

export type QuoteRequest =
  | { kind: 'random' }
  | { kind: 'byId'; id: number }
  | { kind: 'search'; words: string }
  | { kind: 'add'; text: string; saidBy?: string };

/** Reads the words after the quote command. */
export function parseQuoteRequest(rest: string): QuoteRequest {
  const text = rest.trim();
  if (text.length === 0) return { kind: 'random' };
  const byId = /^#?(\d{1,9})$/.exec(text);
  if (byId) return { kind: 'byId', id: Number(byId[1]) };
  const add = /^add\s+(.+)$/is.exec(text);
  if (add) {
    const body = add[1]!.trim();
    // `!quote add @name what they said`: the quote is theirs.
    const said = /^@([A-Za-z0-9_]{1,25})\s+(.+)$/s.exec(body);
    return said ? { kind: 'add', text: said[2]!.trim(), saidBy: said[1]! } : { kind: 'add', text: body };
  }
  const search = /^search\s+(.+)$/is.exec(text);
  return { kind: 'search', words: (search ? search[1]! : text).trim() };
}

export function mayAddQuote(settings: Pick<QuoteSettings, 'addRoles'>, roles: readonly Role[]): boolean {
  if (roles.includes('broadcaster')) return true;
  if (settings.addRoles.includes('viewer')) return true;
  return settings.addRoles.some((role) => roles.includes(role));
}

/** The quote's line in chat, from the setting's template (`{id}`, `{text}`, `{saidBy}`, `{game}`, `{date}`). */
export function formatQuote(quote: Quote, template: string): string {
  const values: Record<string, string> = {
    id: String(quote.id),
    text: quote.text,
    saidBy: quote.saidBy,
    game: quote.game ? ` (${quote.game})` : '',
    date: new Date(quote.addedAt).toISOString().slice(0, 10),
  };
  return template.replace(/\{(id|text|saidBy|game|date)\}/g, (_placeholder, key: string) => values[key] ?? '');
}
