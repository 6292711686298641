// A provider's open offers as its rounds count them (node/mesh/provider/open-work.ts): an offer the
// requester passed over (another provider's won the unit) stops counting against its quota and
// pipeline after OFFER_PENDING_MS, though it keeps its unit from being offered again until it lapses.
// Counted for its whole 15 s, two of a Blender job's four frames waited that long for a provider
// whose quota of two held one such offer (blender_mesh_overhead_pct 250 % against 50 %).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../../src-main/core/mesh/state/state.js';
import { OFFER_TTL_MS, unitKey } from '../../../src-main/core/scheduler/index.js';
import type { ComputeCommitment, Offer, WorkUnit } from '../../../src-main/core/schemas/index.js';
import { OpenWork } from '../../../src-main/node/mesh/provider/open-work.js';

const T0 = Date.parse('2026-11-27T12:00:00Z');

const offer = (n: number): Offer => ({
  offer_id: `me#1.${n}`,
  round: 1,
  unit_id: `job/${n}`,
  job_id: 'job',
  requester_peer: 'requester',
  provider_peer: 'me',
  slot_id: 's',
  tier: 1,
  price: 10,
  estimated_seconds: 5,
  performance_score: 1,
  expected_start: new Date(T0).toISOString(),
  expected_end: new Date(T0).toISOString(),
  timestamp: new Date(T0).toISOString(),
});

/** The requester's commitment, listing units 1 to 3 of its job. */
const listing = [
  {
    peer_id: 'requester',
    availability_slots: [],
    work_requests: [{ work_units: [1, 2, 3].map((n) => ({ unit_id: `job/${n}` }) as WorkUnit) }],
    trust_weights: {},
  } as unknown as ComputeCommitment,
];

test('an open offer counts as pending for a second, then holds only its unit until it lapses', () => {
  const work = new OpenWork({ state: new MeshState('me') }, () => undefined);
  work.offered([offer(1), offer(2)]);
  const fresh = work.at(T0 + 100, listing);
  assert.deepEqual(
    fresh.pending.map((o) => o.offer_id),
    ['me#1.1', 'me#1.2'],
  );
  assert.equal(fresh.inFlight.get('requester'), 2);
  // The requester took neither within its round: passed over, they no longer count against its
  // quota or pipeline, but their units are not offered again while they may still be taken.
  const later = work.at(T0 + 2000, listing);
  assert.deepEqual(later.pending, []);
  assert.equal(later.inFlight.get('requester') ?? 0, 0);
  assert.deepEqual([...later.skip].sort(), [unitKey('requester', 'job/1'), unitKey('requester', 'job/2')]);
  // Once they lapse, their units may be offered for again.
  assert.deepEqual([...work.at(T0 + OFFER_TTL_MS + 1, listing).skip], []);
});
