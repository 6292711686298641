// The executor's ordinary behaviour, on reverse.wasm (wasm/examples/reverse.wat): what a result
// holds, that fuel is deterministic and exact, and how each kind of bad request is refused.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { after, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { ExecError, Executor, type ExecErrorCode, type ExecSuccess } from '../../src-main/node/exec/index.js';
import { hostileModule, reversed, reverseModule } from './fixtures/hostile/modules.js';

const pool = Executor.start({ workers: 2 });
after(() => pool.close());

const reverse = reverseModule();
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The ExecError a promise rejects with; fails the test if it resolves or rejects with anything else. */
async function rejection(promise: Promise<ExecSuccess>): Promise<ExecError> {
  const outcome = await promise.then(
    (result) => result,
    (error: unknown) => error,
  );
  assert.ok(
    outcome instanceof ExecError,
    `expected an ExecError, got ${outcome instanceof Error ? outcome.stack : JSON.stringify(outcome)}`,
  );
  return outcome;
}

async function assertRefused(promise: Promise<ExecSuccess>, code: ExecErrorCode): Promise<ExecError> {
  const error = await rejection(promise);
  assert.equal(error.code, code, error.message);
  return error;
}

const fuelFor = async (executor: Executor, input: Uint8Array): Promise<number> =>
  (await executor.run({ module: reverse, input })).fuel;

test('reverse.wasm outputs its input reversed, with its SHA-256, the fuel it used and its wall time', async () => {
  const input = text('hello, mesh');
  const result = await pool.run({ module: reverse, input });
  assert.equal(new TextDecoder().decode(result.output), 'hsem ,olleh');
  assert.equal(result.outputHash, createHash('sha256').update('hsem ,olleh').digest('hex'));
  assert.ok(Number.isInteger(result.fuel) && result.fuel > 0, `fuel ${result.fuel}`);
  assert.ok(Number.isFinite(result.wallMs) && result.wallMs >= 0, `wallMs ${result.wallMs}`);
});

test('the same unit five times gives the same output and the same fuel', async () => {
  const input = text('determinism');
  const results = await Promise.all(Array.from({ length: 5 }, () => pool.run({ module: reverse, input })));
  for (const result of results) {
    assert.deepEqual(result.output, results[0]!.output);
    assert.equal(result.fuel, results[0]!.fuel);
  }
});

test('fuel is the same on a pool of one worker and a pool of two', async () => {
  const single = Executor.start({ workers: 1 });
  try {
    const inputs = [text('a'), text('a longer input'), new Uint8Array(5_000).fill(7)];
    for (const input of inputs) assert.equal(await fuelFor(single, input), await fuelFor(pool, input));
  } finally {
    await single.close();
  }
});

test('fuel grows with the input by the same amount per byte', async () => {
  // reverse.wasm's copy loop costs the same for every byte, so fuel is an affine function of length.
  const base = await fuelFor(pool, new Uint8Array(1));
  const perByte = (await fuelFor(pool, new Uint8Array(2))) - base;
  assert.ok(perByte > 0, `fuel per byte is ${perByte}`);
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 20_000 }), async (input) => {
      assert.equal(await fuelFor(pool, input), base + perByte * (input.length - 1));
    }),
    { numRuns: 30 },
  );
});

test('fuel is exact: one unit below what a run used is OutOfFuel, exactly that much succeeds', async () => {
  const input = text('exactly enough fuel');
  const { fuel, output } = await pool.run({ module: reverse, input });
  const error = await assertRefused(pool.run({ module: reverse, input, limits: { fuel: fuel - 1 } }), 'OutOfFuel');
  assert.equal(error.fuel, fuel - 1, 'a unit out of fuel has used its whole budget');
  const exact = await pool.run({ module: reverse, input, limits: { fuel } });
  assert.deepEqual(exact.output, output);
  assert.equal(exact.fuel, fuel);
});

test("an empty input is UnitFailed, carrying the unit's own message", async () => {
  const error = await assertRefused(pool.run({ module: reverse, input: new Uint8Array(0) }), 'UnitFailed');
  assert.match(error.message, /status 2: empty input/);
});

