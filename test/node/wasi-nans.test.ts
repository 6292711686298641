// A WASI program's NaNs are canonical wherever their bits can be seen (determinism.ts, run on WASI
// modules as on the unit ABI's): every way of making a NaN, stored as a float or reinterpreted as
// an integer, prints the same bits on x86 and ARM, whatever sign or payload the machine gave it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { Executor } from '../../src-main/node/exec/index.js';
import { decodeWasiOutput } from '../../src-main/node/exec/wasi/program.js';
import { watToBinary } from './fixtures/hostile/modules.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const wat = readFileSync(new URL('../../../test/node/fixtures/wasi-nans.wat', import.meta.url), 'utf8');

test('every NaN a WASI program makes is stored with the canonical bits, as float and as integer', async () => {
  const run = await executor.run({ module: watToBinary(wat), input: new Uint8Array(), wasi: { seed: 'nans' } });
  const result = decodeWasiOutput(run.output);
  assert.equal(result.exitCode, 0);
  const out = Buffer.from(result.stdout);
  assert.equal(out.length, 8 * 4 * 2 + 6 * 8 * 2);
  const f32 = Array.from({ length: 16 }, (_, i) => out.readUInt32LE(i * 4).toString(16));
  const f64 = Array.from({ length: 12 }, (_, i) => out.readBigUInt64LE(64 + i * 8).toString(16));
  assert.deepEqual(f32, Array<string>(16).fill('7fc00000'));
  assert.deepEqual(f64, Array<string>(12).fill('7ff8000000000000'));
});
