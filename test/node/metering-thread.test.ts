// Preparing a peer's module — V8's validation, binaryen's metering — is heavy for a 4 MiB module,
// let alone the 64 MiB a unit may name,
// and it must not stall the node: it runs in the metering thread, so the main thread's event loop
// keeps turning (timers, messages, the API) while a big module is prepared. The thread ends when
// idle, and a module sent while it ends goes to a new one, not failed by the old one's end.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Executor } from '../../src-main/node/exec/index.js';
import { bigBodyUnit, reverseModule } from './fixtures/hostile/modules.js';
import { longestStall } from './fixtures/longest-stall.js';

const pool = Executor.start({ workers: 1 });
after(() => pool.close());

test('a module of nearly 4 MiB is validated and metered off the main thread', { timeout: 120_000 }, async () => {
  // 4 MiB less room for the rest of the module: V8 takes no function body much bigger (~7.6 MB).
  const module = bigBodyUnit((4 << 20) - 256);
  assert.ok(module.byteLength <= 4 << 20 && module.byteLength > (4 << 20) - 512, `${module.byteLength} bytes`);
  // A timer every 10 ms: the longest gap between its ticks is the longest the main thread stood still.
  const {
    result,
    stallMs: worstMs,
    wallMs: tookMs,
  } = await longestStall(10, () => pool.run({ module, input: new Uint8Array(1) }));
  assert.equal(result.output.length, 0);
  // The main thread never stood still for long, though preparing the module took far longer.
  assert.ok(worstMs < Math.max(250, tookMs / 4), `the event loop stalled ${worstMs} ms of ${tookMs} ms`);
  console.log(`prepared and ran in ${tookMs.toFixed(0)} ms; the event loop's worst stall: ${worstMs.toFixed(0)} ms`);
});

test('a module sent while the idle metering thread ends is metered by a new thread', { timeout: 120_000 }, async () => {
  // The thread meters one module, replies, and sits idle: its end is due 5 s later.
  await pool.run({ module: bigBodyUnit(64), input: new Uint8Array(1) });
  // The main thread busy past that (a benchmark making its inputs, say): once free, the due end runs
  // while the next unit's module is on its way to a new thread.
  const until = Date.now() + 5_500;
  while (Date.now() < until);
  const { output } = await pool.run({ module: reverseModule(), input: new Uint8Array([1, 2, 3]) });
  assert.deepEqual([...output], [3, 2, 1]);
});
