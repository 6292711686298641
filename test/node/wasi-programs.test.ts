// Real C, C++ and Rust programs (test/wasi/programs, built by scripts/build-wasi-corpus.mjs) under the
// WASI host. Programs that read the clock, draw random numbers, list directories, print NaNs and
// floats and write many files give the same bytes run after run and on different workers; hostile
// ones are stopped with their reason, and the pool runs the next program right after.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExecError, Executor, type ExecUnit } from '../../src-main/node/exec/index.js';
import { decodeWasiOutput } from '../../src-main/node/exec/wasi/program.js';

const programs = fileURLToPath(new URL('../../../test/wasi/programs/', import.meta.url));
const program = (name: string) => readFileSync(`${programs}${name}.wasm`);
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const executor = Executor.start({ workers: 2 });
after(() => executor.close());

const unit = (name: string, extra: Partial<ExecUnit> = {}): ExecUnit => ({
  module: program(name),
  input: new Uint8Array(),
  wasi: { seed: 'job-1/unit-0' },
  ...extra,
});

for (const name of ['determinism', 'determinism-rs', 'words-cpp']) {
  test(`${name}: four runs at once, on both workers, give identical bytes`, async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => executor.run(unit(name))));
    for (const run of runs.slice(1)) {
      assert.equal(run.outputHash, runs[0]!.outputHash);
      assert.equal(run.fuel, runs[0]!.fuel);
    }
    const result = decodeWasiOutput(runs[0]!.output);
    assert.equal(result.exitCode, 0, text(runs[0]!.stderr));
    const stdout = text(result.stdout);
    if (name === 'determinism') {
      assert.match(stdout, /^now 1704067200\.001000000$/m, 'the virtual clock, one step after its epoch');
      assert.match(stdout, /nan nan nan, inf inf/);
      assert.match(stdout, /^nan bits 7ff8000000000000$/m, 'the NaN is canonical');
      assert.equal(result.files.length, 200);
      assert.deepEqual(result.files[0], ['f000.txt', new TextEncoder().encode('file 0 0.000\n')]);
    } else if (name === 'words-cpp') {
      // C++ with libc++: std::chrono's clock, std::random_device (random_get), floats, and a line on stderr.
      assert.match(stdout, /^unit 0: 0 words, 0 distinct$/m);
      assert.match(stdout, /^clock ms 1704067200001$/m);
      assert.match(stdout, /^random \d+$/m);
      assert.match(stdout, /^sqrt 1\.4142135623730951 nan nan$/m);
      for (const run of runs) assert.equal(text(run.stderr), 'unit 0: counted 0 words\n');
    } else {
      assert.match(stdout, /^since epoch 1704067200\.\d+s$/m);
      assert.match(stdout, /^floats NaN 0\.30000000000000004 1e301 1\.4142135623730951$/m);
      assert.match(stdout, /^read_dir first Some\("r0\.txt"\) of 100$/m);
      assert.equal(result.files.length, 100);
    }
  });
}

test('a different seed gives a Rust HashMap another order, the same seed the same', async () => {
  const order = async (seed: string) =>
    /hashmap order (.*)/.exec(
      text(decodeWasiOutput((await executor.run(unit('determinism-rs', { wasi: { seed } }))).output).stdout),
    )![1];
  assert.equal(await order('a'), await order('a'));
  assert.notEqual(await order('a'), await order('b'));
});

const hostile: Array<{ name: string; limits?: ExecUnit['limits']; code: string; message: RegExp }> = [
  { name: 'clock_loop', limits: { fuel: 50_000_000 }, code: 'OutOfFuel', message: /used its fuel budget/ },
  { name: 'memory_bomb', code: 'MemoryLimit', message: /memory\.grow was refused/ },
  { name: 'recursion', code: 'Trap', message: /stack overflow: call depth/ },
  {
    name: 'stdout_flood',
    limits: { maxOutputBytes: 1 << 20 },
    code: 'OutputTooLarge',
    message: /stdout passed the unit's output limit of 1048576 bytes/,
  },
];
for (const h of hostile) {
  test(`hostile ${h.name} ends as ${h.code}, and the pool runs on`, async () => {
    await assert.rejects(executor.run(unit(h.name, { limits: h.limits })), (err: unknown) => {
      assert.ok(err instanceof ExecError);
      assert.equal(err.code, h.code, err.message);
      assert.match(err.message, h.message);
      return true;
    });
    const next = await executor.run(unit('determinism'));
    assert.equal(decodeWasiOutput(next.output).exitCode, 0);
  });
}

test('hostile tmp_flood: /tmp past its cap is ENOSPC to the program, which exits 1 saying so', async () => {
  const run = await executor.run(unit('tmp_flood'));
  assert.equal(decodeWasiOutput(run.output).exitCode, 1);
  assert.equal(run.exitCode, 1);
  assert.equal(text(run.stderr), 'write /tmp/big: No space left on device\n');
});

test('a WASI program run as a custom-ABI unit is still told WASI is not supported there', async () => {
  await assert.rejects(
    executor.run({ module: program('determinism'), input: new Uint8Array() }),
    /it is a WASI program, which runs as a WASI job, not a custom-ABI one: submit it with meshctl submit-job --wasi/,
  );
});
