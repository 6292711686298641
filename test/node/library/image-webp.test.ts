// The image library's WebP output (wasm/library/image.wasm: libwebp 1.2.4's encoder from Debian's
// source, built by scripts/library/webp.mjs) run as the node runs a unit of `image/METHOD`, and read
// back by Debian's own libwebp tools: webpinfo says what the file is, dwebp decodes it.
// - lossless: decodes to the input's RGBA bit for bit, the RGB under fully transparent pixels too,
//   and is byte for byte what Debian's `cwebp -lossless -exact` writes from the same pixels;
// - lossy at quality 90: byte for byte `cwebp -q 90` (and at effort 0, `cwebp -q 90 -m 0`), over
//   34 dB PSNR against the exact result (ImageMagick's), better than quality 50 and larger;
// - a bad param is refused at submit naming it, and by the program itself when the node's check is
//   passed by; a result WebP cannot hold (a side over 16383), or a lossless one past a unit's 64 MiB
//   (1700 × 1700), is refused with a clear message.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { decodeWasiOutput, Executor, wasiRunOf } from '../../../src-main/node/exec/index.js';
import { resolveLibrary } from '../../../src-main/node/kinds/library/library.js';
import { im, imageMethod, rgba, source } from './image-fixtures.js';
import { runUnit } from './run-unit.js';

const executor = Executor.start({ workers: 1 });
const dir = mkdtempSync(join(tmpdir(), 'image-webp-'));
after(async () => {
  await executor.close();
  rmSync(dir, { recursive: true, force: true });
});

const ours = imageMethod(executor);

/** What libwebp's webpinfo says of a file, and its RGBA pixels as libwebp's dwebp decodes them. */
function libwebp(webp: Uint8Array): { info: string; pixels: Buffer } {
  const file = join(dir, 'out.webp');
  writeFileSync(file, webp);
  const info = execFileSync('webpinfo', [file]).toString();
  const pam = execFileSync('dwebp', ['-pam', file, '-o', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  // A PAM's header ends with ENDHDR's line; its samples follow.
  const end = pam.indexOf('ENDHDR\n') + 'ENDHDR\n'.length;
  return { info, pixels: pam.subarray(end) };
}

/** What Debian's cwebp (its libwebp 1.2.4, built natively) writes from a PNG with these flags. */
function cwebp(png: Uint8Array, flags: string[]): Buffer {
  const file = join(dir, 'in.png');
  writeFileSync(file, png);
  return execFileSync('cwebp', ['-quiet', ...flags, file, '-o', '-']);
}

/** PSNR (dB) between two RGBA buffers of one size, over their RGB. */
function psnr(a: Buffer, b: Buffer): number {
  assert.equal(a.byteLength, b.byteLength, 'the same size');
  let [squares, n] = [0, 0];
  for (let i = 0; i < a.byteLength; i++) {
    if (i % 4 === 3) continue;
    squares += (a.readUInt8(i) - b.readUInt8(i)) ** 2;
    n++;
  }
  return 10 * Math.log10(255 ** 2 / (squares / n));
}

/** An RGBA PNG of `width` × `height` of these pixels (filter 0 on every row). */
function rgbaPng(width: number, height: number, pixels: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.byteLength);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0]), pixels.subarray(y * width * 4, (y + 1) * width * 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('lossless WebP decodes with dwebp to the input bit for bit, alpha and the RGB under transparency too', async () => {
  const [width, height] = [83, 47];
  const pixels = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const [x, y] = [i % width, Math.floor(i / width)];
    // Gradients with noise, every alpha from 0 to 255, colour kept under alpha 0 (a third of the rows).
    pixels.set(
      [(x * 3 + y) & 255, (y * 5 + ((x * 7919) % 13)) & 255, (x * y) & 255, y < 16 ? 0 : (x * 3) & 255],
      i * 4,
    );
  }
  const webp = await ours('fliph', { format: 'webp', lossless: true }, rgbaPng(width, height, pixels));
  assert.equal(webp.toString('latin1', 8, 12), 'WEBP');
  const { info, pixels: decoded } = libwebp(webp);
  assert.match(info, /Format: Lossless/);
  assert.match(info, /Width: 83\n\s*Height: 47\n/);
  const flipped = Buffer.alloc(pixels.byteLength);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      pixels.copy(flipped, (y * width + (width - 1 - x)) * 4, (y * width + x) * 4, (y * width + x + 1) * 4);
  assert.ok(decoded.equals(flipped), 'bit-exact');
  assert.ok(webp.equals(cwebp(rgbaPng(width, height, flipped), ['-lossless', '-exact'])), 'as cwebp writes it');
});

