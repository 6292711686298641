// The audio library's program (wasm/library/audio.wasm: libFLAC, libvorbis, mpg123, libsamplerate
// and kissfft, built by scripts/build-library.mjs) run as the node runs a unit of `audio/METHOD`,
// against the native tools on this machine on the same input (Debian's flac 1.4.2, sox 14.4.2 and
// ffmpeg 5.1), compared as PCM samples. Tolerances, measured and held here:
// - exact: FLAC encoding (at every compression level tried, 16- and 24-bit: `flac -d` gives the
//   samples back), FLAC and WAV decoding (against ffmpeg), encoding back to WAV at the same depth;
// - Ogg Vorbis decoding against ffmpeg's own Vorbis decoder: within VORBIS_LSB of 16-bit;
// - MP3 decoding against ffmpeg's mp3float decoder, both gapless by the LAME header: within MP3_LSB;
// - resampling 48 → 44.1 kHz (quality best) against sox's `rate -v`: the difference more than
//   RESAMPLE_SNR_DB below the signal (100 dB measured), as many samples;
// - normalize against sox's `gain -n` (no dither): within 1 of 16-bit;
// - Opus encoding: ffmpeg decodes our Ogg Opus to as many samples as went in (its pre-skip and end
//   trimmed), over OPUS_SNR_DB from them at 128 kb/s; a 44.1 kHz input resampled to 48 kHz; one,
//   two and six channels; a second's stream ends on the frame that holds its last sample, its
//   pages' granule positions never going back;
// - fft: a sine on a bin's centre peaks at that bin with its amplitude (within 1 %).
// Bad input is a clear message, exit 2: an empty file, a truncated FLAC or Ogg header, a WAV header
// of 0 channels, of 0 Hz or 800 kHz, a data length past the file, bytes that are no audio, more
// audio than a unit's fuel covers (wasm/library/audio/budget.c); bad params are refused at submit,
// naming the param.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Executor } from '../../../src-main/node/exec/index.js';
import { resolveLibrary } from '../../../src-main/node/kinds/library/library.js';
import { pcm, s16 } from '../reference/media.js';
import { runUnit } from './run-unit.js';

const VORBIS_LSB = 1;
const MP3_LSB = 1;
const RESAMPLE_SNR_DB = 90;
const OPUS_SNR_DB = 20;

const executor = Executor.start({ workers: 1 });
const dir = mkdtempSync(join(tmpdir(), 'library-audio-'));
after(async () => {
  await executor.close();
  rmSync(dir, { recursive: true, force: true });
});

