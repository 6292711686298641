import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { callUnit, UnitStatus } from '../../src-main/node/exec/abi.js';
import { instantiateUnsandboxed, runUnsandboxed } from '../../src-main/node/exec/unsandboxed.js';
import { loadKernel } from '../../src-main/node/exec/kernels.js';
import {
  referenceBlur,
  referenceGrayscale,
  referenceResize,
  type ResizeFilter,
  type RgbaImage,
} from './reference/image-reference.js';

const kernel = new WebAssembly.Module(loadKernel('image'));

const STATUS_BAD_PARAMS = 1;
const STATUS_BAD_INPUT = 2;

type Op =
  | { op: 'resize'; out_width: number; out_height: number; filter: ResizeFilter }
  | { op: 'blur'; sigma: number }
  | { op: 'grayscale' };

function runKernel(image: RgbaImage, op: Op): Uint8Array {
  return runUnsandboxed(kernel, { ...op, width: image.width, height: image.height }, image.pixels);
}

function runReference(image: RgbaImage, op: Op): Uint8Array {
  if (op.op === 'resize') return referenceResize(image, op.out_width, op.out_height, op.filter);
  if (op.op === 'blur') return referenceBlur(image, op.sigma);
  return referenceGrayscale(image);
}

/** Runs both and asserts every channel is within ±1; returns how many values were exactly equal. */
function compareWithReference(image: RgbaImage, op: Op): { exact: number; total: number } {
  const actual = runKernel(image, op);
  const expected = runReference(image, op);
  assert.equal(actual.length, expected.length, 'output size');
  let maxDiff = 0;
  let exact = 0;
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    maxDiff = Math.max(maxDiff, diff);
    if (diff === 0) exact++;
  }
  assert.ok(maxDiff <= 1, `${image.width}×${image.height} ${JSON.stringify(op)}: max difference ${maxDiff}`);
  return { exact, total: actual.length };
}

/**
 * Within ±1 everywhere, and exactly equal on almost every value: they differ only where the
 * kernel's f32 intermediate tips a value lying on .5 (a checkerboard makes many: 255/2 = 127.5).
 */
function assertMatchesReference(image: RgbaImage, op: Op): void {
  const { exact, total } = compareWithReference(image, op);
  assert.ok(
    exact / total >= 0.97,
    `${image.width}×${image.height} ${JSON.stringify(op)}: only ${exact} of ${total} values exactly equal`,
  );
}

function makeImage(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number, number],
): RgbaImage {
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set(pixel(x, y), (y * width + x) * 4);
  return { width, height, pixels };
}

/** Deterministic noise, so a failing structured case is the same on every run. */
function noise(width: number, height: number, seed: number): RgbaImage {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24;
  return makeImage(width, height, () => [next(), next(), next(), next()]);
}

const gradient = makeImage(61, 37, (x, y) => [
  Math.round((x * 255) / 60),
  Math.round((y * 255) / 36),
  (x + y) % 256,
  255 - x,
]);
const checkerboard = makeImage(40, 30, (x, y) =>
  ((x >> 2) + (y >> 2)) % 2 === 0 ? [255, 255, 255, 255] : [0, 0, 0, 128],
);
const onePixel = makeImage(1, 1, () => [12, 200, 99, 7]);
const row = noise(29, 1, 7);
const column = noise(1, 23, 8);

const rgbaImage = fc
  .record({ width: fc.integer({ min: 1, max: 20 }), height: fc.integer({ min: 1, max: 20 }) })
  .chain(({ width, height }) =>
    fc
      .uint8Array({ minLength: width * height * 4, maxLength: width * height * 4 })
      .map((pixels): RgbaImage => ({ width, height, pixels })),
  );
const side = fc.integer({ min: 1, max: 40 });
const filter = fc.constantFrom<ResizeFilter>('lanczos3', 'bilinear');
const anyOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('resize' as const), out_width: side, out_height: side, filter }),
  fc.record({ op: fc.constant('blur' as const), sigma: fc.double({ min: 0.05, max: 8, noNaN: true }) }),
  fc.constant({ op: 'grayscale' as const }),
);

test('resize matches the reference on structured images, up and down by non-integer factors', () => {
  for (const f of ['lanczos3', 'bilinear'] as const) {
    const resize = (out_width: number, out_height: number): Op => ({ op: 'resize', out_width, out_height, filter: f });
    assertMatchesReference(gradient, resize(100, 53)); // up ×1.64, ×1.43
    assertMatchesReference(gradient, resize(23, 14)); // down ÷2.65, ÷2.64
    assertMatchesReference(gradient, resize(150, 11)); // up one way, down the other
    assertMatchesReference(checkerboard, resize(17, 13));
    assertMatchesReference(checkerboard, resize(97, 71));
    assertMatchesReference(noise(64, 48, 1), resize(25, 19));
    assertMatchesReference(noise(64, 48, 2), resize(64, 48)); // same size still filters
    assertMatchesReference(onePixel, resize(7, 3));
    assertMatchesReference(row, resize(11, 4));
    assertMatchesReference(column, resize(3, 50));
    assertMatchesReference(noise(300, 2, 3), resize(1, 1)); // the whole row into one pixel
  }
});

