/**
 * Chat commands: their schema (with a safety check for regex triggers), the reply templates and the
 * set a fresh install starts with. Pure module: the commands service (pipeline/node/services) and
 * the console's command editor both use it.
 *
 * `CommandDefinition` (protocol/store.ts) stays the source of truth for the stored shape; the schema
 * below validates it where it arrives from outside (the editor, an import file, the database).
 */
import { describeIssues } from './zod-issues.js';
import { z } from 'zod';
import { EventTypeSchema, KnownEventTypes, MAX_REPLY_TEXT, RoleSchema } from './envelope.js';
import type { CommandDefinition } from './protocol/store.js';
import {
  TEMPLATE_PLACEHOLDER,
  TEMPLATE_VARIABLES,
  isKnownVariable,
  isParameterVariable,
  resolveParameter,
  templateVariables,
  type TemplateExtras,
  type TemplateVariable,
  type TemplateVars,
} from './template-variables.js';

/** Longest regex a trigger may use: long patterns are where the slow ones hide, and nobody needs more. */
export const MAX_REGEX_PATTERN = 200;
/** Longest chat text a regex trigger is run against (Twitch messages are at most 500 characters). */
export const MAX_REGEX_INPUT = 500;
const ALLOWED_REGEX_FLAGS = 'iu';

// ---------------------------------------------------------------------------------------------
// Regex safety
// ---------------------------------------------------------------------------------------------
//
// JavaScript regexes backtrack: a pattern such as `(a+)+$` takes exponential time on "aaaa…b", and
// `.*.*.*x` already takes seconds on 500 characters. A regex runs synchronously in the reaction
// worker for every chat message, so one careless trigger would stall the whole pipeline. We cannot
// time a regex out from plain JavaScript, so a trigger is checked when it is saved, conservatively:
// a pattern is refused when it is *prone* to backtracking, even if a smarter analysis might prove a
// particular one harmless. The rules (see https://www.regular-expressions.info/catastrophic.html):
//   1. no repetition inside a repetition (`(a+)+`, `(.*)*`, `(\w+\s?)*`: star height above one);
//   2. no repeated alternation whose branches can start with the same character or match nothing
//      (`(a|a)*`, `(a|ab)+`, `(|a)+`);
//   3. no two open-ended repetitions that can match the same text back to back without a required,
//      different character between them (`.*.*`, `\w+\d+`, `.*a.*`): polynomial, but steep;
//   4. no backreferences (`(a)\1`): matching them is NP-hard and triggers never need them.

type CharSet = { any: true } | { any: false; chars: Set<string> };

type RegexNode =
  | { kind: 'chars'; set: CharSet }
  | { kind: 'anchor' }
  | { kind: 'backreference' }
  | { kind: 'group'; branches: RegexNode[][]; lookaround: boolean }
  | { kind: 'repeat'; node: RegexNode; min: number; max: number };

const ANY: CharSet = { any: true };
const DIGITS = '0123456789';
const WORD = `abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ${DIGITS}_`;
const SPACES =
  ' \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
/** Wider ranges are treated as "any character": exact sets buy nothing there. */
const MAX_EXPANDED_RANGE = 1024;

function charSet(chars: Iterable<string>, ignoreCase: boolean): CharSet {
  const set = new Set<string>();
  for (const char of chars) set.add(ignoreCase ? char.toLowerCase() : char);
  return { any: false, chars: set };
}

function unionSets(sets: CharSet[]): CharSet {
  const chars = new Set<string>();
  for (const set of sets) {
    if (set.any) return ANY;
    for (const char of set.chars) chars.add(char);
  }
  return { any: false, chars };
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if (a.any || b.any) return true;
  for (const char of a.chars) if (b.chars.has(char)) return true;
  return false;
}

/** A small recursive-descent reader for the pattern; only called on patterns that compiled. */
class PatternReader {
  private position = 0;

  constructor(
    private readonly pattern: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): RegexNode[][] {
    const branches = this.alternation();
    if (this.position < this.pattern.length) throw new Error('unbalanced ")"');
    return branches;
  }

  private alternation(): RegexNode[][] {
    const branches: RegexNode[][] = [this.sequence()];
    while (this.pattern[this.position] === '|') {
      this.position++;
      branches.push(this.sequence());
    }
    return branches;
  }

  private sequence(): RegexNode[] {
    const nodes: RegexNode[] = [];
    while (this.position < this.pattern.length) {
      const char = this.pattern[this.position];
      if (char === '|' || char === ')') break;
      const atom = this.atom();
      nodes.push(this.quantified(atom));
    }
    return nodes;
  }

