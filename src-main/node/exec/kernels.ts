// Where the kernels built from wasm/ live: dist/wasm/<name>.wasm, next to the compiled code.
import { describeError } from '../../core/errors.js';
import { readFileSync } from 'node:fs';
import { builtFile } from '../../core/build-layout.js';

export type KernelName = 'render' | 'hash' | 'image';

function kernelUrl(name: KernelName): URL {
  return new URL(builtFile(import.meta.url, `wasm/${name}.wasm`));
}

const loaded = new Map<KernelName, Uint8Array<ArrayBuffer>>();

/** The kernel's bytes, read once; a missing file means the wasm build (npm run build) did not run. */
export function loadKernel(name: KernelName): Uint8Array<ArrayBuffer> {
  let bytes = loaded.get(name);
  if (!bytes) {
    try {
      bytes = new Uint8Array(readFileSync(kernelUrl(name)));
    } catch (err) {
      throw new Error(`kernel "${name}" is not built (${describeError(err)}); run npm run build`, {
        cause: err,
      });
    }
    loaded.set(name, bytes);
  }
  return bytes;
}
