// The video library's methods (docs/KERNELS.md, "video"): wasm/library/video.wasm, libvpx's VP8
// with libwebm and stb, as methods.ts's PROGRAM_LIBRARIES runs them. A unit is one whole video:
// encode takes the frames as one uncompressed tar (PNG or JPEG files, in the order of their names)
// and gives a WebM; frames takes a WebM and gives a tar of PNG frames.
import * as z from '../schemas/zod.js';
import type { ProgramLibrary } from './program.js';

/** The most bytes of input a unit of either method takes: the program holds it whole (and refuses more). */
export const VIDEO_INPUT_BYTES = 15 * 2 ** 20;

/** The frames' file as a job's unit names it: a tar of them. */
const stem = (file: string) => file.replace(/\.(tar|webm)$/i, '');

export const VIDEO_LIBRARY: ProgramLibrary = {
  module: 'video',
  methods: {
    encode: {
      params: z
        .strictObject({
          /** Frames a second (the default 24). */
          fps: z.optional(z.int().check(z.minimum(1), z.maximum(240))),
          /** The target bitrate, kbit/s (VBR; the default 1000). */
          bitrate: z.optional(z.int().check(z.minimum(16), z.maximum(100_000))),
          /** Constant quality instead of a bitrate: VP8's quantizer, 4 (best) .. 63. */
          quality: z.optional(z.int().check(z.minimum(4), z.maximum(63))),
          /** The most frames between two keyframes (the default 120). */
          keyframe_interval: z.optional(z.int().check(z.minimum(1), z.maximum(10_000))),
        })
        .check(
          z.refine((p) => p.bitrate === undefined || p.quality === undefined, {
            message: 'give a bitrate or a quality, not both',
            path: ['quality'],
          }),
        ),
      maxInputBytes: VIDEO_INPUT_BYTES,
      outputName: (file) => `${stem(file)}.webm`,
      takes: 'tar',
    },
    frames: {
      params: z.strictObject({}),
      maxInputBytes: VIDEO_INPUT_BYTES,
      outputName: (file) => `${stem(file)}.frames.tar`,
    },
  },
  secondsPerMiB: 2,
};
