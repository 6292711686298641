// Runs a unit module in this thread, outside the sandbox (no worker, unmetered, no limits): the
// baseline that benchmarks compare the pool against, and the way kernel tests check a kernel's
// arithmetic.
// Never give it a module you did not build: nothing here stops an infinite loop.
import { abiImports, callUnit, type AbiExports } from './abi.js';
import { encodeParams } from './params.js';

export function instantiateUnsandboxed(module: WebAssembly.Module): AbiExports {
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(
    module,
    abiImports(() => memory),
  );
  const exports = instance.exports as unknown as AbiExports;
  memory = exports.memory;
  return exports;
}

/** One unit, on a fresh instance of `module`; params are encoded as the pool encodes them. */
export function runUnsandboxed(
  module: WebAssembly.Module,
  params: unknown,
  input: Uint8Array,
  maxOutputBytes = 1 << 30,
): Uint8Array {
  const exports = instantiateUnsandboxed(module);
  return callUnit(exports, encodeParams(params), input, maxOutputBytes);
}
