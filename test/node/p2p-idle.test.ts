// A node alone wakes for nothing of gossipsub's: its heartbeat and score upkeep are parked while
// no peer is connected (p2p/gossip-timers.ts), run again once one connects (and gossip flows),
// and park again when the last one leaves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeshNetwork } from '../../src-main/node/p2p/index.js';
import { recordDeliveries, startNetwork, waitFor } from './fixtures/p2p-peers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** gossipsub's count of heartbeats and whether its score upkeep is scheduled: fields of its own, read for this test only. */
function gossipTimers(network: MeshNetwork): { heartbeats: number; scoreUpkeep: boolean } {
  const pubsub = (network as unknown as { libp2p: { services: { pubsub: unknown } } }).libp2p.services.pubsub as {
    heartbeatTicks: number;
    score: { _backgroundInterval?: unknown };
  };
  return { heartbeats: pubsub.heartbeatTicks, scoreUpkeep: pubsub.score._backgroundInterval !== undefined };
}

test('gossipsub sleeps while no peer is connected, and gossips once one is', async (t) => {
  const [a, b] = [await startNetwork(t), await startNetwork(t)];
  a.subscribe('notes');
  const before = gossipTimers(a);
  await sleep(2_500); // past gossipsub's first heartbeat (100 ms) and two more of its 1 s ones
  assert.deepEqual(gossipTimers(a), { heartbeats: before.heartbeats, scoreUpkeep: false });

  const received = recordDeliveries(a);
  await b.connect(a.listenAddresses()[0]!);
  await waitFor(() => b.subscribers('notes').includes(a.peerId), 'the subscription to reach b');
  await b.publish('notes', 'test.note', { text: 'awake' });
  await waitFor(() => received.length === 1, 'the note');
  await waitFor(() => gossipTimers(a).heartbeats > before.heartbeats, 'a heartbeat', 5_000);
  assert.equal(gossipTimers(a).scoreUpkeep, true);

  await b.stop();
  await waitFor(() => a.connectedPeers().length === 0, 'b to be gone');
  const alone = gossipTimers(a);
  await sleep(2_500);
  assert.deepEqual(gossipTimers(a), { heartbeats: alone.heartbeats, scoreUpkeep: false });
});