test('lossy WebP at quality 90 is what cwebp writes, over 34 dB PSNR, and better and larger than at 50', async () => {
  const exactPng = im(['-', '-filter', 'Point', '-resize', '194x122!', 'png24:-'], source);
  const exact = rgba(exactPng);
  const resize = { width: 194, height: 122, filter: 'nearest', format: 'webp' };
  const at = async (quality: number) => {
    const webp = await ours('resize', { ...resize, quality });
    const { info, pixels } = libwebp(webp);
    assert.match(info, /Format: Lossy/);
    assert.match(info, /Width: 194\n\s*Height: 122\n/);
    return { webp, psnr: psnr(pixels, exact) };
  };
  const [high, low] = [await at(90), await at(50)];
  assert.ok(high.webp.equals(cwebp(exactPng, ['-q', '90'])), 'as cwebp -q 90 writes it');
  assert.ok(high.psnr > 34, `quality 90: ${high.psnr} dB`);
  assert.ok(high.psnr > low.psnr + 1 && high.webp.byteLength > low.webp.byteLength, `${high.psnr}, ${low.psnr} dB`);
  // The default is quality 90 at effort 4; effort 0 is cwebp's -m 0.
  assert.ok((await ours('resize', resize)).equals(high.webp));
  const fastest = await ours('resize', { ...resize, quality: 90, effort: 0 });
  assert.ok(!fastest.equals(high.webp) && fastest.equals(cwebp(exactPng, ['-q', '90', '-m', '0'])), 'effort 0');
});

test('bad WebP params are refused naming the param, at submit and by the program; so are results too large', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ format: 'webp', quality: 101 }, /quality/],
    [{ format: 'webp', quality: -1 }, /quality/],
    [{ format: 'webp', lossless: 'yes' }, /lossless/],
    [{ format: 'webp', effort: 7 }, /effort/],
    [{ format: 'png', effort: 2 }, /effort: effort is for format webp/],
    [{ format: 'jpeg', lossless: true }, /lossless: lossless is for format webp/],
    [{ format: 'webp', lossless: true, quality: 80 }, /quality: a lossless WebP takes no quality/],
    [{ format: 'jpeg', quality: 0 }, /quality: quality 0 is a WebP's alone/],
  ];
  for (const [params, reason] of cases) {
    const refused = resolveLibrary('image', 'fliph', params, 100);
    assert.equal(typeof refused, 'string', JSON.stringify(params));
    assert.match(refused as string, reason);
  }
  assert.equal(typeof resolveLibrary('image', 'fliph', { format: 'webp', quality: 0 }, 100), 'object');
  const program = async (args: string[]) => {
    const resolved = resolveLibrary('image', 'fliph', { format: 'webp' }, source.byteLength);
    if (typeof resolved === 'string') throw new Error(resolved);
    const unit = { unit_id: 'job-w/0', job_id: 'job-w', params: { ...(resolved.params as object), args } as never };
    const result = decodeWasiOutput(
      (await executor.run({ module: resolved.module, ...wasiRunOf(unit, source, undefined) })).output,
    );
    assert.equal(result.exitCode, 2);
    return Buffer.from(result.stdout).toString();
  };
  assert.equal(await program(['fliph', 'format=webp', 'quality=101']), 'image: param quality is over 100: 101\n');
  assert.equal(await program(['fliph', 'format=webp', 'effort=7']), 'image: param effort is over 6: 7\n');
  assert.equal(
    await program(['fliph', 'format=webp', 'lossless=yes']),
    'image: param lossless is not true or false: yes\n',
  );
  const wide = await runUnit(
    executor,
    'image',
    'resize',
    { width: 16_384, height: 2, filter: 'nearest', format: 'webp' },
    source,
  );
  assert.equal(wide.exit, 2);
  assert.equal(wide.stdout.toString(), "image: the result is 16384 × 2: WebP's sides are at most 16383\n");
  const large = im(['-seed', '3', '-size', '1700x1700', 'plasma:', 'png24:-']);
  const oom = await runUnit(executor, 'image', 'fliph', { format: 'webp', lossless: true, effort: 0 }, large);
  assert.equal(oom.exit, 2);
  assert.equal(
    oom.stdout.toString(),
    "image: cannot encode the result: libwebp: VP8_ENC_ERROR_OUT_OF_MEMORY: the image is more than it encodes in a unit's 64 MiB\n",
  );
});
