/**
 * `bitbrat replay FILE`: feeds inbound events through the full pipeline and prints one JSON line
 * per input line: `{input, ok, error?, event, disposition, steps}`. Bad lines get `ok: false` with
 * the reason; the rest still run. Replies still held when the input ends are reported as `held`
 * unless `--approve all|none` decides them.
 */
import { readFileSync } from 'node:fs';
import type { Envelope, Step } from '../../core/envelope.js';
import { allSteps } from '../../core/slip.js';
import type { EventSummary } from '../../core/protocol/pipeline.js';
import type { PipelineHost } from '../host/pipeline-host.js';

/** Lines (or reads) between two yields to the event loop: `await` alone never lets timers or sockets in. */
const YIELD_EVERY_LINES = 200;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

export type LineParser = (line: string) => { ok: true; value: unknown } | { ok: false; error: string };

export interface ReplayLine {
  input: number;
  ok: boolean;
  error?: string;
  event?: Envelope;
  disposition?: string;
  steps?: Step[];
}

export const parseJsonLine: LineParser = (line) => {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
};

export async function replay(
  host: PipelineHost,
  file: string,
  options: { parse: LineParser; connector: string; approve: 'all' | 'none' | null; write: (line: string) => void },
): Promise<ReplayLine[]> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const results: ReplayLine[] = [];
  const accepted: { result: ReplayLine; id: string }[] = [];
  let input = 0;
  for (const [index, line] of lines.entries()) {
    // Parsing a large file must not hold the host's thread (gateway, IPC) for long at a stretch.
    if (index % YIELD_EVERY_LINES === YIELD_EVERY_LINES - 1) await nextTurn();
    if (line.trim() === '') continue;
    input += 1;
    const parsed = options.parse(line);
    if (!parsed.ok) {
      results.push({ input, ok: false, error: parsed.error });
      continue;
    }
    // Every input line gets its answer, even when the pipeline refuses or fails this one.
    const [submitted] = await host
      .submit(options.connector, [parsed.value])
      .catch((error: unknown) => [{ ok: false as const, error: `not submitted: ${String(error)}` }]);
    if (!submitted || !submitted.ok) {
      results.push({ input, ok: false, error: submitted?.ok === false ? submitted.error : 'not accepted' });
      continue;
    }
    const result: ReplayLine = { input, ok: true };
    results.push(result);
    accepted.push({ result, id: submitted.id });
  }
  const waits: Promise<EventSummary>[] = [];
  for (const [index, { id }] of accepted.entries()) {
    // Each wait reads the event once; in slices, so the host's thread gets its turns.
    if (index % YIELD_EVERY_LINES === YIELD_EVERY_LINES - 1) await nextTurn();
    waits.push(host.waitForSettled(id));
  }
  const settled = await Promise.all(waits);
  if (options.approve) {
    const held = settled.filter((summary) => summary.stage === 'approval');
    const approvals = await host.api['approvals.list']({ open: true, limit: 500 });
    for (const summary of held) {
      const item = approvals.find((entry) => entry.approval.eventId === summary.id);
      if (!item) continue;
      const decided = await host.api['approvals.decide']({
        approvalId: item.approval.id,
        decision:
          options.approve === 'all' ? { action: 'approve' } : { action: 'reject', note: 'replay --approve none' },
        moderator: 'replay',
        console: 'cli',
      });
      // A reply held by the safety checks needs a moderator's "send anyway": `--approve all` leaves it held.
      if (!decided.ok) continue;
      await host.waitForSettled(summary.id, { terminalOnly: true });
    }
  }
  await host.flush();
  for (const [index, { result, id }] of accepted.entries()) {
    if (index % YIELD_EVERY_LINES === YIELD_EVERY_LINES - 1) await nextTurn();
    const detail = await host.api['events.get']({ id });
    if (!detail) {
      Object.assign(result, { ok: false, error: 'the event was accepted but is not in the database' });
      continue;
    }
    result.event = detail.event;
    result.disposition =
      detail.event.disposition ?? (detail.event.routing.stage === 'approval' ? 'held' : detail.event.routing.stage);
    result.steps = allSteps(detail.event);
  }
  for (const result of results) options.write(JSON.stringify(result));
  return results;
}
