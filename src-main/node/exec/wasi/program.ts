// What a WASI unit is given and what it gives back, as bytes every node agrees on.
//
// Given: its argv (the program's name, then its args), a fixed environment sorted by name, a seed
// for random_get, its input as stdin, and the job's files (an input tree: a dag-cbor list of
// [path, bytes], sorted by path) read-only under /input; or, with `dirs`, the job's folders where
// the program expects them (layout.ts).
//
// Gives back, as the unit's output (what is hashed and compared between nodes): the dag-cbor map
// {exit: its exit code, files: [[path, bytes], …] of the regular files under /out (or the new and
// changed files of its writable folders) sorted by the paths' UTF-8 bytes, stdout: bytes}. dag-cbor is canonical (one encoding per value), so equal
// results are equal bytes. stderr is kept beside it for the person who ran it, not compared.
import * as dagCbor from '@ipld/dag-cbor';
import { WasiDirsSchema, type WasiDir } from '../../../core/schemas/index.js';
import * as z from '../../../core/schemas/zod.js';
import { byUtf8 } from './memory-fs.js';

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'must be bytes');
/** No NUL: argv and environ strings reach the program NUL-terminated. */
const cString = z.string().check(z.refine((s) => !s.includes('\0'), 'must not contain a NUL character'));

/** What a caller says about a WASI unit (Executor.run's `wasi`). */
export const WasiRequestSchema = z.strictObject({
  /** argv[0]; "program" when not given. */
  program: z.optional(cString),
  args: z.optional(z.array(cString).check(z.maxLength(4096))),
  env: z.optional(
    z.record(
      cString.check(z.refine((k) => k !== '' && !k.includes('='), 'an env name must be non-empty, without "="')),
      cString,
    ),
  ),
  /** Derives random_get's stream: the same seed gives the same bytes on every node. */
  seed: z.optional(z.string().check(z.maxLength(1024))),
  /**
   * The job's files, as encodeInputFiles made them: mounted read-only at /input, or with `dirs`,
   * mapping i's files under `i/` (core/schemas/wasi-dirs.ts).
   */
  files: z.optional(bytes),
  /** Folders mapped in place of /input, /tmp and /out (layout.ts). */
  dirs: z.optional(WasiDirsSchema),
});
export type WasiRequest = z.infer<typeof WasiRequestSchema>;

/** What the worker is handed: the request made exact. */
export interface WasiUnitConfig {
  argv: string[];
  /** "NAME=value", sorted by NAME's UTF-8 bytes. */
  environ: string[];
  seed: string;
  files: Uint8Array | undefined;
  dirs: WasiDir[] | undefined;
}

export function toUnitConfig(request: WasiRequest): WasiUnitConfig {
  const env = Object.entries(request.env ?? {}).sort(([a], [b]) => byUtf8(a, b));
  return {
    argv: [request.program ?? 'program', ...(request.args ?? [])],
    environ: env.map(([k, v]) => `${k}=${v}`),
    seed: request.seed ?? '',
    files: request.files,
    dirs: request.dirs,
  };
}

const InputFilesSchema = z.array(z.tuple([z.string(), bytes]));

/** The job's files as the bytes a unit is given: a dag-cbor list of [path, bytes] sorted by path. */
export function encodeInputFiles(files: Iterable<readonly [string, Uint8Array]>): Uint8Array {
  return dagCbor.encode([...files].map(([p, b]) => [p, b]).sort(([a], [b]) => byUtf8(a as string, b as string)));
}

export function decodeInputFiles(encoded: Uint8Array): Array<[string, Uint8Array]> {
  return InputFilesSchema.parse(dagCbor.decode(encoded));
}

export interface WasiResult {
  exitCode: number;
  stdout: Uint8Array;
  /** /out's regular files, sorted by path. */
  files: Array<[string, Uint8Array]>;
}

const WasiOutputSchema = z.strictObject({
  exit: z.int().check(z.minimum(0), z.maximum(0xffff_ffff)),
  files: InputFilesSchema,
  stdout: bytes,
});

/** The unit's output: the canonical encoding of what a program's run is judged by. */
export function encodeWasiOutput(result: WasiResult): Uint8Array {
  return dagCbor.encode({ exit: result.exitCode, files: result.files, stdout: result.stdout });
}

export function decodeWasiOutput(output: Uint8Array): WasiResult {
  const { exit, files, stdout } = WasiOutputSchema.parse(dagCbor.decode(output));
  return { exitCode: exit, files, stdout };
}
