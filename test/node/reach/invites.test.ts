// Invites between real nodes on 127.0.0.1 (in this process, NAT traversal on): a code connects two
// nodes that trust each other after; an expired, reused, forged, damaged or oversized code, and a
// wrong secret, are each refused with a clear error. And what a node keeps across a restart: its
// port, its used invites, and the peers it trusts, dialled again.
import * as dagCbor from '@ipld/dag-cbor';
import { peerIdFromString } from '@libp2p/peer-id';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_RELAY, type NetworkConfig } from '../../../src-main/core/reach/network-config.js';
import { INVITE_PREFIX, MAX_INVITE_CODE_CHARS } from '../../../src-main/core/reach/invite.js';
import { loadNetworkConfig } from '../../../src-main/node/config/network-config.js';
import { ApiError } from '../../../src-main/node/api/errors.js';
import { encodeInvite } from '../../../src-main/node/invites/code.js';
import { startNode, stopAll, waitFor, type TestNode } from '../mesh/cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

const NETWORK: NetworkConfig = { listen_port: 1, upnp: true, relay: DEFAULT_RELAY };

async function reachNode(name: string, dataDir?: string): Promise<TestNode> {
  const node = await startNode({ name, network: NETWORK, ...(dataDir ? { dataDir } : {}) });
  nodes.push(node);
  return node;
}

async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return err.message;
  }
  return assert.fail('the call succeeded');
}

test('an invite connects two nodes that never met; both trust each other at the weight each chose', async () => {
  const [alice, bob, carol] = [await reachNode('alice'), await reachNode('bob'), await reachNode('carol')];
  const invite = await alice.api['invites.create']({ trust: 0.6, expires_seconds: 3600 });
  assert.ok(invite.code.startsWith(INVITE_PREFIX) && invite.code.length < 600, `${invite.code.length} characters`);
  assert.deepEqual(invite.addresses, [alice.node.network.listenAddresses()[0]!.replace(/\/p2p\/.*/, '')]);

  const accepted = await bob.api['invites.accept']({ code: invite.code, trust: 0.9 });
  assert.deepEqual([accepted.peer_id, accepted.name, accepted.link?.kind], [alice.node.peerId, 'alice', 'direct']);
  assert.equal(bob.node.state.myTrustIn(alice.node.peerId), 0.9);
  assert.equal(alice.node.state.myTrustIn(bob.node.peerId), 0.6);
  assert.ok(
    alice.node.events.since(0, 100).some((e) => e.type === 'invite.accepted' && e.data.peer === bob.node.peerId),
    'the inviter hears who accepted',
  );
  const { invites } = await alice.api['invites.list']({});
  assert.deepEqual([invites[0]!.state, invites[0]!.accepted_by], ['accepted', bob.node.peerId]);

  // Accepted again by the same node: already done, and said so; nothing changes on either side.
  assert.match(
    await refusal(bob.api['invites.accept']({ code: invite.code, trust: 0.2 })),
    /^this node accepted this invite already, at \d{4}-.*: you and alice trust each other \(you at 0\.9; trust set changes it\)$/,
  );
  assert.deepEqual(
    [bob.node.state.myTrustIn(alice.node.peerId), alice.node.state.myTrustIn(bob.node.peerId)],
    [0.9, 0.6],
  );
  // Where the first answer never got home (here: bob's trust in alice set to 0 since), accepting
  // again completes it.
  await bob.api['trust.set']({ peer_id: alice.node.peerId, weight: 0 });
  await bob.api['invites.accept']({ code: invite.code, trust: 0.7 });
  assert.equal(bob.node.state.myTrustIn(alice.node.peerId), 0.7);

  // Used: nobody else may redeem it.
  assert.match(await refusal(carol.api['invites.accept']({ code: invite.code, trust: 1 })), /already used/);
  assert.equal(alice.node.state.myTrustIn(carol.node.peerId), 0);

  // The peers view says how each is reached, and how fast.
  const view = await waitFor(
    'an RTT',
    async () => {
      const peer = (await bob.api['peers.list']({})).peers.find((p) => p.peer_id === alice.node.peerId);
      return typeof peer?.link?.rtt_ms === 'number' ? peer : undefined;
    },
    15_000,
  );
  assert.equal(view.link!.kind, 'direct');
  assert.match(view.link!.address, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+/);
  // Each knows the other by the name in the invite, after their connections were seen too.
  assert.equal(view.name, 'alice');
  const bobSeen = (await alice.api['peers.list']({})).peers.find((p) => p.peer_id === bob.node.peerId);
  assert.equal(bobSeen?.name, 'bob');
});

