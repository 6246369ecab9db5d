/**
 * A read-only value with a Copy button. The Clipboard API may be refused (the Electron shell denies
 * every permission request; a browser may too without a user gesture or on plain http from the LAN),
 * so on refusal the text is selected instead and the moderator copies it with Ctrl+C.
 */
import { useRef, useState } from 'react';

export async function copyOrSelect(text: string, field: HTMLInputElement | null): Promise<'copied' | 'selected'> {
  try {
    if (!navigator.clipboard) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    field?.focus();
    field?.select();
    return 'selected';
  }
}

export function CopyField({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const field = useRef<HTMLInputElement>(null);
  const [outcome, setOutcome] = useState<'copied' | 'selected' | null>(null);
  return (
    <div className={`copy-field${secret ? ' secret' : ''}`}>
      <input
        ref={field}
        readOnly
        value={value}
        aria-label={label}
        className="mono"
        spellCheck={false}
        onFocus={(event) => event.currentTarget.select()}
      />
      <button type="button" onClick={() => void copyOrSelect(value, field.current).then(setOutcome)}>
        Copy
      </button>
      {outcome === 'copied' && <span className="ok-text small">Copied.</span>}
      {outcome === 'selected' && (
        <span className="muted small" data-testid="copy-selected">
          Selected: press Ctrl+C (⌘C) to copy.
        </span>
      )}
    </div>
  );
}
