// The local API over HTTP + WebSocket, bound to 127.0.0.1: what the CLI, the headless node's tools
// and the UI in a browser talk to (the UI's own files are served here too, see static-ui.ts). Every request passes, in order: the Host/Origin guard (a web
// page the user visits must not reach it), the bearer token, the method's contract (params are
// validated before a handler runs), and on the way out the result's contract. The server may
// listen before the node is up (its backend a promise): the UI's files load meanwhile, and calls
// wait for the node.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { MAX_API_BODY_BYTES, type ApiErrorCode, type ApiHandlers, type EventFeed } from '../../core/api/contract.js';
import { clip, describe, dispatchCall, isMethodName } from './dispatch.js';
import { batchedSubscription } from './event-batches.js';
import { API_PATH_PREFIX, EVENTS_PATH, HEALTH_PATH, TOKEN_PROTOCOL_PREFIX } from './endpoint.js';
import { HTTP_STATUS_OF } from './errors.js';
import { isUiPath, sendUiFile } from './static-ui.js';
import {
  dispatchBlobUpload,
  dispatchUpload,
  UPLOAD_BLOB_PATH,
  UPLOAD_JOB_PATH,
  type UploadHandlers,
} from './upload.js';
import { tokenMatches } from './token.js';

// node:http by require, not import: an ES import reads all of its exports, and its WebSocket getter
// loads undici, ~20 ms of a start and a few MB of heap for code the node never runs.
const { createServer, STATUS_CODES } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

/** A subscriber that lets this much pile up unsent is cut off; it reconnects with `after`. */
const MAX_EVENT_BACKLOG_BYTES = 16 * 1024 * 1024;
/** Clients have nothing to say on the event stream; a frame larger than this ends it. */
const MAX_CLIENT_FRAME_BYTES = 4096;
/** How long a refused request's unread body is read and dropped before its connection is cut. */
const REFUSED_BODY_LINGER_MS = 2000;
/** How long `close()` waits for event subscribers to acknowledge the close. */
const CLOSE_GRACE_MS = 500;

/** What the API serves: the node's methods, its events and its uploads. */
export interface ApiBackend {
  handlers: ApiHandlers;
  events: EventFeed;
  /** Methods whose input streams in the body (upload.ts); absent: none is served. */
  uploads?: UploadHandlers;
}

