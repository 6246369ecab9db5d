/**
 * Dashboard: throughput, per-phase latency, queue depths, held replies, LLM tokens and cost today,
 * dispositions and honest connector health (time since the last event; a quiet "connected" connector is not shown green).
 */
import { useEffect, useMemo, useState } from 'react';
import { DISPOSITIONS } from '../../pipeline/core/envelope.js';
import type { LlmUsageToday } from '../../pipeline/core/llm.js';
import type { PhaseStats, PipelineStats } from '../../pipeline/core/protocol/pipeline.js';
import { connectorView, formatAge, workersView } from '../state/health-view.js';
import { addSample, perMinute, rateSeries, type Sample } from '../state/rate.js';
import { ToneDot } from '../ui/chips.js';
import { useConsole, useConsoleContext } from '../ui/context.js';
import { formatMs } from '../ui/format.js';
import { RateChart } from '../ui/RateChart.js';
import { formatUsd } from './LlmSettings.js';

const POLL_MS = 2_000;

export function DashboardView() {
  const { bridge } = useConsoleContext();
  const status = useConsole((state) => state.connection.status);
  const health = useConsole((state) => state.health);
  const healthAt = useConsole((state) => state.healthAt);
  const lastFeedAt = useConsole((state) => state.lastFeedAt);
  const [stats, setStats] = useState<PipelineStats | null>(null);
  const [usage, setUsage] = useState<LlmUsageToday | null>(null);
  const [samples, setSamples] = useState<Sample[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (status !== 'open') return;
    let stopped = false;
    const poll = async () => {
      try {
        const [next, today] = await Promise.all([bridge.call('stats.get', {}), bridge.call('llm.usage', {})]);
        if (stopped) return;
        setStats(next);
        setUsage(today);
        setError(null);
        setSamples((current) => addSample(current, { at: Date.now(), accepted: next.accepted }));
      } catch (caught) {
        if (!stopped) setError(caught instanceof Error ? caught.message : String(caught));
      }
      if (!stopped) setNow(Date.now());
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [bridge, status]);

  const rate = perMinute(samples);
  const series = useMemo(() => rateSeries(samples), [samples]);
  const workers = workersView(health);

  return (
    <div className="dashboard">
      {error && <p className="error-text">Stats unavailable: {error}</p>}
      <div className="tiles">
        <Tile label="events / min" value={rate === null ? '—' : Math.round(rate).toLocaleString()} testId="rate" />
        <Tile label="held replies" value={stats ? String(stats.held) : '—'} />
        <Tile label="in flight" value={stats ? String(stats.inFlight) : '—'} />
        <Tile label="accepted" value={stats ? stats.accepted.toLocaleString() : '—'} />
        <Tile label="rejected at ingress" value={stats ? stats.rejected.toLocaleString() : '—'} />
        <Tile
          label="LLM tokens today"
          value={usage ? (usage.tokensIn + usage.tokensOut).toLocaleString() : '—'}
          testId="llm-tokens"
        />
        <Tile label="LLM cost today" value={usage ? formatUsd(usage.costUsd) : '—'} testId="llm-cost" />
        {/* Pipeline time and a moderator's think time apart: mixed, a 3-minute decision hides a slow pipeline. */}
        <Tile
          label="pipeline latency p50 / p99"
          value={stats ? latency(stats.pipelineLatency ?? stats.endToEnd) : '—'}
          testId="pipeline-latency"
        />
        <Tile
          label="waiting for approval p50 / p99"
          value={stats?.approvalWait ? (stats.approvalWait.count > 0 ? latency(stats.approvalWait) : 'none yet') : '—'}
          testId="approval-wait"
        />
      </div>
      <section className="panel">
        <h3>Events per second</h3>
        <RateChart data={series} label="events/s" />
      </section>
      <div className="columns">
        <section className="panel">
          <h3>Connections</h3>
          <ul className="plain" data-testid="connectors">
            <li>
              <ToneDot tone={workers.tone} label={`Pipeline: ${workers.label}`} />
            </li>
            {(health?.connectors ?? []).map((connector) => {
              const view = connectorView(connector, now, healthAt);
              return (
                <li key={connector.id}>
                  <ToneDot tone={view.tone} label={`${connector.id}: ${view.label}`} />
                </li>
              );
            })}
            <li className="muted small">
              Console: last feed push {lastFeedAt === null ? 'never' : formatAge(now - lastFeedAt)}; health{' '}
              {healthAt === null ? 'never' : formatAge(now - healthAt)}
            </li>
          </ul>
          {health && (
            <p className="muted small">
              Database {health.database.path} · {(health.database.sizeBytes / 1_048_576).toFixed(1)} MB
            </p>
          )}
        </section>
        <section className="panel">
          <h3>Per-phase latency</h3>
          <table className="table compact">
            <thead>
              <tr>
                <th>phase</th>
                <th>count</th>
                <th>p50</th>
                <th>p99</th>
                <th>queue</th>
              </tr>
            </thead>
            <tbody>
              {stats &&
                (Object.keys(stats.phases) as (keyof PipelineStats['phases'])[]).map((phase) => (
                  <tr key={phase}>
                    <td>{phase}</td>
                    <td>{stats.phases[phase].count.toLocaleString()}</td>
                    <td>{formatMs(stats.phases[phase].p50Ms)}</td>
                    <td>{formatMs(stats.phases[phase].p99Ms)}</td>
                    <td>{phase === 'router' ? '—' : stats.queueDepths[phase]}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
        <section className="panel">
          <h3>Dispositions</h3>
          <table className="table compact">
            <tbody>
              {DISPOSITIONS.map((disposition) => (
                <tr key={disposition}>
                  <td>
                    <span className={`chip disp-${disposition}`}>{disposition}</span>
                  </td>
                  <td>{stats ? (stats.dispositions[disposition] ?? 0).toLocaleString() : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}

const latency = (stats: PhaseStats) => `${formatMs(stats.p50Ms)} / ${formatMs(stats.p99Ms)}`;

function Tile({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="tile" data-testid={testId}>
      <div className="tile-value">{value}</div>
      <div className="tile-label">{label}</div>
    </div>
  );
}
