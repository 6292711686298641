// What a provider lets a requester have (node/mesh/provider/admission.ts), over a state folded from journal
// events as a node's would be: its policies, the requester's credit limit from my trust and its
// settled debt, a false refund that shuts it out until my trust in it is set again, and a round
// that offers each requester only what it may have.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import { FREE_RIDER_LIMIT } from '../../src-main/core/policy/index.js';
import { allocate } from '../../src-main/core/scheduler/index.js';
import type { ComputeCommitment, NodeEvent } from '../../src-main/core/schemas/index.js';
import { Admission, admittedOffers, FALSE_REFUND_REFUSAL } from '../../src-main/node/mesh/provider/admission.js';
import { commitment, request, slot, T0, unit } from '../core/scheduler-fixtures.js';

const ME = 'provider-p';
const R = 'requester-r';
const NOON = Date.parse('2030-03-10T12:00:00.000Z');
const ONE_CORE = { cpu_cores: 1, ram_gb: 1 };
const at = (ms: number) => new Date(ms).toISOString();
let n = 0;
/** An event as the journal would hold it, from its own fields. */
type Fields = NodeEvent extends infer E ? (E extends NodeEvent ? Omit<E, 'event_id' | 'at'> : never) : never;
const event = (e: Fields, ms = NOON): NodeEvent => ({ ...e, event_id: `e${n++}`, at: at(ms) });

