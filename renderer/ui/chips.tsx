/** Small badges used across views: roles, stage / disposition, connection tones. */
import type { EventSummary } from '../../pipeline/core/protocol/pipeline.js';
import type { Tone } from '../state/health-view.js';

const ROLE_LABELS: Record<string, string> = {
  broadcaster: 'B',
  moderator: 'M',
  vip: 'V',
  subscriber: 'S',
  founder: 'F',
};

export function RoleBadges({ roles }: { roles: readonly string[] }) {
  return (
    <>
      {roles
        .filter((role) => role in ROLE_LABELS)
        .map((role) => (
          <span key={role} className={`role role-${role}`} title={role}>
            {ROLE_LABELS[role]}
          </span>
        ))}
    </>
  );
}

export function StateChip({ item }: { item: Pick<EventSummary, 'stage' | 'disposition' | 'reason'> }) {
  if (item.disposition) {
    return (
      <span className={`chip disp-${item.disposition}`} title={item.reason ?? undefined}>
        {item.disposition}
      </span>
    );
  }
  return <span className={`chip stage-${item.stage}`}>{item.stage}</span>;
}

export function ToneDot({ tone, label }: { tone: Tone; label: string }) {
  return (
    <span className={`tone tone-${tone}`}>
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}
