// Multi-value and tail calls under the metering (docs/UNIT_ABI.md, "Fuel" and "Determinism"):
// functions and blocks with several results run and are charged as binaryen's tree counts them; a
// frame's weight counts every value of a tuple; a tail call takes its frame's weight off the call
// depth after its operands and before the callee's frame is made, so a tail recursion runs as deep
// as it likes on the same depth, while a recursion in a tail call's operands still ends at the limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Metered, meteredInstance, wat } from './fixtures/metered-instance.js';

/** A metered instance whose env.abort, called through `$probe`, notes the call depth. */
function probed(bytes: Uint8Array, fuel?: bigint): Metered & { depths: number[] } {
  const depths: number[] = [];
  const unit = meteredInstance(bytes, fuel, { abort: () => void depths.push(unit.depth()) });
  return Object.assign(unit, { depths });
}

const PROBE = `(import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (memory (export "memory") 1 16)
  (func $probe (result i32) (call $abort (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)) (i32.const 0))`;

const MULTI = wat(`(module ${PROBE}
  (func $divmod (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "divmod") (param i32 i32) (result i32)
    (call $divmod (local.get 0) (local.get 1)) (i32.const 1000) (i32.mul) (i32.add))
  (func $mixed (param i32) (result i32 i64 f64)
    (local.get 0) (i64.extend_i32_u (local.get 0)) (f64.convert_i32_u (local.get 0)))
  (func (export "mixed") (param i32) (result f64) (local $f f64) (local $i i64)
    (call $mixed (local.get 0)) (local.set $f) (local.set $i) (drop)
    (f64.add (local.get $f) (f64.convert_i64_u (local.get $i))))
  (func (export "branch") (param i32) (result i32)
    (block $b (result i32 i32)
      (br_if $b (i32.const 10) (i32.const 3) (local.get 0))
      (drop) (drop) (i32.const 1) (i32.const 2))
    (i32.sub))
  (func (export "params") (param i32) (result i32)
    (i32.const 7) (local.get 0) (block (param i32 i32) (result i32) (i32.mul)))
  (func $four (result i64 i64 i64 i64) (drop (call $probe)) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4))
  (func $one (result i64) (drop (call $probe)) (i64.const 1))
  (func (export "probe_four") (drop (call $probe)) (call $four) (drop) (drop) (drop) (drop))
  (func (export "probe_one") (drop (call $probe)) (drop (call $one))))`);

test('functions and blocks with several results, branches carrying them and blocks taking params run metered', () => {
  const unit = probed(MULTI);
  assert.equal(unit.call('divmod', 47, 5), 9 + 2 * 1000);
  assert.equal(unit.call('mixed', 21), 42);
  assert.equal(unit.call('branch', 1), 7, 'br_if carried both values');
  assert.equal(unit.call('branch', 0), -1);
  assert.equal(unit.call('params', 6), 42);
  assert.equal(unit.depth(), 0, 'every frame took its weight off again');
  // Fuel is binaryen's tree, the same on every run.
  const fuel = () => {
    const fresh = probed(MULTI);
    fresh.call('divmod', 47, 5);
    fresh.call('branch', 1);
    return fresh.used();
  };
  assert.equal(fuel(), fuel());
});

test("a frame's weight counts each value of its tuple results and operands", () => {
  const unit = probed(MULTI);
  unit.call('probe_four');
  unit.call('probe_one');
  // Each caller probes before its call and the callee after: the difference is the callee's weight.
  const [fourCaller, four, oneCaller, one] = unit.depths;
  // Four results against one: three more slots on the operand stack, three more in the temporary
  // local the depth's bookkeeping keeps the results in.
  assert.equal(four! - fourCaller! - (one! - oneCaller!), 6);
});

const TAIL = wat(`(module ${PROBE}
  (type $t (func (param i32) (result i32)))
  (table 2 2 funcref)
  (elem (i32.const 0) $count $count_indirect)
  (func $count (type $t)
    (if (result i32) (i32.eqz (local.get 0))
      (then (call $probe))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1))))))
  (func $count_indirect (type $t)
    (if (result i32) (i32.eqz (local.get 0))
      (then (call $probe))
      (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))))
  (func (export "count") (param i32) (result i32) (call $count (local.get 0)))
  (func (export "count_indirect") (param i32) (result i32) (call $count_indirect (local.get 0)))
  (func $leaf (result i32) (call $probe))
  (func $to_leaf (result i32) (return_call $leaf))
  (func (export "via_tail") (result i32) (call $to_leaf))
  (func (export "direct") (result i32) (call $leaf))
  (func $nest (param i32) (result i32)
    (return_call $count (call $nest (i32.add (local.get 0) (i32.const 1)))))
  (func (export "nest") (result i32) (call $nest (i32.const 0)))
  (func $forever (param i32) (result i32) (return_call $forever (i32.add (local.get 0) (i32.const 1))))
  (func (export "forever") (result i32) (call $forever (i32.const 0))))`);

test('a tail call leaves its frame: a million tail calls deep, the depth is what one call makes', () => {
  for (const name of ['count', 'count_indirect']) {
    const unit = probed(TAIL);
    assert.equal(unit.call(name, 0), 0);
    assert.equal(unit.call(name, 1_000_000), 0);
    const [once, deep] = unit.depths;
    assert.equal(deep, once, name);
    assert.equal(unit.depth(), 0, `${name}: every frame took its weight off again`);
  }
  // A tail call with no operands too: $to_leaf's frame is gone by the time $leaf's is made.
  const unit = probed(TAIL);
  unit.call('via_tail');
  unit.call('direct');
  assert.equal(unit.depths[0], unit.depths[1]);
});

test("a recursion in a tail call's operands still ends at the depth limit; an endless tail recursion runs out of fuel", () => {
  const nested = probed(TAIL);
  assert.throws(() => nested.call('nest'), /unreachable/);
  assert.ok(nested.depth() > 65_536, `the depth trap fired (${nested.depth()})`);
  assert.ok(nested.used() < 1_000_000_000_000n, 'not for want of fuel');
  const endless = probed(TAIL, 10_000_000n);
  assert.throws(() => endless.call('forever'), /unreachable/);
  assert.ok(endless.used() > 10_000_000n, 'the fuel ran out');
  assert.ok(endless.depth() < 100, `on the depth of two frames (${endless.depth()})`);
});
