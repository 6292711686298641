// A metering thread's time is its CPU time (node/exec/thread-priority.ts threadCpuMs): what the
// work costs an idle core, not how busy the machine was while it waited at nice 19.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { threadCpuMs } from '../../src-main/node/exec/thread-priority.js';

test('a thread CPU time grows with work and not with waiting', { skip: process.platform !== 'linux' }, async () => {
  const before = threadCpuMs()!;
  await sleep(300);
  const afterWaiting = threadCpuMs()!;
  assert.ok(afterWaiting - before < 100, `waiting 300 ms cost ${afterWaiting - before} ms of CPU`);
  // Work until 200 ms of CPU are counted (a busy machine gives this thread less of each second).
  const giveUpAt = performance.now() + 20_000;
  while (threadCpuMs()! - afterWaiting < 200 && performance.now() < giveUpAt) for (let i = 0; i < 1e5; i++);
  assert.ok(threadCpuMs()! - afterWaiting >= 200, 'work is counted');
});
