// A job of WASI programs as submitted (core/api/shapes.ts, WasiJobSchema): what its units' params
// are (core/schemas/wasi-job.ts), and its files, stored once as a blob that every unit names.
import type { SubmitJobTerms } from '../../../core/api/contract.js';
import { describeError } from '../../../core/errors.js';
import { WASI_PROGRAM, type WasiUnitParams } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import { decodeInputFiles } from '../../exec/index.js';

/** The units' params and the files' bytes; files that are no input tree are refused, as every unit would fail on them. */
export function wasiJob(wasi: NonNullable<SubmitJobTerms['wasi']>) {
  const { files_base64: encoded, program = 'program', ...rest } = wasi;
  const params: WasiUnitParams = { program, ...rest };
  const files = encoded === undefined ? undefined : new Uint8Array(Buffer.from(encoded, 'base64'));
  if (files) {
    try {
      decodeInputFiles(files);
    } catch (err) {
      throw new ApiError(
        'bad_request',
        `wasi.files_base64 is not an input tree (a dag-cbor list of [path, bytes], as encodeInputFiles makes it): ${describeError(err)}`,
      );
    }
  }
  return { algorithmId: WASI_PROGRAM, params, files };
}
