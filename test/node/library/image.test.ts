// The image library's program (wasm/library/image.wasm: the image crate 0.24.3, built by
// scripts/build-library.mjs) run as the node runs a unit of `image/METHOD`, against ImageMagick 6
// (Debian's, with libjpeg-turbo, libpng and libwebp) on the same input, compared as RGBA pixels.
// Tolerances, per channel value (0..255), measured and held here:
// - exact: rotate90/180/270, fliph, flipv, crop, invert, brighten (either sign), contrast (IM's -fx
//   with the image crate's formula), resize with nearest, and decoding GIF and lossless WebP;
// - within 1: grayscale (Rec. 709 luma) and resize to a quarter with each filter (IM's Lanczos,
//   Triangle, Catrom, Gaussian); within 3 for a Lanczos enlargement;
// - blur against IM's -gaussian-blur at the same σ: within 6, mean under 0.6 (kernel truncation);
// - JPEG decoding against libjpeg-turbo: within 3, mean under 0.05; lossy WebP decoding against
//   libwebp: mean under 2 (its fancy upsampling); JPEG encoding at quality 90: over 30 dB PSNR.
// A JPEG's EXIF orientation is honoured (all 8, against -auto-orient).
// Bad input gets a clear message, not a crash: a truncated JPEG, a PNG header of 50,000 × 50,000, bytes that are no image.
import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { after, test } from 'node:test';
import { Executor } from '../../../src-main/node/exec/index.js';
import { resolveLibrary } from '../../../src-main/node/kinds/library/library.js';
import { im, imageMethod, rgba, source } from './image-fixtures.js';
import { runUnit } from './run-unit.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const ours = imageMethod(executor);

/** The largest and the mean difference between two images' RGBA pixels; they must be the same size. */
function difference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  const [x, y] = [rgba(a), rgba(b)];
  assert.equal(x.byteLength, y.byteLength, 'the same size');
  let [max, sum] = [0, 0];
  for (let i = 0; i < x.byteLength; i++) {
    const d = Math.abs(x.readUInt8(i) - y.readUInt8(i));
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / x.byteLength };
}

function within(a: Uint8Array, b: Uint8Array, max: number, mean = Infinity, what = ''): void {
  const d = difference(a, b);
  assert.ok(d.max <= max && d.mean < mean, `${what}: max ${d.max} (≤ ${max}), mean ${d.mean} (< ${mean})`);
}

test('geometry, invert, brighten and contrast are exact against ImageMagick', async () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['rotate90', {}, ['-rotate', '90']],
    ['rotate180', {}, ['-rotate', '180']],
    ['rotate270', {}, ['-rotate', '270']],
    ['fliph', {}, ['-flop']],
    ['flipv', {}, ['-flip']],
    ['crop', { x: 5, y: 7, width: 40, height: 30 }, ['-crop', '40x30+5+7', '+repage']],
    ['invert', {}, ['-negate']],
    // Q16: a value v of 8 bits is v × 257.
    ['brighten', { value: 40 }, ['-evaluate', 'add', String(40 * 257)]],
    ['brighten', { value: -40 }, ['-evaluate', 'subtract', String(40 * 257)]],
    ['contrast', { value: 30 }, ['-channel', 'RGB', '-fx', `(u-0.5)*${1.3 ** 2}+0.5`]],
    ['resize', { width: 24, height: 15, filter: 'nearest' }, ['-filter', 'Point', '-resize', '24x15!']],
  ];
  for (const [method, params, args] of cases)
    within(await ours(method, params), im(['-', ...args, 'png:-'], source), 0, Infinity, method);
});

test('grayscale, resize with every filter and blur agree with ImageMagick within their tolerances', async () => {
  within(await ours('grayscale', {}), im(['-', '-grayscale', 'Rec709Luma', 'png:-'], source), 1, 0.01, 'grayscale');
  const filters = { lanczos3: 'Lanczos', triangle: 'Triangle', 'catmull-rom': 'Catrom', gaussian: 'Gaussian' };
  for (const [filter, theirs] of Object.entries(filters)) {
    const resized = await ours('resize', { width: 24, height: 15, filter });
    within(resized, im(['-', '-filter', theirs, '-resize', '24x15!', 'png:-'], source), 1, 0.5, filter);
  }
  const larger = await ours('resize', { width: 200, height: 130, filter: 'lanczos3' });
  within(larger, im(['-', '-filter', 'Lanczos', '-resize', '200x130!', 'png:-'], source), 3, 0.5, 'enlarged');
  within(await ours('blur', { sigma: 2 }), im(['-', '-gaussian-blur', '0x2', 'png:-'], source), 6, 0.6, 'blur');
});