test('blur matches the reference, including radii wider than the image', () => {
  for (const sigma of [0.3, 1, 2.5, 7]) {
    assertMatchesReference(gradient, { op: 'blur', sigma });
    assertMatchesReference(checkerboard, { op: 'blur', sigma });
    assertMatchesReference(noise(33, 21, 4), { op: 'blur', sigma });
    assertMatchesReference(row, { op: 'blur', sigma });
    assertMatchesReference(column, { op: 'blur', sigma });
    assertMatchesReference(onePixel, { op: 'blur', sigma });
  }
  assertMatchesReference(noise(5, 4, 5), { op: 'blur', sigma: 100 });
});

test('grayscale is BT.601 luma in R, G and B with alpha kept, equal to the reference', () => {
  for (const image of [gradient, checkerboard, noise(50, 20, 6), onePixel, row, column]) {
    assert.deepEqual(runKernel(image, { op: 'grayscale' }), referenceGrayscale(image));
  }
  const [r, g, b, a] = runKernel(
    makeImage(1, 1, () => [255, 0, 0, 42]),
    { op: 'grayscale' },
  );
  assert.deepEqual([r, g, b, a], [76, 76, 76, 42]); // 0.299 · 255 = 76.2
});

test('every op matches the reference on random images', () => {
  // Random outputs can be a handful of values, where one ±1 is a large share: count exact values over the whole run.
  let exact = 0;
  let total = 0;
  fc.assert(
    fc.property(rgbaImage, anyOp, (image, op) => {
      const counts = compareWithReference(image, op);
      exact += counts.exact;
      total += counts.total;
    }),
    { numRuns: 150 },
  );
  assert.ok(exact / total >= 0.99, `only ${exact} of ${total} values exactly equal`);
});

test('a constant image stays constant under every op', () => {
  const constantImage = fc
    .record({
      width: fc.integer({ min: 1, max: 24 }),
      height: fc.integer({ min: 1, max: 24 }),
      color: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    })
    .map(({ width, height, color }) => makeImage(width, height, () => [color[0]!, color[1]!, color[2]!, color[3]!]));
  fc.assert(
    fc.property(constantImage, anyOp, (image, op) => {
      const out = runKernel(image, op);
      // Resize and blur keep the colour; grayscale maps it to its luma, the same for every pixel.
      const firstPixel: RgbaImage = { width: 1, height: 1, pixels: image.pixels.subarray(0, 4) };
      const color = Array.from(op.op === 'grayscale' ? referenceGrayscale(firstPixel) : firstPixel.pixels);
      for (let i = 0; i < out.length; i += 4) assert.deepEqual(Array.from(out.subarray(i, i + 4)), color);
    }),
    { numRuns: 100 },
  );
});

function assertRefused(params: unknown, input: Uint8Array, status: number, message: RegExp): void {
  assert.throws(
    () => runUnsandboxed(kernel, params, input),
    (error: unknown) => error instanceof UnitStatus && error.status === status && message.test(error.message),
    JSON.stringify(params),
  );
}

test('bad params are refused with STATUS_BAD_PARAMS and say what is wrong', () => {
  const pixels = new Uint8Array(2 * 2 * 4);
  const size = { width: 2, height: 2 };
  // The host only sends objects; the kernel still refuses anything else rather than misreading it.
  assert.throws(
    () => callUnit(instantiateUnsandboxed(kernel), new TextEncoder().encode('"resize"'), pixels, 1024),
    (error: unknown) =>
      error instanceof UnitStatus && error.status === STATUS_BAD_PARAMS && /JSON object/.test(error.message),
  );
  assertRefused({ ...size, op: 'sharpen' }, pixels, STATUS_BAD_PARAMS, /unknown "op" "sharpen"/);
  assertRefused({ width: 2, op: 'grayscale' }, pixels, STATUS_BAD_PARAMS, /"width" and "height"/);
  for (const width of [0, -3, 16385, 1.5, '2']) {
    assertRefused({ width, height: 2, op: 'grayscale' }, pixels, STATUS_BAD_PARAMS, /"width" and "height"/);
  }
  for (const out_width of [0, 16385, 2.5]) {
    assertRefused(
      { ...size, op: 'resize', out_width, out_height: 2, filter: 'bilinear' },
      pixels,
      STATUS_BAD_PARAMS,
      /"out_width"/,
    );
  }
  assertRefused(
    { ...size, op: 'resize', out_width: 2, out_height: 2, filter: 'bicubic' },
    pixels,
    STATUS_BAD_PARAMS,
    /"filter"/,
  );
  assertRefused({ ...size, op: 'resize', out_width: 2, out_height: 2 }, pixels, STATUS_BAD_PARAMS, /"filter"/);
  for (const sigma of [0, -1, 100.5, 'big', null]) {
    assertRefused({ ...size, op: 'blur', sigma }, pixels, STATUS_BAD_PARAMS, /"sigma"/);
  }
  assertRefused({ ...size, op: 'blur' }, pixels, STATUS_BAD_PARAMS, /"sigma"/);
  // A valid request whose output and intermediate could never fit in a unit's 64 MiB.
  assertRefused(
    { width: 1, height: 1, op: 'resize', out_width: 16384, out_height: 16384, filter: 'bilinear' },
    new Uint8Array(4),
    STATUS_BAD_PARAMS,
    /64 MiB/,
  );
});

test('input that is not width × height RGBA8 is refused with STATUS_BAD_INPUT', () => {
  for (const length of [0, 15, 17, 64]) {
    assertRefused({ width: 2, height: 2, op: 'grayscale' }, new Uint8Array(length), STATUS_BAD_INPUT, /16\), got/);
    assertRefused({ width: 2, height: 2, op: 'blur', sigma: 1 }, new Uint8Array(length), STATUS_BAD_INPUT, /RGBA8/);
  }
});
