// Waiting on a GPU runner that may never answer (a hung shader, a wedged GPU process).
import { CodedError } from '../../core/errors.js';

export class TimeoutError extends CodedError<'timeout'> {
  override readonly name = 'TimeoutError';

  constructor(ms: number) {
    super('timeout', `no answer within ${ms} ms`, { prefixed: false });
  }
}

/** `promise`, or a TimeoutError after `ms`, or an 'aborted' error when `signal` fires first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
    const onAbort = () => reject(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}
