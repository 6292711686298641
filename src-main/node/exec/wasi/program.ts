// What a caller says about a WASI unit (Executor.run's `wasi`), checked and made exact for the
// worker, and a unit's output read back; unit-bytes.ts tells what a unit is given and gives back,
// as bytes every node agrees on.
import * as dagCbor from '@ipld/dag-cbor';
import { WasiDirsSchema, type WasiDir } from '../../../core/schemas/wasi-dirs.js';
import * as z from '../../../core/schemas/zod.js';
import { byUtf8 } from './memory-fs.js';
import type { WasiResult } from './unit-bytes.js';

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

const WasiOutputSchema = z.strictObject({
  exit: z.int().check(z.minimum(0), z.maximum(0xffff_ffff)),
  files: z.array(z.tuple([z.string(), bytes])),
  stdout: bytes,
});

export function decodeWasiOutput(output: Uint8Array): WasiResult {
  const { exit, files, stdout } = WasiOutputSchema.parse(dagCbor.decode(output));
  return { exitCode: exit, files, stdout };
}
