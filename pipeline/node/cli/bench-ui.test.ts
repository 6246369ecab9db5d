import { describe, expect, it } from 'vitest';
import { longestMainThreadCpuMs } from './bench-ui.js';

const meta = (pid: number, tid: number, name: string) => ({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
const task = (pid: number, tid: number, dur: number, tdur?: number) => ({
  name: 'RunTask',
  ph: 'X',
  pid,
  tid,
  dur,
  ...(tdur === undefined ? {} : { tdur }),
});

describe("the bench's trace reading", () => {
  it("takes the CPU time of the page main thread's longest task, not other threads' or wall time", () => {
    const trace = {
      traceEvents: [
        meta(1, 10, 'CrRendererMain'),
        meta(1, 11, 'Compositor'),
        task(1, 10, 150_000, 45_000),
        task(1, 10, 60_000, 52_400),
        task(1, 11, 900_000, 900_000),
        task(2, 10, 700_000, 700_000),
      ],
    };
    expect(longestMainThreadCpuMs(Buffer.from(JSON.stringify(trace)))).toBe(52);
  });

  it('is 0 when the trace has no renderer main thread', () => {
    expect(longestMainThreadCpuMs(Buffer.from('[]'))).toBe(0);
  });
});