  private quantified(node: RegexNode): RegexNode {
    const rest = this.pattern.slice(this.position);
    let min: number;
    let max: number;
    const braces = /^\{(\d+)(?:(,)(\d*))?\}/.exec(rest);
    if (rest.startsWith('*')) [min, max] = [0, Infinity];
    else if (rest.startsWith('+')) [min, max] = [1, Infinity];
    else if (rest.startsWith('?')) [min, max] = [0, 1];
    else if (braces) {
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Infinity;
    } else return node;
    this.position += braces ? braces[0].length : 1;
    if (this.pattern[this.position] === '?') this.position++; // lazy: backtracks just the same
    return { kind: 'repeat', node, min, max };
  }

  private atom(): RegexNode {
    const char = this.pattern[this.position++]!;
    switch (char) {
      case '^':
      case '$':
        return { kind: 'anchor' };
      case '.':
        return { kind: 'chars', set: ANY };
      case '[':
        return { kind: 'chars', set: this.characterClass() };
      case '(':
        return this.group();
      case '\\':
        return this.escape();
      default:
        return { kind: 'chars', set: charSet([char], this.ignoreCase) };
    }
  }

  private group(): RegexNode {
    let lookaround = false;
    const modifiers = /^\?[ims]*(?:-[ims]*)?:/.exec(this.pattern.slice(this.position));
    if (modifiers && modifiers[0].length > 2)
      throw new Error('inline flags like (?i:...) are not supported; use the flags');
    if (modifiers) this.position += 2;
    else if (/^\?<?[=!]/.test(this.pattern.slice(this.position))) {
      lookaround = true;
      this.position += this.pattern[this.position + 1] === '<' ? 3 : 2;
    } else if (this.pattern.startsWith('?<', this.position)) {
      const end = this.pattern.indexOf('>', this.position);
      this.position = end + 1;
    }
    const branches = this.alternation();
    if (this.pattern[this.position] !== ')') throw new Error('unbalanced "("');
    this.position++;
    return { kind: 'group', branches, lookaround };
  }

  private escape(): RegexNode {
    const char = this.pattern[this.position++] ?? '\\';
    if (/[1-9]/.test(char)) return { kind: 'backreference' };
    if (char === 'k' && this.pattern[this.position] === '<') return { kind: 'backreference' };
    if (char === 'b' || char === 'B') return { kind: 'anchor' };
    return { kind: 'chars', set: this.escapedSet(char) };
  }

  /** The characters one escape stands for, inside or outside a class. */
  private escapedSet(char: string): CharSet {
    switch (char) {
      case 'd':
        return charSet(DIGITS, false);
      case 'w':
        return charSet(WORD, this.ignoreCase);
      case 's':
        return charSet(SPACES, false);
      case 'n':
        return charSet(['\n'], false);
      case 't':
        return charSet(['\t'], false);
      case 'r':
        return charSet(['\r'], false);
      case 'f':
        return charSet(['\f'], false);
      case 'v':
        return charSet(['\v'], false);
      case 'x':
      case 'u':
      case 'c':
      case 'p':
      case 'P': {
        // Hex, unicode and property escapes: skip their body; "any" is the safe over-estimate.
        const body = /^(?:\{[^}]*\}|[0-9a-fA-F]{4}|[0-9a-fA-F]{2}|[a-zA-Z])/.exec(this.pattern.slice(this.position));
        if (body) this.position += body[0].length;
        return ANY;
      }
      case 'D':
      case 'W':
      case 'S':
        return ANY;
      default:
        return charSet([char], this.ignoreCase);
    }
  }

  private characterClass(): CharSet {
    if (this.pattern[this.position] === '^') {
      this.skipClass();
      return ANY;
    }
    const sets: CharSet[] = [];
    let previous: string | undefined;
    while (this.position < this.pattern.length && this.pattern[this.position] !== ']') {
      const char = this.pattern[this.position++]!;
      if (char === '\\') {
        const escaped = this.pattern[this.position++] ?? '\\';
        const set = escaped === 'b' ? charSet(['\b'], false) : this.escapedSet(escaped);
        sets.push(set);
        previous = !set.any && set.chars.size === 1 && /[^dwsDWS]/.test(escaped) ? [...set.chars][0] : undefined;
        continue;
      }
      const next = this.pattern[this.position + 1];
      if (char === '-' && previous !== undefined && next !== undefined && next !== ']' && next !== '\\') {
        sets.push(this.range(previous, this.pattern[this.position++]!));
        previous = undefined;
        continue;
      }
      if (char === '-' && previous !== undefined && next === '\\') {
        // A range ending in an escape (`[a-\x7f]`): rare, so over-estimate rather than decode it.
        sets.push(ANY);
        continue;
      }
      sets.push(charSet([char], this.ignoreCase));
      previous = char;
    }
    this.position++; // the closing "]"
    return unionSets(sets);
  }

  private range(from: string, to: string): CharSet {
    const start = from.codePointAt(0)!;
    const end = to.codePointAt(0)!;
    if (end - start > MAX_EXPANDED_RANGE) return ANY;
    const chars: string[] = [];
    for (let code = start; code <= end; code++) chars.push(String.fromCodePoint(code));
    return charSet(chars, this.ignoreCase);
  }

  private skipClass(): void {
    while (this.position < this.pattern.length && this.pattern[this.position] !== ']') {
      if (this.pattern[this.position] === '\\') this.position++;
      this.position++;
    }
    this.position++;
  }
}

