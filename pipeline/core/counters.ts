/**
 * Counters (`!deaths`, `!hugs @name +1`): their definition, the chat syntax that reads or changes
 * them, and the store writes. The `counters` reaction service runs them; `{count:NAME}` shows
 * them in any template (template-variables.ts).
 *
 * A change is written as `counter.change` carrying the event id: the store applies it at most once
 * per event and counter and remembers the value it produced, so a retried or resumed step never
 * counts twice and the reply always shows the value its own change produced.
 */
import { z } from 'zod';
import { RoleSchema, type Role } from './envelope.js';
import { COUNTER_NAME } from './template-variables.js';

export const CounterNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(COUNTER_NAME, 'counter names are 1–40 lower-case letters, digits, "-" and "_"');

export const CounterSchema = z
  .object({
    name: CounterNameSchema,
    enabled: z.boolean().default(true),
    /** `global`: one value for the channel; `user`: one value per chatter (by login). */
    scope: z.enum(['global', 'user']).default('global'),
    /** The chat command that shows and changes it, e.g. `!deaths`. Empty: only `{count:NAME}` reads it. */
    command: z
      .string()
      .trim()
      .max(40)
      .regex(/^(\S+)?$/, 'a counter command is one word')
      .default(''),
    /** The reply after `!deaths` or a change; empty: "deaths: {count:deaths}". */
    template: z.string().trim().max(500).default(''),
    /** Who may change it from chat (the broadcaster always may). Reading is open to everyone. */
    editRoles: z.array(RoleSchema).max(6).default(['moderator']),
  })
  .transform((counter) => ({ ...counter, template: counter.template || defaultCounterTemplate(counter.name) }));
export type Counter = z.infer<typeof CounterSchema>;
export type CounterInput = z.input<typeof CounterSchema>;

/** A stored value: `scopeKey` is '' for a global counter, the lower-case login for a per-user one. */
export interface CounterValue {
  name: string;
  scopeKey: string;
  value: number;
  updatedAt: number;
}

/** Values stay exact in SQLite INTEGER and in a JavaScript number. */
export const MAX_COUNTER_VALUE = 1_000_000_000_000;
const CounterAmountSchema = z.number().int().min(-MAX_COUNTER_VALUE).max(MAX_COUNTER_VALUE);

export const CounterStoreWriteSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('counter.define'), counter: CounterSchema, at: z.number() }),
  z.object({ op: z.literal('counter.remove'), name: CounterNameSchema }),
  /** From chat: applied once per (event, counter); the result is kept in counter_changes. */
  z.object({
    op: z.literal('counter.change'),
    eventId: z.string().min(1).max(100),
    name: CounterNameSchema,
    scopeKey: z.string().max(100),
    mode: z.enum(['add', 'set']),
    amount: CounterAmountSchema,
    at: z.number(),
  }),
  /** From the console: sets a value directly. */
  z.object({
    op: z.literal('counter.setValue'),
    name: CounterNameSchema,
    scopeKey: z.string().max(100),
    value: CounterAmountSchema,
    at: z.number(),
  }),
]);
export type CounterStoreWrite = z.infer<typeof CounterStoreWriteSchema>;
export const COUNTER_STORE_OPS = ['counter.define', 'counter.remove', 'counter.change', 'counter.setValue'] as const;

/** What a message asks of a counter command. */
export type CounterRequest =
  { kind: 'show'; target?: string } | { kind: 'change'; mode: 'add' | 'set'; amount: number; target?: string };

const CHANGE = /^(?:([+-])\s*(\d{1,13})|=\s*(-?\d{1,13})|(\+\+|--))$/;

/**
 * Reads the words after the counter command: nothing (show), `@name` (show someone's per-user
 * count), `+1`, `-2`, `= 0`, `++`, `--`, optionally after `@name`. Anything else is not a counter
 * request (undefined), so `!deaths are fun` is left to other commands.
 */
export function parseCounterRequest(rest: string): CounterRequest | undefined {
  let text = rest.trim();
  let target: string | undefined;
  // A login first (with or without "@"; Twitch logins never start with +, - or =).
  const mention = /^@?([A-Za-z0-9_]{1,25})(?:\s+|$)/.exec(text);
  if (mention && !/^\d+$/.test(mention[1]!)) {
    target = mention[1]!.toLowerCase();
    text = text.slice(mention[0].length).trim();
  }
  if (text.length === 0) return target === undefined ? { kind: 'show' } : { kind: 'show', target };
  const change = CHANGE.exec(text.replace(/\s+/g, ' '));
  if (!change) return undefined;
  let request: CounterRequest;
  if (change[4]) request = { kind: 'change', mode: 'add', amount: change[4] === '++' ? 1 : -1 };
  else if (change[3] !== undefined) request = { kind: 'change', mode: 'set', amount: Number(change[3]) };
  else request = { kind: 'change', mode: 'add', amount: (change[1] === '-' ? -1 : 1) * Number(change[2]) };
  if (Math.abs(request.amount) > MAX_COUNTER_VALUE) return undefined;
  return target === undefined ? request : { ...request, target };
}

/** Whether someone with `roles` may change the counter from chat. */
export function mayEditCounter(counter: Pick<Counter, 'editRoles'>, roles: readonly Role[]): boolean {
  if (roles.includes('broadcaster')) return true;
  if (counter.editRoles.includes('viewer')) return true;
  return counter.editRoles.some((role) => roles.includes(role));
}

/** The value after applying a change, kept within the stored range. */
export function applyCounterChange(current: number, mode: 'add' | 'set', amount: number): number {
  const next = mode === 'set' ? amount : current + amount;
  return Math.max(-MAX_COUNTER_VALUE, Math.min(MAX_COUNTER_VALUE, next));
}

/** A new counter's reply when none is given: "deaths: 3". */
export function defaultCounterTemplate(name: string): string {
  return `${name}: {count:${name}}`;
}

/** The demo and a fresh install start with one counter, so `!deaths` works out of the box. */
export const DEFAULT_COUNTERS: readonly Counter[] = [
  {
    name: 'deaths',
    enabled: true,
    scope: 'global',
    command: '!deaths',
    template: 'Deaths so far: {count:deaths} 💀',
    editRoles: ['moderator'],
  },
];
