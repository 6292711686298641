// Reference types under the metering (docs/UNIT_ABI.md, "Fuel"): ref.null, ref.is_null, ref.func,
// table.get, table.set, table.size, a typed select and several tables run, a fuel an instruction;
// table.fill, table.copy, table.init and table.grow pay per element from the length at run time,
// before an element is written; a table.grow stops at the table's maximum (65,536 when it declares
// none) on every node; and call_indirect's table index may be written overlong, as clang writes it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FUEL_GLOBAL } from '../../src-main/node/exec/abi.js';
import { TABLE_ELEMENTS_PER_FUEL } from '../../src-main/node/exec/bulk-memory.js';
import { ExecError, Executor } from '../../src-main/node/exec/index.js';
import { meterModule } from '../../src-main/node/exec/metering.js';
import { fuelOf, meteredInstance, wat } from './fixtures/metered-instance.js';

const pool = Executor.start({ workers: 1 });
after(() => pool.close());

const TABLES = wat(`(module
  (memory (export "memory") 1 16)
  (type $t (func (result i32)))
  (table $a 8 funcref)
  (table $b 2 2 funcref)
  (table $grown 0 funcref)
  (table $bounded 0 100 funcref)
  (table $big 65536 65536 funcref)
  (table $x 4 externref)
  (elem $seg func $one $two $three)
  (elem (table $a) (i32.const 0) func $one $two)
  (elem (table $b) (i32.const 0) func $three $one)
  (elem declare func $one)
  (func $one (type $t) (i32.const 1))
  (func $two (type $t) (i32.const 2))
  (func $three (type $t) (i32.const 3))
  (func (export "call_a") (param i32) (result i32) (call_indirect $a (type $t) (local.get 0)))
  (func (export "call_b") (param i32) (result i32) (call_indirect $b (type $t) (local.get 0)))
  (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $a (local.get 0))))
  (func (export "set") (param i32) (table.set $a (local.get 0) (ref.func $three)))
  (func (export "clear") (param i32) (table.set $a (local.get 0) (ref.null func)))
  (func (export "size") (result i32) (table.size $a))
  (func (export "extern_null") (result i32) (ref.is_null (table.get $x (i32.const 3))))
  (func (export "select") (param i32) (result i32)
    (ref.is_null (select (result funcref) (ref.null func) (ref.func $one) (local.get 0))))
  (func (export "fill") (param i32 i32) (table.fill $a (local.get 0) (ref.func $two) (local.get 1)))
  (func (export "fill_big") (param i32) (table.fill $big (i32.const 0) (ref.func $two) (local.get 0)))
  (func (export "big_null") (param i32) (result i32) (ref.is_null (table.get $big (local.get 0))))
  (func (export "copy") (param i32 i32 i32) (table.copy $a $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (table.init $a $seg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (elem.drop $seg))
  (func (export "grow") (param i32) (result i32) (table.grow $grown (ref.func $one) (local.get 0)))
  (func (export "grown_size") (result i32) (table.size $grown))
  (func (export "grow_bounded") (param i32) (result i32) (table.grow $bounded (ref.null func) (local.get 0))))`);

const perElements = (n: number) => BigInt(Math.ceil(n / TABLE_ELEMENTS_PER_FUEL));

test('ref.null, ref.is_null, ref.func, table.get, table.set, table.size and a typed select cost a fuel each', () => {
  const unit = meteredInstance(TABLES);
  assert.equal(unit.call('is_null', 5), 1);
  assert.equal(unit.call('select', 0), 0, 'select took ref.func');
  assert.equal(unit.call('select', 1), 1, 'select took ref.null');
  unit.call('set', 5);
  assert.equal(unit.call('call_a', 5), 3);
  unit.call('clear', 5);
  assert.throws(() => unit.call('call_a', 5), WebAssembly.RuntimeError);
  assert.equal(unit.call('size'), 8);
  assert.equal(unit.call('extern_null'), 1);
  // Each is what its instructions count (docs/UNIT_ABI.md, section 8).
  assert.equal(fuelOf(TABLES, 'is_null', 0), 3n); // ref.is_null, table.get, local.get
  assert.equal(fuelOf(TABLES, 'set', 0), 3n); // table.set, local.get, ref.func
  assert.equal(fuelOf(TABLES, 'size'), 1n);
  assert.equal(fuelOf(TABLES, 'select', 0), 5n); // ref.is_null, select and its three operands
});