/** A repetition that can match a varying amount of text (`a*`, `a+`, `a{1,3}`, `a?`). */
function isVariable(node: RegexNode): node is Extract<RegexNode, { kind: 'repeat' }> {
  return node.kind === 'repeat' && node.max > node.min;
}

function someNode(nodes: RegexNode[], test: (node: RegexNode) => boolean): boolean {
  return nodes.some((node) => {
    if (test(node)) return true;
    if (node.kind === 'group') return node.branches.some((branch) => someNode(branch, test));
    if (node.kind === 'repeat') return someNode([node.node], test);
    return false;
  });
}

/** Characters the sequence can start with, and whether it can match the empty string. */
function firstChars(nodes: RegexNode[]): { set: CharSet; nullable: boolean } {
  const sets: CharSet[] = [];
  for (const node of nodes) {
    const first = nodeFirstChars(node);
    sets.push(first.set);
    if (!first.nullable) return { set: unionSets(sets), nullable: false };
  }
  return { set: unionSets(sets), nullable: true };
}

function nodeFirstChars(node: RegexNode): { set: CharSet; nullable: boolean } {
  switch (node.kind) {
    case 'chars':
      return { set: node.set, nullable: false };
    case 'anchor':
      return { set: { any: false, chars: new Set() }, nullable: true };
    case 'backreference':
      return { set: ANY, nullable: true };
    case 'group': {
      if (node.lookaround) return { set: { any: false, chars: new Set() }, nullable: true };
      const branches = node.branches.map(firstChars);
      return { set: unionSets(branches.map((b) => b.set)), nullable: branches.some((b) => b.nullable) };
    }
    case 'repeat': {
      const inner = nodeFirstChars(node.node);
      return { set: inner.set, nullable: inner.nullable || node.min === 0 };
    }
  }
}

/** Every character the node can match anywhere. */
function allChars(node: RegexNode): CharSet {
  switch (node.kind) {
    case 'chars':
      return node.set;
    case 'anchor':
      return { any: false, chars: new Set() };
    case 'backreference':
      return ANY;
    case 'group':
      return unionSets(node.branches.flatMap((branch) => branch.map(allChars)));
    case 'repeat':
      return allChars(node.node);
  }
}

/** One step of the flattened pattern for rule 3. */
interface Slot {
  chars: CharSet;
  /** Matches at least one character. */
  required: boolean;
  /** Open-ended: can match a varying run of characters. */
  repeats: boolean;
}

function flatten(nodes: RegexNode[], optional: boolean, out: Slot[]): void {
  for (const node of nodes) {
    if (node.kind === 'anchor') continue;
    if (node.kind === 'group' && node.lookaround) continue; // zero-width; checked on its own
    if (node.kind === 'repeat' && node.max > 1) {
      out.push({ chars: allChars(node), required: !optional && node.min > 0, repeats: node.max > node.min });
    } else if (node.kind === 'repeat') {
      flatten([node.node], optional || node.min === 0, out);
    } else if (node.kind === 'group' && node.branches.length === 1) {
      flatten(node.branches[0]!, optional, out);
    } else if (node.kind === 'group') {
      const repeats = node.branches.some((branch) => someNode(branch, isVariable));
      const nullable = node.branches.some((branch) => firstChars(branch).nullable);
      out.push({ chars: allChars(node), required: !optional && !nullable, repeats });
    } else {
      out.push({ chars: allChars(node), required: !optional, repeats: false });
    }
  }
}

