// The relay slots' rule without namespaces (nat.test.ts runs it between real NATs, as root): a
// refusal is asked again, trust given later brings the slot, trust withdrawn lets it go and
// withdraws the address, and a peer with no public address is never asked. Fakes for libp2p and
// the relay transport's reservation store, which see only what relay-slots.ts calls.
import type { Libp2p, PeerId } from '@libp2p/interface';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { RelayListener, RelaySlots, type RelayClient } from '../../../src-main/node/p2p/relay-slots.js';

const HOP = '/libp2p/circuit/relay/0.2.0/hop';

async function world(relayAddress: string) {
  const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
  const events = new EventTarget();
  const hungUp: string[] = [];
  const libp2p = Object.assign(events, {
    getMultiaddrs: () => [multiaddr('/ip4/10.1.0.2/tcp/4001')],
    getPeers: () => [relay],
    getConnections: () => [{ status: 'open', remoteAddr: multiaddr(relayAddress) }],
    peerStore: { get: async () => ({ protocols: [HOP], addresses: [{ multiaddr: multiaddr(relayAddress) }] }) },
    hangUp: async (peer: PeerId) => void hungUp.push(peer.toString()),
  }) as unknown as Libp2p;
  /** The relay's answers, in order: true grants the slot. */
  const answers: boolean[] = [];
  const asked: number[] = [];
  const store = new EventTarget();
  const client = Object.assign(store, {
    addRelay: async (peer: PeerId) => {
      asked.push(Date.now());
      if (!answers.shift()) throw new Error('reservation failed with status PERMISSION_DENIED');
      const reservation = {
        relay: peer,
        details: { type: 'configured', reservation: { addrs: [multiaddr(relayAddress).bytes] } },
      };
      store.dispatchEvent(new CustomEvent('relay:created-reservation', { detail: reservation }));
      return reservation;
    },
  }) as unknown as RelayClient;
  const announced = new Set<string>();
  const listener = new RelayListener({
    confirmObservedAddr: (a: Multiaddr) => void announced.add(a.toString()),
    removeObservedAddr: (a: Multiaddr) => void announced.delete(a.toString()),
  });
  const trusted = new Set<string>();
  const slots = new RelaySlots(libp2p, client, listener, (peer) => trusted.has(peer));
  return { relay: relay.toString(), slots, listener, answers, asked, announced, trusted, hungUp };
}

test('a relay that refuses is asked again; withdrawn trust lets the slot go and withdraws its address', async () => {
  const w = await world('/ip4/11.11.11.10/tcp/4001');
  w.slots.start();
  await sleep(50);
  assert.equal(w.asked.length, 0, 'nobody asked before I trust them');
  w.answers.push(false, true); // it does not trust me yet, then it does
  w.trusted.add(w.relay);
  w.slots.trustChanged();
  await sleep(50);
  assert.equal(w.asked.length, 1);
  assert.deepEqual(w.slots.held(), []);
  await sleep(2500); // asked again after 2 s
  assert.equal(w.asked.length, 2);
  assert.deepEqual(w.slots.held(), [w.relay]);
  assert.deepEqual([...w.announced], [`/ip4/11.11.11.10/tcp/4001/p2p-circuit`]);
  assert.equal(w.listener.getAddrs().length, 1);

  w.trusted.delete(w.relay);
  w.slots.trustChanged();
  await sleep(50);
  assert.deepEqual(w.slots.held(), []);
  assert.deepEqual([...w.announced], [], 'the address withdrawn');
  assert.deepEqual(w.hungUp, [w.relay], 'its connection, which carries the slot, closed');
  w.slots.stop();
});

test('a trusted peer with no public address is not asked: it could relay for nobody', async () => {
  const w = await world('/ip4/127.0.0.1/tcp/4001');
  w.trusted.add(w.relay);
  w.answers.push(true);
  w.slots.start();
  await sleep(100);
  assert.equal(w.asked.length, 0);
  w.slots.stop();
});
