// The timers an idle node would otherwise keep (deadlines, reconciling, power and load): they tick
// while there is something to watch, stop when there is none, and start again on wake().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WatchTimer } from '../../../src-main/node/mesh/basics/watch-timer.js';

test('ticks while there is work, stops when there is none, and wakes on a change', async () => {
  let work = 3;
  let ticks = 0;
  const timer = new WatchTimer(() => {
    ticks++;
    return --work > 0;
  }, 5);
  timer.start();
  assert.equal(ticks, 1, 'the first tick is at once');
  await sleep(60);
  assert.equal(ticks, 3, 'it stopped once nothing was left to watch');
  work = 2;
  timer.wake();
  timer.wake(); // a second wake while watching starts no second timer
  await sleep(60);
  assert.equal(ticks, 5);
  timer.stop();
  timer.wake();
  await sleep(20);
  assert.equal(ticks, 5, 'a stopped timer does not wake');
});
