// A tiled Blender job's input as the requester's node makes its units from it (tileInputs): the
// frames the API was given, four bytes each, however the stream cuts them, become each frame's
// tile units, frame after frame; frames that do not follow one another, or a broken last frame,
// are refused (a unit's frame follows from its index).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { framesInput, frameTileInputs } from '../../../src-main/core/blender/unit.js';
import { tileInputs, type FramesSeen } from '../../../src-main/node/kinds/blender/blender-jobs.js';

const GRID = { cols: 2, rows: 1 };

async function collect(pieces: Uint8Array[], seen: FramesSeen): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  for await (const piece of tileInputs(
    (async function* () {
      yield* pieces;
    })(),
    GRID,
    seen,
  ))
    out.push(piece);
  return Buffer.concat(out);
}

test("the frames become their tile units, frame after frame, however the input's pieces cut them", async () => {
  const frames = framesInput([5, 6, 7]);
  const seen: FramesSeen = { count: 0 };
  const units = await collect([frames.subarray(0, 3), frames.subarray(3, 9), frames.subarray(9)], seen);
  assert.deepEqual(units, Buffer.concat([5, 6, 7].map((f) => frameTileInputs(f, GRID))));
  assert.deepEqual(seen, { first: 5, count: 3 });
});

test('frames that do not follow one another, or a frame cut short, are refused', async () => {
  await assert.rejects(
    collect([framesInput([5, 7])], { count: 0 }),
    /frames follow one another: frame 7 comes after 5/,
  );
  await assert.rejects(collect([framesInput([5]).subarray(0, 3)], { count: 0 }), /its frames, 4 bytes each/);
});
