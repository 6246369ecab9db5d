/** What an import would add and change, per section (the configuration import and the Firebot import). */
import type { ImportPreview } from '../../pipeline/core/config-export.js';

/** The sections an import changes; empty when it changes nothing. */
export function changedSections(preview: ImportPreview) {
  return Object.entries(preview).filter(([, section]) => section.added.length + section.changed.length > 0);
}

export function ImportPreviewTable({ preview }: { preview: ImportPreview }) {
  const changes = changedSections(preview);
  if (changes.length === 0) return <p className="muted">Nothing: everything in it is already here.</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>section</th>
          <th>added</th>
          <th>changed</th>
          <th>same</th>
        </tr>
      </thead>
      <tbody>
        {changes.map(([section, change]) => (
          <tr key={section}>
            <td>{section}</td>
            <td>{change.added.join(', ') || '—'}</td>
            <td>{change.changed.join(', ') || '—'}</td>
            <td>{change.unchanged}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
