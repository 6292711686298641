// Preparing a peer's module — V8's validation, binaryen's metering — is heavy for a 4 MiB module,
// and it must not stall the node: it runs in the metering thread, so the main thread's event loop
// keeps turning (timers, messages, the API) while a big module is prepared.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Executor } from '../../src-main/node/exec/index.js';
import { bigBodyUnit } from './fixtures/hostile/modules.js';
import { longestStall } from './fixtures/longest-stall.js';

const pool = Executor.start({ workers: 1 });
after(() => pool.close());

test('a module of nearly 4 MiB is validated and metered off the main thread', { timeout: 120_000 }, async () => {
  // 4 MiB less room for the rest of the module: the largest a unit may name under the default limits.
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