/** A unit of `requester`'s accepted here at `ms` for `price`, settled (90 % to me) unless `held`. */
function accepted(state: MeshState, id: string, ms: number, price: number, held = false, requester = R): void {
  state.apply(
    event(
      {
        type: 'offer.accepted',
        acceptance: {
          assignment_id: id,
          offer_id: id,
          unit_id: `u-${id}`,
          job_id: 'job',
          requester_peer: requester,
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
        requester,
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
  const admission = new Admission(state, NOON);
  assert.equal(admission.room(R, 1000), 1);
  assert.equal(admission.admit(R, 1000), undefined);
  assert.equal(admission.room(R, 1000), 0);
  assert.equal(admission.admit(R, 1000), 'daily quota reached: 3 of 3 units today (UTC)');
  // An open offer counts as taken.
  const withOffer = new Admission(state, NOON);
  withOffer.count(R, 1000);
  assert.equal(withOffer.admit(R, 1000), 'daily quota reached: 3 of 3 units today (UTC)');
});

test('the credit limit counts settled debt, what is held, and the unit asked for', () => {
  const state = stateWithTwoPaidUnits();
  const admission = new Admission(state, NOON);
  // 5 credits of credit, 1.8 owed: 3 more units of 1 credit fit, a 4th does not.
  assert.equal(admission.room(R, 1000), 3);
  for (let i = 0; i < 3; i++) assert.equal(admission.admit(R, 1000), undefined);
  assert.equal(
    admission.admit(R, 1000),
    'credit limit reached: balance -1.800, 3.000 held, this unit 1.000; the limit is 5.000 credits',
  );
  // Held escrows from the journal count the same way.
  accepted(state, 'c', NOON, 3000, true);
  assert.equal(new Admission(state, NOON).room(R, 1000), 0);
  // No trust, no credit.
  assert.equal(new Admission(state, NOON).room('stranger', 1), 0);
});

test('a false refund shuts the requester out until my trust in it is set again', () => {
  const state = stateWithTwoPaidUnits();
  state.apply(event({ type: 'peer.penalized', peer_id: R, reason: 'false_refund' }));
  assert.equal(state.falseRefunds.get(R), 1);
  assert.equal(new Admission(state, NOON).room(R, 1), 0);
  assert.equal(new Admission(state, NOON).admit(R, 1), FALSE_REFUND_REFUSAL);
  state.apply(event({ type: 'trust.set', peer_id: R, weight: 0.0005 }));
  assert.equal(new Admission(state, NOON).admit(R, 1), undefined);
});

test("a provider's refusal is folded onto the requester's assignment", () => {
  const state = stateWithTwoPaidUnits();
  state.apply(event({ type: 'acceptance.refused', assignment_id: 'a', reason: 'rate limit reached' }, NOON + 5));
  assert.deepEqual(state.assignments.get('a')?.refusal, { reason: 'rate limit reached', at: at(NOON + 5) });
});

test('a round places again when a requester passes its limit, so the room it took goes to the others', () => {
  const [A, B] = ['requester-a', 'requester-b'];
  const state = new MeshState(ME);
  state.apply(event({ type: 'trust.set', peer_id: A, weight: 1 }));
  state.apply(event({ type: 'trust.set', peer_id: B, weight: 0.5 }));
  state.apply(event({ type: 'policies.set', policies: [{ kind: 'quota', units_per_day: 2 }] }));
  accepted(state, 'a-earlier', T0 + 1000, 10, false, A); // A may have 1 more unit today, B 2
  const hash: Array<[string, number]> = [['hash/sha256', 1]];
  const units = (job: string) => [0, 1, 2, 3].map((i) => unit(`${job}/${i}`, job, 'hash/sha256', ONE_CORE, 1));
  const me = commitment(ME, { [A]: 1, [B]: 0.5 }, [slot('s', 4 / 3600, ONE_CORE, hash)]); // room for 4 units
  const requesters = [
    commitment(A, { [ME]: 1 }, [], [request(A, 'job-a', units('job-a'))]),
    commitment(B, { [ME]: 1 }, [], [request(B, 'job-b', units('job-b'))]),
  ];
  const price = { per_core_second: 1000, minimum: 10 };
  const place = (rs: ComputeCommitment[]) =>
    allocate({ provider: me, requesters: rs, round: 1, nowMs: T0, price, skip: new Set() }).offers;
  // A is served first (my trust in it is higher), and alone it would fill the slot.
  assert.equal(place(requesters).filter((o) => o.requester_peer === A).length, 4);
  const offers = admittedOffers(requesters, () => new Admission(state, T0 + 5000), place, 10);
  const count = (peer: string) => offers.filter((o) => o.requester_peer === peer).length;
  assert.deepEqual([count(A), count(B)], [1, 2]);
  // A requester that may have nothing is not placed at all.
  state.apply(event({ type: 'peer.penalized', peer_id: B, reason: 'false_refund' }));
  assert.deepEqual(
    admittedOffers(requesters, () => new Admission(state, T0 + 5000), place, 10).map((o) => o.requester_peer),
    [A],
  );
});

test('one that gives nothing back is admitted one unit per FREE_RIDER_LIMIT, idle cores or not, unless I trust it fully', () => {
  const C = 'contributor-c';
  const state = new MeshState(ME);
  state.apply(event({ type: 'trust.set', peer_id: R, weight: 0.5 }));
  state.apply(event({ type: 'trust.set', peer_id: C, weight: 1 }));
  const freeRider = commitment(R, { [ME]: 1 });
  const sharer = commitment(R, { [ME]: 1 }, [slot('s', 1, ONE_CORE, [['hash/sha256', 1]])]);
  const waiting = commitment(
    C,
    { [ME]: 1 },
    [slot('c', 1, ONE_CORE, [['hash/sha256', 1]])],
    [request(C, 'cjob', [unit('c0', 'cjob', 'hash/sha256', ONE_CORE, 1)])],
  );
  const seen = (r: ComputeCommitment | undefined, others: ComputeCommitment[] = [waiting], ms = NOON) =>
    new Admission(state, ms, new Map([...others, ...(r ? [r] : [])].map((c) => [c.peer_id, c])));
  assert.equal(seen(freeRider).room(R, 1000), FREE_RIDER_LIMIT.units);
  // My idle cores too: with no one who gives back waiting, the free-rider still has only its trickle.
  assert.equal(seen(freeRider, []).room(R, 1000), FREE_RIDER_LIMIT.units);
  accepted(state, 'a', NOON - 1000, 1000);
  for (const others of [[waiting], []]) {
    const admission = seen(freeRider, others);
    assert.equal(admission.room(R, 1000), 0);
    assert.match(admission.admit(R, 1000) ?? '', /gives nothing back/);
  }
  assert.match(
    seen(undefined, []).admit(R, 1000) ?? '',
    /gives nothing back/,
    'a requester whose commitment I have not seen shows me nothing',
  );
  assert.equal(seen(sharer).admit(R, 1000), undefined);
  assert.equal(seen(sharer).room(R, 1000), 4999, 'its credit: 5,000 credits less the 0.9 it owes me, in units of 1');
  // Once the window has passed, the trickle gives it one more.
  assert.equal(seen(freeRider, [], NOON - 1000 + FREE_RIDER_LIMIT.per_seconds * 1000).room(R, 1000), 1);
  // Trusted fully (my own laptop, sharing off), it has what its credit allows, giving back or not.
  state.apply(event({ type: 'trust.set', peer_id: R, weight: 1 }));
  assert.equal(seen(freeRider).room(R, 1000), 9999);
  assert.equal(seen(undefined).admit(R, 1000), undefined);
});
