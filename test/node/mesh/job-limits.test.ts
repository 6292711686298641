// Every limit a job can hit, tried with an absurd number through the real API (a daemon's HTTP
// server, its JSON methods and its upload path): each is refused with a message that names the
// limit and the value, and no job is made. And what a user types that would do nothing: a slot
// that has ended already (a mistyped year), or offers no core, refused (it used to be added); an
// address with no peer id, refused saying what to add (it failed as "unknown peer").
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MethodInput, SubmitJobTermsInput } from '../../../src-main/core/api/contract.js';
import { ApiClient, ApiError, loadOrCreateToken } from '../../../src-main/node/api/index.js';
import { startDaemon, type Daemon } from '../../../src-main/node/mesh/api/daemon.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import { sampleSceneJson } from '../fixtures/sample-scene.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mesh-limits-'));
let daemon: Daemon;
let client: ApiClient;
before(async () => {
  daemon = await startDaemon({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} });
  client = new ApiClient(daemon.api.url, loadOrCreateToken(dataDir));
});
after(() => daemon.stop());

const terms: SubmitJobTermsInput = { library: 'hash', method: 'sha256', chunk_bytes: 64, budget: 1000 };

async function* bytes(count: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < count; sent += 1 << 20) yield new Uint8Array(Math.min(1 << 20, count - sent));
}

/** The call is refused as a bad request whose message matches every pattern; no job was made. */
async function refused(call: () => Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  const jobs = (await client.call('jobs.list', {})).jobs.length;
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 'bad_request', err.message);
    for (const pattern of patterns) assert.match(err.message, pattern);
    return true;
  });
  assert.equal((await client.call('jobs.list', {})).jobs.length, jobs);
}

const submit = (fields: Partial<MethodInput<'jobs.submit'>>) =>
  client.call('jobs.submit', {
    ...terms,
    input_base64: Buffer.alloc(64).toString('base64'),
    ...fields,
  });

test('units per job: a million and one units is refused, naming the limit, the count and a chunk size that fits', async () => {
  // Its size said (as meshctl says a file's): refused before it is read, with its whole count.
  await refused(
    () => client.submitStream({ ...terms, chunk_bytes: 1 }, bytes(3_000_000), 3_000_000),
    /the input makes 3000000 units of 1 bytes/,
    /at most 1000000 units \(unitsPerJob\)/,
    /chunks of at least 3 bytes/,
  );
  // Unsaid: refused once the count passes the limit, which is all the node knows of it.
  await refused(
    () => client.submitStream({ ...terms, chunk_bytes: 1 }, bytes(3_000_000)),
    /more than 1000000 units of 1 bytes, a job's most \(unitsPerJob\): the node stopped reading it at 10\d{5} bytes/,
  );
});

test("input size: a body that declares a terabyte is refused before it is read, naming the input's limit", async () => {
  const jobs = (await client.call('jobs.list', {})).jobs.length;
  const line = `${JSON.stringify(terms)}\n`;
  const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${daemon.api.url}/api/v1/upload/jobs.submit`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${loadOrCreateToken(dataDir)}`,
        'content-length': String(2 ** 40 + line.length),
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.write(line); // and nothing more: the refusal cannot wait for a terabyte
  });
  assert.equal(reply.status, 400);
  assert.match(reply.body, /the input is 1099511627776 bytes; a job's input is at most 1073741824 bytes/);
  assert.equal((await client.call('jobs.list', {})).jobs.length, jobs);
});

