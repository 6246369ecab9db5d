/**
 * Timers (define, turn on and off), counters (define, see and set their values), quotes (search,
 * add, edit, delete), the welcome greetings and the giveaways run from chat (with who entered). Chat reaches them through the timers, counters and quotes services; this view
 * is the moderators' side.
 */
import { useEffect, useState } from 'react';
import type { Counter, CounterValue } from '../../pipeline/core/counters.js';
import type { TimerSummary } from '../../pipeline/core/feature-api.js';
import type { Giveaway, GiveawayEntry } from '../../pipeline/core/giveaways.js';
import type { Quote } from '../../pipeline/core/quotes.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { Field } from '../ui/Field.js';
import { formatDateTime } from '../ui/format.js';
import { TemplateVariables } from '../ui/TemplateVariables.js';

interface CounterDraft {
  name: string;
  command: string;
  scope: 'global' | 'user';
  template: string;
  editRoles: string;
  enabled: boolean;
}

const NEW_COUNTER: CounterDraft = {
  name: '',
  command: '',
  scope: 'global',
  template: '',
  editRoles: 'moderator',
  enabled: true,
};

function draftOf(counter: Counter): CounterDraft {
  return { ...counter, editRoles: counter.editRoles.join(' ') };
}

/** "name: message" errors from the host, by field. */
function fieldErrors(error: string | null): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const part of (error ?? '').split('; ')) {
    const match = /^([a-zA-Z.]+): (.*)$/.exec(part);
    if (match) errors[match[1]!.split('.')[0]!] = match[2]!;
    else if (part) errors['(root)'] = part;
  }
  return errors;
}

