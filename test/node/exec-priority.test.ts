// Units run at the lowest CPU priority, so the person's programs and the node's main thread come
// first: the executor's worker threads are at nice 19 and, where util-linux's chrt exists, SCHED_IDLE.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Executor } from '../../src-main/node/exec/index.js';
import { reverseModule } from './fixtures/hostile/modules.js';

const SCHED_IDLE = 5;
const linux = process.platform === 'linux';
const hasChrt =
  linux &&
  (() => {
    try {
      execFileSync('chrt', ['--help'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

/** This process's threads other than the main one: nice value and scheduling policy, from /proc. */
function otherThreads(): { tid: number; nice: number; policy: number }[] {
  return readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => tid !== process.pid)
    .flatMap((tid) => {
      try {
        // stat's fields after the command's closing parenthesis: state is field 3, nice field 19, policy field 41.
        const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return [{ tid, nice: Number(fields[19 - 3]), policy: Number(fields[41 - 3]) }];
      } catch {
        return []; // the thread ended meanwhile
      }
    });
}

test(
  'the threads that run units are at nice 19, and SCHED_IDLE where chrt exists; the main thread is not',
  { skip: !linux },
  async () => {
    const before = new Set(otherThreads().map((t) => t.tid));
    const pool = Executor.start({ workers: 2 });
    try {
      const module = reverseModule();
      await Promise.all([1, 2, 3, 4].map((n) => pool.run({ module, input: new Uint8Array(n) })));
      const lowered = otherThreads().filter((t) => !before.has(t.tid) && t.nice === 19);
      assert.ok(lowered.length >= 1, `no new thread at nice 19: ${JSON.stringify(otherThreads())}`);
      if (hasChrt) for (const thread of lowered) assert.equal(thread.policy, SCHED_IDLE, `thread ${thread.tid}`);
      assert.equal(
        readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[41 - 3],
        '0',
        'the main thread stays SCHED_OTHER',
      );
    } finally {
      await pool.close();
    }
  },
);
