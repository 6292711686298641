// Bulk memory under the metering (bulk-memory.ts): memory.copy, memory.fill and memory.init pay
// per byte, from the length at run time, before any byte moves; operands keep their order; a copy
// out of bounds traps as WebAssembly says; and the instructions still refused are named.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import binaryen from 'binaryen';
import { FUEL_GLOBAL, meteredImports } from '../../src-main/node/exec/abi.js';
import { BULK_BYTES_PER_FUEL } from '../../src-main/node/exec/bulk-memory.js';
import { ExecError, Executor } from '../../src-main/node/exec/index.js';
import { meterModule, MeteringRefused } from '../../src-main/node/exec/metering.js';

const pool = Executor.start({ workers: 1 });
after(() => pool.close());

/** Text to bytes with every feature on, as a toolchain that emits them would build it. */
function wat(text: string): Uint8Array {
  const module = binaryen.parseText(text);
  try {
    module.setFeatures(binaryen.Features.All);
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

// A unit (its mesh_run fills input_len bytes at 65536 with 7, then copies them to 131072), and
// functions to call one at a time: fill, copy, init (from the passive segment $hello), drop, order.
const UNIT = wat(`(module
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (memory (export "memory") 4 1024)
  (data $hello "hello, bulk")
  (global $log (export "log") (mut i32) (i32.const 0))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $hello (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (data.drop $hello))
  (func $note (param i32) (result i32)
    (global.set $log (i32.add (i32.mul (global.get $log) (i32.const 10)) (local.get 0)))
    (i32.const 4))
  ;; Operands that log their order, one of them a block holding a fill of its own (5 bytes at 100).
  (func (export "order")
    (memory.copy
      (call $note (i32.const 1))
      (block (result i32) (memory.fill (i32.const 100) (call $note (i32.const 2)) (i32.const 5)) (i32.const 0))
      (call $note (i32.const 3))))
  (func (export "mesh_abi_version") (result i32) (i32.const 1))
  (func (export "mesh_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "mesh_run") (param i32 i32 i32 i32) (result i32)
    (memory.fill (i32.const 65536) (i32.const 7) (local.get 3))
    (memory.copy (i32.const 131072) (i32.const 65536) (local.get 3))
    (i32.const 0))
  (func (export "mesh_output_ptr") (result i32) (i32.const 0))
  (func (export "mesh_output_len") (result i32) (i32.const 0)))`);

type Exports = Record<string, WebAssembly.Global | ((...args: number[]) => void)> & { memory: WebAssembly.Memory };

/** A fresh metered instance of UNIT with `fuel` to spend. */
function instance(fuel: bigint): Exports {
  const metered = meterModule(UNIT);
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 1024 });
  const compiled = new WebAssembly.Module(metered.bytes as Uint8Array<ArrayBuffer>);
  const exports = new WebAssembly.Instance(compiled, meteredImports(memory)).exports as unknown as Exports;
  (exports[FUEL_GLOBAL] as WebAssembly.Global).value = fuel;
  return exports;
}

/** The fuel a call of `name` uses, on a fresh instance. */
function fuelOf(name: string, ...args: number[]): bigint {
  const exports = instance(1_000_000_000n);
  (exports[name] as (...a: number[]) => void)(...args);
  return 1_000_000_000n - ((exports[FUEL_GLOBAL] as WebAssembly.Global).value as bigint);
}

const perBytes = (n: number) => BigInt(Math.ceil(n / BULK_BYTES_PER_FUEL));

test('memory.fill, memory.copy and memory.init cost their bytes, taken from the length at run time', () => {
  assert.equal(fuelOf('fill', 0, 1, 60_000) - fuelOf('fill', 0, 1, 0), perBytes(60_000));
  assert.equal(fuelOf('copy', 100, 0, 50_000) - fuelOf('copy', 100, 0, 0), perBytes(50_000));
  assert.equal(fuelOf('init', 0, 0, 11) - fuelOf('init', 0, 0, 0), perBytes(11));
  // Beyond the length, each costs what its instructions count (docs/UNIT_ABI.md section 8): the
  // instruction and its three operands.
  assert.equal(fuelOf('fill', 0, 1, 0), 4n);
  assert.equal(fuelOf('drop'), 1n);
});

