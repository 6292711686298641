// A Blender job's frames in Blender's own syntax (core/blender/frames.ts): frames and ranges by
// commas, ranges by the file's frame step, each frame once in the order written; what is wrong said.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  consecutive,
  framesWords,
  MAX_FRAME_NUMBER,
  parseFrames,
  partOutside,
} from '../../../src-main/core/blender/frames.js';

const framesOf = (text: string, step?: number) => {
  const parsed = parseFrames(text, step);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.frames;
};

test("frames and ranges, as Blender writes them; ranges by the file's step; each frame once", () => {
  assert.deepEqual(framesOf('7'), [7]);
  assert.deepEqual(framesOf('1-4'), [1, 2, 3, 4]);
  assert.deepEqual(framesOf('1-3,20, 30 - 32'), [1, 2, 3, 20, 30, 31, 32]);
  assert.deepEqual(framesOf('1-10', 3), [1, 4, 7, 10]);
  assert.deepEqual(framesOf('2-9,5', 2), [2, 4, 6, 8, 5], 'a lone frame is rendered as written');
  assert.deepEqual(framesOf('3,1-4'), [3, 1, 2, 4], 'the order written, each once');
});

test('what names no frames is refused, saying why', () => {
  const error = (text: string, step?: number) => {
    const parsed = parseFrames(text, step);
    assert.ok(!parsed.ok, text);
    return parsed.error;
  };
  assert.match(error(''), /expected frames and ranges such as 1-10,20,30-40, got ""/);
  assert.match(error('1-4,,5'), /got ""/);
  assert.match(error('a-b'), /got "a-b"/);
  assert.match(error('-3'), /got "-3"/);
  assert.match(error('9-3'), /the range 9-3 ends before it starts/);
  assert.match(error(`1-${MAX_FRAME_NUMBER + 1}`), /past Blender's last/);
  assert.match(error('0-1000000'), /more than 100000 frames/);
  assert.match(error('1-4', 0), /frame step of 0/);
});

test("a part outside the scene's range, tiles' consecutive frames, and frames in words", () => {
  const parsed = parseFrames('1-2,9,3-7');
  assert.ok(parsed.ok);
  assert.equal(partOutside(parsed.parts, 1, 4), '9');
  assert.equal(partOutside(parsed.parts, 1, 9), undefined);
  assert.equal(consecutive([4, 5, 6]), true);
  assert.equal(consecutive([1, 3]), false);
  assert.equal(framesWords([1, 2, 3, 4]), 'frames 1-4');
  assert.equal(framesWords([1, 3, 5]), 'frames 1-5 by 2');
  assert.equal(framesWords([7]), 'frame 7');
  assert.equal(framesWords([1, 2, 9]), 'frames 1, 2, 9');
});
