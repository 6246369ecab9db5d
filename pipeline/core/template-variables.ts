/**
 * The one list of variables a response template may use (`{user}`, `{random:1-100}`,
 * `{count:deaths}` ...): the services fill them, the console's editors list them from here.
 *
 * Pure module. Values that need the store or Twitch (counters, stream state, follow age) are
 * looked up by the service before rendering and passed in; `renderTemplate` itself never does I/O.
 */

export interface TemplateVariableDefinition {
  /** The name inside the braces. */
  readonly name: string;
  /** How to write it in a template. */
  readonly syntax: string;
  readonly description: string;
  /** `chat`: from a chat command; `event`: from a follow/sub/cheer/raid; `any`: everywhere. */
  readonly context: 'chat' | 'event' | 'any';
  /** Takes a parameter after a colon (`{count:deaths}`). */
  readonly parameter?: true;
}

export const TEMPLATE_VARIABLE_DEFINITIONS = [
  { name: 'user', syntax: '{user}', description: 'Display name of who triggered it', context: 'any' },
  { name: 'login', syntax: '{login}', description: 'Login name of who triggered it', context: 'any' },
  { name: 'channel', syntax: '{channel}', description: 'The channel', context: 'any' },
  {
    name: 'target',
    syntax: '{target}',
    description: 'The first @mention in the message, else the first argument, else the user',
    context: 'chat',
  },
  { name: 'args', syntax: '{args}', description: 'Everything after the command', context: 'chat' },
  ...([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({
    name: `arg${n}`,
    syntax: `{arg${n}}`,
    description: n === 1 ? 'The first word after the command (without "@"); {arg2}… the next ones' : `Word ${n}`,
    context: 'chat' as const,
  })) as readonly TemplateVariableDefinition[]),
  { name: 'count', syntax: '{count}', description: "The user's message count", context: 'any' },
  {
    name: 'count',
    syntax: '{count:NAME}',
    description: 'The value of counter NAME (per-user counters: the user’s own)',
    context: 'any',
    parameter: true,
  },
  {
    name: 'random',
    syntax: '{random:1-100}',
    description: 'A random whole number in the range',
    context: 'any',
    parameter: true,
  },
  {
    name: 'pick',
    syntax: '{pick:a|b|c}',
    description: 'One of the choices, at random',
    context: 'any',
    parameter: true,
  },
  { name: 'uptime', syntax: '{uptime}', description: 'How long the stream has been live', context: 'any' },
  { name: 'game', syntax: '{game}', description: 'The category the stream is in (Twitch)', context: 'any' },
  { name: 'title', syntax: '{title}', description: 'The stream title (Twitch)', context: 'any' },
  {
    name: 'followage',
    syntax: '{followage}',
    description: 'How long the user has followed (Twitch Helix, needs the linked broadcaster)',
    context: 'chat',
  },
  {
    name: 'lastgame',
    syntax: '{lastgame}',
    description: 'The category the target last streamed (!so; Twitch Helix, needs the linked broadcaster)',
    context: 'chat',
  },
  { name: 'months', syntax: '{months}', description: 'Months subscribed (subs)', context: 'event' },
  { name: 'bits', syntax: '{bits}', description: 'Bits cheered', context: 'event' },
  { name: 'viewers', syntax: '{viewers}', description: 'Raiders', context: 'event' },
  { name: 'gifts', syntax: '{gifts}', description: 'Subs gifted', context: 'event' },
  { name: 'type', syntax: '{type}', description: 'The event type', context: 'any' },
  { name: 'commands', syntax: '{commands}', description: 'The chat commands the user may run', context: 'chat' },
] as const satisfies readonly TemplateVariableDefinition[];

/** Variables written without a parameter (`{user}`), as a type. */
export const TEMPLATE_VARIABLES = [
  'user',
  'login',
  'channel',
  'target',
  'args',
  'arg1',
  'arg2',
  'arg3',
  'arg4',
  'arg5',
  'arg6',
  'arg7',
  'arg8',
  'arg9',
  'count',
  'uptime',
  'game',
  'title',
  'followage',
  'lastgame',
  'months',
  'bits',
  'viewers',
  'gifts',
  'type',
  'commands',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateVars = Partial<Record<TemplateVariable, string | number>>;

const PARAMETER_VARIABLES: ReadonlySet<string> = new Set(
  TEMPLATE_VARIABLE_DEFINITIONS.filter((definition) => 'parameter' in definition).map((definition) => definition.name),
);
const KNOWN_VARIABLES: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);

