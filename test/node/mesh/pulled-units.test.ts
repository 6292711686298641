// The units a provider pulled, as its rounds see them: a pulled unit stays in the view until an
// offer of mine on it is accepted, then leaves it (rounds look at what is still open, not at
// every unit of the last offer lifetime); the job still counts as one I run, and is pulled again
// once what is left of it is mine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeshState } from '../../../src-main/core/mesh/state/state.js';
import { unitGroupsOf } from '../../../src-main/core/protocol/messages.js';
import { unitKey } from '../../../src-main/core/scheduler/index.js';
import type { ComputeCommitment, NodeEvent, WorkUnit } from '../../../src-main/core/schemas/index.js';
import type { NodeContext } from '../../../src-main/node/mesh/context/node-context.js';
import { PulledUnits } from '../../../src-main/node/mesh/provider/pulled-units.js';
import { commitment, iso, request, T0, unit } from '../../core/scheduler-fixtures.js';

const ME = 'peer-provider';
const REQUESTER = 'peer-requester';
const job = (n: number) =>
  Array.from({ length: n }, (_, i) => unit(`u${i}`, 'job', 'a', { cpu_cores: 1, ram_gb: 1 }, 10));

function setup() {
  const state = new MeshState(ME);
  const all = job(20);
  const listed = (units: WorkUnit[]): ComputeCommitment =>
    commitment(REQUESTER, { [ME]: 1 }, [], [{ ...request(REQUESTER, 'job', units), open_units: 20 }]);
  const commitments = new Map([[REQUESTER, listed(all.slice(0, 1))]]);
  let lent = 1; // the requester lends the units after the listed one, in order
  const pulls: number[] = [];
  const ctx = {
    me: ME,
    state,
    commitments,
    now: () => T0,
    send: async (_peer: string, type: string, body: { max: number }) => {
      if (type !== 'pull') return undefined;
      pulls.push(body.max);
      const units = all.slice(lent, lent + body.max);
      lent += units.length;
      return { type: 'units', body: { groups: unitGroupsOf(units) } };
    },
    background: () => {},
  } as unknown as NodeContext;
  const pulled = new PulledUnits(
    ctx,
    () => {},
    () => {},
  );
  /** My offer on the unit, accepted by the requester. */
  const assign = (unitId: string) => {
    const offerId = `offer-${unitId}`;
    const offer = {
      offer_id: offerId,
      provider_peer: ME,
      requester_peer: REQUESTER,
      unit_id: unitId,
      job_id: 'job',
      slot_id: 'slot',
      price: 10,
      estimated_seconds: 10,
      round: 1,
      timestamp: iso(T0),
    };
    const at = iso(T0);
    state.apply({ type: 'offer.recorded', event_id: `o/${offerId}`, at, offer } as unknown as NodeEvent);
    state.apply({
      type: 'offer.accepted',
      event_id: `a/${offerId}`,
      at,
      acceptance: {
        assignment_id: offerId,
        offer_id: offerId,
        unit_id: unitId,
        job_id: 'job',
        requester_peer: REQUESTER,
        provider_peer: ME,
        price: 10,
        role: 'primary',
        deadline: iso(T0 + 60_000),
        timestamp: at,
      },
    });
  };
  /** The requester took the unit back from me, its escrow refunded for `reason`. */
  const refund = (unitId: string, reason: 'late' | 'rejected') => {
    const assignmentId = `offer-${unitId}`;
    const at = iso(T0);
    for (const entry of [
      { kind: 'escrow', entry_id: `escrow/${assignmentId}`, assignment_id: assignmentId, amount: 10, at },
      { kind: 'refund', entry_id: `refund/${assignmentId}`, assignment_id: assignmentId, reason, at },
    ])
      state.apply({ type: 'ledger.entry', event_id: entry.entry_id, at, entry } as unknown as NodeEvent);
  };
  const viewed = () =>
    pulled
      .view(T0)
      .flatMap((c) => c.work_requests)
      .flatMap((r) => r.work_units.map((u) => u.unit_id));
  const pullMore = (taken: string[]) =>
    pulled.pullMore(pulled.view(T0), new Set(taken.map((id) => unitKey(REQUESTER, id))), [], () => 4);
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { commitments, listed, assign, refund, viewed, pullMore, settle, pulls };
}

test('a pulled unit leaves the view once my offer on it is accepted, and the job is pulled again', async () => {
  const { commitments, listed, assign, viewed, pullMore, settle, pulls } = setup();
  pullMore(['u0']); // the listed unit is mine: pull
  await settle();
  assert.deepEqual(pulls, [4]);
  assert.deepEqual(viewed(), ['u0', 'u1', 'u2', 'u3', 'u4']);

  for (const id of ['u1', 'u2', 'u3']) assign(id);
  assert.deepEqual(viewed(), ['u0', 'u4'], 'the accepted ones left the view; the one only offered stays');

  // The requester now lists nothing of the job (its listed unit went to me too): what is left of it
  // in my view is mine, and the job is one I run, so it is pulled again.
  assign('u0');
  assign('u4');
  commitments.set(REQUESTER, listed([]));
  assert.deepEqual(viewed(), []);
  pullMore([]);
  await settle();
  assert.deepEqual(pulls, [4, 4], 'pulled again');
  assert.deepEqual(viewed(), ['u5', 'u6', 'u7', 'u8']);
});

test('a job none of whose units I was assigned or offered for is not pulled', async () => {
  const { commitments, listed, viewed, pullMore, settle, pulls } = setup();
  commitments.set(REQUESTER, listed([]));
  pullMore([]);
  await settle();
  assert.deepEqual(pulls, [], 'nothing of it is mine: not a job I run');
  assert.deepEqual(viewed(), []);
});

test('a unit taken back from me as late stays in the view when I pull it again, so I may offer for it again', async () => {
  const { assign, refund, viewed, pullMore, settle } = setup();
  pullMore(['u0']);
  await settle();
  // Assigned to me once, and refunded: late (my node was down), and rejected (a wrong result).
  assign('u1');
  refund('u1', 'late');
  assign('u2');
  refund('u2', 'rejected');
  // After a crash, every unit a provider held came back late: dropped from its view, only the few
  // its requester listed were offered, and the rest of the job crawled at 8 units a commitment.
  assert.deepEqual(viewed(), ['u0', 'u1', 'u3', 'u4'], 'the late one stays; the rejected one left');
});
