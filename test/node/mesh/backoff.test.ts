// The one doubling back-off (node/mesh/basics/backoff.ts) that frames, the heartbeat, receipts and
// settlements wait with: the pauses it hands out, its cap, its reset, and the heartbeat's beats on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../../src-main/node/mesh/basics/backoff.js';
import { Heartbeat } from '../../../src-main/node/mesh/peers/heartbeat.js';

/** The next `n` pauses, each taken then doubled. */
function pauses(backoff: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => {
    const ms = backoff.ms;
    backoff.double();
    return ms;
  });
}

test('a pause doubles from its first up to its longest, and a reset starts it over', () => {
  const backoff = new Backoff(1_000, 60_000);
  assert.deepEqual(pauses(backoff, 8), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  backoff.reset();
  assert.equal(backoff.ms, backoff.first);
  assert.equal(backoff.double(), 2_000, 'double() says the next pause');
});

test('without a longest, the pause doubles for good', () => {
  assert.deepEqual(pauses(new Backoff(1_000), 5), [1_000, 2_000, 4_000, 8_000, 16_000]);
});

test('the heartbeat beats every 2 s while there is work, doubles up to a minute while idle, and a change wakes it back to 2 s', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let idle = false;
  const beats: number[] = [];
  let now = 0;
  const heartbeat = new Heartbeat(
    () => idle,
    () => beats.push(now),
  );
  const run = (ms: number) => {
    for (let i = 0; i < ms; i += 1_000) {
      now += 1_000;
      t.mock.timers.tick(1_000);
    }
  };
  heartbeat.start();
  run(6_000);
  assert.deepEqual(beats, [2_000, 4_000, 6_000], 'every 2 s with work');
  idle = true;
  beats.length = 0;
  run(250_000);
  // The beat at 8 s found nothing to do: 4 s to the next, then 8, 16, 32, then a minute at most.
  assert.deepEqual(beats, [8_000, 12_000, 20_000, 36_000, 68_000, 128_000, 188_000, 248_000]);
  beats.length = 0;
  heartbeat.wake();
  run(4_000);
  assert.deepEqual(beats, [258_000], 'woken: the next beat 2 s on');
  heartbeat.stop();
});