test('several tables: call_indirect reads the table it names', () => {
  const unit = meteredInstance(TABLES);
  assert.deepEqual([unit.call('call_a', 0), unit.call('call_a', 1)], [1, 2]);
  assert.deepEqual([unit.call('call_b', 0), unit.call('call_b', 1)], [3, 1]);
  assert.throws(() => unit.call('call_b', 2), /table index is out of bounds/);
});

test('table.fill, table.copy and table.init cost their elements, from the length at run time; elem.drop costs 1', () => {
  assert.equal(fuelOf(TABLES, 'fill', 0, 8) - fuelOf(TABLES, 'fill', 0, 0), perElements(8));
  assert.equal(fuelOf(TABLES, 'fill_big', 60_000) - fuelOf(TABLES, 'fill_big', 0), perElements(60_000));
  assert.equal(fuelOf(TABLES, 'copy', 2, 0, 6) - fuelOf(TABLES, 'copy', 2, 0, 0), perElements(6));
  assert.equal(fuelOf(TABLES, 'init', 0, 0, 3) - fuelOf(TABLES, 'init', 0, 0, 0), perElements(3));
  assert.equal(fuelOf(TABLES, 'fill', 0, 0), 4n); // table.fill and its three operands
  assert.equal(fuelOf(TABLES, 'drop'), 1n);
  const unit = meteredInstance(TABLES);
  unit.call('init', 4, 0, 3);
  assert.deepEqual(
    [4, 5, 6].map((i) => unit.call('call_a', i)),
    [1, 2, 3],
  );
  unit.call('copy', 0, 4, 3);
  assert.deepEqual(
    [0, 1, 2].map((i) => unit.call('call_a', i)),
    [1, 2, 3],
  );
  unit.call('drop');
  unit.call('init', 0, 0, 0);
  assert.throws(() => unit.call('init', 0, 0, 1), /out of bounds/);
});

test('a table.fill the fuel cannot pay for traps before it writes an element', () => {
  const unit = meteredInstance(TABLES, 1_000n);
  assert.throws(() => unit.call('fill_big', 60_000), WebAssembly.RuntimeError);
  assert.ok(unit.used() > 1_000n, 'the fuel went below zero');
  const again = meteredInstance(TABLES, 1_000n);
  assert.throws(() => again.call('fill_big', 60_000));
  (again.exports[FUEL_GLOBAL] as WebAssembly.Global).value = 1_000n;
  assert.equal(again.call('big_null', 0), 1, 'the fill ran unpaid');
  assert.equal(again.call('big_null', 59_999), 1);
});

test('out of bounds, table.fill, table.copy and table.init trap as WebAssembly says, writing nothing', () => {
  const unit = meteredInstance(TABLES);
  assert.throws(() => unit.call('fill', 6, 3), /table index is out of bounds|out of bounds/);
  assert.equal(unit.call('is_null', 6), 1);
  assert.throws(() => unit.call('copy', 7, 0, 2), /out of bounds/);
  assert.throws(() => unit.call('init', 0, 2, 2), /out of bounds/);
  assert.equal(unit.call('call_a', 0), 1);
});

test('table.grow pays for the elements it adds; past the maximum it fails with -1 for its own fuel', () => {
  assert.equal(fuelOf(TABLES, 'grow', 1000) - fuelOf(TABLES, 'grow', 0), perElements(1000));
  const unit = meteredInstance(TABLES);
  assert.equal(unit.call('grow', 65_000), 0);
  const before = unit.used();
  assert.equal(unit.call('grow', 537), -1, 'past 65,536, the maximum a table that declares none gets');
  assert.equal(unit.used() - before, 3n, 'a refused grow writes nothing and pays for its three instructions');
  assert.equal(unit.call('grow', 536), 65_000);
  assert.equal(unit.call('grown_size'), 65_536);
  assert.equal(unit.call('grow_bounded', 100), 0);
  assert.equal(unit.call('grow_bounded', 1), -1, 'past its declared maximum');
  // The bound is the metering's: V8 alone grows a table that declares no maximum to 10,000,000.
  const unmetered = new WebAssembly.Instance(new WebAssembly.Module(TABLES as Uint8Array<ArrayBuffer>)).exports;
  assert.equal((unmetered.grow as (n: number) => number)(70_000), 0);
  assert.equal(meterModule(TABLES, { determinism: true, kind: 'wasi' }).tableElements, 65_536);
});

