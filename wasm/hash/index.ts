// The `hash` kernel: the 32-byte digest of the whole input, by SHA-256 or BLAKE3 (docs/KERNELS.md).
export { mesh_abi_version, mesh_alloc, mesh_output_ptr, mesh_output_len } from "../abi/unit";
import { allocOutput, fail, STATUS_BAD_PARAMS, STATUS_OK } from "../abi/unit";
import { Params } from "../abi/params";
import { sha256 } from "./sha256";
import { blake3 } from "./blake3";

const DIGEST_LEN: i32 = 32;

export function mesh_run(paramsPtr: usize, paramsLen: i32, inputPtr: usize, inputLen: i32): i32 {
  const params = Params.read(paramsPtr, paramsLen);
  if (!params.valid) return fail(STATUS_BAD_PARAMS, "params must be a JSON object");
  const algorithm = params.str("algorithm", "");
  if (algorithm == "sha256") {
    sha256(inputPtr, inputLen, allocOutput(DIGEST_LEN));
  } else if (algorithm == "blake3") {
    blake3(inputPtr, inputLen, allocOutput(DIGEST_LEN));
  } else {
    return fail(STATUS_BAD_PARAMS, 'unknown "algorithm" "' + algorithm + '": expected "sha256" or "blake3"');
  }
  return STATUS_OK;
}