test('a blob put raw is kept under its CID; one declared past 64 MiB is refused before it is read, one sent past it once it passes', async () => {
  const module = Buffer.from('\0asm\x01\0\0\0');
  const put = await client.putBlob(module);
  assert.deepEqual(put, { cid: cidOfBytes(module), bytes: module.byteLength });
  assert.deepEqual(daemon.node.ctx.blobs.get(put.cid), new Uint8Array(module));
  const post = (declared: number | undefined, body: Buffer) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${daemon.api.url}/api/v1/upload/blobs.put`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${loadOrCreateToken(dataDir)}`,
          ...(declared === undefined ? {} : { 'content-length': String(declared) }),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      // A size declared is refused before any byte is read: nothing is sent, and the request not ended.
      if (declared === undefined) req.end(body);
      else req.flushHeaders();
    });
  const tooBig = /the blob is larger than 67108864 bytes \(MAX_MODULE_BYTES\)/;
  const declaredHuge = await post(2 ** 40, Buffer.alloc(0)); // it cannot wait for a terabyte
  assert.equal(declaredHuge.status, 400);
  assert.match(declaredHuge.body, tooBig);
  const sentHuge = await post(undefined, Buffer.alloc((64 << 20) + 1)); // chunked, its size unsaid
  assert.equal(sentHuge.status, 400);
  assert.match(sentHuge.body, tooBig);
});

test('chunk size, budget, redundancy, priority, price: each absurd number is named with its limit', async () => {
  await refused(() => submit({ chunk_bytes: 1e12 }), /chunk_bytes: 1000000000000 is over the limit of 16777216/);
  await refused(() => submit({ chunk_bytes: 0 }), /chunk_bytes: 0 is under the minimum of 1/);
  await refused(() => submit({ budget: 1e300 }), /budget: 1e\+300 is over the limit of 9007199254740991/);
  await refused(() => submit({ redundancy: 1e9 }), /redundancy: 1000000000 is over the limit of \d+/);
  await refused(() => submit({ priority: 7 }), /priority: 7 is over the limit of 1/);
  await refused(() => submit({ max_price: -5 }), /max_price: -5 is under the minimum of 0/);
});

test('a deadline that has passed is refused, naming it, whichever way the job comes', async () => {
  const deadline = '2001-01-01T00:00:00Z';
  const passed = /deadline: 2001-01-01T00:00:00Z has passed \(it is 20\d\d-/;
  await refused(() => submit({ deadline }), passed);
  await refused(() => client.submitStream({ ...terms, deadline }, bytes(64)), passed);
  await refused(
    () =>
      client.call('render.submit', {
        scene: sampleSceneJson() as never,
        first_frame: 0,
        last_frame: 0,
        width: 64,
        height: 64,
        spp: 1,
        budget: 1000,
        deadline,
      }),
    passed,
  );
});

test('a refusal that comes before the input was read reaches the client, however big the input is', async () => {
  // The node refuses with most of a big file still to send (from the terms alone, or once it has
  // read too many units): the client used to fail on its next write (`write EPIPE`) in most tries,
  // instead of saying why.
  const input = join(dataDir, 'big-input.bin');
  writeFileSync(input, Buffer.alloc(64 << 20));
  for (let i = 0; i < 5; i++) {
    await refused(
      () => client.submitStream({ ...terms, deadline: '2001-01-01T00:00:00Z' }, createReadStream(input)),
      /deadline: 2001-01-01T00:00:00Z has passed/,
    );
    // Refused once a million and one bytes of it were read, as units of 1 byte.
    await refused(() => client.submitStream({ ...terms, chunk_bytes: 1 }, createReadStream(input)), /unitsPerJob/);
  }
  rmSync(input);
});

test("a library method's params and unit size are checked at submit, as its kernel or program would check them", async () => {
  // Each of these used to be made, run and paid for, every unit ending in `UnitFailed` unexplained.
  const image = { library: 'image', method: 'resize', chunk_bytes: 64 };
  const size = { width: 2, height: 2 };
  await refused(() => submit({ ...image }), /params of image\/resize \(docs\/KERNELS.md\): .*width/s);
  await refused(() => submit({ ...image, params: { ...size, filter: 'cubic' } }), /params of image\/resize .*filter/s);
  await refused(
    () => submit({ library: 'data', method: 'sort', chunk_bytes: 5 * 2 ** 20, params: { by: [{ column: 'a' }] } }),
    /data\/sort takes at most 4194304 bytes of input a unit: the chunk size \(5242880\) must be no more than 4194304/,
  );
  await refused(() => submit({ params: { rounds: 2 } }), /params of hash\/sha256 \(docs\/KERNELS.md\): .*rounds/);
  await refused(() => submit({ items: 'framed' }), /items: hash is a kernel, whose units are chunks of the input/);
  // Within them: made, the method's key given or not.
  const made = await submit({
    ...image,
    params: { ...size, filter: 'triangle' },
    input_base64: Buffer.alloc(150).toString('base64'),
  });
  assert.equal(made.units, 3);
  assert.equal((await submit({ params: { algorithm: 'sha256' } })).units, 1);
});

test('params, module and terms size: each is refused naming its size and its limit', async () => {
  await refused(
    () => submit({ params: { a: 'x'.repeat(100_000) } }),
    /params: 100008 bytes is over the limit of 16384 bytes/,
  );
  await refused(
    () => submit({ library: undefined, method: undefined, wasm_base64: 'A'.repeat(45_000_000) }),
    /wasm_base64: 45000000 characters is over the limit of 44739244/,
  );
  await refused(
    () => client.submitStream({ ...terms, name: 'n'.repeat(300) }, bytes(64)),
    /name: 300 characters is over the limit of 256/,
  );
  await refused(
    () =>
      client.submitStream(
        { ...terms, params: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'v'.repeat(9000)])) },
        bytes(64),
      ),
    /first line\) are larger than 16777216 bytes \(MAX_TERMS_LINE_BYTES\)/,
  );
});