test('a fill the fuel cannot pay for traps before it writes a byte', () => {
  const exports = instance(1_000n);
  assert.throws(() => (exports.fill as (...a: number[]) => void)(0, 0xab, 60_000), WebAssembly.RuntimeError);
  assert.ok(((exports[FUEL_GLOBAL] as WebAssembly.Global).value as bigint) < 0n);
  assert.ok(
    new Uint8Array(exports.memory.buffer).every((b) => b === 0),
    'the fill ran unpaid',
  );
});

test('operands are evaluated in their order, a bulk instruction nested in them included', () => {
  const exports = instance(1_000_000n);
  (exports.order as () => void)();
  assert.equal((exports.log as WebAssembly.Global).value, 123);
  const bytes = new Uint8Array(exports.memory.buffer);
  assert.deepEqual([...bytes.subarray(100, 106)], [4, 4, 4, 4, 4, 0], 'the nested fill wrote its 5 bytes');
});

test('memory.init copies from a passive segment; after data.drop only an empty init succeeds', () => {
  const exports = instance(1_000_000n);
  const call = (name: string, ...args: number[]) => (exports[name] as (...a: number[]) => void)(...args);
  call('init', 64, 7, 4);
  assert.equal(Buffer.from(exports.memory.buffer, 64, 4).toString(), 'bulk');
  call('drop');
  call('init', 64, 0, 0);
  assert.throws(() => call('init', 64, 0, 1), /out of bounds/);
});

test('a copy out of bounds traps as WebAssembly says, writing nothing', () => {
  const exports = instance(1_000_000n);
  new Uint8Array(exports.memory.buffer).fill(9, 0, 100);
  assert.throws(
    () => (exports.copy as (...a: number[]) => void)(4 * 65_536 - 10, 0, 100),
    (err: unknown) => err instanceof WebAssembly.RuntimeError && /memory access out of bounds/.test(err.message),
  );
  assert.ok(new Uint8Array(exports.memory.buffer, 4 * 65_536 - 10).every((b) => b === 0));
});

test('through the executor: fuel is per byte and the same each run; too little is OutOfFuel, out of bounds a Trap', async () => {
  const run = (input: Uint8Array, fuel?: number) => pool.run({ module: UNIT, input, limits: fuel ? { fuel } : {} });
  const small = await run(new Uint8Array(1000));
  const big = await run(new Uint8Array(61_000));
  assert.equal(big.fuel - small.fuel, 2 * Number(perBytes(60_000)), 'a fill and a copy of 60,000 more bytes');
  assert.equal((await run(new Uint8Array(61_000))).fuel, big.fuel);
  await assert.rejects(run(new Uint8Array(61_000), 100_000), (err: unknown) => {
    assert.ok(err instanceof ExecError);
    assert.equal(err.code, 'OutOfFuel', err.message);
    return true;
  });
  // 140,000 bytes fit at 65536 in the 4 pages, not at 131072.
  await assert.rejects(run(new Uint8Array(140_000)), (err: unknown) => {
    assert.ok(err instanceof ExecError);
    assert.equal(err.code, 'Trap', err.message);
    assert.match(err.message, /memory access out of bounds/);
    return true;
  });
});

test('what stays refused is refused by feature and instruction, never by a number', () => {
  const body = (code: string, extra = '') =>
    wat(`(module ${extra} (memory (export "memory") 1 16) (func (export "_start") ${code}))`);
  const refused: Array<[Uint8Array, RegExp]> = [
    [body('(drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))'), /threads \(atomics\): `i32\.atomic\.rmw\.add`/],
    [body('(block $out (try_table (catch_all $out) (nop)))'), /exception handling in its final form: `try_table`/],
    // Reference types, multi-value, tail calls, SIMD and legacy exception handling run now (exec-reference-types.test.ts, exec-simd.test.ts, …).
    [
      body(
        '(drop (call_ref $t (ref.func $f)))',
        '(type $t (func (result i32))) (func $f (type $t) (i32.const 1)) (elem declare func $f)',
      ),
      /typed function references: `call_ref`/,
    ],
    [
      body('(drop (struct.new $s (i32.const 1)))', '(type $s (struct (field i32)))'),
      /garbage collection \(GC\): `struct\.new`/,
    ],
    [
      body('(drop (i32x4.relaxed_trunc_f32x4_s (v128.const i64x2 0 0)))'),
      /relaxed SIMD: `i32x4\.relaxed_trunc_f32x4_s`/,
    ],
  ];
  for (const [module, message] of refused)
    assert.throws(
      () => meterModule(module, { determinism: true, kind: 'wasi' }),
      (err: unknown) => err instanceof MeteringRefused && message.test(err.message) && !/id \d/.test(err.message),
    );
});