test('JPEG, GIF and WebP in; JPEG out at a quality', async () => {
  const jpeg = im(['-', '-quality', '90', 'jpg:-'], source);
  within(await ours('rotate180', {}, jpeg), im(['-', '-rotate', '180', 'png:-'], jpeg), 3, 0.05, 'JPEG decoding');
  const gif = im(['-', 'gif:-'], source);
  within(await ours('flipv', {}, gif), im(['-', '-flip', 'png:-'], gif), 0, Infinity, 'GIF');
  const lossless = im(['-', '-define', 'webp:lossless=true', 'webp:-'], source);
  within(await ours('flipv', {}, lossless), im(['-', '-flip', 'png:-'], lossless), 0, Infinity, 'lossless WebP');
  const lossy = im(['-', 'webp:-'], source);
  within(await ours('flipv', {}, lossy), im(['-', '-flip', 'png:-'], lossy), 255, 2, 'lossy WebP');
  for (const [quality, psnr] of [
    [90, 30],
    [50, 25],
  ] as const) {
    const encoded = await ours('fliph', { format: 'jpeg', quality });
    assert.equal(im(['-', '-format', '%m %Q', 'info:'], encoded).toString(), `JPEG ${quality}`);
    const d = difference(encoded, im(['-', '-flop', 'png:-'], source));
    const x = rgba(encoded);
    const y = rgba(im(['-', '-flop', 'png:-'], source));
    let squares = 0;
    for (let i = 0; i < x.byteLength; i++) squares += (x.readUInt8(i) - y.readUInt8(i)) ** 2;
    const measured = 10 * Math.log10(255 ** 2 / (squares / x.byteLength));
    assert.ok(measured > psnr, `quality ${quality}: ${measured} dB (max ${d.max})`);
  }
});

/** A JPEG with an EXIF APP1 segment right after its SOI marker, saying `orientation` (tag 0x0112). */
function withOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4); // IFD0
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x0112, 10);
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.byteLength + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

test("a JPEG's EXIF orientation is honoured, as ImageMagick's -auto-orient turns it, for each of the 8", async () => {
  const jpeg = im(['-', '-quality', '95', 'jpg:-'], source);
  for (let orientation = 1; orientation <= 8; orientation++) {
    const turned = withOrientation(jpeg, orientation);
    assert.equal(im(['-', '-format', '%[EXIF:Orientation]', 'info:'], turned).toString(), String(orientation));
    const theirs = im(['-', '-auto-orient', '-flop', 'png:-'], turned);
    within(await ours('fliph', {}, turned), theirs, 3, 0.05, `orientation ${orientation}`);
  }
});

/** A PNG of a header alone: its IHDR says `width` × `height`, with no pixels after it. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.byteLength);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(0))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('bad input is a clear message: a truncated JPEG, a 50,000 × 50,000 header, bytes that are no image', async () => {
  const refused = async (input: Uint8Array, reason: RegExp) => {
    const result = await runUnit(executor, 'image', 'rotate90', {}, input);
    assert.equal(result.exit, 2);
    assert.match(result.stdout.toString(), reason);
  };
  const jpeg = im(['-', '-quality', '90', 'jpg:-'], source);
  await refused(jpeg.subarray(0, jpeg.byteLength >> 1), /^image: cannot decode the image: /);
  await refused(
    pngHeader(50_000, 50_000),
    /^image: the image's header says it is larger than a unit takes: at most 16384 pixels a side and 4194304 pixels in all\n$/,
  );
  await refused(pngHeader(4000, 4000), /^image: the image is 4000 × 4000: at most 16384 pixels a side/);
  await refused(Buffer.from('name,value\n1,2\n'), /^image: the input is not a JPEG, PNG, GIF or WebP image\n$/);
  const crop = await runUnit(executor, 'image', 'crop', { x: 90, y: 0, width: 10, height: 10 }, source);
  assert.equal(crop.exit, 2);
  assert.match(crop.stdout.toString(), /the crop 10×10 at \(90, 0\) is not within the 97 × 61 image/);
});

test('params are refused at submit, naming the param', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['resize', { width: 10, height: 10 }, /filter/],
    ['resize', { width: 10, height: 10, filter: 'bicubic' }, /filter/],
    ['resize', { width: 0, height: 10, filter: 'nearest' }, /width/],
    ['resize', { width: 4000, height: 4000, filter: 'nearest' }, /width × height is 16000000 pixels, over 4194304/],
    ['blur', { sigma: 0 }, /sigma/],
    ['brighten', { value: 1.5 }, /value/],
    ['rotate90', { quality: 101 }, /quality/],
    ['rotate90', { format: 'gif' }, /format/],
    ['grayscale', { angle: 3 }, /angle/],
  ];
  for (const [method, params, reason] of cases) {
    const refused = resolveLibrary('image', method, params, 100);
    assert.equal(typeof refused, 'string', method);
    assert.match(refused as string, reason);
  }
});
