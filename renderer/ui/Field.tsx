/** A labelled form control with its validation message under it. */
import type { ReactNode } from 'react';

export function Field({ label, error, children }: { label: string; error: string | undefined; children: ReactNode }) {
  return (
    <label>
      <span>{label}</span>
      {children}
      {error && <span className="error-text small">{error}</span>}
    </label>
  );
}
