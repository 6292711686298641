// The one way untrusted input becomes a typed value: size check, JSON parse, depth check, then
// the schema. Every failure is a typed error value; nothing thrown escapes.
import { describeError } from '../errors.js';
import type * as z from './zod.js';
import { deeperThan, LIMITS } from './primitives.js';

export type DecodeErrorCode = 'too_large' | 'malformed_json' | 'too_deep' | 'invalid';

export interface DecodeIssue {
  path: string;
  message: string;
}

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
  issues: DecodeIssue[];
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

export const DEFAULT_MAX_CHARS = 1024 * 1024;

function failure(
  code: DecodeErrorCode,
  message: string,
  issues: DecodeIssue[] = [],
): { ok: false; error: DecodeError } {
  return { ok: false, error: { code, message, issues } };
}

/** Shortens text quoted from hostile input (zod lists every unknown key) to something a person can read. */
function clip(text: string, maxChars = 200): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/** Validates an already-parsed value against a schema. */
export function validate<S extends z.ZodMiniType>(schema: S, value: unknown): Decoded<z.output<S>> {
  let result: z.util.SafeParseResult<z.output<S>>;
  try {
    // Inside the try: walking a hostile value (a Proxy, a throwing getter) may throw too.
    if (deeperThan(value, LIMITS.jsonDepth * 2)) {
      return failure('too_deep', `nested deeper than ${LIMITS.jsonDepth * 2} levels`);
    }
    result = schema.safeParse(value);
  } catch (err) {
    return failure('invalid', `validation failed: ${describeError(err)}`);
  }
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.slice(0, 20).map((i) => ({
    path: clip(i.path.map(String).join('.')) || '(root)',
    message: clip(i.message),
  }));
  const first = issues[0];
  return failure('invalid', first ? `${first.path}: ${first.message}` : 'invalid', issues);
}

/** Parses JSON text of at most `maxChars` characters and validates it against a schema. */
export function decodeJson<S extends z.ZodMiniType>(
  schema: S,
  text: string,
  maxChars: number = DEFAULT_MAX_CHARS,
): Decoded<z.output<S>> {
  if (typeof text !== 'string') return failure('invalid', 'expected JSON text');
  if (text.length > maxChars) return failure('too_large', `message of ${text.length} characters exceeds ${maxChars}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return failure('malformed_json', `malformed JSON: ${describeError(err)}`);
  }
  return validate(schema, value);
}