export interface ApiServerOptions {
  /** A promise while the node starts: health answers 503 and calls wait until it settles. */
  backend: ApiBackend | Promise<ApiBackend>;
  token: string;
  /** 0 or absent: any free port (written to api.json for clients to find). */
  port?: number;
  /** The built web UI (dist/src-renderer), served at `/` to anyone who passes the Host guard: it holds no secret. */
  uiDir?: string;
  /** Where failures that are our bugs are reported; stderr unless given. */
  log?: (message: string) => void;
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A reply that is not a result: a status, and the error the body carries. */
interface Refusal {
  status: number;
  code: ApiErrorCode;
  message: string;
}

const refusal = (status: number, code: ApiErrorCode, message: string): Refusal => ({ status, code, message });

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const log = options.log ?? ((message: string) => process.stderr.write(`mesh api: ${message}\n`));
  let port = 0; // known once listening; every guard runs after that
  let backend: ApiBackend | undefined;
  let startFailure: string | undefined;
  /** The backend, once the node is up; undefined when it could not start. */
  const started: Promise<ApiBackend | undefined> = Promise.resolve(options.backend).then(
    (ready) => (backend = ready),
    (err: unknown) => void (startFailure = describe(err)),
  );
  const notStarted = () =>
    refusal(
      503,
      'unavailable',
      startFailure === undefined ? 'the node is starting' : `the node could not start: ${clip(startFailure, 500)}`,
    );
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    handleProtocols: tokenProtocol,
  });

  const server = createServer((req, res) => {
    serveRequest(req, res).catch((err: unknown) => {
      if (req.destroyed) return; // the client went away mid-request: nothing to answer, nothing wrong here
      log(`request failed: ${describe(err)}`);
      if (!res.headersSent) sendRefusal(res, refusal(500, 'internal', 'internal error'));
      else res.destroy();
    });
  });

  async function serveRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const guarded = guardRefusal(req, port);
    if (guarded) return sendRefusal(res, guarded);
    const target = parseTarget(req.url);
    if (target === undefined) return sendRefusal(res, refusal(400, 'bad_request', 'malformed request target'));
    const path = target.pathname;
    if (path === HEALTH_PATH) {
      // No token: "is a node up?" is all it answers.
      if (req.method !== 'GET') return sendRefusal(res, refusal(405, 'bad_request', 'use GET'), { allow: 'GET' });
      return backend ? sendJson(res, 200, { ok: true }) : sendRefusal(res, notStarted());
    }
    if (options.uiDir !== undefined && isUiPath(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendRefusal(res, refusal(405, 'bad_request', 'use GET'), { allow: 'GET' });
      return sendUiFile(res, options.uiDir, path, port);
    }
    const unauthorized = authRefusal(req, options.token, false);
    if (unauthorized) return sendRefusal(res, unauthorized);
    if (path === EVENTS_PATH)
      return sendRefusal(res, refusal(426, 'bad_request', 'the event stream is a WebSocket: send an upgrade request'));
    const up = await started;
    if (up === undefined) return sendRefusal(res, notStarted());
    if ((path === UPLOAD_JOB_PATH || path === UPLOAD_BLOB_PATH) && up.uploads) {
      if (req.method !== 'POST')
        return sendRefusal(res, refusal(405, 'bad_request', 'use POST for an upload'), { allow: 'POST' });
      const dispatch = path === UPLOAD_JOB_PATH ? dispatchUpload : dispatchBlobUpload;
      const { reply, dropRest } = await dispatch(up.uploads, req, log);
      if (!reply.ok)
        return refuseBeforeBodyEnd(
          req,
          res,
          refusal(HTTP_STATUS_OF[reply.error.code], reply.error.code, reply.error.message),
          dropRest,
        );
      return sendJson(res, 200, reply);
    }
    const method = path.startsWith(API_PATH_PREFIX) ? path.slice(API_PATH_PREFIX.length) : '';
    if (!isMethodName(method))
      return sendRefusal(res, refusal(404, 'not_found', `no such method: ${clip(method || path, 100)}`));
    if (req.method !== 'POST')
      return sendRefusal(res, refusal(405, 'bad_request', `use POST for ${method}`), { allow: 'POST' });

    const body = await readBody(req, MAX_API_BODY_BYTES);
    if (body === undefined) {
      const tooBig = refusal(413, 'bad_request', `request body larger than ${MAX_API_BODY_BYTES} bytes`);
      return refuseBeforeBodyEnd(req, res, tooBig, () => dropBody(req));
    }
    const reply = await dispatchCall(up.handlers, method, body, log);
    if (!reply.ok)
      return sendRefusal(res, refusal(HTTP_STATUS_OF[reply.error.code], reply.error.code, reply.error.message));
    sendJson(res, 200, reply);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy()); // a client gone mid-handshake is not our failure
    const target = parseTarget(req.url);
    const after = parseAfter(target?.searchParams.get('after') ?? null);
    const refused =
      guardRefusal(req, port) ??
      (target?.pathname !== EVENTS_PATH ? refusal(404, 'not_found', 'no WebSocket here') : undefined) ??
      authRefusal(req, options.token, true);
    if (refused !== undefined || after === undefined) {
      return refuseUpgrade(socket, refused ?? refusal(400, 'bad_request', 'after: expected a whole number'));
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      started.then(
        (up) => (up ? streamEvents(ws, up.events, after) : ws.close(1013, notStarted().message)),
        (err: unknown) => log(`event stream failed: ${describe(err)}`),
      );
    });
  });

  function streamEvents(ws: WebSocket, events: EventFeed, after: number): void {
    if (ws.readyState !== WebSocket.OPEN) return; // it went away while the node started
    let lastSent = after;
    let closed = false;
    let unsubscribe: (() => void) | undefined;
    ws.on('close', () => {
      closed = true;
      unsubscribe?.();
    });
    // Events of one moment go out together (one frame, one write), as JSON lines.
    const sendBatch = (lines: string, lastId: number) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > MAX_EVENT_BACKLOG_BYTES)
        return ws.close(1013, `falling behind; reconnect with after=${lastSent}`);
      ws.send(lines);
      lastSent = lastId;
    };
    try {
      unsubscribe = batchedSubscription(events, after, sendBatch, log);
      if (closed) unsubscribe();
    } catch (err) {
      log(`event feed failed: ${describe(err)}`);
      ws.close(1011, 'event feed failed');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      // Subscribers are told why the stream ends, given a moment to answer, then cut off.
      const closed = [...wss.clients].map((client) => new Promise((resolve) => client.once('close', resolve)));
      for (const client of wss.clients) client.close(1001, 'the node is stopping');
      await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseTarget(url: string | undefined): URL | undefined {
  try {
    return new URL(url ?? '', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

function parseAfter(text: string | null): number | undefined {
  if (text === null) return 0;
  const after = Number(text);
  return /^\d{1,16}$/.test(text) && Number.isSafeInteger(after) ? after : undefined;
}

/**
 * DNS rebinding and cross-site requests: a page on evil.example that resolves its name to
 * 127.0.0.1 still sends `Host: evil.example`, and a page's fetch carries its Origin.
 */
function guardRefusal(req: IncomingMessage, port: number): Refusal | undefined {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = req.headers.host?.toLowerCase();
  if (host === undefined || !hosts.includes(host)) {
    return refusal(
      403,
      'unauthorized',
      `refused Host ${clip(String(host), 100)}: this API answers only at 127.0.0.1:${port}`,
    );
  }
  const origin = req.headers.origin?.toLowerCase();
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) {
    return refusal(403, 'unauthorized', `refused a request from origin ${clip(origin, 100)}`);
  }
  return undefined;
}

function authRefusal(req: IncomingMessage, token: string, allowProtocol: boolean): Refusal | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  const fromProtocol = allowProtocol ? tokenProtocol(offeredProtocols(req)) : false;
  const presented = bearer ?? (fromProtocol === false ? undefined : fromProtocol.slice(TOKEN_PROTOCOL_PREFIX.length));
  if (presented !== undefined && tokenMatches(presented, token)) return undefined;
  return refusal(401, 'unauthorized', presented === undefined ? 'missing API token' : 'wrong API token');
}

function offeredProtocols(req: IncomingMessage): Set<string> {
  const header = req.headers['sec-websocket-protocol'] ?? '';
  return new Set(
    header
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  );
}

/** The subprotocol carrying the token, echoed back in the handshake as the protocol requires. */
function tokenProtocol(protocols: Set<string>): string | false {
  return [...protocols].find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX)) ?? false;
}

