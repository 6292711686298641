// The peers table within its cap: a Sybil's identities, each seen once, push out the strangers
// seen longest ago, never a peer I trust; a peer seen again moves to the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PEERS_KNOWN } from '../../src-main/core/mesh/state/known-peers.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
const seen = (state: MeshState, peer: string, i: number) =>
  state.apply({
    type: 'peer.seen',
    event_id: `e${i}`,
    at: at(i),
    peer_id: peer,
    addresses: [`/ip4/10.0.0.1/tcp/${i}`],
  });

test(`the peers table keeps at most ${MAX_PEERS_KNOWN} peers, forgetting the strangers seen longest ago, never a trusted one`, () => {
  const state = new MeshState('me');
  seen(state, 'trusted', 0);
  state.apply({ type: 'trust.set', event_id: 't', at: at(1), peer_id: 'trusted', weight: 1 });
  seen(state, 'old-friend', 2);
  for (let i = 0; i < MAX_PEERS_KNOWN * 2; i++) {
    seen(state, `sybil-${i}`, 10 + i);
    if (i === MAX_PEERS_KNOWN * 2 - 100) seen(state, 'old-friend', 10 + i); // seen again: kept longer
  }
  assert.equal(state.peers.size, MAX_PEERS_KNOWN);
  assert.ok(state.peers.has('trusted'), 'the trusted peer was forgotten');
  assert.ok(!state.peers.has('sybil-0'));
  assert.ok(state.peers.has(`sybil-${MAX_PEERS_KNOWN * 2 - 1}`));
  assert.equal(state.peers.has('old-friend'), true);
});
