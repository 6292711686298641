// Two peers that trust each other find each other's work on real nodes in this process, whatever
// the gossip does. Seen in the UI e2e test: each move of a trust slider hung up the connection (to
// look for a relay slot), four times in 300 ms; gossip between the two never recovered, neither
// learnt that the other trusts it, so neither sent its commitment directly, and a job stayed at 0
// of 30 tiles for a minute.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { DEFAULT_RELAY } from '../../../src-main/core/reach/network-config.js';
import { jobEnded, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

/** As the daemon runs: NAT traversal for the peers I trust, a relay offered to them (on loopback, neither is reachable). */
const asDaemon = () => startNode({ network: { listen_port: 0, upnp: false, relay: DEFAULT_RELAY } });

const disconnects = async (node: TestNode) =>
  (await node.api['events.since']({ after: 0, limit: 10_000 })).events.filter((e) => e.type === 'peer.disconnected')
    .length;

test('moving my trust in a peer I already trust keeps the connection to it', async () => {
  const [a, b] = await Promise.all([asDaemon(), asDaemon()]);
  try {
    await a.node.network.connect(b.node.network.listenAddresses()[0]!);
    await b.api['trust.set']({ peer_id: a.node.peerId, weight: 1 });
    await a.api['trust.set']({ peer_id: b.node.peerId, weight: 1 }); // newly trusted: may reconnect once, for a relay slot
    await waitFor('A connected to B', () =>
      a.node.network.connectedPeers().includes(b.node.peerId) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    const before = await disconnects(a);
    for (const weight of [0.95, 0.9, 0.85, 0.8]) await a.api['trust.set']({ peer_id: b.node.peerId, weight });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await disconnects(a)) - before, 0, 'no disconnection');
    assert.ok(a.node.network.connectedPeers().includes(b.node.peerId));
  } finally {
    await stopAll([a, b]);
  }
});

test('two peers that trust each other, their gossip lost, still trade commitments directly and finish a job', async () => {
  const [a, b] = await Promise.all([startNode(), startNode()]);
  try {
    for (const node of [a, b]) node.node.network.publish = async () => {}; // a topic that carries nothing
    await a.node.network.connect(b.node.network.listenAddresses()[0]!);
    await b.api['trust.set']({ peer_id: a.node.peerId, weight: 1 });
    await a.api['trust.set']({ peer_id: b.node.peerId, weight: 1 });
    const { job_id: jobId } = await a.api['jobs.submit']({
      library: 'hash',
      method: 'sha256',
      input_base64: randomBytes(4 * 64).toString('base64'),
      chunk_bytes: 64,
      redundancy: 1,
      budget: 1_000_000,
      priority: 0.5,
      manual_accept: false,
      open_to_strangers: false,
    });
    const job = await jobEnded(a.api, jobId, 20_000);
    assert.equal(job.state, 'completed');
    const peers = (await a.api['peers.list']({})).peers;
    assert.equal(peers.find((p) => p.peer_id === b.node.peerId)?.trust_theirs, 1, "A knows B's trust in it");
  } finally {
    await stopAll([a, b]);
  }
});
