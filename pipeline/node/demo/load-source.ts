/**
 * The synthetic load of `bitbrat bench`: chat messages that the `!bench` command answers, sent
 * from inside the ingress worker at a fixed rate (or as fast as the pipeline takes them), so the
 * benchmark measures the pipeline and not the process that feeds it.
 */
import type { IngressSink } from '../connectors/connector.js';

export interface LoadOptions {
  /** Events per second; 0 = as fast as possible (saturation). */
  ratePerSecond: number;
  durationMs: number;
  /** Events per burst. */
  batch: number;
}

export const BENCH_USERS = 5000;

export class LoadSource {
  constructor(private readonly options: LoadOptions) {}

  async run(sink: IngressSink): Promise<{ sent: number }> {
    const { ratePerSecond, durationMs, batch } = this.options;
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < durationMs) {
      // Never outrun the pipeline: a benchmark that floods memory measures the flood, not the pipeline.
      await sink.ready();
      for (let i = 0; i < batch; i++) {
        const user = sent % BENCH_USERS;
        const result = sink.accept({
          type: 'chat.message.v1',
          ingress: { connector: 'bench', channel: 'bench' },
          identity: {
            external: { id: `u${user}`, login: `viewer${user}`, displayName: `Viewer${user}`, roles: ['viewer'] },
          },
          message: { id: `m${sent}`, text: `!bench message number ${sent}` },
        });
        if (result.ok) sent += 1;
      }
      if (ratePerSecond > 0) {
        const due = started + (sent / ratePerSecond) * 1000;
        const wait = due - Date.now();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return { sent };
  }
}
