// SIMD128 under the metering (docs/UNIT_ABI.md, "Fuel" and "Determinism"): a vector instruction
// is a fuel like any other, and every NaN a vector operation makes reaches memory, an integer lane
// or a bitmask as the canonical NaN of its lanes, whichever way it travels (locals reused for other
// lanes, a loop, a block's result, a branch, a call, a return); bits that are only moved (integers,
// -0, a NaN read from memory and negated) stay as they are. On x86, whose default NaN is negative,
// a NaN left alone would show as ffc00000. exec-stack-nan.test.ts runs a SIMD unit on every tier.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuelOf, meteredInstance, wat } from './fixtures/metered-instance.js';

// At 1024: an f32x4 of NaNs with payloads (0xffa00001); 1040: an f64x2 of them (0xfff4000000000001);
// 1056: zeros; 1072: an i32x4 of -1, whose bits are NaNs as floats.
const DATA = `(data (i32.const 1024) "${'\\01\\00\\a0\\ff'.repeat(4)}${'\\01\\00\\00\\00\\00\\00\\f4\\ff'.repeat(2)}")
  (data (i32.const 1072) "${'\\ff'.repeat(16)}")`;
const P = '(v128.load (i32.const 1024))';
const DP = '(v128.load (i32.const 1040))';
const Z = '(v128.load (i32.const 1056))';
const ONES = '(v128.load (i32.const 1072))';
const ONE = '(v128.const f32x4 1 1 1 1)';

/** Each case writes 16 bytes at address 0 (or returns what it shows). */
const CASES: Record<string, string> = {
  stored: `(v128.store (i32.const 0) (f32x4.div ${Z} ${Z}))`,
  f64_stored: `(v128.store (i32.const 0) (f64x2.mul ${DP} ${DP}))`,
  and: `(v128.store (i32.const 0) (v128.and (f32x4.mul ${P} ${P}) ${ONES}))`,
  shuffle: `(v128.store (i32.const 0) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (f32x4.sqrt (f32x4.neg ${ONE})) ${Z}))`,
  local: `(local $v v128) (local.set $v (f32x4.add ${P} ${ONE})) (v128.store (i32.const 0) (local.get $v))`,
  // One local holds an f64x2, then an f32x4: each canonicalised in its own lanes.
  reused: `(local $v v128)
    (local.set $v (f64x2.add ${DP} ${Z})) (v128.store (i32.const 0) (local.get $v))
    (local.set $v (f32x4.max ${P} ${ONE})) (v128.store (i32.const 16) (local.get $v))`,
  loop: `(local $v v128) (local $i i32) (local.set $v ${P})
    (loop $again
      (local.set $v (f32x4.mul (local.get $v) ${ONE}))
      (br_if $again (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 3))))
    (v128.store (i32.const 0) (local.get $v))`,
  tee: `(local $v v128)
    (v128.store (i32.const 0) (f32x4.add (local.tee $v (f32x4.floor ${P})) (local.get $v)))
    (v128.store (i32.const 16) (local.get $v))`,
  block: `(v128.store (i32.const 0) (block (result v128) (f32x4.nearest ${P})))`,
  branch: `(v128.store (i32.const 0) (block $b (result v128) (br $b (f32x4.min ${P} ${ONE}))))`,
  call: `(call $store (f32x4.div ${Z} ${Z}))`,
  return: `(v128.store (i32.const 0) (call $make))`,
  // f32x4 lanes read as f64x2: made canonical as f32 lanes first, so the f64 sum is one number.
  other_lanes: `(v128.store (i32.const 0) (f64x2.add (f32x4.div ${Z} ${Z}) ${Z}))`,
  demote: `(v128.store (i32.const 0) (f32x4.demote_f64x2_zero ${DP}))`,
  promote: `(v128.store (i32.const 0) (f64x2.promote_low_f32x4 ${P}))`,
  splat: `(v128.store (i32.const 0) (f32x4.splat (f32.div (f32.const 0) (f32.const 0))))`,
  replace: `(v128.store (i32.const 0) (f64x2.replace_lane 1 ${Z} (f64.sqrt (f64.const -1))))`,
  lane: `(i32.store (i32.const 0) (i32x4.extract_lane 2 (f32x4.sub (f32x4.splat (f32.const inf)) (f32x4.splat (f32.const inf)))))`,
  bitmask: `(i32.store (i32.const 0) (i32x4.bitmask (f32x4.div ${Z} ${Z})))`,
  // Bits only moved: left as they are.
  negative_zero: `(v128.store (i32.const 0) (f32x4.mul (v128.const f32x4 -0 -0 -0 -0) ${ONE}))`,
  integers: `(v128.store (i32.const 0) (f32x4.abs ${ONES}))`,
  negated: `(v128.store (i32.const 0) (f32x4.neg ${P}))`,
  pmin: `(v128.store (i32.const 0) (f32x4.pmin ${P} ${ONE}))`,
};

