// The video library's program (wasm/library/video.wasm: libvpx's VP8, libwebm and stb, built by
// scripts/library/video.mjs) run as the node runs a unit of `video/METHOD`, checked by ffmpeg 5.1
// (Debian's, with its own libvpx): ffprobe reads the WebM encode makes (codec, size, frame count,
// duration), ffmpeg decodes it, and frames decodes ffmpeg's own VP8 WebM. Tolerances, measured and
// held here: each frame back out of our WebM is over 30 dB PSNR from the frame that went in (VP8 at
// 2000 kbit/s on 320×180, BT.601 colour there and back), and our decoding of a WebM is within 45 dB
// of ffmpeg's (the same VP8 frames; the colour conversions differ: ffmpeg's swscale interpolates
// chroma, ours repeats it). Two runs of a unit in different jobs give the same bytes. Bad input —
// a truncated WebM, frames of different sizes, no frames, a 50,000 × 50,000 PNG header, bytes that
// are no tar, more frames than a unit's fuel encodes or decodes — gets a clear message.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { after, test } from 'node:test';
import { filesOfTar, tarOf, type TarFile } from '../../../src-main/core/library/tar.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { resolveLibrary } from '../../../src-main/node/kinds/library/library.js';
import { ffprobe, type VideoProbe } from '../reference/media.js';
import { runUnit } from './run-unit.js';

const executor = Executor.start({ workers: 1 });
const dir = mkdtempSync(join(tmpdir(), 'mesh-video-'));
after(async () => {
  await executor.close();
  rmSync(dir, { recursive: true, force: true });
});

const [W, H, N, FPS] = [320, 180, 24, 12];
const im = (args: string[]) => execFileSync('/usr/bin/convert', args, { maxBuffer: 1 << 28 });
/** RGB bytes of an image file, by ImageMagick. */
const rgb = (image: Uint8Array) =>
  execFileSync('/usr/bin/convert', ['-', '-depth', '8', 'rgb:-'], { input: image, maxBuffer: 1 << 28 });
/** A moving picture: a plasma fractal, rolled a few pixels a frame. */
const base = im(['-seed', '3', '-size', `${W}x${H}`, 'plasma:', 'png24:-']);
const FRAMES: TarFile[] = Array.from({ length: N }, (_, i) => ({
  name: `frame-${String(i + 1).padStart(3, '0')}.png`,
  bytes: execFileSync('/usr/bin/convert', ['-', '-roll', `+${4 * i}+${2 * i}`, 'png24:-'], { input: base }),
}));

async function ours(method: string, params: Record<string, unknown>, input: Uint8Array, job = 'job-v') {
  const result = await runUnit(executor, 'video', method, params, input, 0, job);
  assert.equal(result.exit, 0, result.stdout.subarray(0, 300).toString());
  return result.stdout;
}

async function refused(method: string, params: Record<string, unknown>, input: Uint8Array, message: RegExp) {
  const result = await runUnit(executor, 'video', method, params, input);
  assert.equal(result.exit, 2, `refused: ${result.stdout.subarray(0, 300).toString()}`);
  assert.match(result.stdout.toString(), message);
}

/** ffprobe's view of a WebM: its stream and format. */
function probe(webm: Uint8Array): VideoProbe {
  const path = join(dir, `probe-${Math.random()}.webm`);
  writeFileSync(path, webm);
  return ffprobe(path);
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.byteLength, b.byteLength, 'the same size');
  let sum = 0;
  for (let i = 0; i < a.byteLength; i++) sum += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (sum / a.byteLength));
}

const framesOf = (tar: Uint8Array) => {
  const files = filesOfTar(tar);
  if (typeof files === 'string') assert.fail(files);
  return files;
};

test('encode: N PNG frames become a VP8 WebM that ffprobe reads as N frames of W×H at the frame rate', async () => {
  // The archive lists the frames backwards: they are taken in the order of their names.
  const webm = await ours('encode', { fps: FPS, bitrate: 2000 }, tarOf([...FRAMES].reverse()));
  const { streams, format } = probe(webm);
  assert.match(format.format_name, /webm/);
  assert.equal(streams.length, 1);
  assert.equal(streams[0]!.codec_name, 'vp8');
  assert.deepEqual([streams[0]!.width, streams[0]!.height], [W, H]);
  assert.equal(Number(streams[0]!.nb_read_frames), N);
  assert.equal(streams[0]!.r_frame_rate, `${FPS}/1`);
  assert.ok(Math.abs(Number(format.duration) - N / FPS) < 0.002, `duration ${format.duration}`);

  // Back out: frames in order, each within PSNR of its source; ffmpeg's decoding agrees with ours.
  const back = framesOf(await ours('frames', {}, webm));
  assert.deepEqual(
    back.map((f) => f.name),
    FRAMES.map((_, i) => `frame-${String(i + 1).padStart(6, '0')}.png`),
  );
  const path = join(dir, 'ours.webm');
  writeFileSync(path, webm);
  const ffmpeg = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1 << 28,
  });
  for (const [i, frame] of back.entries()) {
    const pixels = rgb(frame.bytes);
    const fromSource = psnr(pixels, rgb(FRAMES[i]!.bytes));
    assert.ok(fromSource > 30, `frame ${i}: ${fromSource.toFixed(1)} dB from its source`);
    const fromFfmpeg = psnr(pixels, ffmpeg.subarray(i * W * H * 3, (i + 1) * W * H * 3));
    assert.ok(fromFfmpeg > 45, `frame ${i}: ${fromFfmpeg.toFixed(1)} dB from ffmpeg's decoding`);
  }
});

