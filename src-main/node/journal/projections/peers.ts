// Projections of what the node knows about peers and about its own availability:
// peer.seen → peers, trust.set → trust, slot.put / slot.removed → slots; sharing.set, price.set,
// window.put / window.removed, settings.set, policies.set and peer.penalized are read by the node's
// state only.
import type { NodeEventOf } from '../../../core/schemas/index.js';
import type { Db } from '../database.js';

export function peerProjections(db: Db) {
  const upsertPeer = db.prepare(`
    INSERT INTO peers (peer_id, name, addresses, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (peer_id) DO UPDATE SET
      name = coalesce(excluded.name, peers.name), -- an advert without a name keeps the known one
      addresses = excluded.addresses,
      last_seen = excluded.last_seen`);
  const upsertTrust = db.prepare(`
    INSERT INTO trust (peer_id, weight, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (peer_id) DO UPDATE SET weight = excluded.weight, updated_at = excluded.updated_at`);
  const upsertSlot = db.prepare(`
    INSERT INTO slots (slot_id, start_time, end_time, updated_at, event_seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (slot_id) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time,
      updated_at = excluded.updated_at, event_seq = excluded.event_seq`);
  const deleteSlot = db.prepare('DELETE FROM slots WHERE slot_id = ?');

  return {
    'peer.seen'(e: NodeEventOf<'peer.seen'>): void {
      upsertPeer.run(e.peer_id, e.name ?? null, JSON.stringify(e.addresses), e.at, e.at);
    },
    'trust.set'(e: NodeEventOf<'trust.set'>): void {
      upsertTrust.run(e.peer_id, e.weight, e.at);
    },
    'slot.put'({ slot, at }: NodeEventOf<'slot.put'>, seq: number): void {
      upsertSlot.run(slot.slot_id, slot.start_time, slot.end_time, at, seq);
    },
    'slot.removed'(e: NodeEventOf<'slot.removed'>): void {
      deleteSlot.run(e.slot_id);
    },
    // The node's in-memory state reads these from the journal; no table derives from them.
    'sharing.set'(): void {},
    'peer.penalized'(): void {},
    'price.set'(): void {},
    'window.put'(): void {},
    'window.removed'(): void {},
    'settings.set'(): void {},
    'policies.set'(): void {},
  };
}
