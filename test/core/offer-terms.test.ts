// An acceptance journals the terms of the offer it took (the provider's estimate, its fuel rate):
// the requester keeps them without journaling the whole offer, and a journal from before, which
// holds the offer itself, folds to the same assignment. A round's acceptances are one event
// (`offers.accepted`), folded as each alone was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
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

/** The acceptances of a round as one event, as both sides journal them now. */
const round = (eventId: string, ...accepted: Acceptance[]): NodeEvent => ({
  type: 'offers.accepted',
  event_id: eventId,
  at: AT,
  accepted: accepted.map((a) => ({
    acceptance: a,
    terms: { estimated_seconds: 7, fuel_price: { per_gfuel: 3, minimum: 1 } },
  })),
});

test('acceptances journaled as one event fold to the assignments they make alone', () => {
  const second = { ...acceptance, assignment_id: 'o2', offer_id: 'o2', unit_id: 'job/1' };
  const secondAlone: NodeEvent = { ...acceptedWithTerms, event_id: 'b', acceptance: second };
  const alone = fold([acceptedWithTerms, secondAlone]);
  const together = fold([round('r', acceptance, second)]);
  assert.deepEqual(together.assignments, alone.assignments);
  assert.deepEqual(together.assignmentsOf('job/1'), alone.assignmentsOf('job/1'));
});

test('a round that names an assignment already made leaves it as it was, and adds only the new one', () => {
  const second = { ...acceptance, assignment_id: 'o2', offer_id: 'o2', unit_id: 'job/1' };
  // The same acceptance again with another price and deadline: the first one folded stands.
  const changed = { ...acceptance, price: 1, deadline: '2030-01-01T00:00:00.000Z' };
  const state = fold([round('r1', acceptance), round('r2', changed, second)]);
  assert.equal(state.assignments.get('o1')!.acceptance.price, 100);
  assert.deepEqual(
    state.assignmentsOf('job/0').map((a) => a.acceptance.assignment_id),
    ['o1'],
  );
  assert.deepEqual(
    state.assignmentsOf('job/1').map((a) => a.acceptance.assignment_id),
    ['o2'],
  );
});
