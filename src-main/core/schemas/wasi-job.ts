// A job of WASI programs as every node reads it (docs/UNIT_ABI.md, section 15): the unit's params
// say how the program is started, and a unit's input is either its stdin as it is (`chunks`: the
// job's input cut every chunk_bytes) or one item framed to the chunk's size (`framed`: a name and
// a stdin, for one unit per file or per index). Pure: the node turns these into a run
// (node/exec/wasi/job-unit.ts, the framing in node/exec/wasi/items.ts) and meshctl makes them
// (cli/wasi-submit.ts).
import { WasiDirsSchema } from './wasi-dirs.js';
import * as z from './zod.js';

/**
 * The algorithm id of a user's WASI preview 1 program (docs/UNIT_ABI.md, section 15): the module
 * travels by CID, its files (if any) as the blob its units name as `required_dataset`, and its
 * params are WasiUnitParamsSchema's.
 */
export const WASI_PROGRAM = 'wasi';

/** No NUL: argv and environ strings reach the program NUL-terminated. */
const CString = z.string().check(
  z.maxLength(4096),
  z.refine((s) => !s.includes('\0'), 'must not contain a NUL character'),
);

/** The most args a program is given. */
const MAX_WASI_ARGS = 256;

/** A unit's stdin: its chunk of the job's input as it is, or a framed item (node/exec/wasi/items.ts). */
const WasiItemsSchema = z.enum(['chunks', 'framed']);

/**
 * A WASI unit's params. `args` are templates: `{index}` becomes the unit's index in its job and
 * `{name}` its item's name (its index for `chunks`), so each unit's argv is fixed by the job alone.
 */
export const WasiUnitParamsSchema = z.strictObject({
  program: CString,
  args: z.array(CString).check(z.maxLength(MAX_WASI_ARGS)),
  // Checked on the whole record: a refused key's own message would be lost under "Invalid key".
  env: z
    .record(CString, CString)
    .check(
      z.refine(
        (env) => Object.keys(env).every((k) => k !== '' && !k.includes('=')),
        'an env name must be non-empty, without "="',
      ),
    ),
  items: WasiItemsSchema,
  /**
   * Folders mapped where the program expects them (wasi-dirs.ts), preopened in this order from fd 3
   * instead of /input, /tmp and /out. Absent (never empty) in a job without them, whose units'
   * params are then what they were before folders could be mapped.
   */
  dirs: z.optional(WasiDirsSchema),
});
export type WasiUnitParams = z.infer<typeof WasiUnitParamsSchema>;

/** The most bytes of files (as an input tree) a WASI job mounts at /input. */
export const MAX_WASI_FILES_BYTES = 4 * 1024 * 1024;

/** `{index}` and `{name}` in each arg, replaced; every other character as it is. */
export function expandArgs(args: readonly string[], index: number, name: string): string[] {
  return args.map((arg) =>
    arg.replace(/\{(index|name)\}/g, (_, key: string) => (key === 'index' ? String(index) : name)),
  );
}

/** The unit's index in its job, from its id (`JOB/INDEX`, core/mesh/state/unit-table.ts); undefined for any other id. */
export function unitIndexOf(unitId: string, jobId: string): number | undefined {
  const prefix = `${jobId}/`;
  if (!unitId.startsWith(prefix)) return undefined;
  const rest = unitId.slice(prefix.length);
  if (!/^(0|[1-9]\d{0,8})$/.test(rest)) return undefined;
  return Number(rest);
}
