// The ways a unit can end other than with an output. Each is a code a caller can branch on and a
// message a person can read; the code also crosses the worker boundary as plain data.
import { CodedError } from '../../core/errors.js';

const EXEC_ERROR_CODES = [
  'OutOfFuel', // the fuel budget ran out
  'Timeout', // the wall-time limit passed; the worker was replaced
  'MemoryLimit', // memory undeclared, over the allowance, or grown until refused
  'BadModule', // not valid WebAssembly, too large, or outside the ABI
  'ForbiddenImport', // imports something the ABI does not provide
  'Trap', // the unit trapped or aborted (a call depth over the ABI's limit too)
  'StackOverflow', // V8's stack ran out before the ABI's depth limit: this machine's, not the unit's, so no verdict
  'UnitFailed', // the unit returned a nonzero status (it refused its params or input)
  'InputTooLarge',
  'OutputTooLarge',
  'BadRequest', // the call itself was malformed (limits, params)
  'QueueFull', // more units waiting than the pool accepts
  'Closed', // the executor was closed
  'Aborted', // the caller aborted the unit (e.g. sharing was switched off)
] as const;

export type ExecErrorCode = (typeof EXEC_ERROR_CODES)[number];

export class ExecError extends CodedError<ExecErrorCode> {
  override readonly name = 'ExecError';

  constructor(
    code: ExecErrorCode,
    message: string,
    /** Fuel used before the unit ended, when it started at all. */
    readonly fuel?: number,
  ) {
    super(code, message);
  }
}

/** The plain-data form a worker sends back. */
export interface ExecFailure {
  ok: false;
  code: ExecErrorCode;
  message: string;
  fuel?: number;
}

export function toExecError(failure: ExecFailure): ExecError {
  return new ExecError(failure.code, failure.message, failure.fuel);
}
