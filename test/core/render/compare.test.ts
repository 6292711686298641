// Image comparison: PSNR over RGB (alpha ignored) and box downsampling with partial edge blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { boxDownsample, psnr } from '../../../src-main/core/render/compare.js';

const rgba = (...pixels: number[][]) => new Uint8Array(pixels.flat());

test('psnr is Infinity for identical images and ignores alpha', () => {
  assert.equal(psnr(rgba([1, 2, 3, 255]), rgba([1, 2, 3, 255])), Infinity);
  assert.equal(psnr(rgba([1, 2, 3, 255]), rgba([1, 2, 3, 0])), Infinity);
  assert.equal(psnr(new Uint8Array(0), new Uint8Array(0)), Infinity);
});

test('psnr follows 10·log10(255² / mean square error over R, G, B)', () => {
  // One channel off by 255 in one of two pixels: MSE = 255² / 6.
  assert.ok(
    Math.abs(psnr(rgba([0, 0, 0, 255], [9, 9, 9, 255]), rgba([255, 0, 0, 255], [9, 9, 9, 255])) - 10 * Math.log10(6)) <
      1e-12,
  );
  // Every channel off by 1: MSE = 1.
  assert.ok(Math.abs(psnr(rgba([10, 20, 30, 255]), rgba([11, 19, 31, 255])) - 20 * Math.log10(255)) < 1e-12);
  assert.equal(psnr(rgba([0, 0, 0, 255]), rgba([255, 255, 255, 255])), 0);
});

test('psnr is symmetric and falls as the error grows', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 4, maxLength: 64 }).filter((a) => a.length % 4 === 0),
      fc.integer({ min: 1, max: 100 }),
      (a, step) => {
        const near = a.map((v, i) => (i % 4 === 3 ? v : Math.min(255, v + step)));
        const far = a.map((v, i) => (i % 4 === 3 ? v : Math.min(255, v + step + 50)));
        const nearDb = psnr(a, near);
        assert.equal(nearDb, psnr(near, a));
        assert.ok(psnr(a, far) <= nearDb);
      },
    ),
  );
});

test('psnr refuses images of different sizes or that are not whole RGBA8 pixels', () => {
  assert.throws(() => psnr(new Uint8Array(4), new Uint8Array(8)), RangeError);
  assert.throws(() => psnr(new Uint8Array(6), new Uint8Array(6)), RangeError);
});

test('boxDownsample averages blocks, rounding, with partial blocks at the edges', () => {
  // 3×2 image, factor 2: blocks (0..1, 0..1) and the partial column 2.
  const image = rgba(
    [0, 0, 0, 255],
    [10, 20, 30, 255],
    [100, 100, 100, 255],
    [1, 2, 3, 255],
    [11, 21, 31, 255],
    [200, 0, 50, 255],
  );
  const down = boxDownsample(image, 3, 2, 2);
  assert.equal(down.w, 2);
  assert.equal(down.h, 1);
  assert.deepEqual(Array.from(down.rgba), [6, 11, 16, 255, 150, 50, 75, 255]);
});

test('boxDownsample by 1 is the identity, and a flat image stays flat', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 5 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      (w, h, factor, pixel) => {
        const flat = new Uint8Array(w * h * 4).map((_, i) => pixel[i % 4]!);
        assert.deepEqual(boxDownsample(flat, w, h, 1).rgba, flat);
        const down = boxDownsample(flat, w, h, factor);
        assert.deepEqual([down.w, down.h], [Math.ceil(w / factor), Math.ceil(h / factor)]);
        assert.deepEqual(
          down.rgba,
          new Uint8Array(down.w * down.h * 4).map((_, i) => pixel[i % 4]!),
        );
      },
    ),
  );
});

test('boxDownsample refuses a buffer that does not match its size, or a bad factor', () => {
  assert.throws(() => boxDownsample(new Uint8Array(12), 2, 2, 2), RangeError);
  assert.throws(() => boxDownsample(new Uint8Array(16), 2, 2, 0), RangeError);
  assert.throws(() => boxDownsample(new Uint8Array(16), 2, 2, 1.5), RangeError);
  assert.throws(() => boxDownsample(new Uint8Array(0), 0, 0, 1), RangeError);
});
