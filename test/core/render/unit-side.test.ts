// How big a render job's units are: tiles too short to be worth a unit go n×n to one, within the
// job's least number of units and the largest grouped side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_GROUPED_SIDE,
  MIN_UNIT_SECONDS,
  MIN_UNITS_PER_JOB,
  renderUnitSide,
  unitsPerFrame,
  type FrameProbe,
} from '../../../src-main/core/render/unit-side.js';

const FUEL_PER_SECOND = 3e10;

/** A probe of a 100×100 coarse frame whose every path costs `perSample` fuel, and a pixel `fixed`. */
function probe(perSample: number, fixed = 100_000): FrameProbe {
  return { fixedFuel: fixed, coarseFuel: fixed + perSample * 100 * 100, coarse: { x: 0, y: 0, w: 100, h: 100 } };
}

/** What a unit of this side is estimated to take, in seconds on the reference machine. */
const seconds = (side: number, spp: number, p: FrameProbe) =>
  (p.fixedFuel + ((p.coarseFuel - p.fixedFuel) / 10_000) * side * side * spp) / FUEL_PER_SECOND;

test('64-px tiles of ~3.9 ms go 2×2 to a unit, the smallest square past 15 ms', () => {
  const p = probe(1_800); // a 64-px tile at 16 spp: ~3.9 ms on the reference machine (the render_mesh benchmark's)
  const job = { width: 640, height: 360, tile: 64, spp: 16, frames: 4 };
  assert.ok(seconds(64, 16, p) < MIN_UNIT_SECONDS);
  const side = renderUnitSide(job, p, FUEL_PER_SECOND);
  assert.equal(side, 128);
  assert.ok(seconds(side, 16, p) >= MIN_UNIT_SECONDS);
  assert.equal(unitsPerFrame(640, 360, side), 15);
});

test('a tile already worth a unit stays as asked', () => {
  const job = { width: 640, height: 360, tile: 64, spp: 256, frames: 1 };
  assert.equal(renderUnitSide(job, probe(1_716), FUEL_PER_SECOND), 64);
});

test('grouping stops where the job would have fewer than MIN_UNITS_PER_JOB units', () => {
  // 320×180 in 16-px tiles: 240 tiles, each far under 15 ms.
  const job = { width: 320, height: 180, tile: 16, spp: 1, frames: 1 };
  const side = renderUnitSide(job, probe(1_716), FUEL_PER_SECOND);
  assert.ok(side > 16 && side % 16 === 0, `grouped, in whole tiles: ${side}`);
  assert.ok(unitsPerFrame(320, 180, side) >= MIN_UNITS_PER_JOB);
  assert.ok(unitsPerFrame(320, 180, side + 16) < MIN_UNITS_PER_JOB, 'and no further than that');
  // A job with fewer tiles than that is never grouped.
  assert.equal(renderUnitSide({ ...job, width: 64, height: 64 }, probe(1_716), FUEL_PER_SECOND), 16);
});

test('a 4K frame in 16-px tiles at 1 spp goes in squares of at most MAX_GROUPED_SIDE, at least 32 of them', () => {
  const job = { width: 3840, height: 2160, tile: 16, spp: 1, frames: 1 };
  const side = renderUnitSide(job, probe(1_716), FUEL_PER_SECOND);
  assert.ok(side <= MAX_GROUPED_SIDE && side % 16 === 0, String(side));
  assert.ok(unitsPerFrame(3840, 2160, side) >= MIN_UNITS_PER_JOB);
  assert.ok(unitsPerFrame(3840, 2160, side) < 32_400 / 100, `${unitsPerFrame(3840, 2160, side)} units, not 32,400`);
});

test('a tile as big as the frame, or bigger, is the frame', () => {
  const job = { width: 100, height: 50, tile: 200, spp: 1, frames: 64 };
  assert.equal(renderUnitSide(job, probe(1), FUEL_PER_SECOND), 200);
  // Grouping never passes a whole frame a unit.
  const many = { width: 100, height: 50, tile: 50, spp: 1, frames: 1_000 };
  assert.equal(renderUnitSide(many, probe(1), FUEL_PER_SECOND), 100);
});

test('a scene that costs nothing a path still gives a side (the fixed cost alone)', () => {
  const job = { width: 640, height: 360, tile: 8, spp: 1, frames: 10 };
  const side = renderUnitSide(job, probe(0, 0), FUEL_PER_SECOND);
  assert.ok(side >= 8 && side <= MAX_GROUPED_SIDE);
  assert.ok(10 * unitsPerFrame(640, 360, side) >= MIN_UNITS_PER_JOB);
});
