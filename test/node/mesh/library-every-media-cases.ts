// The cases of library-every-method.test.ts for the audio and video libraries (see
// library-every-method-cases.ts for the shape): audio checked against sox, flac and ffmpeg at the
// tolerances test/node/library/audio.test.ts measured, compared as PCM samples; video by ffprobe
// (codec, size, frame count, duration) and ffmpeg's decoding, as PSNR from the frames.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesOfTar } from '../../../src-main/core/library/tar.js';
import { ffprobe, pcm, s16 } from '../reference/media.js';
import { psnr, tool, type MethodCase } from './library-every-method-cases.js';

/**
 * What ffmpeg decodes the file at `path` to, as raw PCM of its `format` (s16le, s24le): from a file,
 * not a pipe, so that it trims an MP3's and an Opus stream's padding as their headers say.
 */
const ffmpeg = (path: string, format: string) => tool('ffmpeg', ['-loglevel', 'error', '-i', path, '-f', format, '-']);

function maxDiff(a: Int16Array, b: Int16Array): number {
  assert.equal(a.length, b.length, 'as many samples');
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function snr(mine: Int16Array, theirs: Int16Array): number {
  assert.equal(mine.length, theirs.length, 'as many samples');
  let [signal, noise] = [0, 0];
  for (let i = 0; i < theirs.length; i++) {
    signal += theirs[i]! ** 2;
    noise += (mine[i]! - theirs[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

function audioCases(dir: string): MethodCase[] {
  const sox = (name: string, rate: number, channels: number, bits: number, what: string[], length = '1') => {
    const path = join(dir, name);
    const format = ['-r', String(rate), '-c', String(channels), '-b', String(bits)];
    tool('sox', ['-D', '-n', ...format, path, 'synth', length, ...what]);
    return path;
  };
  const tones = sox('tones.wav', 48_000, 2, 16, ['sine', '1000', 'sine', '440', 'gain', '-3']);
  const noise = sox('noise.flac', 48_000, 1, 24, ['pinknoise', 'gain', '-6']);
  // 1500 Hz is bin 128 of a 4096 window at 48 kHz; 12 windows whole.
  const sine = sox('sine.wav', 48_000, 1, 16, ['sine', '1500', 'vol', '0.5'], `${12 * 4096}s`);
  const coded = (name: string, codec: string, format: string) => {
    const path = join(dir, name);
    tool('ffmpeg', ['-loglevel', 'error', '-i', tones, '-c:a', codec, '-b:a', '160k', '-f', format, path]);
    return path;
  };
  const vorbis = coded('vorbis.ogg', 'libvorbis', 'ogg');
  const mp3 = coded('lame.mp3', 'libmp3lame', 'mp3');
  const audio = (
    method: string,
    params: Record<string, unknown>,
    files: string[],
    outputs: string[],
    check: MethodCase['check'],
  ) => ({
    library: 'audio',
    method,
    ...(typeof params.format === 'string' && method === 'encode' ? { variant: params.format } : {}),
    params,
    files,
    outputs,
    check,
  });
  /** The samples of sox's WAV of the file, in `format` (-b 24) and after `effects`. */
  const soxWav = (path: string, effects: string[], format: string[] = []) =>
    pcm(tool('sox', ['-D', path, ...format, '-t', 'wav', '-', ...effects]));
  return [
    audio('decode', {}, [noise, vorbis, mp3], ['noise.wav', 'vorbis.wav', 'lame.wav'], (out) => {
      assert.ok(pcm(out('noise.wav')).equals(ffmpeg(noise, 's24le')), 'FLAC: exact');
      // Within 1 of 16-bit of ffmpeg's own Vorbis and mp3float decoders (gapless by the LAME header).
      assert.ok(maxDiff(s16(pcm(out('vorbis.wav'))), s16(ffmpeg(vorbis, 's16le'))) <= 1, 'Vorbis');
      assert.ok(maxDiff(s16(pcm(out('lame.wav'))), s16(ffmpeg(mp3, 's16le'))) <= 1, 'MP3');
    }),
    audio('encode', { format: 'flac', compression_level: 8 }, [tones, noise], ['tones.flac', 'noise.flac'], (out) => {
      for (const [path, name] of [
        [tones, 'tones.flac'],
        [noise, 'noise.flac'],
      ] as const) {
        tool('flac', ['-s', '-t', '-'], out(name));
        assert.ok(
          pcm(tool('flac', ['-s', '-d', '-c', '-'], out(name))).equals(soxWav(path, [])),
          `${name}: every sample`,
        );
      }
    }),
    audio('encode', { format: 'wav', sample_format: 's24' }, [tones], ['tones.wav'], (out) =>
      assert.ok(pcm(out('tones.wav')).equals(soxWav(tones, [], ['-b', '24'])), 'the samples at 24 bits'),
    ),
    audio('encode', { format: 'opus', bitrate: 128_000 }, [tones], ['tones.opus'], (out, at) => {
      assert.equal(out('tones.opus').toString('latin1', 28, 36), 'OpusHead');
      // As many samples as went in (its pre-skip and end trimmed), within the SNR.
      const db = snr(s16(ffmpeg(at('tones.opus'), 's16le')), s16(pcm(readFileSync(tones))));
      assert.ok(db > 20, `${db} dB`);
    }),
    audio(
      'resample',
      { rate: 44_100, quality: 'best', format: 'flac', compression_level: 8 },
      [tones, noise],
      ['tones.flac', 'noise.flac'],
      (out) => {
        for (const [name, channels, bits] of [
          ['tones.flac', 2, 16],
          ['noise.flac', 1, 24],
        ] as const) {
          tool('flac', ['-s', '-t', '-'], out(name));
          const info = (flag: string) => tool('sox', ['--i', flag, '-'], out(name)).toString().trim();
          assert.deepEqual([info('-r'), info('-c'), info('-b')], ['44100', String(channels), String(bits)]);
        }
        const mine = s16(pcm(tool('flac', ['-s', '-d', '-c', '-'], out('tones.flac'))));
        const db = snr(mine, s16(soxWav(tones, ['rate', '-v', '44100'])));
        assert.ok(db > 90, `${db} dB from sox's rate -v`);
      },
    ),
    audio('normalize', { peak_db: -1 }, [tones], ['tones.wav'], (out) =>
      assert.ok(maxDiff(s16(pcm(out('tones.wav'))), s16(soxWav(tones, ['gain', '-n', '-1']))) <= 1),
    ),
    audio('fft', { window: 4096 }, [sine], ['sine.wav.spectrum.json'], (out) => {
      const spectrum = JSON.parse(out('sine.wav.spectrum.json').toString()) as Record<string, number> & {
        magnitude: number[];
      };
      assert.deepEqual([spectrum.sample_rate, spectrum.window, spectrum.bin_hz], [48_000, 4096, 11.71875]);
      assert.equal(spectrum.magnitude.length, 2049);
      const top = spectrum.magnitude.indexOf(Math.max(...spectrum.magnitude));
      assert.equal(top, 128);
      assert.equal(spectrum.frames, 12);
      assert.ok(Math.abs(spectrum.magnitude[top]! - 0.5) < 0.005, `amplitude ${spectrum.magnitude[top]}, not 0.5`);
    }),
  ];
}

function videoCases(dir: string): MethodCase[] {
  const [W, H, N] = [64, 48, 6];
  const rgb = (image: Uint8Array) => tool('/usr/bin/convert', ['-', '-depth', '8', 'rgb:-'], image);
  const base = tool('/usr/bin/convert', ['-seed', '3', '-size', `${W}x${H}`, 'plasma:', 'png24:-']);
  // A moving picture: the plasma rolled a few pixels a frame. The names order them.
  const frames = Array.from({ length: N }, (_, i) => {
    const path = join(dir, `frame-${i + 1}.png`);
    tool('/usr/bin/convert', ['-', '-roll', `+${2 * i}+${i}`, path], base);
    return path;
  });
  const clip = join(dir, 'clip.webm');
  tool('ffmpeg', [
    '-v',
    'error',
    '-framerate',
    '6',
    '-i',
    join(dir, 'frame-%d.png'),
    '-c:v',
    'libvpx',
    '-b:v',
    '1M',
    clip,
  ]);
  return [
    {
      library: 'video',
      method: 'encode',
      params: { fps: 6, bitrate: 1000 },
      // Given backwards: the tar meshctl makes of them takes them in the order of their names.
      files: [...frames].reverse(),
      outputs: ['frames.webm'],
      check: (_, at) => {
        const webm = at('frames.webm');
        const probe = ffprobe(webm);
        assert.equal(probe.streams[0]!.codec_name, 'vp8');
        assert.deepEqual([probe.streams[0]!.width, probe.streams[0]!.height], [W, H]);
        assert.equal(Number(probe.streams[0]!.nb_read_frames), N);
        assert.ok(Math.abs(Number(probe.format.duration) - N / 6) < 0.002, probe.format.duration);
        const decoded = tool('ffmpeg', ['-v', 'error', '-i', webm, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
        frames.forEach((path, i) => {
          const db = psnr(decoded.subarray(i * W * H * 3, (i + 1) * W * H * 3), rgb(readFileSync(path)));
          assert.ok(db > 30, `frame ${i}: ${db.toFixed(1)} dB from its source`);
        });
      },
    },
    {
      library: 'video',
      method: 'frames',
      files: [clip],
      outputs: ['clip.frames.tar'],
      check: (out) => {
        const back = filesOfTar(out('clip.frames.tar'));
        if (typeof back === 'string') assert.fail(back);
        assert.equal(back.length, N);
        const decoded = tool('ffmpeg', ['-v', 'error', '-i', clip, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
        back.forEach((frame, i) => {
          const db = psnr(rgb(frame.bytes), decoded.subarray(i * W * H * 3, (i + 1) * W * H * 3));
          assert.ok(db > 45, `frame ${i}: ${db.toFixed(1)} dB from ffmpeg's decoding`);
        });
      },
    },
  ];
}

/** The audio and video cases, their inputs written to `dir`. */
export function mediaCases(dir: string): MethodCase[] {
  return [...audioCases(dir), ...videoCases(dir)];
}
