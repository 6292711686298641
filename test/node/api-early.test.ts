// The API listening before its node is up (startDaemon listens first, so the web UI loads while
// the node starts): the UI's files are served at once, health says "starting", calls and event
// streams wait for the node and then get its answers; a node that fails to start is named in
// every refusal. Then the real daemon: its address is told before the node is up.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ApiEvent } from '../../src-main/core/api/contract.js';
import {
  ApiClient,
  ApiError,
  loadOrCreateToken,
  startApiServer,
  type ApiBackend,
} from '../../src-main/node/api/index.js';
import { startDaemon } from '../../src-main/node/mesh/api/daemon.js';
import { apiEvent, MemoryEventFeed, STUB_STATUS, stubHandlers } from './api-stub-handlers.js';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';

function uiFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-early-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Mesh Compute</title>');
  return dir;
}

/** A backend the test settles when it likes. */
function later(): { backend: Promise<ApiBackend>; up(b: ApiBackend): void; fail(err: Error): void } {
  let up!: (b: ApiBackend) => void;
  let fail!: (err: Error) => void;
  const backend = new Promise<ApiBackend>((resolve, reject) => {
    up = resolve;
    fail = reject;
  });
  return { backend, up, fail };
}

const health = async (url: string) => {
  const res = await fetch(`${url}/api/v1/health`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { message: string } } };
};

test('while the node starts: the UI loads, health says starting, and a call waits for the node', async (t) => {
  const uiDir = uiFolder();
  const pending = later();
  const server = await startApiServer({ backend: pending.backend, token: TOKEN, uiDir, log: () => {} });
  t.after(async () => {
    await server.close();
    rmSync(uiDir, { recursive: true, force: true });
  });

  const page = await fetch(`${server.url}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Mesh Compute/);
  assert.deepEqual(await health(server.url), {
    status: 503,
    body: { ok: false, error: { code: 'unavailable', message: 'the node is starting' } },
  });

  const client = new ApiClient(server.url, TOKEN);
  let answered = false;
  const status = client.call('status', {}).finally(() => (answered = true));
  const feed = new MemoryEventFeed(2);
  const received: ApiEvent[] = [];
  const unsubscribe = client.subscribe(1, (event) => received.push(event));
  t.after(unsubscribe);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(answered, false, 'the call waits while the node starts');
  assert.equal(feed.subscribeCalls, 0);

  pending.up({ handlers: stubHandlers().handlers, events: feed });
  assert.deepEqual(await status, STUB_STATUS);
  assert.equal((await health(server.url)).status, 200);
  for (let waited = 0; received.length < 2 && waited < 2000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
  feed.emit(apiEvent(3));
  for (let waited = 0; received.length < 2 && waited < 2000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(
    received.map((e) => e.id),
    [2, 3],
    'the stream opened while starting gets the events after its `after`, and new ones',
  );
});

test('a node that could not start: health and calls say so, with the reason', async (t) => {
  const pending = later();
  const server = await startApiServer({ backend: pending.backend, token: TOKEN, log: () => {} });
  t.after(() => server.close());
  const client = new ApiClient(server.url, TOKEN);
  const waiting = client.call('status', {});
  pending.fail(new Error('the data dir is locked by another node'));
  await assert.rejects(waiting, (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'unavailable');
    assert.match(err.message, /^the node could not start: .*locked by another node/);
    return true;
  });
  const after = await health(server.url);
  assert.equal(after.status, 503);
  assert.match(after.body.error?.message ?? '', /could not start: .*locked by another node/);
});

test('startDaemon tells its address before the node is up, and serves the node once it is', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-early-daemon-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  let whileStarting: Promise<{ status: number }> | undefined;
  const daemon = await startDaemon(
    { dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, workers: 1, log: () => {} },
    (api) => {
      whileStarting = health(api.url);
    },
  );
  t.after(() => daemon.stop());
  assert.ok(whileStarting, 'told of the address');
  assert.equal((await whileStarting).status, 503, 'health asked while the node started says so');
  assert.equal((await health(daemon.api.url)).status, 200);
  const status = await new ApiClient(daemon.api.url, loadOrCreateToken(dataDir)).call('status', {});
  assert.equal(status.peer_id, daemon.node.peerId);
});
