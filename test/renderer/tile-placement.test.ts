import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blitTile, placeUnit } from '../../src-renderer/jobs/tile-placement.js';

test("a unit's index in its job names its frame and its tile (frames one after another)", () => {
  // frames 1..2 of 15 tiles each: unit 17 is the third tile of frame 2
  assert.deepEqual(placeUnit(17, 1, 15), { frame: 2, tileIndex: 2 });
  assert.deepEqual(placeUnit(0, 1, 15), { frame: 1, tileIndex: 0 });
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
