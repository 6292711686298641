// A node's lifecycle as its user sees it: a start that fails part way leaves nothing open behind
// it, and a stop ends the node's network waits at once instead of letting them run out their time.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import type { BlobError } from '../../../src-main/node/p2p/index.js';
import { startNetwork } from '../fixtures/p2p-peers.js';
import { startNode } from './cluster.js';

test('a start whose network cannot listen closes the journal and sandbox it opened, and rethrows', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as AddressInfo).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-failed-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));

  await assert.rejects(startNode({ dataDir, listen: [`/ip4/127.0.0.1/tcp/${port}`] }));
  // SQLite removes the write-ahead log when the last connection to the database closes: a journal
  // left open by the failed start would keep it (and its lock on the file) until the process exits.
  assert.equal(existsSync(join(dataDir, 'journal.sqlite')), true, 'the journal was opened');
  assert.equal(existsSync(join(dataDir, 'journal.sqlite-wal')), false, 'the journal was left open');

  // And the data dir starts cleanly once the address is free.
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  const { node } = await startNode({ dataDir, listen: [`/ip4/127.0.0.1/tcp/${port}`] });
  await node.stop();
  assert.equal(existsSync(join(dataDir, 'journal.sqlite-wal')), false, 'stop closes the journal');
});

test("stopping a node ends its in-flight blob fetch at once with `aborted`, and the stop doesn't wait it out", async (t) => {
  const { node, dataDir } = await startNode();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const holder = await startNetwork(t);
  const bytes = new Uint8Array(1024).fill(3);
  holder.serveBlobs({
    allows: () => true,
    open: () => ({
      size: bytes.byteLength,
      chunks: (async function* () {
        yield bytes.subarray(0, 100);
        await new Promise(() => {}); // stalls: without the stop, the node would wait 30 s
      })(),
    }),
  });
  await node.network.connect(holder.listenAddresses()[0]!);
  const fetching = node.ctx.fetchBlob(holder.peerId, cidOfBytes(bytes), 4096).then(
    () => undefined,
    (err: unknown) => err,
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stoppedAt = Date.now();
  await node.stop();
  const error = await fetching;
  assert.equal((error as BlobError).code, 'aborted', String(error));
  assert.ok(Date.now() - stoppedAt < 5_000, `the stop took ${Date.now() - stoppedAt} ms`);
  // After the stop, nothing more reaches the network or the journal.
  assert.equal(await node.ctx.send(holder.peerId, 'ack', {}), undefined);
  await assert.rejects(node.record([{ type: 'sharing.set', on: false }]), { name: 'RecordError' });
});

test('a restart with nothing new journals nothing and writes no snapshot: a trusted peer that is offline is redialled, not recorded as seen again', async (t) => {
  const { node, dataDir } = await startNode();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const offline = await startNetwork(t); // a real peer id, stopped before the restart
  const peer = offline.peerId;
  await node.record([
    { type: 'peer.seen', peer_id: peer, addresses: ['/ip4/127.0.0.1/tcp/9'] },
    { type: 'trust.set', peer_id: peer, weight: 1 },
  ]);
  await offline.stop();
  await node.stop();

  const restarted = (await startNode({ dataDir })).node;
  const seq = restarted.journal.lastSeq();
  const snapshotSeq = restarted.loaded.snapshotSeq;
  assert.equal(snapshotSeq, seq, 'the first stop saved the state');
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the redial of the peer has begun
  await restarted.stop();

  const again = (await startNode({ dataDir })).node;
  t.after(() => again.stop());
  assert.equal(again.journal.lastSeq(), seq, 'no event journaled by the restart');
  assert.equal(again.loaded.snapshotSeq, snapshotSeq);
  assert.equal(again.state.peers.get(peer)?.addresses[0], '/ip4/127.0.0.1/tcp/9');
});
