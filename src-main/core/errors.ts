// One shape for the failures a caller can branch on, and one way to turn anything thrown into
// text. Pure: no I/O, no clock; the node, the CLI and the GPU runner page all use it.

/**
 * An error with a `code` from a closed set that callers branch on, and a message a person reads.
 * By default the message starts with the code (`timeout: no reply from …`), as the node's errors
 * always have; errors whose message travels as is (the local API's) pass `{ prefixed: false }`.
 */
export class CodedError<Code extends string = string> extends Error {
  override readonly name: string = 'CodedError';

  constructor(
    readonly code: Code,
    message: string,
    options: { prefixed?: boolean; cause?: unknown } = {},
  ) {
    super(
      options.prefixed === false ? message : `${code}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

/**
 * What went wrong, as one line of text, whatever was thrown: an Error's message (its name when it
 * has none), a string as it is, an object's `message` when it has a string one, else its String.
 * Never throws.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string')
    return err.message;
  try {
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}