function CountersSection() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [counters, setCounters] = useState<Counter[]>([]);
  const [values, setValues] = useState<CounterValue[]>([]);
  const [draft, setDraft] = useState<CounterDraft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [valueEdits, setValueEdits] = useState<Record<string, string>>({});

  const load = async () => {
    const [list, current] = await Promise.all([
      run('Loading counters', () => bridge.call('counters.list', {})),
      run('Loading counter values', () => bridge.call('counters.values', { limit: 500 })),
    ]);
    if (list) setCounters(list);
    if (current) setValues(current);
  };
  useEffect(() => {
    if (status === 'open') void load();
  }, [status]);

  const save = async () => {
    if (!draft) return;
    const result = await run('Saving the counter', () =>
      bridge.call('counters.save', {
        counter: { ...draft, editRoles: draft.editRoles.split(/[\s,]+/).filter((role) => role.length > 0) },
      }),
    );
    if (!result) return;
    if (!result.ok) return setError(result.error);
    setError(null);
    setDraft(null);
    notify(store, `Counter ${result.value.name} saved.`);
    await load();
  };

  const remove = async (name: string) => {
    if (!window.confirm(`Delete counter ${name} and all its values?`)) return;
    const result = await run('Deleting the counter', () => bridge.call('counters.delete', { name }));
    if (result?.ok) await load();
  };

  const setValue = async (name: string, scopeKey: string) => {
    const key = `${name}\u0000${scopeKey}`;
    const value = Number(valueEdits[key]);
    if (!Number.isInteger(value)) return notify(store, 'A counter value is a whole number.', 'error');
    const result = await run('Setting the value', () => bridge.call('counters.setValue', { name, scopeKey, value }));
    if (!result) return;
    if (!result.ok) return notify(store, `Not set: ${result.error}`, 'error');
    setValueEdits((edits) => {
      const next = { ...edits };
      delete next[key];
      return next;
    });
    await load();
  };

  const errors = fieldErrors(error);
  const rows = counters.flatMap((counter) => {
    const own = values.filter((value) => value.name === counter.name);
    if (counter.scope === 'global') {
      return [{ counter, scopeKey: '', value: own[0]?.value ?? 0 }];
    }
    return own.map((value) => ({ counter, scopeKey: value.scopeKey, value: value.value }));
  });

  return (
    <section data-testid="counters">
      <div className="row-gap">
        <h2>Counters</h2>
        <button type="button" onClick={() => (setDraft({ ...NEW_COUNTER }), setError(null))}>
          + New counter
        </button>
      </div>
      <p className="muted small">
        In chat: <span className="mono">!deaths</span> shows it, <span className="mono">!deaths +1</span>,{' '}
        <span className="mono">!deaths -1</span>, <span className="mono">!deaths = 0</span> change it (moderators by
        default). Any template can show one with <span className="mono">{'{count:NAME}'}</span>.
      </p>
      {draft && (
        <form
          className="editor-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <Field label="Name" error={errors.name}>
            <input value={draft.name} maxLength={40} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
          </Field>
          <Field label="Chat command (one word, e.g. !deaths)" error={errors.command}>
            <input
              value={draft.command}
              maxLength={40}
              onChange={(e) => setDraft({ ...draft, command: e.target.value })}
            />
          </Field>
          <Field label="Counts" error={errors.scope}>
            <select
              value={draft.scope}
              onChange={(e) => setDraft({ ...draft, scope: e.target.value as CounterDraft['scope'] })}
            >
              <option value="global">for the channel</option>
              <option value="user">per chatter</option>
            </select>
          </Field>
          <Field label="Reply (empty: “name: value”)" error={errors.template}>
            <input
              value={draft.template}
              maxLength={500}
              onChange={(e) => setDraft({ ...draft, template: e.target.value })}
            />
          </Field>
          <TemplateVariables context="chat" />
          <Field label="Who may change it (roles, space separated)" error={errors.editRoles}>
            <input value={draft.editRoles} onChange={(e) => setDraft({ ...draft, editRoles: e.target.value })} />
          </Field>
          <label className="row-gap">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
            />
            <span>Enabled</span>
          </label>
          {errors['(root)'] && <p className="error-text">{errors['(root)']}</p>}
          <div className="row-gap">
            <button type="submit" className="primary">
              Save counter
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>counter</th>
            <th>command</th>
            <th>who</th>
            <th>value</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map(({ counter, scopeKey, value }) => {
            const key = `${counter.name}\u0000${scopeKey}`;
            return (
              <tr key={key} className={counter.enabled ? '' : 'disabled'}>
                <td>{counter.name}</td>
                <td className="mono">{counter.command || '—'}</td>
                <td>{counter.scope === 'global' ? 'channel' : scopeKey}</td>
                <td>
                  <input
                    type="number"
                    step={1}
                    aria-label={`Value of ${counter.name}${scopeKey ? ` for ${scopeKey}` : ''}`}
                    value={valueEdits[key] ?? String(value)}
                    onChange={(e) => setValueEdits((edits) => ({ ...edits, [key]: e.target.value }))}
                    onKeyDown={(e) => e.key === 'Enter' && void setValue(counter.name, scopeKey)}
                  />
                  {valueEdits[key] !== undefined && (
                    <button type="button" onClick={() => void setValue(counter.name, scopeKey)}>
                      Set
                    </button>
                  )}
                </td>
                <td className="row-gap">
                  <button type="button" onClick={() => (setDraft(draftOf(counter)), setError(null))}>
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => void remove(counter.name)}>
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
          {counters
            .filter((counter) => counter.scope === 'user' && !values.some((value) => value.name === counter.name))
            .map((counter) => (
              <tr key={counter.name}>
                <td>{counter.name}</td>
                <td className="mono">{counter.command || '—'}</td>
                <td className="muted" colSpan={2}>
                  nobody counted yet
                </td>
                <td className="row-gap">
                  <button type="button" onClick={() => (setDraft(draftOf(counter)), setError(null))}>
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => void remove(counter.name)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}

interface QuoteDraft {
  id?: number;
  text: string;
  saidBy: string;
  game: string;
}

function QuotesSection() {
  const { bridge, store, moderator } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [quotes, setQuotes] = useState<Quote[] | null>(null);
  const [search, setSearch] = useState('');
  const [draft, setDraft] = useState<QuoteDraft | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    const list = await run('Loading quotes', () =>
      bridge.call('quotes.list', { limit: 500, ...(search.trim() ? { search: search.trim() } : {}) }),
    );
    if (list) setQuotes(list);
  };
  useEffect(() => {
    if (status !== 'open') return;
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [status, search]);

  const save = async () => {
    if (!draft) return;
    const result = await run('Saving the quote', () =>
      bridge.call('quotes.save', {
        ...(draft.id !== undefined ? { id: draft.id } : {}),
        quote: { text: draft.text, saidBy: draft.saidBy, game: draft.game.trim() || null },
        moderator,
      }),
    );
    if (!result) return;
    if (!result.ok) return setError(result.error);
    setError(null);
    setDraft(null);
    notify(store, `Quote #${result.value.id} saved.`);
    await load();
  };

  const remove = async (id: number) => {
    if (!window.confirm(`Delete quote #${id}? Its number is not reused.`)) return;
    const result = await run('Deleting the quote', () => bridge.call('quotes.delete', { id }));
    if (result?.ok) await load();
  };

  const errors = fieldErrors(error);
  return (
    <section data-testid="quotes">
      <div className="row-gap">
        <h2>Quotes</h2>
        <input
          type="search"
          placeholder="Search quotes"
          value={search}
          maxLength={200}
          onChange={(e) => setSearch(e.target.value)}
          aria-label="Search quotes"
        />
        <button type="button" onClick={() => (setDraft({ text: '', saidBy: '', game: '' }), setError(null))}>
          + New quote
        </button>
      </div>
      <p className="muted small">
        In chat: <span className="mono">!quote</span>, <span className="mono">!quote 12</span>,{' '}
        <span className="mono">!quote search words</span>, <span className="mono">!quote add @who text</span>{' '}
        (moderators and VIPs by default).
      </p>
      {draft && (
        <form
          className="editor-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <Field label={draft.id ? `Quote #${draft.id}` : 'Quote'} error={errors.text}>
            <textarea
              rows={2}
              value={draft.text}
              maxLength={400}
              onChange={(e) => setDraft({ ...draft, text: e.target.value })}
            />
          </Field>
          <Field label="Said by" error={errors.saidBy}>
            <input
              value={draft.saidBy}
              maxLength={100}
              onChange={(e) => setDraft({ ...draft, saidBy: e.target.value })}
            />
          </Field>
          <Field label="Game" error={errors.game}>
            <input value={draft.game} maxLength={100} onChange={(e) => setDraft({ ...draft, game: e.target.value })} />
          </Field>
          {errors['(root)'] && <p className="error-text">{errors['(root)']}</p>}
          <div className="row-gap">
            <button type="submit" className="primary">
              Save quote
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {quotes === null && <p className="muted">Loading…</p>}
      {quotes?.length === 0 && <p className="muted">No quotes{search ? ' match' : ' yet'}.</p>}
      {quotes && quotes.length > 0 && (
        <table className="table" data-testid="quote-list">
          <thead>
            <tr>
              <th>#</th>
              <th>quote</th>
              <th>said by</th>
              <th>game</th>
              <th>added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {quotes.map((quote) => (
              <tr key={quote.id}>
                <td className="mono">{quote.id}</td>
                <td>{quote.text}</td>
                <td>{quote.saidBy}</td>
                <td>{quote.game ?? '—'}</td>
                <td className="small">
                  {formatDateTime(quote.addedAt)} <span className="muted">by {quote.addedBy}</span>
                </td>
                <td className="row-gap">
                  <button
                    type="button"
                    onClick={() => (
                      setDraft({ id: quote.id, text: quote.text, saidBy: quote.saidBy, game: quote.game ?? '' }),
                      setError(null)
                    )}
                  >
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => void remove(quote.id)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface TimerDraft {
  id: string;
  name: string;
  enabled: boolean;
  intervalMinutes: string;
  minChatLines: string;
  onlyWhenLive: boolean;
  rotation: 'in-order' | 'random';
  /** One message per line. */
  messages: string;
  isNew: boolean;
}

const NEW_TIMER: TimerDraft = {
  id: '',
  name: '',
  enabled: true,
  intervalMinutes: '15',
  minChatLines: '5',
  onlyWhenLive: true,
  rotation: 'in-order',
  messages: '',
  isNew: true,
};

function TimersSection() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [timers, setTimers] = useState<TimerSummary[]>([]);
  const [draft, setDraft] = useState<TimerDraft | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    const list = await run('Loading timers', () => bridge.call('timers.list', {}));
    if (list) setTimers(list);
  };
  useEffect(() => {
    if (status === 'open') void load();
  }, [status]);

  const save = async (timer: unknown, label: string) => {
    const result = await run('Saving the timer', () => bridge.call('timers.save', { timer }));
    if (!result) return false;
    if (!result.ok) {
      setError(result.error);
      return false;
    }
    setError(null);
    notify(store, `Timer ${label || result.value.id} saved.`);
    await load();
    return true;
  };
  const saveDraft = async () => {
    if (!draft) return;
    const timer = {
      id: draft.id,
      name: draft.name,
      enabled: draft.enabled,
      intervalMinutes: Number(draft.intervalMinutes),
      minChatLines: Number(draft.minChatLines),
      onlyWhenLive: draft.onlyWhenLive,
      rotation: draft.rotation,
      messages: draft.messages
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.length > 0),
    };
    if (await save(timer, draft.name)) setDraft(null);
  };
  const toggle = async (timer: TimerSummary) => {
    const { lastSentAt: _lastSentAt, ...definition } = timer;
    await save({ ...definition, enabled: !timer.enabled }, timer.name);
  };
  const remove = async (id: string) => {
    if (!window.confirm(`Delete timer ${id}?`)) return;
    const result = await run('Deleting the timer', () => bridge.call('timers.delete', { id }));
    if (result?.ok) await load();
  };
  const edit = (timer: TimerSummary) => {
    setError(null);
    setDraft({
      ...timer,
      intervalMinutes: String(timer.intervalMinutes),
      minChatLines: String(timer.minChatLines),
      messages: timer.messages.join('\n'),
      isNew: false,
    });
  };

  const errors = fieldErrors(error);
  return (
    <section data-testid="timers">
      <div className="row-gap">
        <h2>Timers</h2>
        <button type="button" onClick={() => (setDraft({ ...NEW_TIMER }), setError(null))}>
          + New timer
        </button>
      </div>
      <p className="muted small">
        A timer posts its next message every N minutes while the stream is live, once there were at least M chat lines
        since its last one. Messages go through the “Timers” rule (its approval policy) and Twitch’s rate limits like
        any reply.
      </p>
      {draft && (
        <form
          className="editor-form"
          onSubmit={(event) => {
            event.preventDefault();
            void saveDraft();
          }}
        >
          <Field label="Timer id" error={errors.id}>
            <input
              value={draft.id}
              maxLength={60}
              disabled={!draft.isNew}
              onChange={(e) => setDraft({ ...draft, id: e.target.value })}
            />
          </Field>
          <Field label="Timer name" error={errors.name}>
            <input value={draft.name} maxLength={100} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
          </Field>
          <Field label="Every (minutes)" error={errors.intervalMinutes}>
            <input
              type="number"
              min={1}
              value={draft.intervalMinutes}
              onChange={(e) => setDraft({ ...draft, intervalMinutes: e.target.value })}
            />
          </Field>
          <Field label="After at least (chat lines)" error={errors.minChatLines}>
            <input
              type="number"
              min={0}
              value={draft.minChatLines}
              onChange={(e) => setDraft({ ...draft, minChatLines: e.target.value })}
            />
          </Field>
          <Field label="Rotation" error={errors.rotation}>
            <select
              value={draft.rotation}
              onChange={(e) => setDraft({ ...draft, rotation: e.target.value as TimerDraft['rotation'] })}
            >
              <option value="in-order">in order</option>
              <option value="random">at random</option>
            </select>
          </Field>
          <Field label="Messages (one per line)" error={errors.messages}>
            <textarea
              rows={4}
              value={draft.messages}
              onChange={(e) => setDraft({ ...draft, messages: e.target.value })}
            />
          </Field>
          <TemplateVariables />
          <label className="row-gap">
            <input
              type="checkbox"
              checked={draft.onlyWhenLive}
              onChange={(e) => setDraft({ ...draft, onlyWhenLive: e.target.checked })}
            />
            <span>Only while live</span>
          </label>
          <label className="row-gap">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
            />
            <span>Timer enabled</span>
          </label>
          {errors['(root)'] && <p className="error-text">{errors['(root)']}</p>}
          <div className="row-gap">
            <button type="submit" className="primary">
              Save timer
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {timers.length === 0 && <p className="muted">No timers yet.</p>}
      {timers.length > 0 && (
        <table className="table" data-testid="timer-list">
          <thead>
            <tr>
              <th>timer</th>
              <th>every</th>
              <th>messages</th>
              <th>last sent</th>
              <th>on</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {timers.map((timer) => (
              <tr key={timer.id} className={timer.enabled ? '' : 'disabled'}>
                <td>{timer.name || timer.id}</td>
                <td className="small">
                  {timer.intervalMinutes} min, ≥ {timer.minChatLines} lines{timer.onlyWhenLive ? ', live' : ''}
                </td>
                <td className="small">
                  {timer.messages.length} ({timer.rotation}): {timer.messages[0]}
                </td>
                <td className="small">{timer.lastSentAt ? formatDateTime(timer.lastSentAt) : 'never'}</td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Timer ${timer.id} enabled`}
                    checked={timer.enabled}
                    onChange={() => void toggle(timer)}
                  />
                </td>
                <td className="row-gap">
                  <button type="button" onClick={() => edit(timer)}>
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => void remove(timer.id)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Who may `!quote add` and how a quote looks in chat (the `quotes` setting). */
function QuoteSettingsSection() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const settings = useConsole((state) => state.settings);
  const [roles, setRoles] = useState<string | null>(null);
  const [template, setTemplate] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!settings) return null;
  const current = settings.quotes;
  const save = async () => {
    const value = {
      addRoles: (roles ?? current.addRoles.join(' ')).split(/[\s,]+/).filter((role) => role.length > 0),
      template: template ?? current.template,
    };
    const result = await run('Saving quote settings', () => bridge.call('settings.set', { key: 'quotes', value }));
    if (!result) return;
    if (!result.ok) return setError(result.error);
    setError(null);
    store.setState({ settings: result.value });
    notify(store, 'Quote settings saved.');
  };
  const errors = fieldErrors(error);
  return (
    <form
      className="row-gap"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <Field label="Who may add quotes" error={errors.addRoles}>
        <input value={roles ?? current.addRoles.join(' ')} onChange={(e) => setRoles(e.target.value)} />
      </Field>
      <Field label="Quote in chat ({id} {text} {saidBy} {game} {date})" error={errors.template ?? errors['(root)']}>
        <input value={template ?? current.template} maxLength={300} onChange={(e) => setTemplate(e.target.value)} />
      </Field>
      <button type="submit">Save</button>
    </form>
  );
}

/** Giveaways run from chat (`!giveaway open !join`, draw, redraw, close); this lists them and who entered. */
function GiveawaysSection() {
  const { bridge } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [giveaways, setGiveaways] = useState<Giveaway[] | null>(null);
  const [shown, setShown] = useState<{ id: number; entries: GiveawayEntry[] } | null>(null);

  const load = async () => {
    const list = await run('Loading giveaways', () => bridge.call('giveaways.list', { limit: 20 }));
    if (list) setGiveaways(list);
  };
  const showEntries = async (id: number) => {
    const entries = await run('Loading entries', () => bridge.call('giveaways.entries', { id }));
    if (entries) setShown({ id, entries });
  };
  useEffect(() => {
    if (status !== 'open') return;
    void load();
    // Entries arrive from chat: refresh while the view is open.
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [status]);

  return (
    <section data-testid="giveaways">
      <div className="row-gap">
        <h2>Giveaways</h2>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <p className="muted small">
        In chat (moderators): <span className="mono">!giveaway open !join [subscriber|vip] [follower]</span>,{' '}
        <span className="mono">!giveaway draw</span>, <span className="mono">!giveaway redraw</span>,{' '}
        <span className="mono">!giveaway close</span>. Viewers enter by typing the keyword while it is open.
      </p>
      {giveaways && giveaways.length === 0 && <p className="muted">No giveaways yet.</p>}
      {giveaways && giveaways.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>Keyword</th>
              <th>Who may enter</th>
              <th>Status</th>
              <th>Entries</th>
              <th>Winners</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {giveaways.map((giveaway) => (
              <tr key={giveaway.id}>
                <td>{giveaway.id}</td>
                <td className="mono">{giveaway.keyword}</td>
                <td>
                  {giveaway.requiredRole ? `${giveaway.requiredRole}s` : 'everyone'}
                  {giveaway.requiresFollow ? ' (following)' : ''}
                </td>
                <td>
                  {giveaway.status} since {formatDateTime(giveaway.closedAt ?? giveaway.openedAt)}
                </td>
                <td>{giveaway.entries}</td>
                <td>{giveaway.winners.map((winner) => winner.login).join(', ') || '—'}</td>
                <td>
                  <button type="button" onClick={() => void showEntries(giveaway.id)}>
                    Entries of #{giveaway.id}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown && (
        <div aria-label={`Entries of giveaway ${shown.id}`}>
          <h3>Entries of giveaway #{shown.id}</h3>
          {shown.entries.length === 0 ? (
            <p className="muted small">Nobody entered.</p>
          ) : (
            <ul className="plain">
              {shown.entries.map((entry) => (
                <li key={`${entry.platform}:${entry.userId}`}>
                  {entry.displayName} <span className="muted small">{formatDateTime(entry.enteredAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

/** The greetings of the welcome rules (the `welcome` setting); the rules are turned on in Rules. */
function WelcomeSettingsSection() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const settings = useConsole((state) => state.settings);
  const [firstTime, setFirstTime] = useState<string | null>(null);
  const [returning, setReturning] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!settings) return null;
  const current = settings.welcome;
  const save = async () => {
    const value = { firstTime: firstTime ?? current.firstTime, returning: returning ?? current.returning };
    const result = await run('Saving the greetings', () => bridge.call('settings.set', { key: 'welcome', value }));
    if (!result) return;
    if (!result.ok) return setError(result.error);
    setError(null);
    store.setState({ settings: result.value });
    notify(store, 'Greetings saved.');
  };
  const errors = fieldErrors(error);
  return (
    <section data-testid="welcome">
      <h2>Welcome</h2>
      <p className="muted small">
        Sent by the rules “Welcome first-time chatters” and “Welcome back returning chatters”, which are off until you
        turn them on in Rules.
      </p>
      <form
        className="row-gap"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <Field label="First-time chatter greeting" error={errors.firstTime ?? errors['(root)']}>
          <input
            value={firstTime ?? current.firstTime}
            maxLength={400}
            onChange={(e) => setFirstTime(e.target.value)}
          />
        </Field>
        <Field label="Returning chatter greeting" error={errors.returning}>
          <input
            value={returning ?? current.returning}
            maxLength={400}
            onChange={(e) => setReturning(e.target.value)}
          />
        </Field>
        <button type="submit">Save greetings</button>
      </form>
      <TemplateVariables context="chat" />
    </section>
  );
}

export function CountersQuotesView() {
  return (
    <div className="users features">
      <TimersSection />
      <CountersSection />
      <QuotesSection />
      <QuoteSettingsSection />
      <WelcomeSettingsSection />
      <GiveawaysSection />
    </div>
  );
}
