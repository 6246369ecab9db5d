/**
 * The `quotes` reaction service: `!quote` (random), `!quote 12`, `!quote search words` (or
 * `!quote words`), `!quote add [@who] text` (moderators and VIPs by default). The rule that routes
 * to it decides the trigger word; the service reads what follows the first word.
 *
 * An added quote is committed before the reply names its number; the quote carries the event id,
 * so a retried or resumed step finds it instead of adding it twice.
 */
import { KnownEventTypes, type Envelope } from '../../core/envelope.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import {
  DEFAULT_QUOTE_SETTINGS,
  formatQuote,
  mayAddQuote,
  parseQuoteRequest,
  type Quote,
  type QuoteSettings,
} from '../../core/quotes.js';
import { StepFailure, type Service, type StepContext, type StepOutcome, SERVICE_IDS } from '../../core/service.js';
import { capOnWordBoundary } from '../../core/commands.js';
import type { FeatureReader } from './feature-reader.js';
import type { TwitchLookups } from './template-context.js';

export interface QuotesServiceDeps {
  reader: Pick<FeatureReader, 'quote' | 'quoteAddedBy' | 'randomQuote' | 'searchQuote'>;
  commit(batch: StoreWrite[]): Promise<void>;
  settings?: () => QuoteSettings;
  /** The category to store with a new quote, when known. */
  twitch?: () => TwitchLookups | undefined;
  newId?: () => string;
}

const LEADING_COMMAND_MARKERS = /^[\s/.]+/u;

export function createQuotesService(deps: QuotesServiceDeps): Service {
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const settings = () => deps.settings?.() ?? DEFAULT_QUOTE_SETTINGS;

  const reply = (text: string, notes: string[]): StepOutcome => ({
    status: 'OK',
    notes,
    candidates: [
      {
        id: newId(),
        // Quote text came from chat: never let it start a Twitch command ("/ban", ".timeout").
        text: capOnWordBoundary(text.replace(LEADING_COMMAND_MARKERS, '')),
        source: 'quotes',
        priority: 100,
        confidence: 1,
        status: 'proposed',
        reason: 'quotes',
      },
    ],
  });
  const show = (quote: Quote | undefined, notes: string[], missing: string): StepOutcome =>
    quote ? reply(formatQuote(quote, settings().template), [...notes, `quote #${quote.id}`]) : reply(missing, notes);

  /** The category to store with a new quote; a Twitch failure stores none rather than losing the quote. */
  async function gameNow(): Promise<string | null> {
    try {
      return (await deps.twitch?.()?.channel())?.game ?? null;
    } catch {
      return null;
    }
  }

  async function run(event: Readonly<Envelope>, context: StepContext): Promise<StepOutcome> {
    if (event.type !== KnownEventTypes.chatMessage) return { status: 'SKIP', notes: ['not a chat message'] };
    const text = (event.message?.text ?? '').trim();
    const rest = text.replace(/^\S+\s*/u, '');
    const request = parseQuoteRequest(rest);
    switch (request.kind) {
      case 'random':
        return show(deps.reader.randomQuote(), ['random'], 'No quotes yet. Moderators can add one with !quote add …');
      case 'byId':
        return show(deps.reader.quote(request.id), ['by number'], `There is no quote #${request.id}.`);
      case 'search':
        return show(
          deps.reader.searchQuote(request.words),
          ['search'],
          `No quote matches "${request.words.slice(0, 60)}".`,
        );
      case 'add': {
        const external = event.identity.external;
        const roles = event.identity.user?.roles ?? external.roles;
        if (!mayAddQuote(settings(), roles)) {
          return { status: 'SKIP', notes: [`adding a quote needs ${settings().addRoles.join(' or ')}`] };
        }
        let quote = deps.reader.quoteAddedBy(event.id);
        if (!quote) {
          try {
            await deps.commit([
              {
                op: 'quote.add',
                eventId: event.id,
                text: request.text.slice(0, 400),
                saidBy: request.saidBy ?? (event.ingress.channel || external.login),
                addedBy: external.login,
                game: await gameNow(),
                at: context.now(),
              },
            ]);
          } catch (error) {
            throw new StepFailure('QUOTE_WRITE', `could not save the quote: ${String(error)}`, true);
          }
          quote = deps.reader.quoteAddedBy(event.id);
        }
        if (!quote) throw new StepFailure('QUOTE_WRITE', 'the quote was not stored', true);
        return reply(`Added quote #${quote.id}.`, [`added quote #${quote.id}`]);
      }
    }
  }

  return { id: SERVICE_IDS.quotes, phase: 'reaction', run };
}
