// The host side of the Mesh unit ABI v1 (docs/UNIT_ABI.md), for kernels written in
// AssemblyScript. A kernel's entry file re-exports these and defines `mesh_run`:
//
//   export { mesh_abi_version, mesh_alloc, mesh_output_ptr, mesh_output_len } from "../abi/unit";
//   export function mesh_run(paramsPtr: usize, paramsLen: i32, inputPtr: usize, inputLen: i32): i32 { … }
//
// Kernels are built with the stub runtime: a bump allocator that never frees, which is all a
// unit needs (one call, then the instance is thrown away) and keeps every byte deterministic.

/** Status codes `mesh_run` returns; anything but OK leaves a UTF-8 message as the output. */
export const STATUS_OK: i32 = 0;
export const STATUS_BAD_PARAMS: i32 = 1;
export const STATUS_BAD_INPUT: i32 = 2;

let outputPtr: usize = 0;
let outputLen: i32 = 0;

export function mesh_abi_version(): i32 {
  return 1;
}

/** The host asks for `len` bytes to write params or input into. */
export function mesh_alloc(len: i32): usize {
  return heap.alloc(<usize>max(len, 1));
}

export function mesh_output_ptr(): usize {
  return outputPtr;
}

export function mesh_output_len(): i32 {
  return outputLen;
}

/** Allocates the output buffer; the kernel fills it in place. */
export function allocOutput(len: i32): usize {
  outputPtr = heap.alloc(<usize>max(len, 1));
  outputLen = len;
  return outputPtr;
}

/** Ends the unit with a status and a message the host reports as the unit's own failure. */
export function fail(status: i32, message: string): i32 {
  const bytes = String.UTF8.encode(message);
  const len = bytes.byteLength;
  const ptr = allocOutput(len);
  memory.copy(ptr, changetype<usize>(bytes), <usize>len);
  return status;
}
