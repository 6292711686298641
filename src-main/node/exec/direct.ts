// Runs a unit module directly in this thread, unmetered and without limits: the baseline that
// benchmarks compare the pool against, and the way kernel tests check a kernel's arithmetic.
// Never give it a module you did not build: nothing here stops an infinite loop.
import { abiImports, callUnit, type AbiExports } from './abi.js';
import { encodeParams } from './params.js';

export function instantiateDirect(module: WebAssembly.Module): AbiExports {
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
export function runDirect(
  module: WebAssembly.Module,
  params: unknown,
  input: Uint8Array,
  maxOutputBytes = 1 << 30,
): Uint8Array {
  const exports = instantiateDirect(module);
  return callUnit(exports, encodeParams(params), input, maxOutputBytes);
}
