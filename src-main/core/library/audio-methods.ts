// The audio library's methods (wasm/library/audio: libFLAC, libvorbis, mpg123, libsamplerate and
// kissfft; docs/KERNELS.md, "audio"): each method's params as the node checks them at submit, the
// name of its output and its limits. Pure: methods.ts includes them in PROGRAM_LIBRARIES.
import { MAX_CHUNK_BYTES } from '../api/shapes.js';
import * as z from '../schemas/zod.js';
import type { ProgramMethod } from './program-method.js';

/** The most input a unit takes: any chunk a job may have (the program holds it whole, beside its output). */
const AUDIO_INPUT_BYTES = MAX_CHUNK_BYTES;

/** How the output stores samples: the source's unless given (16-bit for Vorbis and MP3). */
const SampleFormat = z.optional(z.enum(['s16', 's24', 's32', 'f32']));
const Format = z.enum(['wav', 'flac', 'opus']);
/** What encode, resample and normalize write: WAV (the default), FLAC at a compression level, or Ogg Opus. */
const OUT = {
  format: z.optional(Format),
  /** FLAC's compression level, 0 (fastest) to 8 (smallest); 5, flac's own default, unless given. */
  compression_level: z.optional(z.int().check(z.minimum(0), z.maximum(8))),
  /** Opus's bits a second (all channels); libopus chooses unless given. */
  bitrate: z.optional(z.int().check(z.minimum(6000), z.maximum(512_000))),
  sample_format: SampleFormat,
};

interface OutParams {
  format?: 'wav' | 'flac' | 'opus';
  compression_level?: number;
  bitrate?: number;
  sample_format?: string;
}

/** What FLAC or Opus cannot hold, or a param of another format: the param it names, and why. */
const outputRefinements = [
  z.refine<OutParams>((p) => !(p.format === 'flac' && p.sample_format === 'f32'), {
    message: 'FLAC holds integer samples: f32 is WAV only',
    path: ['sample_format'],
  }),
  z.refine<OutParams>((p) => !(p.format === 'opus' && p.sample_format !== undefined), {
    message: 'sample_format is WAV’s and FLAC’s: Opus codes floats',
    path: ['sample_format'],
  }),
  z.refine<OutParams>((p) => p.compression_level === undefined || p.format === 'flac', {
    message: 'compression_level is FLAC’s: give format "flac"',
    path: ['compression_level'],
  }),
  z.refine<OutParams>((p) => p.bitrate === undefined || p.format === 'opus', {
    message: 'bitrate is Opus’s: give format "opus"',
    path: ['bitrate'],
  }),
];

/** The file's name with its extension replaced by the output's. */
const renamed = (file: string, extension: string) => `${file.replace(/\.[^.]*$/, '')}.${extension}`;

const audioMethod = (params: z.ZodMiniType<Record<string, unknown>>): ProgramMethod => ({
  params,
  maxInputBytes: AUDIO_INPUT_BYTES,
  outputName: (file, p) => renamed(file, typeof p.format === 'string' ? p.format : 'wav'),
});

export const AUDIO_METHODS: Record<string, ProgramMethod> = {
  /** WAV, FLAC, Ogg Vorbis or MP3 to WAV. */
  decode: audioMethod(z.strictObject({ sample_format: SampleFormat })),
  encode: audioMethod(z.strictObject({ ...OUT, format: Format }).check(...outputRefinements)),
  resample: audioMethod(
    z
      .strictObject({
        rate: z.int().check(z.minimum(1000), z.maximum(768_000)),
        /** libsamplerate's SRC_SINC_BEST_QUALITY, SRC_SINC_MEDIUM_QUALITY (the default) or SRC_SINC_FASTEST. */
        quality: z.optional(z.enum(['best', 'medium', 'fastest'])),
        ...OUT,
      })
      .check(...outputRefinements),
  ),
  normalize: audioMethod(
    z
      .strictObject({
        /** The loudest sample's level after the gain, in dB of full scale. */
        peak_db: z.number().check(z.minimum(-60), z.maximum(0)),
        ...OUT,
      })
      .check(...outputRefinements),
  ),
  fft: {
    params: z.strictObject({
      window: z.int().check(
        z.minimum(64),
        z.maximum(65_536),
        z.refine((n) => (n & (n - 1)) === 0, 'the window is a power of two'),
      ),
      format: z.optional(z.enum(['json', 'csv'])),
    }),
    maxInputBytes: AUDIO_INPUT_BYTES,
    outputName: (file, p) => `${file}.spectrum.${p.format === 'csv' ? 'csv' : 'json'}`,
  },
};
