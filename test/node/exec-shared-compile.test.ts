// A first unit of a big program waits for a worker thread's start, not for a compile in it: a big
// module is compiled once on the main thread while the worker starts and handed over compiled
// (prepare.ts), and the worker's code loads no schema library (its start is on that path).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeWasiOutput, Executor } from '../../src-main/node/exec/index.js';
import { DEFAULT_LIMITS } from '../../src-main/node/exec/limits.js';
import { ModuleCache } from '../../src-main/node/exec/prepare.js';
import { bigProgram } from './fixtures/big-program.js';
import { wasiHelloModule } from './fixtures/wasi-module.js';

const BIG_BYTES = 2_000_000;

test('a big module is compiled once here, a small one is left to the workers', { timeout: 60_000 }, async () => {
  const cache = new ModuleCache();
  try {
    const big = await cache.prepare(bigProgram(BIG_BYTES), DEFAULT_LIMITS, 'wasi');
    assert.ok((await cache.compiled(big.hash)) instanceof WebAssembly.Module);
    const small = await cache.prepare(wasiHelloModule(), DEFAULT_LIMITS, 'wasi');
    assert.equal(cache.compiled(small.hash), undefined);
  } finally {
    await cache.close();
  }
});

test('units of a big module run alike on every worker handed it compiled', { timeout: 60_000 }, async () => {
  const module = bigProgram(BIG_BYTES);
  const executor = Executor.start({ workers: 2 });
  try {
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => executor.run({ module, input: new Uint8Array(), wasi: {} })),
    );
    const stdouts = runs.map((run) => Buffer.from(decodeWasiOutput(run.output).stdout).toString('hex'));
    assert.equal(stdouts[0]!.length, 8, 'the program writes four bytes');
    assert.deepEqual(new Set(stdouts).size, 1);
    assert.deepEqual(new Set(runs.map((run) => run.fuel)).size, 1, 'the same fuel on each');
  } finally {
    await executor.close();
  }
});

test("the pool's worker thread loads no schema library", () => {
  const worker = readFileSync(new URL('../../src-main/node/exec/worker.js', import.meta.url), 'utf8');
  assert.ok(!worker.includes('_zod'), 'zod is bundled into the worker (node/exec/worker.ts reaches core/schemas)');
});
