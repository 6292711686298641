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
import { byUtf8 } from './memory-fs.js';

/** The job's files as the bytes a unit is given: a dag-cbor list of [path, bytes] sorted by path. */
export function encodeInputFiles(files: Iterable<readonly [string, Uint8Array]>): Uint8Array {
  return dagCbor.encode([...files].map(([p, b]) => [p, b]).sort(([a], [b]) => byUtf8(a as string, b as string)));
}

const isFileEntry = (entry: unknown): entry is [string, Uint8Array] =>
  Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && entry[1] instanceof Uint8Array;

/**
 * The job's files from their bytes; throws for bytes that are not a list of [path, bytes]. Checked
 * by hand, not by a schema: the pool's worker threads read them, and load no schema library (a
 * worker's start is on a first unit's path).
 */
export function decodeInputFiles(encoded: Uint8Array): Array<[string, Uint8Array]> {
  const decoded: unknown = dagCbor.decode(encoded);
  if (Array.isArray(decoded) && decoded.every(isFileEntry)) return decoded;
  throw new Error('not an input tree: a dag-cbor list of [path, bytes]');
}

export interface WasiResult {
  exitCode: number;
  stdout: Uint8Array;
  /** /out's regular files, sorted by path. */
  files: Array<[string, Uint8Array]>;
}

/** The unit's output: the canonical encoding of what a program's run is judged by. */
export function encodeWasiOutput(result: WasiResult): Uint8Array {
  return dagCbor.encode({ exit: result.exitCode, files: result.files, stdout: result.stdout });
}
