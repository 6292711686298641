// Where the kernels built from wasm/ live: dist/wasm/<name>.wasm, next to the compiled code; and
// the library's WASI programs, committed in wasm/library/ and copied to dist/wasm/library/.
import { describeError } from '../../core/errors.js';
import { readFileSync } from 'node:fs';
import { builtFile } from '../../core/build-layout.js';
import type { ProgramLibrary } from '../../core/library/program.js';

export type KernelName = 'render' | 'hash' | 'image';

const loaded = new Map<string, Uint8Array<ArrayBuffer>>();

/** The built file's bytes, read once; a missing file means the wasm build (npm run build) did not run. */
function loadBuilt(path: string, what: string): Uint8Array<ArrayBuffer> {
  let bytes = loaded.get(path);
  if (!bytes) {
    try {
      bytes = new Uint8Array(readFileSync(new URL(builtFile(import.meta.url, path))));
    } catch (err) {
      throw new Error(`${what} is not built (${describeError(err)}); run npm run build`, { cause: err });
    }
    loaded.set(path, bytes);
  }
  return bytes;
}

export function loadKernel(name: KernelName): Uint8Array<ArrayBuffer> {
  return loadBuilt(`wasm/${name}.wasm`, `kernel "${name}"`);
}

/** A library's WASI program (scripts/build-library.mjs). */
export function loadLibraryModule(name: ProgramLibrary['module']): Uint8Array<ArrayBuffer> {
  return loadBuilt(`wasm/library/${name}.wasm`, `library module "${name}"`);
}
