import { describe, expect, it } from 'vitest';
import { connectorView, HEALTH_STALE_AFTER_MS, QUIET_AFTER_MS } from './health-view.js';

const connected = { id: 'twitch-chat', state: 'connected' as const, lastEventAt: 0, detail: null };

describe('honest connector status', () => {
  it('is green only while events keep arriving', () => {
    expect(connectorView(connected, 5_000, 5_000).tone).toBe('ok');
    const quiet = connectorView(connected, QUIET_AFTER_MS + 1_000, QUIET_AFTER_MS + 1_000);
    expect(quiet.tone).toBe('warn');
    expect(quiet.label).toContain('quiet');
  });

  it('does not trust a health report that stopped arriving', () => {
    const view = connectorView(connected, HEALTH_STALE_AFTER_MS + 5_000, 1_000);
    expect(view.tone).toBe('bad');
    expect(view.label).toContain('no health report');
  });

  it('says why a connector failed', () => {
    expect(connectorView({ ...connected, state: 'failed', detail: 'login failed' }, 1, 1)).toEqual({
      label: 'failed: login failed',
      tone: 'bad',
    });
  });
});
