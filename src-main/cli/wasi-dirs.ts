// `--dir HOST[:GUEST][:ro|rw]` of `meshctl submit-job --wasi` and `run-local --wasi`: a folder of
// this machine mapped where the program expects it, as wasmtime's `--dir` maps one
// (docs/UNIT_ABI.md, section 15). Without a guest path a folder is seen by the name it is given, as
// wasmtime's `--dir` sees it: `.` at `.`, an absolute path at itself, a relative one by that name
// (`data`: where wasi-libc and Rust, whose working directory is `/`, find `data` and `/data`).
// Read-only unless `:rw`.
//
// The folders travel as the job's files: one input tree, mapping i's files under `i/`
// (core/schemas/wasi-dirs.ts). Plain files and folders only: a symlink, which could point anywhere
// on this disk, or anything else is refused by its path, and every size is read before any file,
// so a folder over the limit is refused unread.
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { describeError } from '../core/errors.js';
import {
  canonicalGuestPath,
  MAX_WASI_DIRS,
  MAX_WASI_FILES_BYTES,
  treePrefixOf,
  wasiDirsProblem,
  type WasiDir,
} from '../core/schemas/index.js';
import { encodeInputFiles } from '../node/exec/index.js';
import { CliError } from './args.js';

interface DirMapping extends WasiDir {
  /** The folder on this machine, as typed. */
  host: string;
}

const fail = (message: string): never => {
  throw new CliError(`--dir: ${message}`);
};

/** Where `--dir HOST` alone is seen: as wasmtime maps it, at the path it is named by. */
function defaultGuest(host: string): string {
  const trimmed = host.replace(/[/\\]+$/, '') || host;
  if (trimmed === '.') return '.';
  if (isAbsolute(trimmed)) {
    const guest = canonicalGuestPath(trimmed.split(sep).join('/'));
    if (guest.ok) return guest.path;
    return fail(`${host} cannot be seen at its own path (${guest.error}): give one, as ${host}:/data`);
  }
  const parts = trimmed.split(/[/\\]/).filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..'))
    return fail(`${host} climbs out of this folder: give a guest path, as ${host}:/data`);
  return parts.join('/');
}

/** One `--dir`: HOST, then an optional guest path and mode, read from the right (HOST may hold ":"). */
function parseDirOption(text: string): DirMapping {
  const parts = text.split(':');
  let mode: WasiDir['mode'] = 'ro';
  if (parts.length > 1 && (parts.at(-1) === 'ro' || parts.at(-1) === 'rw')) mode = parts.pop() as WasiDir['mode'];
  let guest: string | undefined;
  if (parts.length > 1) {
    const typed = canonicalGuestPath(parts.pop()!);
    if (!typed.ok) return fail(`${text}: ${typed.error}`);
    guest = typed.path;
  }
  const host = parts.join(':');
  if (host === '') return fail(`${text}: no folder before the ":"; expected HOST[:GUEST][:ro|rw]`);
  return { host, guest: guest ?? defaultGuest(host), mode };
}

/** A file or an empty folder of a mapped folder, found by the walk, not read yet. */
interface Found {
  /** On this disk. */
  from: string;
  /** In the job's input tree: `i/` and its path in the folder; a folder's ends in "/". */
  path: string;
  size: number;
}

/** What the walk found, and its bytes so far: each entry's path and bytes, no more than the tree's encoding takes. */
interface Walked {
  found: Found[];
  bytes: number;
}

function add(walked: Walked, entry: Found): void {
  walked.found.push(entry);
  walked.bytes += entry.size + Buffer.byteLength(entry.path);
  if (walked.bytes > MAX_WASI_FILES_BYTES)
    fail(`the mapped folders hold over ${MAX_WASI_FILES_BYTES} bytes of files and paths, a job's most`);
}

/** Walks a folder, nothing read: links and what is no file or folder refused, and stopped once past the limit. */
async function walk(folder: string, label: string, prefix: string, into: Walked, top = true): Promise<void> {
  const names = (await readdir(folder)).sort();
  // An empty folder is an entry of its own: the tree holds files, and would lose it.
  if (names.length === 0 && !top) add(into, { from: folder, path: prefix, size: 0 });
  for (const name of names) {
    const from = join(folder, name);
    const shown = join(label, name);
    const info = await lstat(from);
    if (info.isSymbolicLink()) fail(`${shown} is a symlink: a mapped folder holds plain files and folders only`);
    if (info.isDirectory()) await walk(from, shown, `${prefix}${name}/`, into, false);
    else if (info.isFile()) add(into, { from, path: `${prefix}${name}`, size: info.size });
    else fail(`${shown} is neither a file nor a folder: a mapped folder holds plain files and folders only`);
  }
}

/** Exactly `size` bytes of a file (what its walk found), or why not: it changed since. */
async function readSized(path: string, size: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const bytes = new Uint8Array(size + 1);
    let got = 0;
    for (let n = -1; n !== 0 && got < bytes.length; got += n)
      ({ bytesRead: n } = await file.read(bytes, got, bytes.length - got, got));
    if (got !== size)
      fail(`${path} changed while it was read (${size} bytes, then ${got === size + 1 ? 'more' : got})`);
    return bytes.subarray(0, size);
  } finally {
    await file.close();
  }
}

/**
 * The mappings' folders read into one input tree (the job's files), and the mappings as the units'
 * params hold them: each checked, walked and sized before a file is read.
 */
export async function readDirs(texts: readonly string[]): Promise<{ dirs: WasiDir[]; files: Uint8Array }> {
  if (texts.length > MAX_WASI_DIRS) fail(`at most ${MAX_WASI_DIRS} folders are mapped, not ${texts.length}`);
  const mappings = texts.map(parseDirOption);
  const dirs = mappings.map(({ guest, mode }) => ({ guest, mode }));
  const problem = wasiDirsProblem(dirs);
  if (problem !== undefined) fail(problem);
  const walked: Walked = { found: [], bytes: 0 };
  for (const [i, { host }] of mappings.entries()) {
    const info = await stat(host).catch((err: unknown) =>
      fail(
        `${host} ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read: ${describeError(err)}`}`,
      ),
    );
    if (!info.isDirectory()) fail(`${host} is not a folder`);
    await walk(host, host, treePrefixOf(i), walked).catch((err: unknown) => {
      if (err instanceof CliError) throw err;
      fail(`cannot read ${host}: ${describeError(err)}`);
    });
  }
  // Every size known and within the limit: now the files are read.
  const entries: Array<[string, Uint8Array]> = [];
  for (const f of walked.found) {
    const read = f.path.endsWith('/')
      ? new Uint8Array()
      : await readSized(f.from, f.size).catch((err: unknown) => {
          if (err instanceof CliError) throw err;
          return fail(`cannot read ${f.from}: ${describeError(err)}`);
        });
    entries.push([f.path, read]);
  }
  const files = encodeInputFiles(entries);
  if (files.byteLength > MAX_WASI_FILES_BYTES)
    fail(`the mapped folders make ${files.byteLength} bytes, over a job's ${MAX_WASI_FILES_BYTES}`);
  return { dirs, files };
}
