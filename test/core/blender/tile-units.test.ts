// A Blender job cut into tiles, its pure parts: a tile unit's input (its frame and tile index) and
// what a provider renders from it, the grid's checks, and which frame a unit's index belongs to
// (the requester stitches by it) and how many frames a job of tiles assembles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FRAME_BYTES,
  frameTileInputs,
  TILE_UNIT_BYTES,
  tileUnitOf,
  unitWork,
  type BlenderUnitParams,
} from '../../../src-main/core/blender/unit.js';
import { tileGrid } from '../../../src-main/core/blender/tiles.js';
import { BlenderTilesSchema, TileGridSchema } from '../../../src-main/core/schemas/blender-tiles.js';
import { frameLayoutOf, frameOfUnit, framesOfJob, unitsOfFrame } from '../../../src-main/core/kinds/frames.js';
import { validate } from '../../../src-main/core/schemas/index.js';

const PARAMS: BlenderUnitParams = { file: 'scene.blend', zip: false, samples: 4, seed: 3, width: 64, height: 48 };

test("a frame's tile units are its grid's tiles in order, each rendering its tile's exact pixels", () => {
  const grid = { cols: 2, rows: 2 };
  const inputs = frameTileInputs(7, grid);
  assert.equal(inputs.byteLength, 4 * TILE_UNIT_BYTES);
  const rects = tileGrid(64, 48, 2, 2);
  for (let t = 0; t < 4; t++) {
    const input = inputs.subarray(t * TILE_UNIT_BYTES, (t + 1) * TILE_UNIT_BYTES);
    assert.deepEqual(tileUnitOf(input, grid), { frame: 7, tile: t });
    assert.deepEqual(unitWork({ ...PARAMS, tiles: grid }, input), { frame: 7, tile: rects[t] });
  }
  // A whole-frame job's unit is its frame alone.
  assert.deepEqual(unitWork(PARAMS, inputs.subarray(0, FRAME_BYTES)), { frame: 7 });
});

test('a tile unit whose input or grid no honest requester makes renders nothing', () => {
  const grid = { cols: 2, rows: 2 };
  const beyond = frameTileInputs(1, { cols: 3, rows: 2 }).subarray(4 * TILE_UNIT_BYTES, 5 * TILE_UNIT_BYTES);
  assert.equal(tileUnitOf(beyond, grid), undefined, 'tile 4 of a 2×2 grid');
  assert.equal(unitWork({ ...PARAMS, tiles: grid }, new Uint8Array(FRAME_BYTES)), undefined, 'a frame without a tile');
  assert.equal(unitWork(PARAMS, new Uint8Array(TILE_UNIT_BYTES)), undefined, 'a tile of an untiled job');
  const tooFine = frameTileInputs(1, { cols: 16, rows: 1 }).subarray(0, TILE_UNIT_BYTES);
  assert.equal(
    unitWork({ ...PARAMS, width: 8, tiles: { cols: 16, rows: 1 } }, tooFine),
    undefined,
    '16 columns of 8 px',
  );
  assert.equal(validate(TileGridSchema, { cols: 17, rows: 1 }).ok, false);
  assert.equal(validate(TileGridSchema, { cols: 0, rows: 1 }).ok, false);
});

test("a unit's frame follows from its index; a job of tiles assembles its frames, any other none", () => {
  const tiles = { cols: 2, rows: 3, first_frame: 10, width: 64, height: 48 };
  assert.ok(validate(BlenderTilesSchema, tiles).ok);
  const layout = frameLayoutOf({ unit_count: 18, blender_tiles: tiles });
  assert.deepEqual(
    [0, 5, 6, 11, 12].map((i) => frameOfUnit(layout, i)),
    [10, 10, 11, 11, 12],
  );
  assert.deepEqual(unitsOfFrame(layout!, 11), { from: 6, to: 12 });
  assert.equal(unitsOfFrame(layout!, 13), undefined, 'no frame past the last');
  assert.equal(framesOfJob({ unit_count: 18, blender_tiles: tiles }), 3);
  const render = {
    first_frame: 2,
    last_frame: 5,
    width: 8,
    height: 8,
    spp: 1,
    tile: 4,
    seed: 0,
    gpu: 'forbidden' as const,
  };
  assert.equal(framesOfJob({ unit_count: 16, render }), 4);
  assert.equal(frameOfUnit(frameLayoutOf({ unit_count: 16, render }), 9), 4, "a render's tile: 4 a frame");
  assert.equal(framesOfJob({ unit_count: 3, blender_composite: true }), 3);
  assert.equal(
    frameOfUnit(frameLayoutOf({ unit_count: 3, blender_composite: true }), 1),
    undefined,
    'read from its input',
  );
  assert.equal(framesOfJob({ unit_count: 18 }), 0);
});
