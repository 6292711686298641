// Units run at the lowest CPU priority, so the person's programs and the node's main thread come
// first: the executor's worker threads are at nice 19, the main thread is not lowered.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Executor } from '../../src-main/node/exec/index.js';
import { reverseModule } from './fixtures/hostile/modules.js';

/** stat's fields after the command's closing parenthesis: state is field 3, nice field 19. */
const niceOf = (statPath: string): number => Number(readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ')[19 - 3]);

/** This process's threads other than the main one, with their nice values, from /proc. */
function otherThreads(): { tid: number; nice: number }[] {
  return readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => tid !== process.pid)
    .flatMap((tid) => {
      try {
        return [{ tid, nice: niceOf(`/proc/self/task/${tid}/stat`) }];
      } catch {
        return []; // the thread ended meanwhile
      }
    });
}

test(
  'the threads that run units are at nice 19; the main thread is not lowered',
  { skip: process.platform !== 'linux' },
  async () => {
    const before = new Set(otherThreads().map((t) => t.tid));
    const mainNice = niceOf('/proc/self/stat');
    const pool = Executor.start({ workers: 2 });
    try {
      const module = reverseModule();
      await Promise.all([1, 2, 3, 4].map((n) => pool.run({ module, input: new Uint8Array(n) })));
      const lowered = otherThreads().filter((t) => !before.has(t.tid) && t.nice === 19);
      assert.ok(lowered.length >= 1, `no new thread at nice 19: ${JSON.stringify(otherThreads())}`);
      assert.equal(niceOf('/proc/self/stat'), mainNice, 'the main thread keeps its priority');
    } finally {
      await pool.close();
    }
  },
);