/** The request body as text, or undefined once it passes `maxBytes` (counted as bytes arrive). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  if (Number(req.headers['content-length']) > maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
      } else {
        chunks.push(chunk);
      }
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...JSON_HEADERS, ...headers }).end(JSON.stringify(body));
}

function sendRefusal(res: ServerResponse, refused: Refusal, headers: Record<string, string> = {}): void {
  sendJson(res, refused.status, { ok: false, error: { code: refused.code, message: refused.message } }, headers);
}

/**
 * A refusal sent before the request's body was all read. The rest is then read and dropped, for
 * REFUSED_BODY_LINGER_MS at most before the connection is cut (a lingering close): a socket closed
 * with bytes unread is reset, and a client still sending failed on its next write (`write EPIPE`)
 * without seeing the refusal. Our client stops sending once it has the reply.
 */
async function refuseBeforeBodyEnd(
  req: IncomingMessage,
  res: ServerResponse,
  refused: Refusal,
  dropRest: () => Promise<void>,
): Promise<void> {
  sendRefusal(res, refused);
  const cut = setTimeout(() => req.destroy(), REFUSED_BODY_LINGER_MS);
  try {
    await dropRest();
  } catch {
    // cut, or the client went away: either way the connection is gone
  } finally {
    clearTimeout(cut);
  }
}

/** Reads a body that readBody stopped reading, to its end, and drops it. */
function dropBody(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.once('end', resolve).once('close', resolve).resume();
  });
}

function refuseUpgrade(socket: Duplex, refused: Refusal): void {
  const body = JSON.stringify({ ok: false, error: { code: refused.code, message: refused.message } });
  const head = [
    `HTTP/1.1 ${refused.status} ${STATUS_CODES[refused.status] ?? ''}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
