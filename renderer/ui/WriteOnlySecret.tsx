/**
 * A secret the console hands to the host's secret store and never receives back (the LLM API key,
 * the Discord bot token): a password field, a store button, a remove button (an empty value), and
 * the host's answer. The field empties once the host stored it.
 */
import { useState, type ReactNode } from 'react';
import { notify } from '../state/store.js';
import { useConsoleContext, useHostAction } from './context.js';

export interface WriteOnlySecretProps {
  /** The form's name ("LLM API key"). */
  label: string;
  /** The field's name ("New API key"). */
  inputLabel: string;
  placeholder: string;
  maxLength: number;
  storeText: string;
  removeText: string;
  resultTestId: string;
  /** What the host is doing, for the error a failed call shows ("Storing the API key"). */
  doing: string;
  /** Stores the value (empty: removes it). */
  save: (value: string) => Promise<{ ok: boolean; message: string }>;
  className?: string;
  /** Shown above the field (a heading, why it is needed). */
  children?: ReactNode;
}

export function WriteOnlySecret(props: WriteOnlySecretProps) {
  const { store } = useConsoleContext();
  const run = useHostAction();
  const [value, setValue] = useState('');
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const save = async (next: string) => {
    const answer = await run(props.doing, () => props.save(next));
    if (!answer) return;
    setResult(answer);
    if (answer.ok) {
      setValue('');
      notify(store, answer.message);
    }
  };
  return (
    <form
      className={props.className}
      aria-label={props.label}
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) void save(value.trim());
      }}
    >
      {props.children}
      <div className="row-gap">
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          maxLength={props.maxLength}
          placeholder={props.placeholder}
          aria-label={props.inputLabel}
          onChange={(event) => setValue(event.target.value)}
        />
        <button type="submit" className="primary" disabled={value.trim().length === 0}>
          {props.storeText}
        </button>
        <button type="button" className="danger" onClick={() => void save('')}>
          {props.removeText}
        </button>
        {result && (
          <span className={result.ok ? 'ok-text' : 'error-text'} data-testid={props.resultTestId}>
            {result.message}
          </span>
        )}
      </div>
    </form>
  );
}
