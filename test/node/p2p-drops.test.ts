// Hostile input from a peer: each drop reason provoked by a raw stream or raw gossip written here,
// counted against that peer, reported to the drop listener, and never handed to the handler.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { multiaddr } from '@multiformats/multiaddr';
import { ephemeralIdentity, type Identity } from '../../src-main/node/identity/identity.js';
import { ENVELOPE_OVERHEAD_BYTES, type DropReason, type MeshNetwork } from '../../src-main/node/p2p/index.js';
import type { MeshLibp2p } from '../../src-main/node/p2p/libp2p-node.js';
import {
  envelopeBy,
  NOTE_MAX_BYTES,
  PING_MAX_BYTES,
  rawRequest,
  recordDeliveries,
  startNetwork,
  startRawPeer,
  utf8,
  waitFor,
} from './fixtures/p2p-peers.js';

const MINUTE = 60_000;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * MINUTE).toISOString();

interface Scene {
  target: MeshNetwork;
  attacker: Identity;
  raw: MeshLibp2p;
  drops: Array<[string, DropReason]>;
  deliveries: unknown[];
}

async function scene(t: Parameters<typeof startNetwork>[0]): Promise<Scene> {
  const target = await startNetwork(t);
  const attacker = await ephemeralIdentity();
  const raw = await startRawPeer(t, attacker);
  const drops: Array<[string, DropReason]> = [];
  target.onDrop((peer, reason) => drops.push([peer, reason]));
  const deliveries = recordDeliveries(target);
  return { target, attacker, raw, drops, deliveries };
}

const directCases: Array<{ reason: DropReason; frame: (attacker: Identity) => Promise<Uint8Array> }> = [
  { reason: 'malformed', frame: async () => utf8('{"v":1,"type":') },
  { reason: 'malformed', frame: async () => new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }, // not UTF-8
  { reason: 'invalid', frame: async () => utf8(JSON.stringify({ v: 1, type: 'test.ping', body: { n: 1 } })) },
  { reason: 'unknown_type', frame: (a) => envelopeBy(a, { type: 'test.nope', body: {} }) },
  {
    reason: 'oversized', // under the largest cap (test.note's), over test.ping's
    frame: (a) => envelopeBy(a, { type: 'test.ping', body: { n: 1, pad: 'x'.repeat(PING_MAX_BYTES * 4) } }),
  },
  {
    reason: 'forged_author',
    frame: async () => envelopeBy(await ephemeralIdentity(), { type: 'test.ping', body: { n: 1 } }),
  },
  {
    reason: 'bad_signature', // authored as the attacker, signed with some other key
    frame: async (a) => envelopeBy(await ephemeralIdentity(), { type: 'test.ping', body: { n: 1 }, author: a.peerId }),
  },
  { reason: 'stale', frame: (a) => envelopeBy(a, { type: 'test.ping', body: { n: 1 }, ts: minutesAgo(10) }) },
  { reason: 'stale', frame: (a) => envelopeBy(a, { type: 'test.ping', body: { n: 1 }, ts: minutesAgo(-10) }) },
  { reason: 'invalid', frame: (a) => envelopeBy(a, { type: 'test.ping', body: { n: 'one' } }) },
];

test('each bad direct request is refused with its reason, counted against the sender, and never handled', async (t) => {
  const { target, attacker, raw, drops, deliveries } = await scene(t);
  const expected: Partial<Record<DropReason, number>> = {};
  for (const { reason, frame } of directCases) {
    const reply = await rawRequest(raw, target, await frame(attacker));
    assert.deepEqual(JSON.parse(reply), { error: reason });
    expected[reason] = (expected[reason] ?? 0) + 1;
  }
  assert.deepEqual(target.dropped(), { [attacker.peerId]: expected });
  assert.deepEqual(
    drops,
    directCases.map(({ reason }) => [attacker.peerId, reason]),
  );
  assert.equal(deliveries.length, 0);
});

test('a frame over the largest cap is reset before it is read, and counted as oversized', async (t) => {
  const { target, attacker, raw, deliveries } = await scene(t);
  const huge = await envelopeBy(attacker, {
    type: 'test.note',
    body: { text: 'x'.repeat(NOTE_MAX_BYTES + ENVELOPE_OVERHEAD_BYTES) },
  });
  assert.equal(await rawRequest(raw, target, huge), 'reset');
  await waitFor(() => target.dropped()[attacker.peerId]?.oversized === 1, 'the drop to be counted');
  assert.equal(deliveries.length, 0);
});

test('a captured envelope sent again is refused as replayed; the original was handled once', async (t) => {
  const { target, attacker, raw, deliveries } = await scene(t);
  const envelope = await envelopeBy(attacker, { type: 'test.ping', body: { n: 7 } });
  assert.equal(
    await rawRequest(raw, target, envelope),
    '',
    'the first delivery gets the empty reply of a silent handler',
  );
  assert.deepEqual(JSON.parse(await rawRequest(raw, target, envelope)), { error: 'replayed' });
  assert.equal(deliveries.length, 1);
  assert.deepEqual(target.dropped(), { [attacker.peerId]: { replayed: 1 } });
});

test('a stream that sends nothing and closes is a protocol error', async (t) => {
  const { target, attacker, raw } = await scene(t);
  const stream = await raw.dialProtocol(multiaddr(target.listenAddresses()[0]), '/mesh/1/msg/4.0.0');
  await stream.close();
  await waitFor(() => target.dropped()[attacker.peerId]?.protocol_error === 1, 'the drop to be counted');
});

test('bad gossip is dropped and counted against the peer that relayed it; good gossip from it still arrives', async (t) => {
  const { target, attacker, raw, drops, deliveries } = await scene(t);
  target.subscribe('notes');
  await target.connect(raw.getMultiaddrs()[0]!.toString());
  await waitFor(
    () => raw.services.pubsub.getSubscribers('notes').some((p) => p.toString() === target.peerId),
    'the subscription',
  );
  // Gossipsub drops a publish to a peer it has no outbound stream to yet, without a word (its
  // sendRpc): seeing the target's subscription (its stream to us) is not enough, under load.
  const outbound = (raw.services.pubsub as unknown as { streamsOutbound: Map<string, unknown> }).streamsOutbound;
  await waitFor(() => outbound.has(target.peerId), 'a gossip stream to the target');
  const publish = async (bytes: Uint8Array) => raw.services.pubsub.publish('notes', bytes);

  await publish(utf8('not json'));
  await publish(await envelopeBy(await ephemeralIdentity(), { type: 'test.note', body: { text: 'forged' } }));
  await publish(await envelopeBy(attacker, { type: 'test.note', body: { text: 'old' }, ts: minutesAgo(10) }));
  const replayable = await envelopeBy(attacker, { type: 'test.note', body: { text: 'once' } });
  await publish(replayable);
  await publish(replayable); // a new gossip message (new seqno) carrying the same envelope
  await waitFor(() => drops.length === 4 && deliveries.length === 1, 'four drops and one delivery');

  assert.deepEqual(target.dropped(), { [attacker.peerId]: { malformed: 1, forged_author: 1, stale: 1, replayed: 1 } });
  assert.deepEqual((deliveries[0] as { message: { body: unknown } }).message.body, { text: 'once' });
});