test('an empty input is refused, and a job within every limit is made', async () => {
  await refused(() => client.submitStream(terms, bytes(0)), /the input is empty/);
  const { units } = await client.submitStream(terms, bytes(64 * 3 + 1));
  assert.equal(units, 4);
});

test('a slot that has ended already, or offers no core or no RAM, is refused; one still to come is added', async () => {
  const slot = { start_time: '2020-01-01T10:00:00Z', end_time: '2020-01-01T12:00:00Z', cpu_cores: 1, ram_gb: 1 };
  await assert.rejects(client.call('slots.add', slot), (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 'bad_request');
    assert.match(err.message, /^end_time: 2020-01-01T12:00:00Z has passed \(it is 20\d\d-\d\d-\d\dT/);
    return true;
  });
  assert.deepEqual((await client.call('slots.list', {})).slots, []);

  // A slot of no core, or no RAM, would offer nothing either (units take a core each).
  const hour = 3600_000;
  const coming = {
    start_time: new Date(Date.now() + hour).toISOString(),
    end_time: new Date(Date.now() + 2 * hour).toISOString(),
  };
  for (const [fields, message] of [
    [{ cpu_cores: 0 }, /cpu_cores: 0 is under the minimum of 1/],
    [{ cpu_cores: 0.5 }, /cpu_cores: 0.5 is under the minimum of 1/],
    [{ ram_gb: 0 }, /ram_gb: 0 must be more than 0/],
  ] as const)
    await assert.rejects(client.call('slots.add', { ...slot, ...coming, ...fields }), message);
  assert.deepEqual((await client.call('slots.list', {})).slots, []);

  const later = {
    ...slot,
    start_time: new Date(Date.now() - hour).toISOString(),
    end_time: new Date(Date.now() + hour).toISOString(),
  };
  const { slot: added } = await client.call('slots.add', later);
  assert.deepEqual(
    (await client.call('slots.list', {})).slots.map((s) => s.slot_id),
    [added.slot_id],
  );
});

test('a peer address that names no peer is refused, saying what to add', async () => {
  await assert.rejects(client.call('peers.add', { multiaddr: '/ip4/127.0.0.1/tcp/4001' }), (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 'bad_request');
    assert.equal(
      err.message,
      '/ip4/127.0.0.1/tcp/4001 names no peer: add its /p2p/<peer id>, as its node\'s status shows under "listening on"',
    );
    return true;
  });
});
