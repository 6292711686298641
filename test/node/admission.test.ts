// What a provider lets a requester have (node/mesh/admission.ts), over a state folded from journal
// events as a node's would be: its policies, the requester's credit limit from my trust and its
// settled debt, and a false refund that shuts it out until my trust in it is set again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../src-main/core/mesh/state.js';
import type { ComputeCommitment, NodeEvent, WorkUnit } from '../../src-main/core/schemas/index.js';
import { untrackedContribution } from '../../src-main/core/schemas/index.js';
import { Admission, FALSE_REFUND_REFUSAL, withinRoom } from '../../src-main/node/mesh/admission.js';

const ME = 'provider-p';
const R = 'requester-r';
const NOON = Date.parse('2030-03-10T12:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
let n = 0;
/** An event as the journal would hold it, from its own fields. */
type Fields = NodeEvent extends infer E ? (E extends NodeEvent ? Omit<E, 'event_id' | 'at'> : never) : never;
const event = (e: Fields, ms = NOON): NodeEvent => ({ ...e, event_id: `e${n++}`, at: at(ms) });

/** A unit of R's accepted here at `ms` for `price`, settled (90 % to me) unless `held`. */
function accepted(state: MeshState, id: string, ms: number, price: number, held = false): void {
  state.apply(
    event(
      {
        type: 'offer.accepted',
        acceptance: {
          assignment_id: id,
          offer_id: id,
          unit_id: `u-${id}`,
          job_id: 'job',
          requester_peer: R,
          provider_peer: ME,
          price,
          role: 'primary',
          deadline: at(ms + 60_000),
          timestamp: at(ms),
        },
      },
      ms,
    ),
  );
  state.apply(
    event({
      type: 'ledger.entry',
      entry: {
        kind: 'escrow',
        entry_id: `escrow/${id}`,
        assignment_id: id,
        job_id: 'job',
        unit_id: `u-${id}`,
        requester: R,
        worker: ME,
        amount: price,
        job_budget: 1e9,
        at: at(ms),
      },
    }),
  );
  if (!held)
    state.apply(
      event({
        type: 'ledger.entry',
        entry: {
          kind: 'settle',
          entry_id: `settle/${id}`,
          assignment_id: id,
          verifiers: [],
          worker_share_bps: 9000,
          at: at(ms),
        },
      }),
    );
}

function stateWithTwoPaidUnits(): MeshState {
  const state = new MeshState(ME);
  state.apply(event({ type: 'trust.set', peer_id: R, weight: 0.0005 })); // a limit of 5 credits
  accepted(state, 'a', NOON - 3600_000, 1000);
  accepted(state, 'b', NOON - 60_000, 1000);
  return state;
}

test("the state folds a requester's settled debt into my position with it", () => {
  const state = stateWithTwoPaidUnits();
  assert.equal(state.positions.get(R), 1800);
  accepted(state, 'c', NOON, 1000, true);
  assert.equal(state.positions.get(R), 1800, 'a held escrow moves nothing yet');
});

test('a policy refuses with its reason once the units accepted here today reach it', () => {
  const state = stateWithTwoPaidUnits();
  state.apply(event({ type: 'policies.set', policies: [{ kind: 'quota', units_per_day: 3 }] }));
  const admission = new Admission(state, ME, NOON);
  assert.equal(admission.room(R, 1000), 1);
  assert.equal(admission.admit(R, 1000), undefined);
  assert.equal(admission.room(R, 1000), 0);
  assert.equal(admission.admit(R, 1000), 'daily quota reached: 3 of 3 units today (UTC)');
  // An open offer counts as taken.
  const withOffer = new Admission(state, ME, NOON);
  withOffer.count(R, 1000);
  assert.equal(withOffer.admit(R, 1000), 'daily quota reached: 3 of 3 units today (UTC)');
});

test('the credit limit counts settled debt, what is held, and the unit asked for', () => {
  const state = stateWithTwoPaidUnits();
  const admission = new Admission(state, ME, NOON);
  // 5 credits of credit, 1.8 owed: 3 more units of 1 credit fit, a 4th does not.
  assert.equal(admission.room(R, 1000), 3);
  for (let i = 0; i < 3; i++) assert.equal(admission.admit(R, 1000), undefined);
  assert.equal(
    admission.admit(R, 1000),
    'credit limit reached: balance -1.800, 3.000 held, this unit 1.000; the limit is 5.000 credits',
  );
  // Held escrows from the journal count the same way.
  accepted(state, 'c', NOON, 3000, true);
  assert.equal(new Admission(state, ME, NOON).room(R, 1000), 0);
  // No trust, no credit.
  assert.equal(new Admission(state, ME, NOON).room('stranger', 1), 0);
});

test('a false refund shuts the requester out until my trust in it is set again', () => {
  const state = stateWithTwoPaidUnits();
  state.apply(event({ type: 'peer.penalized', peer_id: R, reason: 'false_refund' }));
  assert.equal(state.falseRefunds.get(R), 1);
  assert.equal(new Admission(state, ME, NOON).room(R, 1), 0);
  assert.equal(new Admission(state, ME, NOON).admit(R, 1), FALSE_REFUND_REFUSAL);
  state.apply(event({ type: 'trust.set', peer_id: R, weight: 0.0005 }));
  assert.equal(new Admission(state, ME, NOON).admit(R, 1), undefined);
});

test("a provider's refusal is folded onto the requester's assignment", () => {
  const state = stateWithTwoPaidUnits();
  state.apply(event({ type: 'acceptance.refused', assignment_id: 'a', reason: 'rate limit reached' }, NOON + 5));
  assert.deepEqual(state.assignments.get('a')?.refusal, { reason: 'rate limit reached', at: at(NOON + 5) });
});

test('withinRoom keeps the first units not yet offered, up to the room', () => {
  const unit = (id: string) => ({ unit_id: id }) as WorkUnit;
  const request = (ids: string[]) => ({
    request_id: 'job',
    requester_id: R,
    job_id: 'job',
    work_units: ids.map(unit),
    timestamp: at(NOON),
  });
  const commitment: ComputeCommitment = {
    peer_id: R,
    availability_slots: [],
    work_requests: [request(['1', '2']), request(['3', '4'])],
    trust_weights: {},
    ...untrackedContribution(),
    timestamp: at(NOON),
    vector_clock: {},
  };
  const kept = withinRoom(commitment, 2, new Set([`${R}\u00001`]));
  assert.deepEqual(
    kept.work_requests.map((r) => r.work_units.map((u) => u.unit_id)),
    [['2'], ['3']],
  );
  assert.equal(withinRoom(commitment, Infinity, new Set()), commitment);
});
