// Who may fetch which blob of mine (core/mesh/rules/blob-access.ts), over a state folded from events as a
// node journals them: a peer I trust, anything; a provider of my unit, that unit's blobs while its
// escrow is held; the requester of a unit I computed, its output while held or paid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobsOfUnit, mayFetch } from '../../src-main/core/mesh/rules/blob-access.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { Acceptance, LedgerEntry, NodeEvent, WorkUnit } from '../../src-main/core/schemas/index.js';
import { T0, escrowEntry, iso, unit } from './scheduler-fixtures.js';

const AT = iso(T0);
let n = 0;
const event = (e: Record<string, unknown>) => ({ event_id: `e${n++}`, at: AT, ...e }) as NodeEvent;

const acceptance = (id: string, unitId: string, requester: string, provider: string): Acceptance => ({
  assignment_id: id,
  offer_id: id,
  unit_id: unitId,
  job_id: 'job',
  requester_peer: requester,
  provider_peer: provider,
  price: 10,
  role: 'primary',
  deadline: iso(T0 + 60_000),
  timestamp: AT,
});

const ledger = (entry: LedgerEntry) => event({ type: 'ledger.entry', entry });
const escrow = (a: Acceptance) => ledger(escrowEntry(a, AT));
const settle = (id: string) =>
  ledger({
    kind: 'settle',
    entry_id: `settle/${id}`,
    assignment_id: id,
    worker_share_bps: 9000,
    at: AT,
  });
const refund = (id: string) =>
  ledger({ kind: 'refund', entry_id: `refund/${id}`, assignment_id: id, reason: 'late', at: AT });
const result = (a: Acceptance, output: string) =>
  event({
    type: 'result.recorded',
    result: {
      result_id: `r/${a.assignment_id}`,
      work_unit_id: a.unit_id,
      assignment_id: a.assignment_id,
      computed_by_peer: a.provider_peer,
      output_cid: output,
      output_bytes: 32,
      computation_time_seconds: 1,
      resources_used: { cpu_cores: 1, ram_gb: 1 },
      verification_hash: output,
      timestamp: AT,
    },
  });

const withBlobs = (id: string, module: string, input: string): WorkUnit => ({
  ...unit(id, 'job', 'hash/sha256', { cpu_cores: 1, ram_gb: 1 }, 1),
  module_cid: module,
  input_cid: input,
});

/** Me as requester of u1 and u2 (p holds u1, q held u2 until it was refunded), and as provider of x for r. */
function state(): MeshState {
  const s = new MeshState('me');
  const mine = acceptance('a1', 'u1', 'me', 'p');
  const late = acceptance('a2', 'u2', 'me', 'q');
  const theirs = acceptance('a3', 'x', 'r', 'me');
  for (const e of [
    event({ type: 'trust.set', peer_id: 'friend', weight: 0.5 }),
    event({ type: 'trust.set', peer_id: 'former', weight: 0 }),
    event({
      type: 'job.submitted',
      job: { job_id: 'job', requester: 'me', name: 'j', unit_count: 2, redundancy: 1, budget: 1000 },
    }),
    event({ type: 'unit.created', unit: withBlobs('u1', 'module', 'in-1') }),
    event({ type: 'unit.created', unit: withBlobs('u2', 'module', 'in-2') }),
    event({ type: 'offer.accepted', acceptance: mine }),
    escrow(mine),
    event({ type: 'offer.accepted', acceptance: late }),
    escrow(late),
    refund('a2'),
    event({ type: 'offer.accepted', acceptance: theirs }),
    escrow(theirs),
    result(theirs, 'out-x'),
  ])
    s.apply(e);
  return s;
}

test('a peer I trust may fetch any blob; one I set to 0 or never trusted, none it is not owed', () => {
  const s = state();
  for (const cid of ['module', 'in-1', 'in-2', 'out-x', 'unknown']) assert.ok(mayFetch(s, 'friend', cid), cid);
  for (const peer of ['former', 'stranger'])
    for (const cid of ['module', 'in-1', 'in-2', 'out-x'])
      assert.equal(mayFetch(s, peer, cid), false, `${peer} ${cid}`);
});

test("a provider holding my unit may fetch that unit's module and input, and nothing else, until its escrow closes", () => {
  const s = state();
  assert.deepEqual(blobsOfUnit(s.units.get('u1')!.unit), ['module', 'in-1']);
  assert.ok(mayFetch(s, 'p', 'module'));
  assert.ok(mayFetch(s, 'p', 'in-1'));
  assert.equal(mayFetch(s, 'p', 'in-2'), false, "another unit's input");
  assert.equal(mayFetch(s, 'p', 'out-x'), false);
  assert.equal(mayFetch(s, 'q', 'in-2'), false, 'its assignment was refunded');
  s.apply(settle('a1'));
  assert.equal(mayFetch(s, 'p', 'in-1'), false, 'settled: it needs nothing more');
  assert.equal(s.heldWith.has('p'), false);
});

test('the requester of a unit I computed may fetch its output while held or paid, not once refunded', () => {
  const s = state();
  assert.ok(mayFetch(s, 'r', 'out-x'));
  assert.equal(mayFetch(s, 'r', 'module'), false, "I am not its requester's provider for that");
  assert.equal(mayFetch(s, 'p', 'out-x'), false, 'not its requester');
  const paid = state();
  paid.apply(settle('a3'));
  assert.ok(mayFetch(paid, 'r', 'out-x'), 'paid for: it may fetch it again later');
  s.apply(refund('a3'));
  assert.equal(mayFetch(s, 'r', 'out-x'), false);
});

test("a WASI unit's files (its required_dataset) are among its blobs: its provider may fetch them while it holds it", () => {
  const s = new MeshState('me');
  const held = acceptance('a1', 'u1', 'me', 'p');
  const wasiUnit = { ...withBlobs('u1', 'module', 'in-1'), algorithm_id: 'wasi', required_dataset: 'files' };
  for (const e of [
    event({
      type: 'job.submitted',
      job: { job_id: 'job', requester: 'me', name: 'j', unit_count: 1, redundancy: 1, budget: 1000 },
    }),
    event({ type: 'unit.created', unit: wasiUnit }),
    event({ type: 'offer.accepted', acceptance: held }),
    escrow(held),
  ])
    s.apply(e);
  assert.deepEqual(blobsOfUnit(wasiUnit), ['module', 'in-1', 'files']);
  assert.ok(mayFetch(s, 'p', 'files'));
  assert.equal(mayFetch(s, 'stranger', 'files'), false);
  s.apply(settle('a1'));
  assert.equal(mayFetch(s, 'p', 'files'), false, 'settled: it needs nothing more');
});
