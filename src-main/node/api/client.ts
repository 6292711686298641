// A client of a node's local API (the CLI uses it; so can scripts and tests). Results are checked
// against the contract before the caller sees them, and every failure is an ApiError whose message
// a person can act on: the node's own message, or "no node is running" when nobody answers.
import { describeError } from '../../core/errors.js';
import { ReadableStream as WebStream } from 'node:stream/web';
import { WebSocket } from 'ws';
import * as z from '../../core/schemas/zod.js';
import {
  API_METHODS,
  ApiErrorSchema,
  ApiEventSchema,
  MAX_EVENTS_PER_FRAME,
  type ApiEvent,
  type MethodInput,
  type MethodName,
  type MethodResult,
  type SubmitJobTermsInput,
} from '../../core/api/contract.js';
import { decodeJson, validate } from '../../core/schemas/index.js';
import { API_PATH_PREFIX, EVENTS_PATH, readApiEndpoint } from './endpoint.js';
import { ApiError, noNodeRunning } from './errors.js';
import { readToken } from './token.js';
import { UPLOAD_BLOB_PATH, UPLOAD_JOB_PATH } from './upload.js';

/** Said with a reply the contract refuses: most often a node started from an older or newer build (an upgrade). */
const OTHER_BUILD = 'is the node running another build than this client? restart it with this one';

/** Replies may carry a unit's output (64 MiB at most by default), base64 in JSON. */
const MAX_REPLY_CHARS = 256 << 20;
const MAX_EVENT_CHARS = 64 * 1024;

const ReplySchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: ApiErrorSchema }),
]);

/** Called once when an event stream ends: without an error when the caller closed it. */
export type StreamEnd = (error?: ApiError) => void;

export class ApiClient {
  readonly #token: string;

  /** The token this client presents (for the web UI's address, which carries it). */
  get token(): string {
    return this.#token;
  }

  constructor(
    readonly url: string,
    token: string,
    /** Named in the "no node is running" message, when the client was found through one. */
    private readonly dataDir?: string,
  ) {
    this.#token = token;
  }

  /** The client of the node running for `dataDir`; throws the "no node is running" ApiError if none ever wrote its endpoint. */
  static fromDataDir(dataDir: string): ApiClient {
    const endpoint = readApiEndpoint(dataDir);
    const token = readToken(dataDir);
    if (endpoint === undefined || token === undefined) throw noNodeRunning(dataDir);
    return new ApiClient(endpoint.url, token, dataDir);
  }

  async call<M extends MethodName>(method: M, params: MethodInput<M>): Promise<MethodResult<M>> {
    return this.#post(method, `${this.url}${API_PATH_PREFIX}${method}`, 'application/json', JSON.stringify(params));
  }