/** `{name}` or `{name:parameter}`; a parameter never spans braces or lines. */
const PLACEHOLDER = /\{([a-z0-9]+)(?::([^{}\r\n]{1,200}))?\}/gi;

/** Counter names: what `{count:NAME}` and a counter's id accept. */
export const COUNTER_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface ParsedPlaceholder {
  name: string;
  parameter: string | undefined;
}

/** Every placeholder in the template, known or not, in order. */
export function parsePlaceholders(template: string): ParsedPlaceholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => ({
    name: match[1]!.toLowerCase(),
    parameter: match[2],
  }));
}

/** The known simple variables a template uses, in order of first use. */
export function templateVariables(template: string): TemplateVariable[] {
  const found = new Set<TemplateVariable>();
  for (const { name, parameter } of parsePlaceholders(template)) {
    if (parameter === undefined && KNOWN_VARIABLES.has(name)) found.add(name as TemplateVariable);
  }
  return [...found];
}

/** The counters a template reads with `{count:NAME}` (lower-cased, each once). */
export function templateCounters(template: string): string[] {
  const found = new Set<string>();
  for (const { name, parameter } of parsePlaceholders(template)) {
    const counter = parameter?.trim().toLowerCase();
    if (name === 'count' && counter !== undefined && COUNTER_NAME.test(counter)) found.add(counter);
  }
  return [...found];
}

/** Extra inputs for the parameterized variables. */
export interface TemplateExtras {
  /** Counter values by lower-case name; a counter that is not listed shows 0. */
  counters?: Readonly<Record<string, number>>;
  /** [0, 1), for `{random}` and `{pick}`; tests pass a fixed sequence. */
  random?: () => number;
}

const RANDOM_RANGE = /^\s*(-?\d{1,15})\s*-\s*(-?\d{1,15})\s*$/;
const MAX_PICK_CHOICES = 50;

/**
 * The value of one `{name:parameter}`, or undefined when the placeholder is not a known one (it
 * is then left as written, so a typo shows in the reply instead of vanishing).
 */
export function resolveParameter(name: string, parameter: string, extras: TemplateExtras): string | undefined {
  const random = extras.random ?? Math.random;
  switch (name) {
    case 'count': {
      const counter = parameter.trim().toLowerCase();
      if (!COUNTER_NAME.test(counter)) return undefined;
      return String(extras.counters?.[counter] ?? 0);
    }
    case 'random': {
      const range = RANDOM_RANGE.exec(parameter);
      if (!range) return undefined;
      const [low, high] = [Number(range[1]), Number(range[2])].sort((a, b) => a - b) as [number, number];
      return String(low + Math.floor(random() * (high - low + 1)));
    }
    case 'pick': {
      const choices = parameter
        .split('|')
        .map((choice) => choice.trim())
        .filter((choice) => choice.length > 0)
        .slice(0, MAX_PICK_CHOICES);
      if (choices.length === 0) return undefined;
      return choices[Math.min(choices.length - 1, Math.floor(random() * choices.length))];
    }
    default:
      return undefined;
  }
}

export function isParameterVariable(name: string): boolean {
  return PARAMETER_VARIABLES.has(name);
}

export function isKnownVariable(name: string): boolean {
  return KNOWN_VARIABLES.has(name);
}

/** Placeholders a template uses that nothing fills (typos): the editors warn about them. */
export function unknownPlaceholders(template: string): string[] {
  const unknown: string[] = [];
  for (const { name, parameter } of parsePlaceholders(template)) {
    const known =
      parameter === undefined
        ? KNOWN_VARIABLES.has(name)
        : PARAMETER_VARIABLES.has(name) && resolveParameter(name, parameter, { random: () => 0 }) !== undefined;
    if (!known) unknown.push(parameter === undefined ? `{${name}}` : `{${name}:${parameter}}`);
  }
  return unknown;
}

export { PLACEHOLDER as TEMPLATE_PLACEHOLDER };