test('an input over maxInputBytes is InputTooLarge', async () => {
  await assertRefused(
    pool.run({ module: reverse, input: new Uint8Array(11), limits: { maxInputBytes: 10 } }),
    'InputTooLarge',
  );
  const atLimit = await pool.run({ module: reverse, input: new Uint8Array(10).fill(1), limits: { maxInputBytes: 10 } });
  assert.equal(atLimit.output.length, 10);
});

test('nonsense limits and params that are not an object are BadRequest', async () => {
  const input = text('x');
  const badLimits = [{ fuel: -1 }, { fuel: 1.5 }, { timeoutMs: 0 }, { memoryPages: 70_000 }, { nonsense: 1 }];
  for (const limits of badLimits) {
    await assertRefused(pool.run({ module: reverse, input, limits }), 'BadRequest');
  }
  for (const params of [42, 'text', [1, 2], true, null]) {
    await assertRefused(pool.run({ module: reverse, input, params }), 'BadRequest');
  }
  await assertRefused(pool.run({ module: reverse, input: 'not bytes' as never }), 'BadRequest');
});

test('random bytes are BadModule, with or without a valid wasm header', async () => {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, withHeader) => {
      const module = withHeader ? new Uint8Array([...header, ...bytes]) : bytes;
      await assertRefused(pool.run({ module, input: text('x') }), 'BadModule');
    }),
    { numRuns: 100 },
  );
});

test('after close(), run is refused with Closed', async () => {
  const closing = Executor.start({ workers: 1 });
  assert.equal((await closing.run({ module: reverse, input: text('before') })).output.length, 6);
  await closing.close();
  await assertRefused(closing.run({ module: reverse, input: text('after') }), 'Closed');
});

/**
 * Twenty units of `fast` around one of `slow` (given fuel for hours and 300 ms), on a fresh pool:
 * the slow one must end as Timeout within its limit, and the twenty must all succeed. The
 * twenty have a limit of their own (5 s, far above what they need), so a watchdog that misses
 * the slow unit fails the time bound instead of holding the test up for the default 30 s.
 */
async function burstAroundSlowUnit(
  t: TestContext,
  fast: Uint8Array,
  slow: Uint8Array,
  slowInput: Uint8Array,
): Promise<void> {
  const burst = Executor.start({ workers: 2 });
  try {
    // Warm up: both workers started, and the pool has learned how long a fast unit takes (it
    // sizes batches from that).
    for (let round = 0; round < 5; round++) {
      await Promise.all([
        burst.run({ module: fast, input: text('warm') }),
        burst.run({ module: fast, input: text('up') }),
      ]);
    }
    const inputs = Array.from({ length: 20 }, (_, i) => text(`burst unit ${i}`));
    const submit = (input: Uint8Array): Promise<ExecSuccess> =>
      burst.run({ module: fast, input, limits: { timeoutMs: 5_000 } });
    const before = inputs.slice(0, 10).map(submit);
    const started = performance.now();
    const late = burst.run({
      module: slow,
      input: slowInput,
      limits: { fuel: Number.MAX_SAFE_INTEGER, timeoutMs: 300 },
    });
    const afterSlow = inputs.slice(10).map(submit);
    const error = await assertRefused(late, 'Timeout');
    const elapsedMs = performance.now() - started;
    t.diagnostic(`${error.message} after ${elapsedMs.toFixed(0)} ms`);
    const results = await Promise.all([...before, ...afterSlow]);
    results.forEach((result, i) => assert.deepEqual(result.output, reversed(inputs[i]!), `unit ${i}`));
    // Ahead of the slow unit are a few units of well under a millisecond each; then it has its 300 ms.
    assert.ok(elapsedMs < 300 + 250, `the 300 ms unit ended only after ${elapsedMs.toFixed(0)} ms`);
  } finally {
    await burst.close();
  }
}

