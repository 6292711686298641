// The failures a method of the local API can end in. A handler throws an ApiError for an expected
// failure (no such job, the node is still starting); the server sends its code and message, and
// the client turns the reply back into the same ApiError. Anything else a handler throws is a bug.
import { CodedError } from '../../core/errors.js';
import type { ApiErrorCode } from '../../core/api/contract.js';

/** The HTTP status each code travels with (the server refines a few: 403, 405, 413). */
export const HTTP_STATUS_OF: Readonly<Record<ApiErrorCode, number>> = {
  unauthorized: 401,
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export class ApiError extends CodedError<ApiErrorCode> {
  override readonly name = 'ApiError';

  constructor(code: ApiErrorCode, message: string) {
    super(code, message, { prefixed: false }); // the message travels to the client as it is
  }
}

/**
 * A time the request names that has passed already (a job's deadline, a slot's end): refused as a
 * bad request naming it and the time now, and what it means.
 */
export function refusePassed(field: string, time: string, nowMs: number, meaning: string): void {
  if (Date.parse(time) > nowMs) return;
  throw new ApiError(
    'bad_request',
    `${field}: ${time} has passed (it is ${new Date(nowMs).toISOString()}); ${meaning}`,
  );
}

/** What a client says when no node answers for a data dir: the one thing the user must do next. */
export function noNodeRunning(dataDir: string): ApiError {
  const hint = `meshctl node start --data-dir ${shellQuoted(dataDir)}`;
  return new ApiError('unavailable', `no node is running for data dir ${dataDir} (start one with: ${hint})`);
}

/** The path as a POSIX shell word, so the hint can be pasted (macOS's default dir has spaces). */
function shellQuoted(path: string): string {
  return /^[\w./:@%+=-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