function findBacktrackingRisk(branches: RegexNode[][]): string | undefined {
  const all: RegexNode[] = [{ kind: 'group', branches, lookaround: false }];
  if (someNode(all, (node) => node.kind === 'backreference')) return 'backreferences are not allowed';

  let risk: string | undefined;
  someNode(all, (node) => {
    if (node.kind !== 'repeat' || node.max <= 1) return false;
    if (someNode([node.node], isVariable)) {
      risk = 'a repetition inside a repetition, like (a+)+, can take forever on some messages';
      return true;
    }
    const ambiguous = someNode([node.node], (inner) => {
      if (inner.kind !== 'group' || inner.branches.length < 2) return false;
      const firsts = inner.branches.map(firstChars);
      if (firsts.some((first) => first.nullable)) return true;
      return firsts.some((a, i) => firsts.some((b, j) => j > i && overlaps(a.set, b.set)));
    });
    if (ambiguous) {
      risk = 'a repeated group whose alternatives can match the same text, like (a|ab)*, can take forever';
      return true;
    }
    return false;
  });
  if (risk) return risk;

  // Rule 3, per alternative (lookarounds are zero-width, so each is its own sequence).
  const sequences: RegexNode[][] = [];
  someNode(all, (node) => {
    if (node.kind === 'group' && (node.lookaround || node === all[0])) sequences.push(...node.branches);
    return false;
  });
  for (const sequence of sequences) {
    const slots: Slot[] = [];
    flatten(sequence, false, slots);
    // Open repetitions since the last required slot that none of them can match (a separator).
    let open: Slot[] = [];
    for (const slot of slots) {
      if (slot.repeats && open.some((other) => overlaps(other.chars, slot.chars))) {
        return 'two repetitions that can match the same text back to back, like .*.* or \\w+\\d+, are too slow; put a required, different character between them';
      }
      const separates = slot.required && open.every((other) => !overlaps(other.chars, slot.chars));
      if (separates) open = [];
      if (slot.repeats) open.push(slot);
    }
  }
  return undefined;
}

export type RegexCheck = { ok: true; regex: RegExp } | { ok: false; error: string };

/** Compiles a trigger regex after checking that it is small, uses allowed flags and cannot hang. */
export function checkRegex(pattern: string, flags = ''): RegexCheck {
  if (pattern.length === 0) return { ok: false, error: 'pattern is empty' };
  if (pattern.length > MAX_REGEX_PATTERN)
    return { ok: false, error: `pattern is longer than ${MAX_REGEX_PATTERN} characters` };
  for (const [index, flag] of [...flags].entries()) {
    if (!ALLOWED_REGEX_FLAGS.includes(flag))
      return { ok: false, error: `flag "${flag}" is not allowed (only i and u)` };
    if (flags.indexOf(flag) !== index) return { ok: false, error: `flag "${flag}" is repeated` };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    return { ok: false, error: `does not compile: ${error instanceof Error ? error.message : String(error)}` };
  }
  let risk: string | undefined;
  try {
    risk = findBacktrackingRisk(new PatternReader(pattern, flags.includes('i')).parse());
  } catch (error) {
    risk = `could not be analysed (${error instanceof Error ? error.message : String(error)})`;
  }
  return risk ? { ok: false, error: risk } : { ok: true, regex };
}

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

const TriggerTextSchema = z.string().trim().min(1, 'must not be empty').max(100);

const TriggerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exact'), text: TriggerTextSchema }),
  z.object({
    kind: z.literal('prefix'),
    text: TriggerTextSchema.refine(
      (text) => !/\s/.test(text),
      'a prefix is one word (the rest of the message is {args})',
    ),
  }),
  z
    .object({ kind: z.literal('regex'), pattern: z.string(), flags: z.string().max(2).optional() })
    .superRefine((trigger, context) => {
      const check = checkRegex(trigger.pattern, trigger.flags ?? '');
      if (!check.ok) {
        const path = /^flag/.test(check.error) ? 'flags' : 'pattern';
        context.addIssue({ code: 'custom', path: [path], message: check.error });
      }
    }),
  z.object({
    kind: z.literal('event'),
    types: z
      .array(
        // Answering every chat message from a command would flood chat; regex triggers exist for that.
        EventTypeSchema.refine((type) => type !== KnownEventTypes.chatMessage, 'chat messages use a chat trigger'),
      )
      .min(1, 'needs at least one event type')
      .max(20),
  }),
]);

