import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { splitFrame } from '../../src-main/core/render/tiles.js';
import { blitTile, inferTileSize, placeUnit } from '../../src-renderer/jobs/tile-placement.js';

test("a unit's index in its job names its frame and its tile (frames one after another)", () => {
  // frames 1..2 of 15 tiles each: unit 17 is the third tile of frame 2
  assert.deepEqual(placeUnit(17, 1, 15), { frame: 2, tileIndex: 2 });
  assert.deepEqual(placeUnit(0, 1, 15), { frame: 1, tileIndex: 0 });
});

test('the tile size comes back from the tile count and one tile output, where the count alone cannot tell', () => {
  // 256×256 in 16 tiles fits every tile size from 64 to 85; the first tile's 64×64×4 bytes say 64.
  assert.equal(inferTileSize(256, 256, 16, [{ tileIndex: 0, bytes: 64 * 64 * 4 }]), 64);
  assert.equal(inferTileSize(256, 256, 16, [{ tileIndex: 15, bytes: (256 - 3 * 70) ** 2 * 4 }]), 70);
  assert.equal(inferTileSize(160, 90, 15, [{ tileIndex: 4, rect: { x: 128, y: 0, w: 32, h: 32 } }]), 32);
  assert.equal(inferTileSize(160, 90, 7, []), undefined); // no tile size gives 7 tiles
});

test('whatever tile size a job used, a few tile outputs are enough to place every tile where the node did', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 300 }),
      (width, height, size) => {
        const tiles = splitFrame(width, height, size);
        assert.ok(tiles.ok);
        const clues = tiles.value.map((t, tileIndex) => ({ tileIndex, bytes: t.w * t.h * 4 }));
        const inferred = inferTileSize(width, height, tiles.value.length, clues);
        assert.ok(inferred !== undefined);
        const placed = splitFrame(width, height, inferred);
        assert.ok(placed.ok);
        assert.deepEqual(placed.value, tiles.value);
      },
    ),
    { numRuns: 200 },
  );
});

test('a tile lands at its place in the frame; a tile that does not fit changes nothing', () => {
  const frame = new Uint8ClampedArray(4 * 3 * 4); // 4×3
  const tile = Uint8Array.from({ length: 2 * 2 * 4 }, (_, i) => i + 1);
  assert.equal(blitTile(frame, 4, { x: 2, y: 1, w: 2, h: 2 }, tile), undefined);
  const pixel = (x: number, y: number) => [...frame.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4)];
  assert.deepEqual(pixel(2, 1), [1, 2, 3, 4]);
  assert.deepEqual(pixel(3, 2), [13, 14, 15, 16]);
  assert.deepEqual(pixel(0, 0), [0, 0, 0, 0]);

  const before = [...frame];
  assert.match(blitTile(frame, 4, { x: 3, y: 1, w: 2, h: 2 }, tile) ?? '', /not inside/);
  assert.match(blitTile(frame, 4, { x: 0, y: 0, w: 2, h: 2 }, tile.subarray(1)) ?? '', /bytes/);
  assert.deepEqual([...frame], before);
});
