// A job whose input is too big for one JSON request: POST UPLOAD_JOB_PATH with the job's terms as
// one line of JSON (SubmitJobStreamSchema; JSON text never holds a raw newline), then the input,
// raw, to the end of the body. The server never holds the input: the handler reads it as it comes.
// And bytes for the store too big for a request as base64 (a program of 64 MiB): POST them raw to
// UPLOAD_BLOB_PATH (blobs.put), read whole up to MAX_MODULE_BYTES.
// The same guards as every method: Host/Origin, the token, the terms validated before the handler
// runs, the result checked against jobs.submit's on the way out.
import type { IncomingMessage } from 'node:http';
import { MAX_MODULE_BYTES, SubmitJobStreamSchema, type SubmitJobTerms } from '../../core/api/contract.js';
import { decodeJson } from '../../core/schemas/index.js';
import { describeDecodeError, refused, runHandler, type ApiReply } from './dispatch.js';

export const UPLOAD_JOB_PATH = '/api/v1/upload/jobs.submit';
export const UPLOAD_BLOB_PATH = '/api/v1/upload/blobs.put';
/** The terms' line: a user's module (4 MiB, in base64), a WASI job's files (4 MiB, in base64) and params fit within it. */
const MAX_TERMS_LINE_BYTES = 16 * 1024 * 1024;

export interface UploadHandlers {
  /** `declaredBytes`: the input's size, when the request said it (Content-Length). */
  'jobs.submit'(
    terms: SubmitJobTerms,
    input: AsyncIterable<Uint8Array>,
    declaredBytes?: number,
  ): Promise<{ job_id: string; units: number }>;
  'blobs.put'(bytes: Uint8Array): Promise<{ cid: string; bytes: number }>;
}

const NEWLINE = 0x0a;

/**
 * Reads the terms, runs the handler over the rest of the body. The reply, as dispatchCall's, and
 * `dropRest`, which reads what the handler left of the body and drops it: a refusal may come
 * before the input's end (the server's lingering close).
 */
export async function dispatchUpload(
  handlers: UploadHandlers,
  req: IncomingMessage,
  log: (message: string) => void,
): Promise<{ reply: ApiReply; dropRest: () => Promise<void> }> {
  const { body, dropRest } = bodyOf(req);
  const head = await readLine(body);
  if (typeof head === 'string') return { reply: refused('bad_request', head), dropRest };
  const terms = decodeJson(SubmitJobStreamSchema, head.line, MAX_TERMS_LINE_BYTES);
  if (!terms.ok) return { reply: refused('bad_request', describeDecodeError(terms.error)), dropRest };
  const length = Number(req.headers['content-length']);
  const declared = Number.isSafeInteger(length) ? length - head.consumed : undefined;
  const input = async function* () {
    if (head.rest.byteLength > 0) yield head.rest;
    for (let next = await body.next(); !next.done; next = await body.next()) yield next.value;
  };
  const reply = await runHandler('jobs.submit', () => handlers['jobs.submit'](terms.value, input(), declared), log);
  return { reply, dropRest };
}

/** Reads the body, at most MAX_MODULE_BYTES, and keeps it (blobs.put); the reply, and `dropRest` for a refusal before the end. */
export async function dispatchBlobUpload(
  handlers: UploadHandlers,
  req: IncomingMessage,
  log: (message: string) => void,
): Promise<{ reply: ApiReply; dropRest: () => Promise<void> }> {
  const { body, dropRest } = bodyOf(req);
  const tooBig = refused('bad_request', `the blob is larger than ${MAX_MODULE_BYTES} bytes (MAX_MODULE_BYTES)`);
  if (Number(req.headers['content-length']) > MAX_MODULE_BYTES) return { reply: tooBig, dropRest };
  const parts: Buffer[] = [];
  let size = 0;
  for (let next = await body.next(); !next.done; next = await body.next()) {
    size += next.value.byteLength;
    if (size > MAX_MODULE_BYTES) return { reply: tooBig, dropRest };
    parts.push(next.value);
  }
  const bytes = new Uint8Array(Buffer.concat(parts, size));
  return { reply: await runHandler('blobs.put', () => handlers['blobs.put'](bytes), log), dropRest };
}

/** The request's body as it comes, and `dropRest`: reads what is left of it and drops it. */
function bodyOf(req: IncomingMessage): { body: AsyncIterator<Buffer>; dropRest: () => Promise<void> } {
  const body = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const dropRest = async () => {
    while (!(await body.next()).done);
  };
  return { body, dropRest };
}

/** The body up to its first newline, and what came after it in the same read; a message when there is none. */
async function readLine(
  body: AsyncIterator<Buffer>,
): Promise<{ line: string; rest: Buffer; consumed: number } | string> {
  const parts: Buffer[] = [];
  let size = 0;
  for (let next = await body.next(); !next.done; next = await body.next()) {
    const at = next.value.indexOf(NEWLINE);
    const upTo = at < 0 ? next.value.byteLength : at;
    if (size + upTo > MAX_TERMS_LINE_BYTES)
      return `the job's terms (the first line) are larger than ${MAX_TERMS_LINE_BYTES} bytes (MAX_TERMS_LINE_BYTES)`;
    parts.push(next.value.subarray(0, upTo));
    size += upTo;
    if (at >= 0)
      return { line: Buffer.concat(parts).toString('utf8'), rest: next.value.subarray(at + 1), consumed: size + 1 };
  }
  return 'expected the job as one line of JSON, a newline, then the input';
}
