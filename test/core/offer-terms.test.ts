// An acceptance journals the terms of the offer it took (the provider's estimate, its fuel rate):
// the requester keeps them without journaling the whole offer, and a journal from before, which
// holds the offer itself, folds to the same assignment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../src-main/core/mesh/state.js';
import type { Acceptance, NodeEvent, Offer } from '../../src-main/core/schemas/index.js';

const ME = 'peer-requester';
const PROVIDER = 'peer-provider';
const AT = '2025-06-01T12:00:00.000Z';

const offer: Offer = {
  offer_id: 'o1',
  round: 1,
  unit_id: 'job/0',
  job_id: 'job',
  requester_peer: ME,
  provider_peer: PROVIDER,
  slot_id: 'slot',
  tier: 1,
  price: 100,
  fuel_price: { per_gfuel: 3, minimum: 1 },
  estimated_seconds: 7,
  performance_score: 1,
  expected_start: AT,
  expected_end: AT,
  timestamp: AT,
};
const acceptance: Acceptance = {
  assignment_id: 'o1',
  offer_id: 'o1',
  unit_id: 'job/0',
  job_id: 'job',
  requester_peer: ME,
  provider_peer: PROVIDER,
  price: 100,
  role: 'primary',
  deadline: AT,
  timestamp: AT,
};

/** The acceptance as a requester journals it now: with its offer's terms. */
const acceptedWithTerms: NodeEvent = {
  type: 'offer.accepted',
  event_id: 'a',
  at: AT,
  acceptance,
  terms: { estimated_seconds: 7, fuel_price: { per_gfuel: 3, minimum: 1 } },
};

function fold(events: NodeEvent[]): MeshState {
  const state = new MeshState(ME);
  for (const event of events) state.apply(event);
  return state;
}

test("an acceptance with its offer's terms: the assignment keeps the estimate and the fuel rate", () => {
  const state = fold([acceptedWithTerms]);
  const assignment = state.assignments.get('o1')!;
  assert.equal(assignment.estimatedSeconds, 7);
  assert.deepEqual(assignment.fuelPrice, { per_gfuel: 3, minimum: 1 });
});

test('a journal from before (the offer journaled, the acceptance without terms) folds to the same assignment', () => {
  const before = fold([
    { type: 'offer.recorded', event_id: 'o', at: AT, offer },
    { type: 'offer.accepted', event_id: 'a', at: AT, acceptance },
  ]);
  const now = fold([acceptedWithTerms]);
  assert.deepEqual(now.assignments.get('o1'), before.assignments.get('o1'));
});
