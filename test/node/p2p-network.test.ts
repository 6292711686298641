import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ephemeralIdentity, loadOrCreateIdentity } from '../../src-main/node/identity/identity.js';
import { MeshError, MeshNetwork, type PeerEvent } from '../../src-main/node/p2p/index.js';
import { CATALOG, PING_MAX_BYTES, recordDeliveries, startNetwork, waitFor } from './fixtures/p2p-peers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('two nodes connect by address and both see the connection', async (t) => {
  const [a, b] = [await startNetwork(t), await startNetwork(t)];
  const seenByB: Array<[PeerEvent, string]> = [];
  b.onPeer((event, peer) => seenByB.push([event, peer]));

  const address = b.listenAddresses()[0]!;
  assert.match(address, new RegExp(`/p2p/${b.peerId}$`));
  assert.equal(await a.connect(address), b.peerId);

  await waitFor(() => b.connectedPeers().includes(a.peerId), 'b to see a');
  assert.deepEqual(a.connectedPeers(), [b.peerId]);
  assert.deepEqual(seenByB, [['connect', a.peerId]]);
});

test('a node given a bootstrap address joins that peer at start', async (t) => {
  const seed = await startNetwork(t);
  const joiner = await startNetwork(t, { bootstrap: [seed.listenAddresses()[0]!] });
  await waitFor(() => joiner.connectedPeers().includes(seed.peerId), 'the bootstrap dial');
});

test('connect refuses a non-address and an address nobody listens on', async (t) => {
  const a = await startNetwork(t);
  await assert.rejects(a.connect('not a multiaddr'), (err: MeshError) => err.code === 'bad_address');
  await assert.rejects(a.connect('/ip4/127.0.0.1/tcp/1'), (err: MeshError) => err.code === 'unreachable');
});

test('gossip reaches the subscriber of a topic and not a connected peer that did not subscribe', async (t) => {
  const [publisher, subscriber, bystander] = [await startNetwork(t), await startNetwork(t), await startNetwork(t)];
  const received = recordDeliveries(subscriber);
  const overheard = recordDeliveries(bystander);
  subscriber.subscribe('notes');
  bystander.subscribe('other');
  await subscriber.connect(publisher.listenAddresses()[0]!);
  await bystander.connect(publisher.listenAddresses()[0]!);
  await waitFor(
    () => publisher.subscribers('notes').includes(subscriber.peerId),
    'the subscription to reach the publisher',
  );
  await waitFor(
    () => publisher.subscribers('other').includes(bystander.peerId),
    'the other subscription to reach the publisher',
  );

  await publisher.publish('notes', 'test.note', { text: 'hello' });
  await waitFor(() => received.length === 1, 'the note');
  await sleep(100); // room for a wrong delivery to show up

  assert.deepEqual(subscriber.topics(), ['notes']);
  const [{ message, context }] = received as [(typeof received)[0]];
  assert.deepEqual(
    { type: message.type, author: message.author, body: message.body },
    { type: 'test.note', author: publisher.peerId, body: { text: 'hello' } },
  );
  assert.deepEqual(context, { via: 'gossip', from: publisher.peerId, topic: 'notes' });
  assert.equal(overheard.length, 0);
  assert.equal(received.length, 1);
  assert.deepEqual(subscriber.dropped(), {});
});

test('a direct request gets the verified reply the handler returned', async (t) => {
  const [client, server] = [await startNetwork(t), await startNetwork(t)];
  const handled = recordDeliveries(server, (message) => {
    const { n } = message.body as { n: number };
    return n === 0 ? undefined : { type: 'test.pong', body: { n: n + 1 } };
  });
  await client.connect(server.listenAddresses()[0]!);

  const reply = await client.request(server.peerId, 'test.ping', { n: 41 });
  assert.equal(reply?.type, 'test.pong');
  assert.equal(reply?.author, server.peerId);
  assert.deepEqual(reply?.body, { n: 42 });
  assert.deepEqual(handled[0]?.context, { via: 'direct', from: client.peerId });
  assert.equal(handled[0]?.message.author, client.peerId);

  assert.equal(await client.request(server.peerId, 'test.ping', { n: 0 }), undefined, 'the handler returned nothing');
});

test('a request whose handler fails is refused, and the failure is not counted against the requester', async (t) => {
  const [client, server] = [await startNetwork(t), await startNetwork(t)];
  server.onMessage(async () => {
    throw new Error('handler bug');
  });
  await client.connect(server.listenAddresses()[0]!);
  await assert.rejects(
    client.request(server.peerId, 'test.ping', { n: 1 }),
    (err: MeshError) => err.code === 'rejected' && err.message.includes('handler_failed'),
  );
  assert.deepEqual(server.dropped(), {});
});

test('what cannot be sent is refused before it is: a type not in the catalog, a body that is not JSON, one over its cap', async (t) => {
  const a = await startNetwork(t);
  const code = (promise: Promise<unknown>) =>
    promise.then(
      () => 'sent',
      (err: MeshError) => err.code,
    );
  assert.equal(await code(a.publish('t', 'test.nope', {})), 'unknown_type');
  // A body its schema refuses is the receiver's to drop (sealing writes the node's own typed values).
  assert.equal(await code(a.publish('t', 'test.ping', { n: 1n })), 'invalid', 'a BigInt is not JSON');
  assert.equal(await code(a.publish('t', 'test.note', { text: 'x'.repeat(PING_MAX_BYTES * 100) })), 'oversized');
  assert.equal(await code(a.request('not-a-peer', 'test.ping', { n: 1 })), 'bad_address');
});

test('a catalog no peer could accept is refused at start', async () => {
  const identity = await ephemeralIdentity();
  const start = (catalog: typeof CATALOG) => MeshNetwork.start({ identity, catalog, mdns: false });
  const schema = CATALOG['test.ping']!.schema;
  await assert.rejects(start({ 'has spaces': { schema, maxBytes: 10 } }), (err: MeshError) => err.code === 'invalid');
  await assert.rejects(start({ 'test.zero': { schema, maxBytes: 0 } }), (err: MeshError) => err.code === 'invalid');
});

test('a request to a peer with no known address fails as unreachable', async (t) => {
  const [a, stranger] = [await startNetwork(t), await startNetwork(t)];
  await assert.rejects(
    a.request(stranger.peerId, 'test.ping', { n: 1 }, { signal: AbortSignal.timeout(2_000) }),
    (err: MeshError) => err.code === 'unreachable',
  );
});

test('a restarted node keeps its peer id from its data dir, and peers see the same id', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-p2p-identity-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const observer = await startNetwork(t);

  const first = await MeshNetwork.start({
    identity: await loadOrCreateIdentity(dataDir),
    catalog: CATALOG,
    mdns: false,
  });
  const firstId = await observer.connect(first.listenAddresses()[0]!);
  await first.stop();

  const second = await MeshNetwork.start({
    identity: await loadOrCreateIdentity(dataDir),
    catalog: CATALOG,
    mdns: false,
  });
  t.after(() => second.stop());
  assert.equal(first.peerId, firstId);
  assert.equal(second.peerId, firstId);
  assert.equal(await observer.connect(second.listenAddresses()[0]!), firstId);
});

test('a stopped network refuses calls with a typed error', async (t) => {
  const a = await startNetwork(t);
  await a.stop();
  assert.throws(
    () => a.subscribe('x'),
    (err: MeshError) => err.code === 'stopped',
  );
  await assert.rejects(a.publish('x', 'test.ping', { n: 1 }), (err: MeshError) => err.code === 'stopped');
});