test('expired, forged, damaged and oversized codes, and a wrong secret, are refused with a clear error', async () => {
  const [alice, bob] = [await reachNode('alice2'), await reachNode('bob2')];
  const { code } = await alice.api['invites.create']({ trust: 1, expires_seconds: 60 });

  // Expired: signed by the inviter, but its time has passed (checked before dialling anyone).
  const addr = alice.node.network.listenAddresses()[0]!.replace(/\/p2p\/.*/, '');
  const base = { v: 1 as const, peer: alice.node.peerId, addrs: [addr], id: 'ab'.repeat(8), secret: 'cd'.repeat(16) };
  const expired = await encodeInvite({ ...base, expires: Math.floor(Date.now() / 1000) - 1 }, alice.node.identity);
  assert.match(await refusal(bob.api['invites.accept']({ code: expired, trust: 1 })), /expired at .*ask for a new one/);

  // Forged: another key signed it in alice's name (or one bit of the code changed).
  const signedByBob = await encodeInvite({ ...base, peer: bob.node.peerId, expires: 2e9 }, bob.node.identity);
  const wire = dagCbor.decode<Record<string, unknown>>(
    Buffer.from(signedByBob.slice(INVITE_PREFIX.length), 'base64url'),
  );
  wire.p = peerIdFromString(alice.node.peerId).toMultihash().bytes;
  const forged = INVITE_PREFIX + Buffer.from(dagCbor.encode(wire)).toString('base64url');
  assert.match(
    await refusal(bob.api['invites.accept']({ code: forged, trust: 1 })),
    /not signed by .*altered or forged/,
  );
  const body = Buffer.from(code.slice(INVITE_PREFIX.length), 'base64url');
  body[body.length - 5]! ^= 0x01; // a bit of the signature
  assert.match(
    await refusal(bob.api['invites.accept']({ code: INVITE_PREFIX + body.toString('base64url'), trust: 1 })),
    /not signed by .*altered or forged/,
  );

  // A wrong secret: a code alice signed, for an invite she made, with a secret she never gave.
  const realId = (await alice.api['invites.list']({})).invites[0]!.invite_id;
  const wrong = await encodeInvite({ ...base, id: realId, expires: 2e9 }, alice.node.identity);
  assert.match(
    await refusal(bob.api['invites.accept']({ code: wrong, trust: 1 })),
    /secret does not match.*wrong_secret/,
  );
  const unknown = await encodeInvite({ ...base, expires: 2e9 }, alice.node.identity);
  assert.match(await refusal(bob.api['invites.accept']({ code: unknown, trust: 1 })), /unknown_invite/);
  assert.equal(bob.node.state.myTrustIn(alice.node.peerId), 0, 'nothing refused left any trust behind');
  assert.equal(alice.node.state.myTrustIn(bob.node.peerId), 0);

  // Damaged or not an invite at all; too long to be one (refused before decoding).
  assert.match(
    await refusal(bob.api['invites.accept']({ code: code.slice(0, 60), trust: 1 })),
    /damaged|does not hold/,
  );
  assert.match(await refusal(bob.api['invites.accept']({ code: 'hello', trust: 1 })), /starts with mesh-invite:/);
  assert.match(
    await refusal(bob.api['invites.accept']({ code: INVITE_PREFIX + 'A'.repeat(MAX_INVITE_CODE_CHARS), trust: 1 })),
    /at most 2048 characters/,
  );
  assert.match(await refusal(alice.api['invites.accept']({ code, trust: 1 })), /your own node/);
});

test('a node keeps its port across restarts, and dials the peers it trusts again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-reach-restart-'));
  const first = await loadNetworkConfig(dir);
  assert.deepEqual(await loadNetworkConfig(dir), first, 'chosen once, then read back');
  assert.ok(first.listen_port >= 20_000 && first.listen_port < 60_000);
  assert.equal(JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8')).listen_port, first.listen_port);

  const alice = await reachNode('alice3');
  const bobDir = mkdtempSync(join(tmpdir(), 'mesh-reach-bob-'));
  let bob = await reachNode('bob3', bobDir);
  const { code } = await alice.api['invites.create']({ trust: 1, expires_seconds: 600 });
  await bob.api['invites.accept']({ code, trust: 1 });
  await bob.node.stop();
  nodes.splice(nodes.indexOf(bob), 1);
  await waitFor(
    'alice to see bob go',
    () => (alice.node.network.connectedPeers().includes(bob.node.peerId) ? undefined : true),
    10_000,
  );
  // Bob comes back (another port: the test listens on 127.0.0.1:0) and dials alice by himself.
  bob = await reachNode('bob3', bobDir);
  await waitFor(
    'bob to dial alice again',
    () => (bob.node.network.connectedPeers().includes(alice.node.peerId) ? true : undefined),
    15_000,
  );
});