const SIMD = wat(`(module
  (memory (export "memory") 1 16)
  ${DATA}
  (func $store (param v128) (v128.store (i32.const 0) (local.get 0)))
  (func $make (result v128) (f32x4.sqrt (v128.const f32x4 -1 -1 -1 -1)))
  ${Object.entries(CASES)
    .map(([name, body]) => `(func (export "${name}") ${body})`)
    .join('\n  ')}
  (func (export "sum") (param i32) (result i32)
    (i32x4.extract_lane 0 (i32x4.add (v128.load (local.get 0)) (i32x4.splat (i32.const 3))))))`);

const F32 = '7fc00000';
const F64 = '7ff8000000000000';

/** The words at 0 after a case, as hex: 32-bit or 64-bit lanes. */
function after(name: string, bits: 32 | 64 = 32, count = 16 / (bits / 8)): string[] {
  const unit = meteredInstance(SIMD);
  unit.call(name);
  const view = new DataView(unit.exports.memory.buffer);
  return Array.from({ length: count }, (_, i) =>
    bits === 32
      ? view
          .getUint32(i * 4, true)
          .toString(16)
          .padStart(8, '0')
      : view
          .getBigUint64(i * 8, true)
          .toString(16)
          .padStart(16, '0'),
  );
}

test('a SIMD instruction costs a fuel like any other; the canonicalisation costs none', () => {
  const unit = meteredInstance(SIMD);
  new DataView(unit.exports.memory.buffer).setInt32(2048, 39, true);
  assert.equal(unit.call('sum', 2048), 42);
  // extract_lane, add, load, local.get, splat, const
  assert.equal(fuelOf(SIMD, 'sum', 2048), 6n);
  // store and its address, div, two loads and their addresses: 7, whatever the canonicalisation adds
  assert.equal(fuelOf(SIMD, 'stored'), 7n);
});

test('NaNs that vector operations make are canonical wherever their bits can be seen', () => {
  assert.deepEqual(after('stored'), [F32, F32, F32, F32]);
  assert.deepEqual(after('f64_stored', 64), [F64, F64]);
  assert.deepEqual(after('and'), [F32, F32, F32, F32]);
  assert.deepEqual(after('shuffle'), [F32, F32, F32, F32]);
  assert.deepEqual(after('local'), [F32, F32, F32, F32]);
  assert.deepEqual(after('reused', 32, 8).slice(4), [F32, F32, F32, F32]);
  assert.deepEqual(after('reused', 64), [F64, F64]);
  assert.deepEqual(after('loop'), [F32, F32, F32, F32]);
  assert.deepEqual(after('tee', 32, 8), Array(8).fill(F32));
  assert.deepEqual(after('block'), [F32, F32, F32, F32]);
  assert.deepEqual(after('branch'), [F32, F32, F32, F32]);
  assert.deepEqual(after('call'), [F32, F32, F32, F32]);
  assert.deepEqual(after('return'), [F32, F32, F32, F32]);
  assert.deepEqual(after('other_lanes', 64), ['7fc000007fc00000', '7fc000007fc00000']);
  assert.deepEqual(after('demote'), [F32, F32, '00000000', '00000000']);
  assert.deepEqual(after('promote', 64), [F64, F64]);
  assert.deepEqual(after('splat'), [F32, F32, F32, F32]);
  assert.deepEqual(after('replace', 64), ['0000000000000000', F64]);
  assert.deepEqual(after('lane', 32, 1), [F32]);
  assert.deepEqual(after('bitmask', 32, 1), ['00000000'], 'canonical NaNs are positive');
});

test('bits a vector operation only moves stay as they are: -0, integers, a NaN read from memory', () => {
  assert.deepEqual(after('negative_zero'), Array(4).fill('80000000'));
  assert.deepEqual(after('integers'), Array(4).fill('7fffffff'));
  assert.deepEqual(after('negated'), Array(4).fill('7fa00001'));
  assert.deepEqual(after('pmin'), Array(4).fill('ffa00001'));
});
