// Determinism where V8 alone would differ between machines (docs/UNIT_ABI.md, "Determinism"):
// how deep a unit may recurse (tail calls included), and the bits of the NaNs it makes, scalar and
// vector. Each unit runs in worker
// threads of different stack sizes, in processes on different tiers (Liftoff only, TurboFan only,
// V8's default), and every run must end the same way: the same code, message, fuel and output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CALL_DEPTH_SLOTS } from '../../src-main/node/exec/abi.js';
import { hostileModule, watToBinary } from './fixtures/hostile/modules.js';
import { wat } from './fixtures/metered-instance.js';

const STACK_SIZES_MB = '1,4,8';
const TIERS = [[], ['--liftoff', '--no-wasm-tier-up'], ['--no-liftoff']];
const runner = new URL('fixtures/unit-under-stacks.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mesh-stack-nan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Outcome = {
  module: string;
  stackSizeMb: number;
  ok: boolean;
  code?: string;
  message?: string;
  fuel: number;
  output?: number[];
};
type Agreed = Omit<Outcome, 'module' | 'stackSizeMb'>;

/** Every unit's outcome under every stack size and tier: one process per tier runs them all. */
function outcomesOf(modules: Record<string, Uint8Array>): Map<string, Outcome[]> {
  const paths = Object.entries(modules).map(([name, module]) => {
    const path = join(dir, `${name}.wasm`);
    writeFileSync(path, module);
    return path;
  });
  const byModule = new Map<string, Outcome[]>();
  for (const flags of TIERS) {
    const run = spawnSync(process.execPath, [...flags, runner, STACK_SIZES_MB, ...paths], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${flags.join(' ')}: ${run.stderr}`);
    for (const line of run.stdout.trim().split('\n')) {
      const outcome = JSON.parse(line) as Outcome;
      const name = outcome.module.slice(dir.length + 1, -'.wasm'.length);
      byModule.set(name, [...(byModule.get(name) ?? []), outcome]);
    }
  }
  return byModule;
}

function assertAllAlike(name: string): Agreed {
  const outcomes = ranEverywhere.get(name)!;
  assert.equal(outcomes.length, TIERS.length * STACK_SIZES_MB.split(',').length, name);
  const [first, ...rest] = outcomes.map(({ module: _module, stackSizeMb: _stack, ...same }) => same);
  for (const [i, other] of rest.entries())
    assert.deepEqual(other, first, `run ${i + 1} (${JSON.stringify(outcomes[i + 1])}) differs from run 0`);
  return first!;
}

const unit = (body: string, run: string) => `(module
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (memory (export "memory") 1 16)
  ${body}
  (func (export "mesh_abi_version") (result i32) (i32.const 1))
  (func (export "mesh_alloc") (param $len i32) (result i32) (i32.const 1024))
  (func (export "mesh_run") (param i32 i32 i32 i32) (result i32) ${run})
  (func (export "mesh_output_ptr") (result i32) (i32.const 0))
  (func (export "mesh_output_len") (result i32) (i32.const 64)))`;

// Recursion whose frames are wide (many locals), so a count of calls alone would not do.
const wideFrames = unit(
  `(func $wide (param $d i32) (result i32) (local ${'i64 '.repeat(2000)})
     (local.set 2000 (i64.const 1))
     (i32.add (call $wide (i32.add (local.get $d) (i32.const 1))) (i32.wrap_i64 (local.get 2000))))`,
  '(drop (call $wide (i32.const 0))) (i32.const 0)',
);

// Mutual recursion through call_indirect, with values left waiting on the operand stack.
const indirect = unit(
  `(type $t (func (param i32) (result i32)))
   (table 2 2 funcref) (elem (i32.const 0) $ping $pong)
   (func $ping (type $t) (param $d i32) (result i32)
     (i32.add (local.get $d) (i32.add (i32.const 1) (i32.add (i32.const 2)
       (call_indirect (type $t) (i32.add (local.get $d) (i32.const 1)) (i32.const 1))))))
   (func $pong (type $t) (param $d i32) (result i32)
     (return (call_indirect (type $t) (local.get $d) (i32.const 0))))`,
  '(drop (call $ping (i32.const 0))) (i32.const 0)',
);

test('a recursion with no end traps the same way, after the same fuel, at every stack size and tier', () => {
  for (const name of ['deep-recursion', 'wide-frames', 'call-indirect']) {
    const outcome = assertAllAlike(name);
    assert.equal(outcome.ok, false, name);
    assert.equal(outcome.code, 'Trap', name);
    assert.match(outcome.message!, new RegExp(`call depth .*${CALL_DEPTH_SLOTS}`), name);
  }
});

// Recursion that ends, 2,000 deep, 50 times over: the depth must come back down on every way out
// of a function (falling off the end, `return` with and without a value), or the budget runs out.
const bounded = unit(
  `(global $sum (mut i32) (i32.const 0))
   (func $down (param $n i32) (result i32)
     (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
     (i32.add (call $down (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))
   (func $count (param $n i32)
     (global.set $sum (i32.add (global.get $sum) (i32.const 1)))
     (if (i32.eqz (local.get $n)) (then (return)))
     (call $count (i32.sub (local.get $n) (i32.const 1))))`,
  `(local $i i32)
   (loop $again
     (global.set $sum (i32.add (global.get $sum) (call $down (i32.const 2000))))
     (call $count (i32.const 2000))
     (local.set $i (i32.add (local.get $i) (i32.const 1)))
     (br_if $again (i32.lt_u (local.get $i) (i32.const 50))))
   (i32.store (i32.const 0) (global.get $sum))
   (i32.const 0)`,
);

test('recursion within the budget runs to its end, 50 times over, alike everywhere', () => {
  const outcome = assertAllAlike('bounded');
  assert.equal(outcome.ok, true, outcome.message);
  assert.equal(new DataView(new Uint8Array(outcome.output!).buffer).getUint32(0, true), 50 * 2001 * 2);
});

// NaNs made by arithmetic, whose sign and payload WebAssembly leaves to the machine (x86 makes
// 0/0 negative, ARM positive; two NaN operands pick one payload by rules that differ), each
// stored, reinterpreted or used as a sign, beside ordinary values that must not change.
const nans = unit(
  `(data (i32.const 512) "\\01\\00\\a0\\7f" "\\01\\00\\00\\00\\00\\00\\f4\\ff")`,
  `(local $zero f32) (local $dzero f64)
   (f32.store (i32.const 0) (f32.div (local.get $zero) (local.get $zero)))
   (f64.store (i32.const 4) (f64.sqrt (f64.const -1)))
   (f32.store (i32.const 12) (f32.add (f32.load (i32.const 512)) (f32.const 1)))
   (f64.store (i32.const 16) (f64.mul (f64.load (i32.const 516)) (f64.div (local.get $dzero) (local.get $dzero))))
   (i32.store (i32.const 24) (i32.reinterpret_f32 (f32.demote_f64 (f64.load (i32.const 516)))))
   (i64.store (i32.const 28) (i64.reinterpret_f64 (f64.promote_f32 (f32.load (i32.const 512)))))
   (f32.store (i32.const 36) (f32.copysign (f32.const 1) (f32.div (local.get $zero) (local.get $zero))))
   (f64.store (i32.const 40) (f64.mul (f64.const 1.5) (f64.const -2)))
   (f32.store (i32.const 48) (f32.neg (f32.const 0.25)))
   (f32.store (i32.const 52) (f32.min (f32.const 3) (f32.const -7)))
   (i32.const 0)`,
);

test('NaNs a unit makes reach its output as the one canonical NaN, alike everywhere; other floats are untouched', () => {
  const outcome = assertAllAlike('nans');
  assert.equal(outcome.ok, true, outcome.message);
  const out = new DataView(new Uint8Array(outcome.output!).buffer);
  const f32Nan = 0x7fc00000;
  const f64Nan = 0x7ff8000000000000n;
  assert.equal(out.getUint32(0, true), f32Nan, '0/0');
  assert.equal(out.getBigUint64(4, true), f64Nan, 'sqrt(-1)');
  assert.equal(out.getUint32(12, true), f32Nan, 'signalling NaN + 1');
  assert.equal(out.getBigUint64(16, true), f64Nan, 'NaN × NaN');
  assert.equal(out.getUint32(24, true), f32Nan, 'demoted NaN, reinterpreted');
  assert.equal(out.getBigUint64(28, true), f64Nan, 'promoted NaN, reinterpreted');
  assert.equal(out.getFloat32(36, true), 1, 'copysign(1, 0/0)');
  assert.equal(out.getFloat64(40, true), -3);
  assert.equal(out.getFloat32(48, true), -0.25);
  assert.equal(out.getFloat32(52, true), -7);
});

// Tail calls a million deep (direct and through a table) run on the depth of one frame; a recursion
// in a tail call's operands still ends at the limit.
const tailCalls = unit(
  `(type $t (func (param i32 i32) (result i32)))
   (table 1 1 funcref) (elem (i32.const 0) $down)
   (func $down (type $t) (param $n i32) (param $acc i32) (result i32)
     (if (result i32) (i32.eqz (local.get $n)) (then (local.get $acc))
       (else (return_call_indirect (type $t) (i32.sub (local.get $n) (i32.const 1))
         (i32.add (local.get $acc) (i32.const 3)) (i32.const 0)))))
   (func $up (param $n i32) (param $acc i32) (result i32)
     (if (result i32) (i32.eqz (local.get $n)) (then (local.get $acc))
       (else (return_call $up (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (i32.const 2))))))`,
  `(i32.store (i32.const 0) (call $down (i32.const 1000000) (i32.const 0)))
   (i32.store (i32.const 4) (call $up (i32.const 1000000) (i32.const 0)))
   (i32.const 0)`,
);
const tailOperands = unit(
  `(func $id (param i32) (result i32) (local.get 0))
   (func $nest (param $n i32) (result i32) (return_call $id (call $nest (i32.add (local.get $n) (i32.const 1)))))`,
  '(drop (call $nest (i32.const 0))) (i32.const 0)',
);

test('tail calls a million deep run alike everywhere; a recursion in their operands traps at the depth limit', () => {
  const deep = assertAllAlike('tail-calls');
  assert.equal(deep.ok, true, deep.message);
  const out = new DataView(new Uint8Array(deep.output!).buffer);
  assert.deepEqual([out.getUint32(0, true), out.getUint32(4, true)], [3_000_000, 2_000_000]);
  const nested = assertAllAlike('tail-operands');
  assert.equal(nested.code, 'Trap');
  assert.match(nested.message!, new RegExp(`call depth .*${CALL_DEPTH_SLOTS}`));
});

// Vector NaNs, made where V8's tiers and machines may differ, stored and read as integers.
const vectorNans = unit(
  `(data (i32.const 512) "\\01\\00\\a0\\7f\\01\\00\\a0\\ff\\00\\00\\c0\\7f\\00\\00\\c0\\ff")`,
  `(local $z v128) (local $p v128)
   (local.set $p (v128.load (i32.const 512)))
   (v128.store (i32.const 0) (f32x4.div (local.get $z) (local.get $z)))
   (v128.store (i32.const 16) (f32x4.mul (local.get $p) (f32x4.add (local.get $p) (local.get $p))))
   (v128.store (i32.const 32) (f64x2.sqrt (f64x2.neg (v128.const f64x2 1 4))))
   (i32.store (i32.const 48) (i32x4.bitmask (f32x4.min (local.get $p) (f32x4.nearest (local.get $p)))))
   (i32.const 0)`,
);

test('NaNs vector operations make are the canonical NaN of their lanes, alike everywhere', () => {
  const outcome = assertAllAlike('vector-nans');
  assert.equal(outcome.ok, true, outcome.message);
  const out = new DataView(new Uint8Array(outcome.output!).buffer);
  for (let i = 0; i < 8; i++) assert.equal(out.getUint32(i * 4, true), 0x7fc00000, `f32 lane ${i}`);
  for (let i = 0; i < 2; i++) assert.equal(out.getBigUint64(32 + i * 8, true), 0x7ff8000000000000n, `f64 lane ${i}`);
  assert.equal(out.getUint32(48, true), 0, 'no sign bit');
});

let ranEverywhere = new Map<string, Outcome[]>();
before(() => {
  ranEverywhere = outcomesOf({
    'deep-recursion': hostileModule('deep-recursion'),
    'wide-frames': watToBinary(wideFrames),
    'call-indirect': watToBinary(indirect),
    bounded: watToBinary(bounded),
    nans: watToBinary(nans),
    'tail-calls': wat(tailCalls),
    'tail-operands': wat(tailOperands),
    'vector-nans': wat(vectorNans),
  });
});
