// A pack's run (node/mesh/units/unit-run.ts unitOutput) against units written to tell its runs apart:
// each unit must run alone (a module that counts its calls sees one, every time), a unit that
// traps must be that unit's failure and no other's, and two runs must make the same bytes.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { MAX_UNITS_PER_PACK, type WorkUnit } from '../../src-main/core/schemas/index.js';
import { cidOfBytes } from '../../src-main/node/blobs/cid.js';
import { Executor } from '../../src-main/node/exec/index.js';
import { nodeKinds } from '../../src-main/node/kinds/built-in.js';
import { agreedFailure, failedInPack, unitOutput } from '../../src-main/node/mesh/units/unit-run.js';
import { unpackInput, unpackOutput } from '../../src-main/node/mesh/units/pack-outputs.js';
import { hostileModule, reversed, watToBinary } from './fixtures/hostile/modules.js';

const pool = Executor.start({ workers: 2 });
after(() => pool.close());

const unitOf = (chunkBytes: number | undefined): WorkUnit => ({
  unit_id: 'job-1/0',
  job_id: 'job-1',
  algorithm_id: 'wasm',
  algorithm_version: '1.0.0',
  required_resources: { cpu_cores: 1, ram_gb: 0.0625 },
  estimated_duration_seconds: 0.001,
  priority: 0.5,
  verification_redundancy: 1,
  ...(chunkBytes === undefined ? {} : { pack_chunk_bytes: chunkBytes }),
});

const run = async (module: Uint8Array, input: Uint8Array, chunkBytes?: number) => {
  const signal = new AbortController().signal;
  const ran = await unitOutput(
    nodeKinds(() => undefined).of('wasm')!.runtime,
    { unit: unitOf(chunkBytes), module, input, signal, cpu: pool, gpu: undefined },
    Date.now,
  );
  if (ran instanceof Error) throw ran;
  return ran;
};

/** Counts its calls in a global and outputs the count as one byte: a reused instance would say 2, 3, … */
const COUNTER = watToBinary(`(module
  (memory (export "memory") 1 1)
  (global $calls (mut i32) (i32.const 0))
  (func (export "mesh_abi_version") (result i32) (i32.const 1))
  (func (export "mesh_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "mesh_run") (param i32 i32 i32 i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store8 (i32.const 0) (global.get $calls))
    (i32.const 0))
  (func (export "mesh_output_ptr") (result i32) (i32.const 0))
  (func (export "mesh_output_len") (result i32) (i32.const 1)))`);

test('each unit of a pack runs in an instance of its own', async () => {
  const outputs = unpackOutput((await run(COUNTER, new Uint8Array(40), 8)).output);
  assert.deepEqual(
    outputs,
    Array.from({ length: 5 }, () => Uint8Array.of(1)),
  );
});

test("a unit that traps is that unit's failure; the pack's other units keep their outputs", async () => {
  // 13 bytes in units of 4: the second starts with 0xFF (it traps), the last holds one byte.
  const input = Uint8Array.from(Buffer.from('abcdXxyzmnopq', 'latin1').map((b) => (b === 0x58 ? 0xff : b)));
  const chunks = unpackInput(input, 4);
  const ran = await run(hostileModule('reverse-or-trap'), input, 4);
  const outputs = unpackOutput(ran.output)!;
  assert.equal(outputs.length, 4, 'one output a unit, the last (shorter) one too');
  assert.deepEqual(outputs[0], reversed(chunks[0]!));
  assert.equal(agreedFailure(cidOfBytes(outputs[1]!)), 'Trap');
  assert.deepEqual(outputs[2], reversed(chunks[2]!));
  assert.deepEqual(outputs[3], reversed(chunks[3]!));
  assert.equal(failedInPack(outputs), 1);
  assert.ok(ran.fuel !== undefined && ran.fuel > 0, 'the pack burned its units’ fuel');
  const again = await run(hostileModule('reverse-or-trap'), input, 4);
  assert.equal(cidOfBytes(again.output), cidOfBytes(ran.output), 'every run of a pack makes the same bytes');
});

test('a pack of more units than a pack holds fails as too large, and runs none of them', async () => {
  const started = performance.now();
  const ran = await run(COUNTER, new Uint8Array(MAX_UNITS_PER_PACK + 1), 1);
  assert.equal(agreedFailure(cidOfBytes(ran.output)), 'InputTooLarge');
  assert.equal(ran.fuel, undefined, 'nothing ran');
  assert.ok(performance.now() - started < 1000);
});

test('a unit that is not a pack runs as before: its output is its own', async () => {
  const input = new TextEncoder().encode('abcdefgh');
  const ran = await run(hostileModule('reverse-or-trap'), input);
  assert.deepEqual(ran.output, reversed(input));
});

test('bytes that are not a pack output are refused', () => {
  assert.equal(unpackOutput(new TextEncoder().encode('{"error":"Trap"}')), undefined);
  assert.equal(unpackOutput(new Uint8Array()), undefined);
});
