// The local API server as a transport: who it refuses, what it refuses, and that nothing refused
// reaches a handler; what a handler's errors and results become on the wire.
import assert from 'node:assert/strict';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import { MAX_API_BODY_BYTES } from '../../src-main/core/api/contract.js';
import { ApiError, startApiServer, type ApiServer } from '../../src-main/node/api/index.js';
import { MemoryEventFeed, STUB_JOB, STUB_STATUS, stubHandlers } from './api-stub-handlers.js';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
const logged: string[] = [];
const stub = stubHandlers({
  'jobs.status': async ({ job_id }) => {
    if (job_id === 'missing') throw new ApiError('not_found', 'no job missing');
    if (job_id === 'crash') throw new Error('secret detail of a bug');
    if (job_id === 'broken') return { job: { ...STUB_JOB, units_total: -1 } };
    return { job: STUB_JOB };
  },
});
let server: ApiServer;

before(async () => {
  server = await startApiServer({
    backend: { handlers: stub.handlers, events: new MemoryEventFeed() },
    token: TOKEN,
    log: (m) => logged.push(m),
  });
});
after(() => server.close());
beforeEach(() => {
  stub.calls.length = 0;
  logged.length = 0;
});

interface Reply {
  status: number;
  body: { ok: boolean; result?: unknown; error?: { code: string; message: string } };
}

