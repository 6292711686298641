// The folders a WASI unit's program is given, preopened from fd 3 in this order, and the files of
// them that come back in its output (docs/UNIT_ABI.md, section 15).
//
// - By default, /input (the job's files, read-only), /tmp (scratch) and /out, whose files come
//   back.
// - With `dirs` (core/schemas/wasi-dirs.ts), the job's folders instead, each at its guest path,
//   holding the files the job's input tree has under its `i/`. A read-only one refuses changes
//   (EROFS); a writable one is this unit's own copy, and the files in it that are new or differ
//   from that copy when the program ends come back, under the folder's output prefix (`.`'s at
//   the top, `/data`'s under `data/`); a removal is not said. Nothing reaches another unit or the
//   host's disk.
import type { WasiDir } from '../../../core/schemas/wasi-dirs.js';
import { outputPrefixOf, treePrefixOf } from '../../../core/schemas/wasi-guest.js';
import { byUtf8, type DirNode, type MemoryFs } from './memory-fs.js';
import { decodeInputFiles } from './unit-bytes.js';

/** /tmp's file contents at most. */
const TMP_BYTES = 16 << 20;

export interface Layout {
  preopens: Array<[string, DirNode]>;
  /** The files the unit's output holds, sorted by path: /out's, or the writable folders' new and changed ones. */
  files(): Array<[string, Uint8Array]>;
}

/** The unit's folders, from its files (an input tree) and its mappings. */
export function layoutOf(
  fs: MemoryFs,
  files: Uint8Array | undefined,
  dirs: readonly WasiDir[] | undefined,
  maxOutputBytes: number,
): Layout {
  return dirs ? mappedLayout(fs, files, dirs, maxOutputBytes) : defaultLayout(fs, files, maxOutputBytes);
}

function defaultLayout(fs: MemoryFs, files: Uint8Array | undefined, maxOutputBytes: number): Layout {
  const input = fs.mount('/input', true, Number.MAX_SAFE_INTEGER, 1);
  for (const [path, bytes] of files ? decodeInputFiles(files) : []) fs.seed(input, path, bytes);
  const tmp = fs.mount('/tmp', false, TMP_BYTES, 2);
  const out = fs.mount('/out', false, maxOutputBytes, 3);
  return {
    preopens: [
      ['/input', input],
      ['/tmp', tmp],
      ['/out', out],
    ],
    files: () => fs.files(out),
  };
}

/** Mapping i's entries of the tree: [path below its folder, bytes], a path ending in "/" an empty folder. */
function entriesOf(files: Uint8Array | undefined, count: number): Array<Array<[string, Uint8Array]>> {
  const byDir = Array.from({ length: count }, (): Array<[string, Uint8Array]> => []);
  for (const [path, bytes] of files ? decodeInputFiles(files) : []) {
    const index = Number(path.slice(0, path.indexOf('/')));
    const entries = byDir[index];
    if (path.indexOf('/') < 1 || !path.startsWith(treePrefixOf(index)) || !entries)
      throw new Error(`input file path "${path}" lies under no mapped folder`);
    entries.push([path.slice(treePrefixOf(index).length), bytes]);
  }
  return byDir;
}

function mappedLayout(
  fs: MemoryFs,
  files: Uint8Array | undefined,
  dirs: readonly WasiDir[],
  maxOutputBytes: number,
): Layout {
  const byDir = entriesOf(files, dirs.length);
  const writable: Array<{ root: DirNode; prefix: string; given: Map<string, Uint8Array> }> = [];
  const preopens = dirs.map(({ guest, mode }, i): [string, DirNode] => {
    const entries = byDir[i]!;
    const given = entries.reduce((sum, [, bytes]) => sum + bytes.byteLength, 0);
    const readonly = mode === 'ro';
    // A writable copy holds what it was given and up to the output's most besides.
    const root = fs.mount(guest, readonly, readonly ? Number.MAX_SAFE_INTEGER : given + maxOutputBytes, i + 1);
    // A writable folder's files are copies: the program writes into their bytes, and what it was
    // given (the job's files, which may serve other units) stays as it was, to compare against.
    for (const [path, bytes] of entries) {
      if (path.endsWith('/')) fs.seedFolder(root, path);
      else fs.seed(root, path, readonly ? bytes : bytes.slice());
    }
    if (!readonly)
      writable.push({ root, prefix: outputPrefixOf(guest), given: new Map(entries.filter(([p]) => !p.endsWith('/'))) });
    return [guest, root];
  });
  return {
    preopens,
    files: () =>
      writable
        .flatMap(({ root, prefix, given }) =>
          fs
            .files(root)
            .filter(([path, bytes]) => {
              const was = given.get(path);
              return was === undefined || Buffer.compare(was, bytes) !== 0;
            })
            .map(([path, bytes]): [string, Uint8Array] => [prefix + path, bytes]),
        )
        .sort(([a], [b]) => byUtf8(a, b)),
  };
}
