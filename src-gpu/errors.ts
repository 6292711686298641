// A unit's failure on the GPU, with the protocol's code (src-main/core/gpu/protocol.ts), and the
// WebGPU error scopes that turn the device's asynchronous validation and allocation errors into one.
import { CodedError, describeError } from '../src-main/core/errors.js';
import type { GpuErrorCode } from '../src-main/core/gpu/protocol.js';

export class GpuUnitError extends CodedError<GpuErrorCode> {
  override readonly name = 'GpuUnitError';

  constructor(code: GpuErrorCode, message: string) {
    super(code, message, { prefixed: false }); // the code travels beside the message in the reply
  }
}

/**
 * Runs `work` inside validation and out-of-memory scopes: a validation error becomes
 * `validationCode`, an allocation failure `out_of_memory`. A rejected pipeline (GPUPipelineError)
 * counts as a validation error.
 */
export async function withErrorScopes<T>(
  device: GPUDevice,
  validationCode: GpuErrorCode,
  work: () => Promise<T>,
): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let value: T | undefined;
  let thrown: unknown;
  try {
    value = await work();
  } catch (err) {
    thrown = err;
  }
  const validation = await device.popErrorScope();
  const memory = await device.popErrorScope();
  if (memory) throw new GpuUnitError('out_of_memory', memory.message);
  if (thrown instanceof GpuUnitError) throw thrown;
  if (thrown !== undefined) throw new GpuUnitError(validationCode, describeError(thrown));
  if (validation) throw new GpuUnitError(validationCode, validation.message);
  return value as T;
}