/** A raw HTTP request (fetch would not let a test set Host), authorized unless told otherwise. */
function send(
  path: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<Reply> {
  const headers = { host: `127.0.0.1:${server.port}`, authorization: `Bearer ${TOKEN}`, ...options.headers };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { port: server.port, host: '127.0.0.1', path, method: options.method ?? 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const call = (method: string, body: string, headers: OutgoingHttpHeaders = {}) =>
  send(`/api/v1/${method}`, { body, headers });

test('a valid call reaches its handler with the parsed params, defaults applied, and returns its result', async () => {
  const reply = await call('jobs.status', JSON.stringify({ job_id: 'job-1' }));
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.body, { ok: true, result: { job: STUB_JOB } });
  assert.deepEqual(stub.calls, [{ method: 'jobs.status', params: { job_id: 'job-1', units: false } }]);

  const bare = await call('status', ''); // no params: an empty body is {}
  assert.equal(bare.status, 200);
  assert.deepEqual(bare.body.result, STUB_STATUS);
});

test('health answers without a token; everything else needs the right one', async () => {
  assert.deepEqual(await send('/api/v1/health', { method: 'GET', headers: { authorization: '' } }), {
    status: 200,
    body: { ok: true },
  });
  for (const authorization of ['', 'Bearer', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, TOKEN]) {
    const reply = await call('status', '{}', { authorization });
    assert.equal(reply.status, 401, authorization);
    assert.equal(reply.body.error?.code, 'unauthorized');
  }
  assert.deepEqual(stub.calls, []);
});

test('a foreign Host (DNS rebinding) or Origin (a web page) is refused with 403, even with the token', async () => {
  const port = server.port;
  for (const headers of [
    { host: `evil.example:${port}` },
    { host: '127.0.0.1' },
    { host: `127.0.0.1:${port + 1}` },
    { origin: 'http://evil.example' },
    { origin: `http://evil.example:${port}` },
    { origin: 'null' },
    { origin: `https://127.0.0.1:${port}` },
  ]) {
    const reply = await call('status', '{}', headers);
    assert.equal(reply.status, 403, JSON.stringify(headers));
    assert.equal(reply.body.error?.code, 'unauthorized');
  }
  assert.deepEqual(stub.calls, []);
  const local = await call('status', '{}', { host: `localhost:${port}`, origin: `http://localhost:${port}` });
  assert.equal(local.status, 200);
});

test('hostile bodies are refused with 400 before any handler runs, and the prototype stays clean', async () => {
  const cases: Array<[string, string, RegExp]> = [
    ['status', '{"a":', /malformed JSON/],
    ['trust.set', JSON.stringify({ peer_id: 'p', weight: 1.5 }), /^weight: /],
    ['trust.set', JSON.stringify({ peer_id: 'p', weight: 'high' }), /^weight: /],
    ['trust.set', JSON.stringify({ peer_id: 7 }), /^peer_id: .*; weight: /],
    ['status', '{"__proto__":{"polluted":1}}', /__proto__/],
    ['trust.set', '{"peer_id":"p","weight":0.5,"__proto__":{"polluted":1}}', /__proto__/],
    ['peers.add', JSON.stringify({ multiaddr: Array.from({ length: 100_000 }, () => 'x') }), /^multiaddr: /],
    ['status', `${'['.repeat(5000)}${']'.repeat(5000)}`, /deeper/],
    ['status', '[]', /expected object/],
  ];
  for (const [method, body, message] of cases) {
    const reply = await call(method, body);
    assert.equal(reply.status, 400, body.slice(0, 80));
    assert.equal(reply.body.error?.code, 'bad_request');
    assert.match(reply.body.error?.message ?? '', message);
  }
  assert.deepEqual(stub.calls, []);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);
});

test('a body past the cap is refused with 413: declared, or counted while it streams in', async () => {
  const declared = await new Promise<number>((resolve, reject) => {
    const req = httpRequest({
      port: server.port,
      path: '/api/v1/status',
      method: 'POST',
      headers: {
        host: `127.0.0.1:${server.port}`,
        authorization: `Bearer ${TOKEN}`,
        'content-length': MAX_API_BODY_BYTES + 1,
      },
    });
    req.on('response', (res) => resolve(res.statusCode ?? 0));
    req.on('error', reject);
    req.write('{'); // the rest never comes: the header alone decides
  });
  assert.equal(declared, 413);

  // Chunked, no length announced: the server counts bytes and stops reading past the cap.
  const streamed = await new Promise<number>((resolve, reject) => {
    const req = httpRequest({
      port: server.port,
      path: '/api/v1/status',
      method: 'POST',
      headers: { host: `127.0.0.1:${server.port}`, authorization: `Bearer ${TOKEN}` },
    });
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const pump = () => {
      while (sent <= MAX_API_BODY_BYTES + chunk.length) {
        if (answered) return; // set by the response handler, seen after each drain
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
  assert.equal(streamed, 413);
  assert.deepEqual(stub.calls, []);
});

test('unknown methods are 404 and known ones refuse other HTTP methods with 405', async () => {
  for (const path of [
    '/api/v1/nope',
    '/api/v1/__proto__',
    '/api/v1/toString',
    '/api/v1/constructor',
    '/api/v2/status',
    '/',
  ]) {
    const reply = await send(path, { body: '{}' });
    assert.equal(reply.status, 404, path);
    assert.equal(reply.body.error?.code, 'not_found');
  }
  assert.equal((await send('/api/v1/status', { method: 'GET' })).status, 405);
  assert.equal((await send('/api/v1/health', { method: 'POST' })).status, 405);
  assert.deepEqual(stub.calls, []);
});

test("a handler's ApiError keeps its code and message; anything else is a 500 that leaks nothing", async () => {
  const missing = await call('jobs.status', JSON.stringify({ job_id: 'missing' }));
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body.error, { code: 'not_found', message: 'no job missing' });

  const crash = await call('jobs.status', JSON.stringify({ job_id: 'crash' }));
  assert.equal(crash.status, 500);
  assert.deepEqual(crash.body.error, { code: 'internal', message: 'internal error' });
  assert.ok(
    logged.some((line) => line.includes('secret detail of a bug')),
    'the bug is logged',
  );
});

test('a result that breaks its contract is a 500, and the log says it is a bug in the handler', async () => {
  const reply = await call('jobs.status', JSON.stringify({ job_id: 'broken' }));
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.body.error, { code: 'internal', message: 'internal error' });
  assert.match(logged.join('\n'), /jobs\.status returned a result that breaks the contract.*units_total/);
});
