// The library's methods that are WASI programs built from real libraries (docs/KERNELS.md, "The
// library"): each method's params as the node checks them at submit, the args its program is
// started with (`PROGRAM METHOD NAME=VALUE…`), and its limits. Pure: the node loads the programs
// (node/mesh/units/algorithms.ts) and meshctl names the outputs (cli/library-run.ts).
import { MAX_CHUNK_BYTES } from '../api/shapes.js';
import * as z from '../schemas/zod.js';
import { AUDIO_METHODS } from './audio-methods.js';
import type { ParamValue, ProgramLibrary, ProgramMethod } from './program.js';
import { VIDEO_LIBRARY } from './video-methods.js';

const hex = (bytes: number) =>
  z.string().check(z.regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes * 2} lowercase hex digits`));
/** The most a method holding the input whole takes: with its output, well inside a unit's 64 MiB. */
const WHOLE_INPUT_BYTES = 24 * 2 ** 20;
/** What a method that streams its input reads: any chunk a job may have. */
const STREAMED_INPUT_BYTES = MAX_CHUNK_BYTES;

const digest = (bytes: number, name: string): ProgramMethod => ({
  params: z.strictObject({}),
  maxInputBytes: STREAMED_INPUT_BYTES,
  outputName: (file) => `${file}.${name}`,
});

const aead = (encrypt: boolean): ProgramMethod => ({
  params: z.strictObject({ key: hex(32), ad: z.optional(z.string().check(z.regex(/^([0-9a-f]{2}){0,4096}$/))) }),
  maxInputBytes: WHOLE_INPUT_BYTES,
  outputName: (file) => (encrypt ? `${file}.enc` : file.replace(/\.enc$/, '')),
});

/** An image's side, in and out, as the image program bounds it. */
const Side = z.int().check(z.minimum(1), z.maximum(16_384));
/**
 * What every image method takes: the result's format, a JPEG's or a lossy WebP's quality (libjpeg's
 * 1..100, libwebp's 0..100), whether a WebP is lossless (then it takes no quality), and a WebP's
 * effort (libwebp's `method`, cwebp's -m: 0 fastest, 6 smallest; 4 when not given).
 */
const ENCODE = {
  format: z.optional(z.enum(['png', 'jpeg', 'webp'])),
  quality: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  lossless: z.optional(z.boolean()),
  effort: z.optional(z.int().check(z.minimum(0), z.maximum(6))),
};
/** What is wrong with an image method's encode params together: [param, why] each. */
function encodeProblems(p: z.infer<z.ZodMiniObject<typeof ENCODE>>): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  if (p.quality === 0 && p.format !== 'webp')
    problems.push(['quality', "quality 0 is a WebP's alone: a JPEG's is 1..100"]);
  for (const param of ['lossless', 'effort'] as const)
    if (p[param] !== undefined && p.format !== 'webp') problems.push([param, `${param} is for format webp`]);
  if (p.lossless === true && p.quality !== undefined) problems.push(['quality', 'a lossless WebP takes no quality']);
  return problems;
}
/** The image program's most input: a compressed image of at most 4 MiP (it refuses more pixels from the header). */
const IMAGE_INPUT_BYTES = 32 * 2 ** 20;

/** The most pixels an image may have, in and out: the image program's bound (a unit's 64 MiB). */
const MAX_PIXELS = 4 * 1024 * 1024;

const imageMethod = <T extends z.core.$ZodLooseShape>(
  params: T = {} as T,
  fits: (p: z.infer<z.ZodMiniObject<T>>) => string | undefined = () => undefined,
): ProgramMethod => ({
  params: z.strictObject({ ...params, ...ENCODE }).check(
    z.superRefine((p, ctx) => {
      for (const [param, message] of encodeProblems(p as z.infer<z.ZodMiniObject<typeof ENCODE>>))
        ctx.addIssue({ code: 'custom', message, path: [param], input: p });
      const why = fits(p as z.infer<z.ZodMiniObject<T>>);
      if (why !== undefined) ctx.addIssue({ code: 'custom', message: why, input: p });
    }),
  ),
  maxInputBytes: IMAGE_INPUT_BYTES,
  outputName: (file, p) =>
    `${file.replace(/\.[^.]*$/, '')}.${p.format === 'jpeg' ? 'jpg' : p.format === 'webp' ? 'webp' : 'png'}`,
});

const IMAGE_METHODS: Record<string, ProgramMethod> = {
  resize: imageMethod(
    { width: Side, height: Side, filter: z.enum(['nearest', 'triangle', 'catmull-rom', 'gaussian', 'lanczos3']) },
    ({ width, height }) =>
      width * height > MAX_PIXELS ? `width × height is ${width * height} pixels, over ${MAX_PIXELS}` : undefined,
  ),
  crop: imageMethod({
    x: z.int().check(z.minimum(0), z.maximum(16_383)),
    y: z.int().check(z.minimum(0), z.maximum(16_383)),
    width: Side,
    height: Side,
  }),
  blur: imageMethod({ sigma: z.number().check(z.positive(), z.maximum(100)) }),
  brighten: imageMethod({ value: z.int().check(z.minimum(-255), z.maximum(255)) }),
  contrast: imageMethod({ value: z.number().check(z.minimum(-100), z.maximum(100)) }),
  ...Object.fromEntries(
    ['grayscale', 'rotate90', 'rotate180', 'rotate270', 'fliph', 'flipv', 'invert'].map((m) => [m, imageMethod()]),
  ),
};

const Column = z.string().check(z.minLength(1), z.maxLength(256));
/** What every data method takes: the result's format. */
const TABLE_OUT = { format: z.optional(z.enum(['csv', 'json'])) };
/** The most CSV a unit of sort or transform takes: it holds the table whole, several times the text, in 64 MiB. */
const TABLE_INPUT_BYTES = 4 * 2 ** 20;

const dataMethod = (
  params: z.ZodMiniType<Record<string, unknown>>,
  /** filter and aggregate stream the rows: any chunk a job may have. */
  maxInputBytes = STREAMED_INPUT_BYTES,
): ProgramMethod => ({
  params,
  maxInputBytes,
  outputName: (file, p) => `${file.replace(/\.[^.]*$/, '')}.${p.format === 'json' ? 'json' : 'csv'}`,
});

const DATA_METHODS: Record<string, ProgramMethod> = {
  filter: dataMethod(
    z
      .strictObject({
        column: Column,
        op: z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'contains']),
        value: z.string().check(z.maxLength(4096)),
        /** Compare as numbers (the value and every cell of the column must be one), else as text. */
        numeric: z.optional(z.boolean()),
        ...TABLE_OUT,
      })
      .check(
        z.refine((p) => !p.numeric || (p.value.trim() !== '' && Number.isFinite(Number(p.value))), {
          message: 'a numeric filter compares with a number',
          path: ['value'],
        }),
        z.refine((p) => !(p.numeric && p.op === 'contains'), {
          message: 'contains compares text, not numbers',
          path: ['op'],
        }),
      ),
  ),
  aggregate: dataMethod(
    z.strictObject({
      group_by: z.optional(z.array(Column).check(z.maxLength(16))),
      aggregates: z
        .array(
          z
            .strictObject({
              fn: z.enum(['sum', 'mean', 'count', 'min', 'max']),
              column: z.optional(Column),
              as: z.optional(Column),
            })
            .check(
              z.refine((a) => a.fn === 'count' || a.column !== undefined, {
                message: 'every aggregate but count needs a column',
                path: ['column'],
              }),
            ),
        )
        .check(z.minLength(1), z.maxLength(64)),
      ...TABLE_OUT,
    }),
  ),
  sort: dataMethod(
    z.strictObject({
      by: z
        .array(
          z.strictObject({ column: Column, descending: z.optional(z.boolean()), numeric: z.optional(z.boolean()) }),
        )
        .check(z.minLength(1), z.maxLength(16)),
      ...TABLE_OUT,
    }),
    TABLE_INPUT_BYTES,
  ),
  transform: dataMethod(
    z
      .strictObject({
        select: z.optional(z.array(Column).check(z.minLength(1), z.maxLength(1024))),
        rename: z.optional(z.record(Column, Column)),
        cast: z.optional(z.record(Column, z.enum(['int', 'float', 'string']))),
        ...TABLE_OUT,
      })
      .check(
        z.refine((p) => p.select !== undefined || p.rename !== undefined || p.cast !== undefined, {
          message: 'transform needs select, rename or cast',
        }),
      ),
    TABLE_INPUT_BYTES,
  ),
  /**
   * The unit's input (the left table) with the right table, a file the job carries to every unit.
   * Inner or left only: a right or full join's unjoined right rows are known to no one unit.
   */
  join: {
    ...dataMethod(
      z.strictObject({
        /** The right table: the name of one of the job's files. */
        right: z.string().check(z.minLength(1), z.maxLength(1024)),
        /** The key: a column of both tables, or a column of each. */
        on: z.union([Column, z.strictObject({ left: Column, right: Column })]),
        how: z.optional(z.enum(['inner', 'left'])),
        ...TABLE_OUT,
      }),
    ),
    fileParams: { right: 'Right table' },
  },
};

export const PROGRAM_LIBRARIES: Record<string, ProgramLibrary> = {
  crypto: {
    module: 'crypto',
    methods: {
      sha256: digest(32, 'sha256'),
      sha512: digest(64, 'sha512'),
      blake3: digest(32, 'blake3'),
      ed25519_sign: {
        params: z.strictObject({ seed: hex(32) }),
        maxInputBytes: WHOLE_INPUT_BYTES,
        outputName: (file) => `${file}.sig`,
      },
      ed25519_verify: {
        params: z.strictObject({ public_key: hex(32), signature: hex(64) }),
        maxInputBytes: WHOLE_INPUT_BYTES,
        outputName: (file) => `${file}.verified`,
      },
      aead_encrypt: aead(true),
      aead_decrypt: aead(false),
    },
    secondsPerMiB: 0.01,
  },
  image: { module: 'image', methods: IMAGE_METHODS, secondsPerMiB: 0.5 },
  data: { module: 'data', methods: DATA_METHODS, secondsPerMiB: 0.2 },
  audio: { module: 'audio', methods: AUDIO_METHODS, secondsPerMiB: 0.5 },
  video: VIDEO_LIBRARY,
};

/** The program's args: the method, then each param as NAME=VALUE, sorted by name (one argv per params). */
export function programArgs(method: string, params: Record<string, ParamValue>): string[] {
  return [
    method,
    ...Object.keys(params)
      .sort()
      .map((name) => {
        const value = params[name];
        return `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
      }),
  ];
}
