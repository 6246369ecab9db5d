/**
 * Firebot's `$variables` in a message, translated to BitBrat's `{variables}` (template-variables.ts).
 * Firebot writes `$name` or `$name[arg, arg]`, arguments may nest other variables. Only those with
 * the same meaning here are translated; any other is reported by name, so the import never sends a
 * message with a variable that would stay as written or mean something else.
 *
 * Not translated on purpose: `$count` (in Firebot, how often the command ran; `{count}` here is the
 * user's message count), `$quote` (quotes are the `!quote` command here), variables with nested
 * variables as arguments, and everything BitBrat has no equivalent of.
 */
import { COUNTER_NAME } from './template-variables.js';

export type FirebotTranslation = { ok: true; template: string } | { ok: false; unsupported: string[] };

export interface VariableContext {
  /** The BitBrat counter name for a Firebot counter's name, when the counter exists or is imported. */
  counterName(firebotName: string): string | undefined;
}

const SIMPLE: Readonly<Record<string, string>> = {
  user: '{user}',
  userdisplayname: '{user}',
  username: '{login}',
  streamer: '{channel}',
  target: '{target}',
  uptime: '{uptime}',
  category: '{game}',
  game: '{game}',
  streamtitle: '{title}',
  followage: '{followage}',
  cheerbitsamount: '{bits}',
  raidviewercount: '{viewers}',
  submonths: '{months}',
  giftcount: '{gifts}',
};

interface Placeholder {
  handle: string;
  args: string[] | undefined;
  end: number;
}

/** Reads `$handle[args]` at `start` (the `$`); undefined when `$` starts no variable (a price: "$5"). */
function readPlaceholder(text: string, start: number): Placeholder | undefined {
  const handle = /^[A-Za-z][A-Za-z0-9]*/.exec(text.slice(start + 1))?.[0];
  if (!handle) return undefined;
  let end = start + 1 + handle.length;
  if (text[end] !== '[') return { handle, args: undefined, end };
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (let index = end; index < text.length; index++) {
    const char = text[index]!;
    if (char === '[') {
      depth++;
      if (depth === 1) continue;
    } else if (char === ']') {
      depth--;
      if (depth === 0) {
        args.push(current.trim());
        end = index + 1;
        return { handle, args, end };
      }
    } else if (char === ',' && depth === 1) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  return { handle, args: undefined, end }; // an unclosed "[" is plain text, as Firebot leaves it
}

const ARG_INDEX = /^[1-9]$/;
const INTEGER = /^-?\d{1,15}$/;

function translateOne(placeholder: Placeholder, context: VariableContext): string | undefined {
  const handle = placeholder.handle.toLowerCase();
  const args = placeholder.args;
  if (args?.some((arg) => arg.includes('$'))) return undefined;
  if (args === undefined && handle in SIMPLE) return SIMPLE[handle];
  switch (handle) {
    case 'arg':
    case 'target': {
      if (args?.length !== 1 && !(handle === 'arg' && args?.length === 2)) return undefined;
      const [first, last] = args;
      // `$arg[1,last]` and `$arg[all]` are everything after the command.
      if ((first === '1' && last === 'last') || (first === 'all' && last === undefined)) return '{args}';
      if (last !== undefined || !ARG_INDEX.test(first!)) return undefined;
      // `{argN}` already drops a leading "@", which is what `$target[N]` adds to `$arg[N]`.
      return handle === 'target' && first === '1' ? '{target}' : `{arg${first}}`;
    }
    case 'randomnumber': {
      if (args?.length !== 2 || !INTEGER.test(args[0]!) || !INTEGER.test(args[1]!)) return undefined;
      return `{random:${args[0]}-${args[1]}}`;
    }
    case 'counter': {
      if (args?.length !== 1) return undefined;
      const name = context.counterName(args[0]!);
      return name !== undefined && COUNTER_NAME.test(name) ? `{count:${name}}` : undefined;
    }
    default:
      return undefined;
  }
}

/** The message as a BitBrat template, or every Firebot variable in it that has no equivalent. */
export function translateFirebotText(text: string, context: VariableContext): FirebotTranslation {
  const unsupported: string[] = [];
  let template = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) {
      template += text.slice(index);
      break;
    }
    template += text.slice(index, dollar);
    const placeholder = readPlaceholder(text, dollar);
    if (!placeholder) {
      template += '$';
      index = dollar + 1;
      continue;
    }
    const written = text.slice(dollar, placeholder.end);
    const translated = translateOne(placeholder, context);
    if (translated === undefined) {
      if (!unsupported.includes(written)) unsupported.push(written);
    } else template += translated;
    index = placeholder.end;
  }
  return unsupported.length > 0 ? { ok: false, unsupported } : { ok: true, template };
}
