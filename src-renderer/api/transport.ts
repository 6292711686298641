// How the UI reaches its node: the same contract over two carriers, chosen once at start. In the
// desktop app the preload's bridge (Electron IPC); in a browser, the node's HTTP API and event
// WebSocket with the token from the URL. Both check every reply against the contract, so the
// store only ever holds values of the contract's types.
import { CodedError } from '../../src-main/core/errors.js';
import {
  API_METHODS,
  ApiErrorSchema,
  ApiEventSchema,
  type ApiErrorCode,
  type ApiEvent,
  type MethodInput,
  type MethodName,
  type MethodResult,
} from '../../src-main/core/api/contract.js';
import { decodeJson, validate } from '../../src-main/core/schemas/decode.js';
import type { DesktopBridge } from '../../src-preload/bridge.js';

/** A failed call, as the node (or the carrier) said it: shown to the user, never swallowed. */
export class CallError extends CodedError<ApiErrorCode> {
  override readonly name = 'CallError';

  constructor(code: ApiErrorCode, message: string) {
    super(code, message, { prefixed: false });
  }
}

export interface MeshTransport {
  call<M extends MethodName>(method: M, params: MethodInput<M>): Promise<MethodResult<M>>;
  /** Events after `after`, then live ones; `onEnd` once, with the reason, when the stream stops. */
  subscribe(after: number, onEvent: (event: ApiEvent) => void, onEnd: (error: CallError) => void): () => void;
  /** Present in the desktop app only. */
  desktop?: DesktopBridge;
}

const MAX_EVENT_CHARS = 64 * 1024;
const MAX_REPLY_CHARS = 256 << 20;

/** A reply's result, checked against the method's contract, or the CallError it carries. */
export function resultOf<M extends MethodName>(method: M, reply: unknown): MethodResult<M> {
  if (typeof reply === 'object' && reply !== null && (reply as { ok?: unknown }).ok === false) {
    const error = validate(ApiErrorSchema, (reply as { error?: unknown }).error);
    throw error.ok
      ? new CallError(error.value.code, error.value.message)
      : new CallError('internal', 'the node sent a malformed error');
  }
  const result = validate(API_METHODS[method].result, (reply as { result?: unknown } | null)?.result);
  if (!result.ok)
    throw new CallError('internal', `the node's reply to ${method} breaks the contract: ${result.error.message}`);
  return result.value as MethodResult<M>;
}

/** The JSON text of a reply body, as a value (or a CallError saying why not). */
export function parseReply(text: string): unknown {
  if (text.length > MAX_REPLY_CHARS) throw new CallError('internal', 'the reply is too large');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CallError('internal', 'the node sent a reply that is not JSON');
  }
}

/** Events as JSON lines: each checked; the first bad one ends the stream. */
export function eventsOfLines(lines: string, onEvent: (event: ApiEvent) => void): CallError | undefined {
  for (const line of lines.split('\n')) {
    const event = decodeJson(ApiEventSchema, line, MAX_EVENT_CHARS);
    if (!event.ok)
      return new CallError('internal', `the node sent an event that breaks the contract: ${event.error.message}`);
    onEvent(event.value);
  }
  return undefined;
}
