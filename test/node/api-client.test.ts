// The API client against a real server, and the data-dir files through which they meet: the
// token (private, stable, tightened), the endpoint (loopback only), and the default data dir.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ApiClient,
  ApiError,
  ENDPOINT_FILE,
  loadOrCreateToken,
  readApiEndpoint,
  removeApiEndpoint,
  startApiServer,
  TOKEN_FILE,
  tokenMatches,
  writeApiEndpoint,
} from '../../src-main/node/api/index.js';
import { defaultDataDir, ensureDataDir } from '../../src-main/node/config/data-dir.js';
import { MemoryEventFeed, STUB_JOB, STUB_STATUS, stubHandlers } from './api-stub-handlers.js';

function withTempDir<T>(body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'api-client-'));
  return Promise.resolve(body(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const mode = (path: string) => statSync(path).mode & 0o777;

test('a client found through the data dir calls methods; errors come back as ApiError with the node message', () =>
  withTempDir(async (dir) => {
    const token = loadOrCreateToken(dir);
    const { handlers } = stubHandlers({
      'jobs.cancel': async () => {
        throw new ApiError('conflict', 'job-1 already completed');
      },
    });
    const server = await startApiServer({ backend: { handlers, events: new MemoryEventFeed() }, token });
    try {
      writeApiEndpoint(dir, { url: server.url, pid: process.pid });
      const client = ApiClient.fromDataDir(dir);
      assert.deepEqual(await client.call('status', {}), STUB_STATUS);
      assert.deepEqual(await client.call('jobs.status', { job_id: 'job-1' }), { job: STUB_JOB });
      await assert.rejects(client.call('jobs.cancel', { job_id: 'job-1' }), {
        name: 'ApiError',
        code: 'conflict',
        message: 'job-1 already completed',
      });
      await assert.rejects(new ApiClient(server.url, 'wrong').call('status', {}), { code: 'unauthorized' });
    } finally {
      await server.close();
    }
  }));

test('with no node, the client says so and how to start one: no files, or a node gone', () =>
  withTempDir(async (dir) => {
    const hint = `no node is running for data dir ${dir} (start one with: meshctl node start --data-dir ${dir})`;
    assert.throws(() => ApiClient.fromDataDir(dir), { code: 'unavailable', message: hint });

    // A node that wrote its files and stopped: the port refuses connections.
    const token = loadOrCreateToken(dir);
    const server = await startApiServer({
      backend: { handlers: stubHandlers().handlers, events: new MemoryEventFeed() },
      token,
    });
    writeApiEndpoint(dir, { url: server.url, pid: process.pid });
    await server.close();
    await assert.rejects(ApiClient.fromDataDir(dir).call('status', {}), { code: 'unavailable', message: hint });
  }));

test('a reply that breaks the contract is refused by the client', async () => {
  const liar = createServer((_req, res) => res.end(JSON.stringify({ ok: true, result: { peer_id: 'p' } })));
  await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    await assert.rejects(new ApiClient(url, 'token').call('status', {}), {
      code: 'internal',
      message: /reply to status breaks the contract: .*is the node running another build than this client\? restart it/,
    });
  } finally {
    liar.close();
  }
});

test('the token file is created 0600, kept across starts, and tightened when found loose', () =>
  withTempDir((dir) => {
    const token = loadOrCreateToken(dir);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    assert.equal(mode(join(dir, TOKEN_FILE)), 0o600);
    assert.equal(loadOrCreateToken(dir), token);
    chmodSync(join(dir, TOKEN_FILE), 0o644);
    assert.equal(loadOrCreateToken(dir), token);
    assert.equal(mode(join(dir, TOKEN_FILE)), 0o600);
    assert.notEqual(loadOrCreateToken(mkdtempSync(join(dir, 'other-'))), token);

    assert.ok(tokenMatches(token, token));
    assert.ok(!tokenMatches(`${token}x`, token));
    assert.ok(!tokenMatches('', token));
  }));

test('the endpoint file is 0600, read back whole, points only at loopback, and is removed only by its writer', () =>
  withTempDir((dir) => {
    assert.equal(readApiEndpoint(dir), undefined);
    writeApiEndpoint(dir, { url: 'http://127.0.0.1:4123', pid: 42 });
    assert.deepEqual(readApiEndpoint(dir), { url: 'http://127.0.0.1:4123', pid: 42 });
    assert.equal(mode(join(dir, ENDPOINT_FILE)), 0o600);
    assert.throws(() => writeApiEndpoint(dir, { url: 'http://evil.example:80', pid: 42 }));

    writeFileSync(join(dir, ENDPOINT_FILE), JSON.stringify({ url: 'http://evil.example:80', pid: 42 }));
    assert.equal(readApiEndpoint(dir), undefined, 'a file pointing away is ignored');
    writeFileSync(join(dir, ENDPOINT_FILE), '{"url":');
    assert.equal(readApiEndpoint(dir), undefined);

    writeApiEndpoint(dir, { url: 'http://localhost:4124', pid: 43 });
    removeApiEndpoint(dir, 42);
    assert.equal(readApiEndpoint(dir)?.pid, 43, "another node's endpoint stays");
    removeApiEndpoint(dir, 43);
    assert.equal(readApiEndpoint(dir), undefined);
  }));

test('the default data dir follows MESH_DATA_DIR, then XDG_DATA_HOME, then the platform', () =>
  withTempDir((dir) => {
    const home = '/home/ana';
    assert.equal(defaultDataDir({ MESH_DATA_DIR: '/srv/mesh', XDG_DATA_HOME: '/x' }, 'linux', home), '/srv/mesh');
    assert.equal(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux', home), '/x/mesh-compute');
    assert.equal(defaultDataDir({ MESH_DATA_DIR: '' }, 'linux', home), '/home/ana/.local/share/mesh-compute');
    assert.equal(defaultDataDir({}, 'darwin', '/Users/ana'), '/Users/ana/Library/Application Support/Mesh Compute');
    assert.equal(
      defaultDataDir({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ana'),
      'C:\\Users\\ana\\AppData\\Roaming\\Mesh Compute',
    );

    const created = ensureDataDir(join(dir, 'a', 'b'));
    assert.equal(mode(created), 0o700);
  }));