const tool = (cmd: string, args: string[], input?: Uint8Array) =>
  execFileSync(cmd, args, { input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
/** A file of `seconds` of sox's synth: two tones, or noise, at `rate` Hz and `bits` bits, in sox's type `type`. */
function synth(name: string, type: string, rate: number, bits: number, what: string[], seconds = 2): Buffer {
  const path = join(dir, name);
  tool('sox', [
    '-D',
    '-n',
    '-r',
    String(rate),
    '-c',
    '2',
    '-b',
    String(bits),
    '-t',
    type,
    path,
    'synth',
    String(seconds),
    ...what,
  ]);
  return readFileSync(path);
}
const TONES = ['sine', '1000', 'sine', '440', 'gain', '-3'];
const NOISE = ['pinknoise', 'gain', '-6'];
const wav16 = synth('tones.wav', 'wav', 48_000, 16, TONES);
const wav24 = synth('noise.wav', 'wav', 48_000, 24, NOISE);

/** What ffmpeg decodes the file to, as raw PCM of its `format` (s16le, s24le). */
const ffmpeg = (file: Uint8Array, format: string) =>
  tool('ffmpeg', ['-loglevel', 'error', '-i', '-', '-f', format, '-'], file);

async function ours(method: string, params: Record<string, unknown>, input: Uint8Array): Promise<Buffer> {
  const result = await runUnit(executor, 'audio', method, params, input);
  assert.equal(result.exit, 0, result.stdout.toString());
  return result.stdout;
}

/** The largest difference between two runs of 16-bit samples of one length. */
function maxDiff(a: Int16Array, b: Int16Array): number {
  assert.equal(a.length, b.length, 'the same number of samples');
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

test('FLAC encoding: flac -d gives back every sample, 16- and 24-bit, at levels 0, 5 and 8', async () => {
  for (const [wav, level] of [
    [wav16, 0],
    [wav16, 8],
    [wav24, 5],
  ] as const) {
    const flac = await ours('encode', { format: 'flac', compression_level: level }, wav);
    assert.equal(flac.toString('latin1', 0, 4), 'fLaC');
    tool('flac', ['-s', '-t', '-'], flac);
    assert.ok(pcm(tool('flac', ['-s', '-d', '-c', '-'], flac)).equals(pcm(wav)), `level ${level}`);
  }
  // Back to WAV, as it came.
  assert.ok(pcm(await ours('encode', { format: 'wav' }, wav24)).equals(pcm(wav24)));
});

test('decoding FLAC and WAV is exact against ffmpeg; Vorbis and MP3 within their stated LSBs', async () => {
  const flac24 = tool('flac', ['-s', '-8', '-c', '-'], wav24);
  const decoded = await ours('decode', {}, flac24);
  assert.ok(pcm(decoded).equals(ffmpeg(flac24, 's24le')));
  assert.ok(pcm(await ours('decode', {}, wav16)).equals(ffmpeg(wav16, 's16le')));
  // 32-bit float WAV, kept float.
  const f32 = tool('sox', [join(dir, 'noise.wav'), '-e', 'floating-point', '-b', '32', '-t', 'wav', '-']);
  assert.ok(pcm(await ours('decode', {}, f32)).equals(pcm(f32)));
  for (const [codec, extension, lsb] of [
    ['libvorbis', 'ogg', VORBIS_LSB],
    ['libmp3lame', 'mp3', MP3_LSB],
  ] as const) {
    const coded = tool(
      'ffmpeg',
      ['-loglevel', 'error', '-i', '-', '-c:a', codec, '-b:a', '160k', '-f', extension === 'ogg' ? 'ogg' : 'mp3', '-'],
      wav16,
    );
    const mine = s16(pcm(await ours('decode', {}, coded)));
    const theirs = s16(ffmpeg(coded, 's16le'));
    assert.ok(maxDiff(mine, theirs) <= lsb, `${codec}: ${maxDiff(mine, theirs)} > ${lsb}`);
  }
});

/** The signal-to-noise ratio of `mine` against `theirs`, in dB. */
function snr(mine: Int16Array, theirs: Int16Array): number {
  let [signal, noise] = [0, 0];
  for (let i = 0; i < theirs.length; i++) {
    signal += theirs[i]! ** 2;
    noise += (mine[i]! - theirs[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

test('resampling 48 → 44.1 kHz agrees with sox within the stated SNR; normalize with sox gain -n', async () => {
  const mine = s16(pcm(await ours('resample', { rate: 44_100, quality: 'best' }, wav16)));
  const theirs = s16(pcm(tool('sox', ['-D', '-t', 'wav', '-', '-t', 'wav', '-', 'rate', '-v', '44100'], wav16)));
  assert.equal(mine.length, theirs.length);
  assert.ok(snr(mine, theirs) > RESAMPLE_SNR_DB, `${snr(mine, theirs)} dB`);
  const resampled = await ours('resample', { rate: 44_100, format: 'flac' }, wav16);
  assert.match(tool('sox', ['--i', '-r', '-'], resampled).toString(), /^44100\n$/);
  const norm = s16(pcm(await ours('normalize', { peak_db: -1 }, wav16)));
  const soxNorm = s16(pcm(tool('sox', ['-D', '-t', 'wav', '-', '-t', 'wav', '-', 'gain', '-n', '-1'], wav16)));
  assert.ok(maxDiff(norm, soxNorm) <= 1);
});

test('Opus: ffmpeg decodes our Ogg Opus to the samples that went in, within the stated SNR', async () => {
  const opus = await ours('encode', { format: 'opus', bitrate: 128_000 }, wav16);
  assert.equal(opus.toString('latin1', 0, 4), 'OggS');
  assert.equal(opus.toString('latin1', 28, 36), 'OpusHead');
  const decoded = s16(ffmpeg(opus, 's16le'));
  const original = s16(pcm(wav16));
  assert.equal(decoded.length, original.length, 'as many samples');
  assert.ok(snr(decoded, original) > OPUS_SNR_DB, `${snr(decoded, original)} dB`);
  // A second (at 128 kb/s, where a page ends after the 51st packet): 50 frames whole, the
  // lookahead's in a 51st, the last. No page of padding after it, whose granule position would go
  // back (ffmpeg, reading the file, then trims nothing).
  const second = synth('second.wav', 'wav', 48_000, 16, TONES, 1);
  const short = await ours('encode', { format: 'opus', bitrate: 128_000 }, second);
  const granules: bigint[] = [];
  let packets = 0;
  for (let at = 0; at < short.byteLength;) {
    granules.push(short.readBigInt64LE(at + 6));
    const lacing = short.subarray(at + 27, at + 27 + short[at + 26]!);
    packets += lacing.filter((n) => n < 255).length;
    at += 27 + lacing.byteLength + lacing.reduce((n, s) => n + s, 0);
  }
  assert.equal(packets, 2 + 51, 'OpusHead, OpusTags and 51 frames');
  assert.deepEqual(granules.slice(-1), [312n + 48_000n]);
  assert.ok(
    granules.every((g, i) => i === 0 || g >= granules[i - 1]!),
    granules.join(' '),
  );
  writeFileSync(join(dir, 'second.opus'), short);
  assert.equal(
    tool('ffmpeg', ['-loglevel', 'error', '-i', join(dir, 'second.opus'), '-f', 's16le', '-']).byteLength,
    4 * 48_000,
  );
  // 44.1 kHz in: resampled to 48 kHz, the header keeps 44100 as the input's rate.
  const cd = synth('cd.wav', 'wav', 44_100, 16, TONES, 1);
  const fromCd = await ours('encode', { format: 'opus' }, cd);
  assert.equal(fromCd.readUInt32LE(28 + 12), 44_100);
  assert.ok(Math.abs(s16(ffmpeg(fromCd, 's16le')).length - 2 * 48_000) <= 2);
  // One and six channels (mapping family 1: the surround encoder).
  for (const channels of [1, 6]) {
    const path = join(dir, `c${channels}.wav`);
    tool('sox', ['-D', '-n', '-r', '48000', '-c', String(channels), '-b', '16', path, 'synth', '0.5', 'sine', '500']);
    const coded = await ours('encode', { format: 'opus' }, readFileSync(path));
    const probe = tool('ffprobe', ['-v', 'error', '-show_entries', 'stream=channels', '-of', 'csv=p=0', '-'], coded);
    assert.equal(probe.toString().trim(), String(channels));
  }
});

test('fft: a sine on bin 128 of 4096 peaks there with its amplitude; CSV rows of frequency and magnitude', async () => {
  // 48000 / 4096 × 128 = 1500 Hz, at amplitude 0.5.
  const sine = synth('sine.wav', 'wav', 48_000, 16, ['sine', '1500', 'vol', '0.5']);
  const spectrum = JSON.parse((await ours('fft', { window: 4096 }, sine)).toString()) as {
    sample_rate: number;
    window: number;
    frames: number;
    bin_hz: number;
    magnitude: number[];
  };
  assert.deepEqual([spectrum.sample_rate, spectrum.window, spectrum.bin_hz], [48_000, 4096, 11.71875]);
  assert.equal(spectrum.magnitude.length, 2049);
  assert.equal(spectrum.frames, Math.ceil(96_000 / 4096));
  const top = spectrum.magnitude.indexOf(Math.max(...spectrum.magnitude));
  assert.equal(top, 128);
  // The last frame is zero-padded: its share of the peak is lower.
  const full = Math.floor(96_000 / 4096);
  const expected = (0.5 * full + 0.5 * ((96_000 % 4096) / 4096)) / spectrum.frames;
  assert.ok(
    Math.abs(spectrum.magnitude[top]! - expected) < 0.01 * expected,
    `${spectrum.magnitude[top]} vs ${expected}`,
  );
  const csv = (await ours('fft', { window: 64, format: 'csv' }, sine)).toString().split('\n');
  assert.equal(csv[0], 'frequency_hz,magnitude');
  assert.equal(csv.length, 2 + 33);
  assert.match(csv[3]!, /^1500,0\.\d+$/);
});

test('bad input is a clear message, exit 2', async () => {
  const refused = async (input: Uint8Array, reason: RegExp, method = 'decode', params = {}) => {
    const result = await runUnit(executor, 'audio', method, params, input);
    assert.equal(result.exit, 2, result.stdout.toString());
    assert.match(result.stdout.toString(), reason);
  };
  await refused(new Uint8Array(0), /^audio: the input is empty\n$/);
  const flac = tool('flac', ['-s', '-c', '-'], wav16);
  await refused(
    flac.subarray(0, flac.byteLength >> 1),
    /^audio: the FLAC stream is truncated: \d+ of its 96000 samples/,
  );
  await refused(flac.subarray(0, 20), /^audio: cannot read the FLAC header/);
  /** wav16 with its fmt chunk's field at `offset` (16-bit, or 32-bit when `wide`) set. */
  const header = (offset: number, value: number, wide = false) => {
    const b = Buffer.from(wav16);
    if (wide) b.writeUInt32LE(value, offset);
    else b.writeUInt16LE(value, offset);
    return b;
  };
  await refused(header(22, 0), /^audio: the WAV says 0 channels: 1 to 8 are read\n$/);
  await refused(header(24, 0, true), /^audio: the WAV says a sample rate of 0 Hz/);
  await refused(header(24, 800_000, true), /^audio: the WAV says a sample rate of 800000 Hz/);
  await refused(header(40, 0xfffffff0, true), /^audio: the WAV's data chunk says 4294967280 bytes, but 384000 follow/);
  // Past a unit's fuel: refused from the header, before anything is decoded.
  const ten = synth('ten.wav', 'wav', 48_000, 16, NOISE, 10);
  await refused(
    ten,
    /^audio: the input is 10\.0 s of 2 channels at 48000 Hz: resample takes at most 5\.\d s of it a unit \(a unit's fuel\): split the file\n$/,
    'resample',
    { rate: 96_000, quality: 'best', format: 'flac', compression_level: 8 },
  );
  await refused(Buffer.from('hello, world'), /^audio: the input is not WAV, FLAC, Ogg Vorbis or MP3/);
  // A header that is nothing but its magic: Ogg with no Vorbis, an MP3 sync with no frame.
  await refused(Buffer.from('OggS\0\0\0\0\0\0\0\0'), /^audio: the Ogg stream is not Vorbis/);
  await refused(Buffer.from([0xff, 0xfb, 0, 0, 0, 0]), /^audio: the input is no MP3 stream: /);
  const ogg = tool('ffmpeg', ['-loglevel', 'error', '-i', '-', '-c:a', 'libvorbis', '-f', 'ogg', '-'], wav16);
  await refused(
    ogg.subarray(0, 3000),
    /^audio: cannot read the Ogg Vorbis header \(error -\d+\): corrupt or truncated\n$/,
  );
});

test('params are refused at submit, naming the param', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['resample', { rate: 500 }, /rate/],
    ['resample', { rate: 44_100, quality: 'great' }, /quality/],
    ['normalize', { peak_db: 3 }, /peak_db/],
    ['encode', {}, /format/],
    ['encode', { format: 'flac', sample_format: 'f32' }, /sample_format.*FLAC holds integer samples/s],
    ['encode', { format: 'wav', compression_level: 5 }, /compression_level.*give format "flac"/s],
    ['encode', { format: 'flac', compression_level: 9 }, /compression_level/],
    ['fft', { window: 1000 }, /window.*power of two/s],
    ['fft', { window: 32 }, /window/],
    ['decode', { format: 'flac' }, /format/],
    ['encode', { format: 'wav', bitrate: 64_000 }, /bitrate.*give format "opus"/s],
    ['encode', { format: 'opus', sample_format: 's16' }, /sample_format.*Opus codes floats/s],
    ['encode', { format: 'opus', bitrate: 1000 }, /bitrate/],
  ];
  for (const [method, params, reason] of cases) {
    const refused = resolveLibrary('audio', method, params, 100);
    assert.equal(typeof refused, 'string', `${method} ${JSON.stringify(params)}`);
    assert.match(refused as string, reason);
  }
});
