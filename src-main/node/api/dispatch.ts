// One call of a contract method, whatever carried it: the HTTP server and the desktop app's IPC
// both hand over the method's name and its params as JSON text, and send back the reply this
// returns. In order: the name must be a method (own keys only), the text is size-checked, parsed
// and validated against that method's params, the handler runs, and its result is checked
// against the contract before it leaves.
import { describeError } from '../../core/errors.js';
import {
  API_METHODS,
  MAX_API_BODY_BYTES,
  type ApiErrorCode,
  type ApiHandlers,
  type MethodName,
} from '../../core/api/contract.js';
import { decodeJson, validate, type DecodeError } from '../../core/schemas/index.js';
import { ApiError } from './errors.js';

const MAX_ERROR_MESSAGE_CHARS = 4096;

export type ApiReply = { ok: true; result: unknown } | { ok: false; error: { code: ApiErrorCode; message: string } };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(API_METHODS, name); // `__proto__` or `toString` are no methods
}

export async function dispatchCall(
  handlers: ApiHandlers,
  method: unknown,
  paramsJson: unknown,
  log: (message: string) => void,
): Promise<ApiReply> {
  if (!isMethodName(method)) return refused('not_found', `no such method: ${clip(String(method), 100)}`);
  if (typeof paramsJson !== 'string') return refused('bad_request', 'params must be sent as JSON text');
  const contract = API_METHODS[method];
  // An empty body is `{}`, so methods without params can be called with a bare POST.
  const params = decodeJson(contract.params, paramsJson.trim() === '' ? '{}' : paramsJson, MAX_API_BODY_BYTES);
  if (!params.ok) return refused('bad_request', describeDecodeError(params.error));
  // The params were validated against this very method's schema; TypeScript cannot follow
  // the correlation between `method` and its handler, hence the cast.
  return runHandler(method, () => (handlers[method] as (params: unknown) => Promise<unknown>)(params.value), log);
}

/** Runs a method's handler: its ApiError is the reply, any other failure is logged; the result is checked against the contract. */
export async function runHandler(
  method: MethodName,
  handler: () => Promise<unknown>,
  log: (message: string) => void,
): Promise<ApiReply> {
  const contract = API_METHODS[method];
  let result: unknown;
  try {
    result = await handler();
  } catch (err) {
    if (err instanceof ApiError) return refused(err.code, err.message);
    log(`${method} failed: ${describe(err)}`);
    return refused('internal', 'internal error');
  }
  const checked = validate(contract.result, result);
  if (!checked.ok) {
    log(`${method} returned a result that breaks the contract (a bug in its handler): ${checked.error.message}`);
    return refused('internal', 'internal error');
  }
  return { ok: true, result: checked.value };
}

export function refused(code: ApiErrorCode, message: string): ApiReply {
  return { ok: false, error: { code, message: clip(message, MAX_ERROR_MESSAGE_CHARS) } };
}

/** A contract failure names the first few problems, `path: message` each. */
export function describeDecodeError(error: DecodeError): string {
  if (error.issues.length === 0) return error.message;
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
}

export function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

export function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : describeError(err);
}
