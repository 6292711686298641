// Where a packed job's units lie (core/mesh/rules/packs.ts): sizes the node picks, a unit's pack and place,
// and the units a job and each of its packs hold, the last pack's shorter count included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultUnitsPerPack,
  packOf,
  unitsInPack,
  unitsOfJob,
  unitsPerPackOf,
} from '../../src-main/core/mesh/rules/packs.js';
import { MAX_UNITS_PER_PACK } from '../../src-main/core/schemas/index.js';

test('the node packs tiny units up to 16 KiB of input, and leaves units of 10 ms or more alone', () => {
  assert.equal(defaultUnitsPerPack(64, 0.000001), MAX_UNITS_PER_PACK);
  assert.equal(defaultUnitsPerPack(1024, 0.00002), 16);
  assert.equal(defaultUnitsPerPack(64 * 1024, 0.001), 1, 'a unit over 16 KiB rides alone');
  assert.equal(defaultUnitsPerPack(64, 0.01), 1, 'a unit of 10 ms is not tiny');
  assert.equal(defaultUnitsPerPack(4, 0.005), 5, 'units of 5 ms go 5 a pack: about 25 ms');
  assert.equal(defaultUnitsPerPack(4, 0.009), 2);
});

test("a unit's pack and place, and the units in the last pack", () => {
  assert.deepEqual(packOf(0, 256), { pack: 0, place: 0 });
  assert.deepEqual(packOf(257, 256), { pack: 1, place: 1 });
  assert.equal(unitsInPack(0, 256, 1000), 256);
  assert.equal(unitsInPack(3, 256, 1000), 1000 - 3 * 256);
  assert.equal(unitsInPack(4, 256, 1000), 0);
});

test('a packed job counts the units of its input, not its packs', () => {
  const job = { unit_count: 4, units_per_pack: 256 };
  const input = { cid: 'x', bytes: 1000 * 64 - 10, chunk_bytes: 256 * 64 };
  assert.equal(unitsOfJob({ job: job as never, input }), 1000);
  assert.equal(unitsOfJob({ job: { unit_count: 7 } as never, input: undefined }), 7);
  assert.equal(unitsPerPackOf({}), 1);
});
