// A worker gives each unit a memory it zeroed rather than a new one (worker.ts): a unit that tries
// to read what the unit before it left, in memory, in its data, or in its memory's size, must see
// exactly what a fresh instance sees, however the unit before it ended.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Executor } from '../../src-main/node/exec/index.js';
import { watToBinary } from './fixtures/hostile/modules.js';

/**
 * Outputs what it found: memory.size, the i32 at 8192 (where it leaves a mark), the 4 bytes of its
 * data segment at 16 ("seed"); then marks 8192 and overwrites its data. Its input's first byte
 * 'g' grows memory a page after that, 't' traps, 'b' marks the last byte of its 4 pages.
 */
const snoopWith = (data: string) =>
  watToBinary(`(module
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (memory (export "memory") 1 4)
  (data (i32.const 16) "${data}")
  (global $next (mut i32) (i32.const 1024))
  (func (export "mesh_abi_version") (result i32) (i32.const 1))
  (func (export "mesh_alloc") (param $len i32) (result i32) (local $p i32)
    (local.set $p (global.get $next))
    (global.set $next (i32.add (local.get $p) (local.get $len)))
    (local.get $p))
  (func (export "mesh_run") (param $pp i32) (param $pl i32) (param $ip i32) (param $il i32) (result i32)
    (local $op i32)
    (local.set $op (i32.load8_u (local.get $ip)))
    (i32.store (i32.const 60000) (memory.size))
    (i32.store (i32.const 60004) (i32.load (i32.const 8192)))
    (i32.store (i32.const 60008) (i32.load (i32.const 16)))
    (i32.store (i32.const 8192) (i32.const -559038737))
    (i32.store (i32.const 16) (i32.const 0x58585858))
    (if (i32.eq (local.get $op) (i32.const 103)) (then (drop (memory.grow (i32.const 1)))))
    (if (i32.eq (local.get $op) (i32.const 116)) (then (unreachable)))
    (i32.const 0))
  (func (export "mesh_output_ptr") (result i32) (i32.const 60000))
  (func (export "mesh_output_len") (result i32) (i32.const 12)))`);
const snoop = snoopWith('seed');

/** What a fresh instance finds: one page, no mark, its data as written. */
const FRESH = [1, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('seed')];

const pool = Executor.start({ workers: 1 });
after(() => pool.close());

const run = (op: string) => pool.run({ module: snoop, input: new TextEncoder().encode(op) });

test('each unit finds its memory as new, after a unit that marked it, grew it, or trapped', async () => {
  for (const op of ['a', 'a', 'g', 'a', 't', 'a', 'g', 'g', 'a']) {
    if (op === 't') {
      await assert.rejects(run(op), { code: 'Trap' });
      continue;
    }
    assert.deepEqual([...(await run(op)).output], FRESH, `a unit after others (this one: ${op})`);
  }
});

test('a burst of units in the same worker all find their memory as new', async () => {
  const ops = Array.from({ length: 60 }, (_, i) => 'agt'[i % 3]!);
  const outcomes = await Promise.allSettled(ops.map(run));
  outcomes.forEach((outcome, i) => {
    if (ops[i] === 't') assert.equal(outcome.status, 'rejected');
    else assert.deepEqual(outcome.status === 'fulfilled' && [...outcome.value.output], FRESH, `unit ${i}`);
  });
});

test('units of two modules with the same memory limits, in turn, each find their own data', async () => {
  // The same limits: their memories are kept for one another.
  const other = snoopWith('SEED');
  for (let i = 0; i < 6; i++) {
    const [mine, theirs] = await Promise.all([run('a'), pool.run({ module: other, input: new Uint8Array([97]) })]);
    assert.deepEqual([...mine.output], FRESH);
    assert.deepEqual([...theirs.output], [...FRESH.slice(0, 8), ...new TextEncoder().encode('SEED')]);
  }
});
