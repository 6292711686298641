// A node alone wakes for nothing of gossipsub's: its heartbeat and score upkeep are parked while
// no peer is connected (p2p/gossip-timers.ts), run again once one connects (and gossip flows),
// and park again when the last one leaves. Nor of the redialer's, unless a peer it wants is away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redialer, type MeshNetwork } from '../../src-main/node/p2p/index.js';
import type { Reach } from '../../src-main/node/p2p/reach.js';
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

test('the redialer looks at the network only while a peer it wants is away', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const timers = t.mock.method(globalThis, 'setTimeout');
  const intervals = t.mock.method(globalThis, 'setInterval');
  const connected = new Set(['friend']);
  const dialled: string[] = [];
  const reach = {
    dial: async (peer: string) => {
      dialled.push(peer);
      connected.add(peer);
    },
  } as unknown as Reach;
  const redial = new Redialer(
    reach,
    (peer) => connected.has(peer),
    () => {},
  );
  t.after(() => redial.stop());

  redial.keep([]);
  redial.keep([['friend', ['/ip4/127.0.0.1/tcp/1']]]); // wanted, and connected
  assert.equal(timers.mock.callCount() + intervals.mock.callCount(), 0, 'nothing away: no timer at all');

  redial.keep([
    ['friend', []],
    ['away', ['/ip4/127.0.0.1/tcp/2']],
  ]);
  const delays = () => timers.mock.calls.map((call) => call.arguments[1]);
  assert.deepEqual(delays(), [0, 5_000], 'a dial now, and a look at the network in 5 s');
  t.mock.timers.tick(0);
  await Promise.resolve(); // the dial settles
  assert.deepEqual(dialled, ['away']);
  t.mock.timers.tick(5_000); // the look at the network: everyone is connected now, so no next one
  assert.deepEqual(delays(), [0, 5_000]);
});