test('a slow unit of another module in the middle of a burst ends as Timeout; the 20 others all succeed', async (t) => {
  await burstAroundSlowUnit(t, reverse, hostileModule('slow-loop'), text('slow'));
});

test('a slow unit sharing a batch with 20 fast ones of the same module ends as Timeout; the rest are rerun and succeed', async (t) => {
  // One module for all 21, so the pool batches them together: the watchdog must catch the slow
  // unit mid-batch and put the units it cut off back in the queue.
  const module = hostileModule('reverse-or-spin');
  await burstAroundSlowUnit(t, module, module, new Uint8Array([0xff]));
});

test('units that ended while the main thread was busy past their limit are not timed out', async () => {
  const busyPool = Executor.start({ workers: 2 });
  try {
    await busyPool.run({ module: reverse, input: new Uint8Array([1, 2, 3]) }); // the workers are up
    const busy = setInterval(() => {
      // Far longer than the units' limit, which is far longer than a unit takes even on a loaded
      // machine: an outcome waits here, unread, long after its unit ended.
      const until = Date.now() + 400;
      while (Date.now() < until);
    }, 5);
    const runs = Array.from({ length: 300 }, (_, i) =>
      busyPool.run({ module: reverse, input: new Uint8Array([i % 250, 1, 2]), limits: { timeoutMs: 150 } }),
    );
    const outcomes = await Promise.allSettled(runs);
    clearInterval(busy);
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    assert.deepEqual(failed.slice(0, 3), [], `${failed.length} of 300 failed`);
  } finally {
    await busyPool.close();
  }
});

/**
 * Runs `drop` (which makes piscina drop the running batch of the unit it returns) from inside the
 * port dispatch of the worker's previous answer, once that batch has answered too, unread: Node
 * still delivers that answer after the drop, and piscina reports it as an 'error' event (which
 * crashed the mesh_tiny bench). Resolves to that unit's outcome once the late answer has come.
 */
async function dropWithAnswerUnread(executor: Executor, drop: (stop: AbortController) => void): Promise<ExecError> {
  await executor.run({ module: reverse, input: text('warm') });
  const stop = new AbortController();
  const first = executor.run({ module: reverse, input: text('first') });
  const second = rejection(executor.run({ module: reverse, input: text('second'), signal: stop.signal }));
  await first.then(async () => {
    // Microtasks, so still inside this dispatch: the executor posts `second` within a few turns.
    for (let turn = 0; turn < 100; turn++) await Promise.resolve();
    const until = Date.now() + 300; // `second` answers meanwhile, far sooner than this
    while (Date.now() < until);
    drop(stop);
  });
  await new Promise((resolve) => setTimeout(resolve, 20)); // the late answer has come
  return second;
}

test("a unit aborted while its batch's answer waits unread ends as Aborted, and the pool goes on", async () => {
  const late = Executor.start({ workers: 1, maxBatch: 1 });
  try {
    assert.equal((await dropWithAnswerUnread(late, (stop) => stop.abort())).code, 'Aborted');
    assert.deepEqual((await late.run({ module: reverse, input: text('next') })).output, text('txen'));
  } finally {
    await late.close();
  }
});

test("close() while a batch's answer waits unread ends that unit as Closed", async () => {
  const late = Executor.start({ workers: 1, maxBatch: 1 });
  assert.equal((await dropWithAnswerUnread(late, () => void late.close())).code, 'Closed');
});

test('units run under one long-lived signal leave no listener on it once they end, done or failed', async () => {
  const node = new AbortController();
  const runs = Array.from({ length: 50 }, (_, i) =>
    pool
      .run({ module: reverse, input: text(i % 10 === 0 ? '' : `unit ${i}`), signal: node.signal })
      .catch(() => 'failed'),
  );
  assert.ok(getEventListeners(node.signal, 'abort').length > 0, 'the queued units listen');
  const outcomes = await Promise.all(runs);
  assert.equal(outcomes.filter((o) => o === 'failed').length, 5, 'the empty inputs failed');
  assert.equal(getEventListeners(node.signal, 'abort').length, 0);
});