  /**
   * jobs.submit with the input streamed (upload.ts): never read whole, here or in the node.
   * `inputBytes`, the input's size when known (a file's), lets the node refuse a job past a limit
   * before it reads the input, and name its whole count of units.
   */
  async submitStream(
    terms: SubmitJobTermsInput,
    input: AsyncIterable<Uint8Array>,
    inputBytes?: number,
  ): Promise<MethodResult<'jobs.submit'>> {
    const head = new TextEncoder().encode(`${JSON.stringify(terms)}\n`);
    // A reply before the input's end is a refusal: the rest is not sent (the body just ends).
    let answered = false;
    const body = async function* () {
      yield head;
      for await (const chunk of input) {
        if (answered) return;
        yield chunk;
      }
    };
    return this.#post(
      'jobs.submit',
      `${this.url}${UPLOAD_JOB_PATH}`,
      'application/octet-stream',
      // Node's fetch sends a stream as it is read (web streams' types lack `from`).
      WebStream.from(body()) as unknown as ReadableStream<Uint8Array>,
      () => (answered = true),
      inputBytes === undefined ? {} : { 'content-length': String(head.byteLength + inputBytes) },
    );
  }

  /** blobs.put with the bytes raw (upload.ts): a program too big to travel as base64 in a request. */
  async putBlob(bytes: Uint8Array): Promise<MethodResult<'blobs.put'>> {
    return this.#post(
      'blobs.put',
      `${this.url}${UPLOAD_BLOB_PATH}`,
      'application/octet-stream',
      WebStream.from([bytes]) as unknown as ReadableStream<Uint8Array>,
      undefined,
      { 'content-length': String(bytes.byteLength) },
    );
  }

  async #post<M extends MethodName>(
    method: M,
    url: string,
    contentType: string,
    body: string | ReadableStream<Uint8Array>,
    onAnswer?: () => void,
    headers: Record<string, string> = {},
  ): Promise<MethodResult<M>> {
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': contentType, ...headers },
        body,
        ...(typeof body === 'string' ? {} : { duplex: 'half' }),
      });
      onAnswer?.();
      status = response.status;
      text = await response.text();
    } catch (err) {
      throw this.unreachable(err);
    }
    const reply = decodeJson(ReplySchema, text, MAX_REPLY_CHARS);
    if (!reply.ok)
      throw new ApiError('internal', `unexpected reply from the node (HTTP ${status}): ${reply.error.message}`);
    if (!reply.value.ok) throw new ApiError(reply.value.error.code, reply.value.error.message);
    const result = validate(API_METHODS[method].result, reply.value.result);
    if (!result.ok)
      throw new ApiError(
        'internal',
        `the node's reply to ${method} breaks the contract: ${result.error.message} (${OTHER_BUILD})`,
      );
    return result.value as MethodResult<M>;
  }

  /**
   * Every event after `after`, then live ones, until the returned function is called. `onEnd` is
   * called once: with an error when the node refused the stream, went away, or sent garbage.
   */
  subscribe(after: number, onEvent: (event: ApiEvent) => void, onEnd?: StreamEnd): () => void {
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}${EVENTS_PATH}?after=${after}`, {
      headers: { authorization: `Bearer ${this.#token}` },
      maxPayload: MAX_EVENT_CHARS * MAX_EVENTS_PER_FRAME,
    });
    let ended = false;
    const end = (error?: ApiError) => {
      if (ended) return;
      ended = true;
      ws.terminate();
      onEnd?.(error);
    };
    ws.on('message', (data) => {
      // With ws's default binaryType ('nodebuffer') every frame comes as one Buffer.
      for (const line of (data as Buffer).toString().split('\n')) {
        if (ended) return;
        const event = decodeJson(ApiEventSchema, line, MAX_EVENT_CHARS);
        if (event.ok) onEvent(event.value);
        else
          end(
            new ApiError(
              'internal',
              `the node sent an event that breaks the contract: ${event.error.message} (${OTHER_BUILD})`,
            ),
          );
      }
    });
    ws.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const reply = decodeJson(ReplySchema, Buffer.concat(chunks).toString('utf8'), MAX_EVENT_CHARS);
        const refused = reply.ok && !reply.value.ok ? reply.value.error : undefined;
        end(
          new ApiError(
            refused?.code ?? 'internal',
            refused?.message ?? `the node refused the event stream (HTTP ${response.statusCode})`,
          ),
        );
      });
    });
    ws.on('error', (err) => end(this.unreachable(err)));
    ws.on('close', (code, reason) => end(new ApiError('unavailable', streamClosedMessage(code, reason.toString()))));
    return () => end();
  }

  /** A network failure, said the way a user can act on. */
  private unreachable(err: unknown): ApiError {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    if ((cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED') {
      return this.dataDir === undefined
        ? new ApiError('unavailable', `no node is running at ${this.url}`)
        : noNodeRunning(this.dataDir);
    }
    return new ApiError('unavailable', `cannot reach the node at ${this.url}: ${describeError(cause)}`);
  }
}

function streamClosedMessage(code: number, reason: string): string {
  if (code === 1006) return 'lost the connection to the node';
  return `the node closed the event stream${reason === '' ? ` (code ${code})` : `: ${reason}`}`;
}
