import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { threadInfo } from './worker-context.js';

describe("a worker's thread info", () => {
  it('names its OS thread (one of this process, on Linux) and its heap', () => {
    const info = threadInfo();
    // vitest runs this file on a thread or forked process of its own: the id is one of this process's tasks.
    if (process.platform === 'linux') expect(readdirSync('/proc/self/task').map(Number)).toContain(info.tid);
    else expect(info.tid).toBeNull();
    expect(info.heapUsedBytes).toBeGreaterThan(0);
    expect(info.heapTotalBytes).toBeGreaterThanOrEqual(info.heapUsedBytes);
  });
});