export const CommandSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(60)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'command ids are lower-case letters, digits, "-" and "_"'),
  enabled: z.boolean().default(true),
  trigger: TriggerSchema,
  template: z.string().trim().min(1, 'must not be empty').max(1000),
  /** Roles allowed to run it; empty = everyone. The broadcaster may always run every command. */
  roles: z.array(RoleSchema).max(10).default([]),
  userCooldownSeconds: z.number().int().min(0).max(86_400).default(0),
  globalCooldownSeconds: z.number().int().min(0).max(86_400).default(0),
});
export type CommandInput = z.input<typeof CommandSchema>;

// The stored type stays the source of truth: this line stops compiling if the schema drifts from it.
const _schemaMatchesStoredType: CommandDefinition = {} as z.infer<typeof CommandSchema>;

export type CommandCheck = { ok: true; command: CommandDefinition } | { ok: false; error: string };

/** Validates a command from outside (editor, import, database). Never throws; the error names the field. */
export function checkCommand(input: unknown): CommandCheck {
  const parsed = CommandSchema.safeParse(input);
  if (parsed.success) return { ok: true, command: parsed.data };
  return {
    ok: false,
    error: describeIssues(parsed.error),
  };
}

// ---------------------------------------------------------------------------------------------
// Matching chat text (the commands service, and the editor's live preview)
// ---------------------------------------------------------------------------------------------

export interface TriggerMatch {
  /** Everything after a prefix trigger (`{args}`), or the whole text for a regex. */
  args: string;
  /** `{arg1}`..`{arg9}`: words after a prefix trigger, or a regex's capture groups. */
  argList: string[];
}

/**
 * Whether chat `text` (already trimmed) runs a chat trigger. `regexFor` compiles a regex trigger
 * (checked, and cached by the caller); undefined means it cannot run.
 */