test('the same frames make the same WebM in any job; quality and keyframe interval are honoured', async () => {
  const tar = tarOf(FRAMES);
  const a = await ours('encode', { fps: 24, keyframe_interval: 6 }, tar, 'job-a');
  const b = await ours('encode', { fps: 24, keyframe_interval: 6 }, tar, 'job-b');
  assert.deepEqual(a, b);
  const path = join(dir, 'keys.webm');
  writeFileSync(path, a);
  const keys = execFileSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v',
    '-show_entries',
    'packet=flags',
    '-of',
    'csv=p=0',
    path,
  ])
    .toString()
    .split('\n')
    .filter((line) => line.startsWith('K')).length;
  assert.equal(keys, N / 6, 'a keyframe every 6 frames');
  const good = await ours('encode', { quality: 4 }, tar);
  const poor = await ours('encode', { quality: 60 }, tar);
  assert.ok(good.byteLength > 2 * poor.byteLength, `quality 4: ${good.byteLength} B, 60: ${poor.byteLength} B`);
});

test("frames decodes ffmpeg's VP8 WebM, and JPEG frames encode too", async () => {
  for (const frame of FRAMES) writeFileSync(join(dir, frame.name), frame.bytes);
  const path = join(dir, 'ffmpeg.webm');
  const pattern = join(dir, 'frame-%03d.png');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-framerate',
    '24',
    '-i',
    pattern,
    '-c:v',
    'libvpx',
    '-b:v',
    '1M',
    path,
  ]);
  const back = framesOf(await ours('frames', {}, readFileSync(path)));
  assert.equal(back.length, N);
  assert.ok(psnr(rgb(back[5]!.bytes), rgb(FRAMES[5]!.bytes)) > 25, "ffmpeg's frame 5, as we decode it");
  const jpegs = FRAMES.map((f) => ({
    name: f.name.replace('.png', '.jpg'),
    bytes: execFileSync('/usr/bin/convert', ['-', '-quality', '95', 'jpg:-'], { input: f.bytes }),
  }));
  const webm = await ours('encode', {}, tarOf(jpegs));
  assert.equal(Number(probe(webm).streams[0]!.nb_read_frames), N);
});

/** A PNG of only a header that says w × h (no pixels): the size is read before anything is decoded. */
function pngHeader(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1))),
  ]);
}

test('bad input gets a clear message: truncated WebM, frames of two sizes, no frames, an absurd size, no tar', async () => {
  const webm = await ours('encode', {}, tarOf(FRAMES.slice(0, 4)));
  await refused('frames', {}, webm.subarray(0, Math.floor(webm.byteLength * 0.6)), /^video: the WebM is truncated/);
  await refused('frames', {}, Buffer.from('not a video at all'), /^video: the input is not a WebM/);
  const long = join(dir, 'long.webm');
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25:duration=3', '-c:v', 'libvpx'];
  execFileSync('ffmpeg', [...args, long]);
  await refused('frames', {}, readFileSync(long), /75 frames of 320×180 are over a unit's 3456000 pixels of frames/);
  const small = im(['-size', '32x32', 'xc:red', 'png24:-']);
  await refused(
    'encode',
    {},
    tarOf([FRAMES[0]!, { name: 'z.png', bytes: small }]),
    /z\.png is 32×32, but frame-001\.png is 320×180/,
  );
  await refused('encode', {}, tarOf([]), /^video: the archive holds no frames/);
  const many = Array.from({ length: 81 }, (_, i) => ({ name: `${1000 + i}.png`, bytes: FRAMES[0]!.bytes }));
  await refused('encode', {}, tarOf(many), /81 frames of 320×180 are over a unit's 4608000 pixels of frames/);
  await refused(
    'encode',
    {},
    tarOf([{ name: 'a.png', bytes: pngHeader(50_000, 50_000) }]),
    /a\.png is 50000×50000: a frame is at most 4096 pixels a side/,
  );
  await refused(
    'encode',
    {},
    tarOf([{ name: 'a.txt', bytes: Buffer.from('hello') }]),
    /a\.txt is not a PNG or JPEG image/,
  );
  await refused('encode', {}, Buffer.alloc(2048, 7), /the input is not a tar archive/);
  // Params are checked at submit, naming the param.
  for (const [params, message] of [
    [{ bitrate: 1000, quality: 10 }, /quality.*not both/],
    [{ fps: 0 }, /fps/],
    [{ speed: 3 }, /speed/],
  ] as const) {
    const resolved = resolveLibrary('video', 'encode', params, 1000);
    assert.equal(typeof resolved, 'string');
    assert.match(resolved as string, message);
  }
});