// A unit whose mesh_run grows a table by its input's length and fills it.
const GROWER = wat(
  `(module
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (memory (export "memory") 1 16)
  (table $t 0 MAXIMUM funcref)
  (elem declare func $f)
  (func $f)
  (func (export "mesh_abi_version") (result i32) (i32.const 1))
  (func (export "mesh_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "mesh_run") (param i32 i32 i32 i32) (result i32)
    (if (i32.lt_s (table.grow $t (ref.null func) (local.get 3)) (i32.const 0)) (then (unreachable)))
    (table.fill $t (i32.const 0) (ref.func $f) (local.get 3))
    (i32.const 0))
  (func (export "mesh_output_ptr") (result i32) (i32.const 0))
  (func (export "mesh_output_len") (result i32) (i32.const 0)))`.replace('MAXIMUM', '100000'),
);

test('through the executor: a table grown and filled pays per element, the same each run; a table that may grow past maxTableElements is refused', async () => {
  const run = (input: Uint8Array, limits = {}) => pool.run({ module: GROWER, input, limits });
  await assert.rejects(run(new Uint8Array(10)), (err: unknown) => {
    assert.ok(err instanceof ExecError);
    assert.equal(err.code, 'BadModule', err.message);
    assert.match(
      err.message,
      /table of 100000 elements \(its maximum, where table\.grow grows it\) is over the limit of 65536/,
    );
    return true;
  });
  const limits = { maxTableElements: 100_000 };
  const [small, big, bigAgain] = await Promise.all([
    run(new Uint8Array(10), limits),
    run(new Uint8Array(50_010), limits),
    run(new Uint8Array(50_010), limits),
  ]);
  assert.equal(big.fuel - small.fuel, 2 * Number(perElements(50_000)), 'a grow and a fill of 50,000 more elements');
  assert.equal(bigAgain.fuel, big.fuel);
  await assert.rejects(run(new Uint8Array(50_010), { ...limits, fuel: 60_000 }), (err: unknown) => {
    assert.ok(err instanceof ExecError);
    assert.equal(err.code, 'OutOfFuel', err.message);
    return true;
  });
});

/** A module whose `run` is `call_indirect` of table 0's element 0, the table index written as `tableIndex`. */
function callIndirectWith(tableIndex: number[]): Uint8Array {
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return out;
  };
  const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const name = (s: string) => [...leb(s.length), ...Buffer.from(s)];
  const body = (code: number[]) => [...leb(code.length + 1), 0, ...code]; // no locals
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // \0asm, version 1
    ...section(1, vec([[0x60, 0x00, 0x01, 0x7f]])), // type 0: () -> i32
    ...section(3, vec([[0], [0]])), // two functions of type 0
    ...section(4, vec([[0x70, 0x00, 0x01]])), // table 0: funcref, at least 1
    ...section(5, vec([[0x01, 0x01, 0x10]])), // memory 0: 1 to 16 pages
    ...section(
      7,
      vec([
        [...name('memory'), 0x02, 0],
        [...name('run'), 0x00, 1],
      ]),
    ),
    ...section(9, vec([[0x00, 0x41, 0x00, 0x0b, ...vec([[0]])]])), // table 0 at 0: function 0
    ...section(
      10,
      vec([
        body([0x41, 42, 0x0b]), // i32.const 42
        body([0x41, 0x00, 0x11, 0x00, ...tableIndex, 0x0b]), // call_indirect (type 0) (table …) (i32.const 0)
      ]),
    ),
  ]);
}

test('call_indirect runs with its table index written overlong, as clang writes it with reference types', () => {
  for (const index of [[0x00], [0x80, 0x00], [0x80, 0x80, 0x80, 0x80, 0x00]]) {
    const module = callIndirectWith(index);
    assert.ok(WebAssembly.validate(module as Uint8Array<ArrayBuffer>), `V8 validates ${JSON.stringify(index)}`);
    const unit = meteredInstance(module);
    assert.equal(unit.call('run'), 42);
    assert.equal(unit.used(), 3n, 'call_indirect, its index, and the callee');
  }
});
