// A unit that hands back a megabyte of zeroed memory runs only a few instructions: its output is
// charged as fuel, one per byte, so it costs what it makes a provider store and send, and a budget
// too small for its output ends it as OutOfFuel like any other work.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ExecError, Executor } from '../../src-main/node/exec/index.js';
import { hostileModule, reverseModule } from './fixtures/hostile/modules.js';

const pool = Executor.start({ workers: 1 });
after(() => pool.close());
const zeroes = hostileModule('output-over-limit'); // 1,000,000 bytes of its untouched memory

test('an output of 1,000,000 zero bytes costs at least 1,000,000 fuel', async () => {
  const result = await pool.run({ module: zeroes, input: new Uint8Array(1) });
  assert.equal(result.output.length, 1_000_000);
  assert.ok(result.fuel >= 1_000_000, `fuel ${result.fuel}`);
});

test('a budget below its output ends it as OutOfFuel, with the whole budget used', async () => {
  const error = await pool.run({ module: zeroes, input: new Uint8Array(1), limits: { fuel: 999_999 } }).then(
    () => assert.fail('it ran within a budget smaller than its output'),
    (err: unknown) => err as ExecError,
  );
  assert.equal(error.code, 'OutOfFuel');
  assert.equal(error.fuel, 999_999);
});

test('an honest unit pays the same per output byte: its fuel is its instructions plus its output', async () => {
  const input = new Uint8Array(1000).fill(7);
  const { fuel, output } = await pool.run({ module: reverseModule(), input });
  const exact = await pool.run({ module: reverseModule(), input, limits: { fuel } });
  assert.deepEqual(exact.output, output);
  await assert.rejects(pool.run({ module: reverseModule(), input, limits: { fuel: fuel - 1 } }), { code: 'OutOfFuel' });
  assert.ok(fuel > output.length);
});
