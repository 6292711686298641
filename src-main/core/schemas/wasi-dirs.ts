// Folders mapped into a WASI program's filesystem (`--dir HOST[:GUEST][:ro|rw]`, docs/UNIT_ABI.md,
// section 15), as every node reads them: a unit's params list each mapping's guest path and mode,
// and the job's files (one input tree, node/exec/wasi/program.ts) hold mapping i's files under
// `i/`. Pure: the CLI reads the folders (cli/wasi-dirs.ts), the host mounts them
// (node/exec/wasi/layout.ts).
//
// A guest path is `.`, an absolute path, or a relative name (`fs-tests.dir`, as wasmtime's `--dir`
// and node:wasi's preopens keep one), without `.` or `..` parts, written once: no repeated or
// trailing `/`. The program is told the name as written (fd_prestat_dir_name: a test that looks for
// its folder by name finds it). wasi-libc and Rust's std start in `/` and resolve a relative path
// against the preopen whose name is its longest prefix, with `.` and `/` both the empty prefix and a
// relative name under `/`: so `.` and `/` are one place, `data` and `/data` another, and a program's
// `fopen("data.txt")` finds the folder mapped at `.`.
import { placeOf } from './wasi-guest.js';
import * as z from './zod.js';

/** The most folders one job maps. */
export const MAX_WASI_DIRS = 16;

/** The longest guest path, in UTF-8 bytes (the unit's params hold them all, within 16 KiB). */
const MAX_GUEST_PATH_BYTES = 512;

/** A string's UTF-8 length (the core has no TextEncoder): 1 to 4 bytes a code point. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Where a folder is seen and whether the program may change it (its changes then come back). */
const WasiDirSchema = z.strictObject({
  guest: z.string(),
  mode: z.enum(['ro', 'rw']),
});
export type WasiDir = z.infer<typeof WasiDirSchema>;

/** A guest path as typed, made canonical; or why it cannot be one. */
export function canonicalGuestPath(text: string): { ok: true; path: string } | { ok: false; error: string } {
  if (text === '') return { ok: false, error: 'a guest path is empty' };
  if (text.includes('\0')) return { ok: false, error: 'a guest path holds a NUL' };
  const absolute = text.startsWith('/');
  const parts = text.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { ok: false, error: `the guest path ${JSON.stringify(text)} climbs with ".."` };
  if (!absolute && parts.length === 0) return { ok: true, path: '.' };
  const path = absolute ? `/${parts.join('/')}` : parts.join('/');
  if (utf8Bytes(path) > MAX_GUEST_PATH_BYTES)
    return { ok: false, error: `a guest path is at most ${MAX_GUEST_PATH_BYTES} bytes` };
  return { ok: true, path };
}

/** Whether `inner` is `outer` or lies under it, as guest paths. */
function within(outer: string, inner: string): boolean {
  const [from, to] = [placeOf(outer), placeOf(inner)];
  return from === '/' || to === from || to.startsWith(`${from}/`);
}

/**
 * Why a list of mappings cannot be a unit's, or undefined: a guest path not canonical, one place
 * mapped twice, or a writable folder inside another writable one (their files would come back
 * under one path of the output).
 */
export function wasiDirsProblem(dirs: readonly WasiDir[]): string | undefined {
  if (dirs.length === 0) return 'no folder is mapped (leave dirs out for the default /input, /tmp and /out)';
  if (dirs.length > MAX_WASI_DIRS) return `at most ${MAX_WASI_DIRS} folders are mapped, not ${dirs.length}`;
  for (const [i, dir] of dirs.entries()) {
    const canonical = canonicalGuestPath(dir.guest);
    if (!canonical.ok) return canonical.error;
    if (canonical.path !== dir.guest)
      return `the guest path ${JSON.stringify(dir.guest)} is not written as ${canonical.path}`;
    for (const other of dirs.slice(0, i)) {
      if (placeOf(other.guest) === placeOf(dir.guest))
        return `${dir.guest} is mapped twice${dir.guest === other.guest ? '' : ` (as ${other.guest} and ${dir.guest}, one place to wasi-libc)`}`;
      if (
        other.mode === 'rw' &&
        dir.mode === 'rw' &&
        (within(other.guest, dir.guest) || within(dir.guest, other.guest))
      )
        return `two writable folders, ${other.guest} and ${dir.guest}, one inside the other: their files would come back under one path`;
    }
  }
  return undefined;
}

/** The mappings as a unit's params hold them: checked by wasiDirsProblem. */
export const WasiDirsSchema = z.array(WasiDirSchema).check(
  z.superRefine((dirs, ctx) => {
    const problem = wasiDirsProblem(dirs);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/**
 * Why an input tree's paths do not fit `dirs`, or undefined: each must lie under a mapping's
 * `i/`; a path ending in `/` is an empty folder (the tree holds files, and a folder with none
 * would be lost).
 */
export function treeProblem(paths: Iterable<string>, dirs: readonly WasiDir[]): string | undefined {
  for (const path of paths) {
    const match = /^(0|[1-9]\d?)\/(.+)$/s.exec(path);
    if (!match || Number(match[1]) >= dirs.length)
      return `the file ${JSON.stringify(path.slice(0, 80))} lies under no mapped folder's i/ (of ${dirs.length})`;
    const parts = match[2]!.replace(/\/$/, '').split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..'))
      return `the file ${JSON.stringify(path.slice(0, 80))} is not a plain relative path`;
  }
  return undefined;
}
