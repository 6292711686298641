// A caller's AbortSignal ends a network wait at once: a request whose peer never answers, and a
// blob whose holder stops sending halfway, each end with `aborted` (or `timeout` for a timeout).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidOfBytes } from '../../src-main/node/blobs/cid.js';
import type { BlobError, MeshError, MeshNetwork } from '../../src-main/node/p2p/index.js';
import { startNetwork } from './fixtures/p2p-peers.js';

/** How long an aborted wait may take to end: far under the 10 s and 60 s defaults. */
const PROMPT_MS = 1_000;

async function connected(t: Parameters<typeof startNetwork>[0]): Promise<[MeshNetwork, MeshNetwork]> {
  const [a, b] = [await startNetwork(t), await startNetwork(t)];
  await a.connect(b.listenAddresses()[0]!);
  return [a, b];
}

/** Settles `work`, aborting `controller` after `afterMs`; the error and how long the abort took to end it. */
async function abortDuring(
  work: (signal: AbortSignal) => Promise<unknown>,
  afterMs: number,
): Promise<{ error: unknown; endedMs: number }> {
  const controller = new AbortController();
  const pending = work(controller.signal).then(
    () => undefined,
    (err: unknown) => err,
  );
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const abortedAt = Date.now();
  controller.abort();
  const error = await pending;
  return { error, endedMs: Date.now() - abortedAt };
}

test('aborting a request whose peer never answers ends it at once with `aborted`', async (t) => {
  const [a, b] = await connected(t);
  b.onMessage(() => new Promise(() => {})); // a handler that never answers
  const { error, endedMs } = await abortDuring((signal) => a.request(b.peerId, 'test.ping', { n: 1 }, { signal }), 200);
  assert.equal((error as MeshError).code, 'aborted', String(error));
  assert.ok(endedMs < PROMPT_MS, `ended ${endedMs} ms after the abort`);
  // The session survives one caller's abort: the next request on it is answered.
  b.onMessage(async () => ({ type: 'test.pong', body: { n: 2 } }));
  assert.deepEqual((await a.request(b.peerId, 'test.ping', { n: 2 }))?.body, { n: 2 });
});

test('a request given AbortSignal.timeout ends with `timeout`', async (t) => {
  const [a, b] = await connected(t);
  b.onMessage(() => new Promise(() => {}));
  await assert.rejects(
    a.request(b.peerId, 'test.ping', { n: 1 }, { signal: AbortSignal.timeout(200) }),
    (err: MeshError) => err.code === 'timeout',
  );
});

test('requests that timed out keep their place until the peer answers them: the next ones wait, not refused busy', async (t) => {
  const [a, b] = await connected(t);
  let answering = 0;
  let most = 0;
  b.onMessage(async (message) => {
    most = Math.max(most, ++answering);
    await new Promise((resolve) => setTimeout(resolve, 300));
    answering--;
    return { type: 'test.pong', body: message.body };
  });
  // More than the 32 a session carries at once, each given up on long before its answer.
  const given = await Promise.allSettled(
    Array.from({ length: 40 }, (_, n) => a.request(b.peerId, 'test.ping', { n }, { signal: AbortSignal.timeout(100) })),
  );
  assert.ok(given.every((outcome) => outcome.status === 'rejected'));
  // The peer is still at work on those: these wait for it rather than pushing in.
  const next = await Promise.allSettled(
    Array.from({ length: 40 }, (_, n) => a.request(b.peerId, 'test.ping', { n: 100 + n })),
  );
  const refused = next.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : []));
  assert.deepEqual(refused, [], 'every later request answered');
  assert.ok(most <= 32, `the peer had ${most} at once`);
});

test('aborting a blob fetch whose holder stalls halfway ends it at once with `aborted`', async (t) => {
  const [fetcher, holder] = await connected(t);
  const bytes = new Uint8Array(1024).fill(7);
  const cid = cidOfBytes(bytes);
  holder.serveBlobs({
    allows: () => true,
    open: () => ({
      size: bytes.byteLength,
      chunks: (async function* () {
        yield bytes.subarray(0, 512);
        await new Promise(() => {}); // the rest never comes
      })(),
    }),
  });
  const { error, endedMs } = await abortDuring(
    (signal) => fetcher.fetchBlob(holder.peerId, cid, { maxBytes: 4096, signal }),
    200,
  );
  assert.equal((error as BlobError).code, 'aborted', String(error));
  assert.ok(endedMs < PROMPT_MS, `ended ${endedMs} ms after the abort`);
  await assert.rejects(
    fetcher.fetchBlob(holder.peerId, cid, { maxBytes: 4096, signal: AbortSignal.timeout(200) }),
    (err: BlobError) => err.code === 'timeout',
  );
});
