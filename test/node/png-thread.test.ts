// Frames are encoded as PNGs in a thread of their own (node/mesh/render/png-thread.ts): the same bytes
// the main thread would make, the frame's pixels moved there rather than copied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PngThread } from '../../src-main/node/mesh/render/png-thread.js';
import { encodeFramePng } from '../../src-main/node/render/png.js';

test('a frame encoded in the PNG thread is byte-identical to one encoded here, and its pixels left this thread', async () => {
  const [width, height] = [320, 180];
  const pixels = new Uint8Array(width * height * 4).map((_, i) => (i * 31 + (i >> 9)) & 255);
  const expected = encodeFramePng(width, height, pixels);
  const thread = new PngThread();
  try {
    const sent = pixels.slice();
    const png = await thread.encode(width, height, sent);
    assert.deepEqual(Buffer.from(png), Buffer.from(expected));
    assert.equal(sent.byteLength, 0, 'moved, not copied');
    // A view of part of a buffer is copied instead: what else the buffer holds stays here.
    const shared = new Uint8Array(pixels.byteLength + 16);
    shared.set(pixels, 16);
    const view = shared.subarray(16);
    assert.deepEqual(Buffer.from(await thread.encode(width, height, view)), Buffer.from(expected));
    assert.equal(shared.byteLength, pixels.byteLength + 16, 'a shared buffer is not taken');
  } finally {
    await thread.close();
  }
});