export function matchChatTrigger(
  trigger: CommandDefinition['trigger'],
  text: string,
  regexFor: (pattern: string, flags: string) => RegExp | undefined,
): TriggerMatch | undefined {
  switch (trigger.kind) {
    case 'exact':
      return text.toLowerCase() === trigger.text.trim().toLowerCase() ? { args: '', argList: [] } : undefined;
    case 'prefix': {
      const prefix = trigger.text.trim();
      if (prefix.length === 0 || text.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
      const rest = text.slice(prefix.length);
      if (rest.length > 0 && !/^\s/u.test(rest)) return undefined; // "!som" is not "!so"
      const args = rest.trim();
      // A leading "@" is how Twitch users name each other; `{arg1}` in "!so @name" means the name.
      const argList = args.length > 0 ? args.split(/\s+/u).map((word) => word.replace(/^@/, '')) : [];
      return { args, argList };
    }
    case 'regex': {
      const match = regexFor(trigger.pattern, trigger.flags ?? '')?.exec(text.slice(0, MAX_REGEX_INPUT));
      if (!match) return undefined;
      return { args: text, argList: match.slice(1).map((group) => group ?? '') };
    }
    case 'event':
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

// The variables themselves are defined once, in template-variables.ts (the editors list them from there).
export { TEMPLATE_VARIABLES, templateVariables, type TemplateVariable, type TemplateVars };

/**
 * Text that goes into chat must not reach IRC as a control sequence: a newline would end the PRIVMSG
 * early (https://dev.twitch.tv/docs/irc/) and \x01 starts a CTCP action. Chat text never carries them,
 * but values from other sources (gateway clients, webhooks) might.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * Twitch runs a message that starts with "/" or "." as a chat command ("/ban x", ".timeout x"), so a
 * reply must never start with one, whatever a user managed to put into it
 * (https://dev.twitch.tv/docs/irc/).
 */
const LEADING_COMMAND_MARKERS = /^[\s/.]+/u;

/** Cuts `text` to at most `max` UTF-16 units, at the last space when there is one in the second half. */
export function capOnWordBoundary(text: string, max: number = MAX_REPLY_TEXT): string {
  if (text.length <= max) return text;
  let cut = max;
  // Never split a surrogate pair (emoji, rare CJK): a lone half shows as garbage in chat.
  const code = text.charCodeAt(cut);
  if (code >= 0xdc00 && code <= 0xdfff) cut--;
  const space = text.lastIndexOf(' ', cut);
  if (space >= max / 2) cut = space;
  return text.slice(0, cut).trimEnd();
}

/**
 * Fills `{user}`, `{args}`, `{arg1}`, `{random:1-6}`, `{count:deaths}`... in one pass: inserted values
 * are plain text (a user who types "{channel}" gets those eight characters back). Unknown
 * placeholders stay as written; known ones with no value become empty. The result is trimmed, safe
 * to send (no leading "/" or ".") and at most MAX_REPLY_TEXT long, cut at a word boundary.
 */
export function renderTemplate(template: string, vars: TemplateVars, extras: TemplateExtras = {}): string {
  const filled = template.replace(TEMPLATE_PLACEHOLDER, (placeholder, name: string, parameter?: string) => {
    const key = name.toLowerCase();
    if (parameter !== undefined) {
      const value = isParameterVariable(key) ? resolveParameter(key, parameter, extras) : undefined;
      return value === undefined ? placeholder : value.replace(CONTROL_CHARACTERS, ' ');
    }
    if (!isKnownVariable(key)) return placeholder;
    const value = vars[key as TemplateVariable];
    return value === undefined ? '' : String(value).replace(CONTROL_CHARACTERS, ' ');
  });
  const safe = filled.replace(CONTROL_CHARACTERS, ' ').trim().replace(LEADING_COMMAND_MARKERS, '');
  return capOnWordBoundary(safe).trim();
}

// ---------------------------------------------------------------------------------------------
// First start
// ---------------------------------------------------------------------------------------------

/** The commands a fresh install starts with; the streamer edits or disables them in the console. */
export const DEFAULT_COMMANDS: readonly CommandDefinition[] = [
  {
    id: 'hello',
    enabled: true,
    trigger: { kind: 'exact', text: '!hello' },
    template: 'Hello {user}! 👋',
    roles: [],
    userCooldownSeconds: 30,
    globalCooldownSeconds: 0,
  },
  {
    id: 'commands',
    enabled: true,
    trigger: { kind: 'exact', text: '!commands' },
    template: 'Commands: {commands}',
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 30,
  },
  {
    id: 'lurk',
    enabled: true,
    trigger: { kind: 'exact', text: '!lurk' },
    template: 'Enjoy the lurk, {user}! Thanks for hanging out.',
    roles: [],
    userCooldownSeconds: 300,
    globalCooldownSeconds: 0,
  },
  {
    // Off until the streamer puts their own invite in: a placeholder link must never reach chat.
    id: 'discord',
    enabled: false,
    trigger: { kind: 'exact', text: '!discord' },
    template: 'Join the community on Discord: https://discord.gg/YOUR-INVITE',
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 30,
  },
  {
    id: 'shoutout',
    enabled: true,
    trigger: { kind: 'prefix', text: '!so' },
    // Run by the shoutout service (rule chat-shoutout): {lastgame} from Helix, and Twitch's own shoutout.
    template: 'Go show {target} some love at https://twitch.tv/{arg1} 💜 Last seen playing {lastgame}.',
    roles: ['moderator'],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 5,
  },
  {
    id: 'thanks-follow',
    enabled: true,
    trigger: { kind: 'event', types: [KnownEventTypes.follow] },
    template: 'Thanks for the follow, {user}! Welcome in.',
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 0,
  },
  {
    id: 'thanks-sub',
    enabled: true,
    trigger: { kind: 'event', types: [KnownEventTypes.sub] },
    template: 'Thank you for subscribing, {user}! Months subscribed: {months} 🎉',
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 0,
  },
  {
    id: 'thanks-subgift',
    enabled: true,
    trigger: { kind: 'event', types: [KnownEventTypes.subGift] },
    template: 'Thank you for gifting {gifts} subs, {user}! 🎁',
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 0,
  },
  {
    id: 'thanks-cheer',
    enabled: true,
    trigger: { kind: 'event', types: [KnownEventTypes.cheer] },
    template: 'Thanks for the {bits} bits, {user}!',
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 0,
  },
  {
    id: 'going-live',
    enabled: true,
    trigger: { kind: 'event', types: [KnownEventTypes.streamOnline] },
    template: '{user} is live now: https://twitch.tv/{channel}',
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 0,
  },
  {
    id: 'thanks-raid',
    enabled: true,
    trigger: { kind: 'event', types: [KnownEventTypes.raid] },
    template: '{user} is raiding with {viewers} viewers! Welcome, raiders!',
    roles: [],
    userCooldownSeconds: 0,
    globalCooldownSeconds: 0,
  },
];
