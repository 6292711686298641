// Peers and my trust in them. Trust is also the permit: weight 0 means a peer gets nothing from
// my machine, and the scheduler serves peers in turn by trust, mutual trust first. Policies
// (who may use my machine, and how much) narrow it further.
import type { PeersSlice, Slice } from './types.js';

export const peersSlice: Slice<PeersSlice> = (set, get, transport) => ({
  peers: null,

  async refreshPeers() {
    const reply = await get().attempt(() => transport.call('peers.list', {}));
    if (reply) set({ peers: reply.peers });
  },

  async addPeer(multiaddr) {
    const added = await get().attempt(() => transport.call('peers.add', { multiaddr: multiaddr.trim() }));
    await get().refreshPeers();
    return added?.peer_id;
  },

  async setTrust(peerId, weight) {
    const reply = await get().attempt(() => transport.call('trust.set', { peer_id: peerId, weight }));
    if (reply) {
      set((s) => ({
        peers: s.peers?.map((p) => (p.peer_id === peerId ? { ...p, trust_mine: reply.weight } : p)) ?? null,
      }));
    }
    await get().refreshPeers();
  },

  async pardon(peerId) {
    await get().attempt(() => transport.call('peers.pardon', { peer_id: peerId }));
    await get().refreshPeers();
  },

  async createInvite(trust, expiresSeconds) {
    return get().attempt(() => transport.call('invites.create', { trust, expires_seconds: expiresSeconds }));
  },

  async acceptInvite(code, trust) {
    const accepted = await get().attempt(() => transport.call('invites.accept', { code: code.trim(), trust }));
    await get().refreshPeers();
    return accepted;
  },

  async setPolicies(policies) {
    await get().attempt(() => transport.call('policies.set', { policies }));
    await get().refreshStatus();
  },
});
