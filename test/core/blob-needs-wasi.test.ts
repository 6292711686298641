// A WASI job's files (the blob its units name as required_dataset) are kept as its module is, and a
// unit's stderr as its output is (core/mesh/rules/blob-needs.ts): as requester while the job is
// open, as provider while I hold an assignment of its unit, counted against that requester's quota
// on my disk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobNeeds } from '../../src-main/core/mesh/rules/blob-needs.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { Acceptance, NodeEvent, WorkUnit } from '../../src-main/core/schemas/index.js';
import { T0, escrowEntry, iso, unit } from './scheduler-fixtures.js';

const AT = iso(T0);
let n = 0;
const event = (e: Record<string, unknown>) => ({ event_id: `e${n++}`, at: AT, ...e }) as NodeEvent;
const wasiUnit = (id: string, job: string): WorkUnit => ({
  ...unit(id, job, 'wasi', { cpu_cores: 1, ram_gb: 1 }, 1),
  module_cid: `module-${job}`,
  input_cid: `in-${id}`,
  required_dataset: `files-${job}`,
});
const submitted = (job: string, requester: string) =>
  event({
    type: 'job.submitted',
    job: { job_id: job, requester, name: 'j', unit_count: 1, redundancy: 1, budget: 1000 },
  });
const held = (a: Acceptance) => [
  event({ type: 'offer.accepted', acceptance: a }),
  event({ type: 'ledger.entry', entry: escrowEntry(a, AT) }),
];

test("my WASI job's files are needed while it is open; another's, while I hold its unit, for its requester", () => {
  const s = new MeshState('me');
  const theirs: Acceptance = {
    assignment_id: 'a1',
    offer_id: 'a1',
    unit_id: 'x/0',
    job_id: 'x',
    requester_peer: 'r',
    provider_peer: 'me',
    price: 10,
    role: 'primary',
    deadline: iso(T0 + 60_000),
    timestamp: AT,
  };
  for (const e of [
    submitted('mine', 'me'),
    event({ type: 'unit.created', unit: wasiUnit('mine/0', 'mine') }),
    submitted('x', 'r'),
    event({ type: 'unit.created', unit: wasiUnit('x/0', 'x') }),
    ...held(theirs),
  ])
    s.apply(e);
  const needs = blobNeeds(s, { providerMs: 1000, inputMs: 1000 });
  assert.deepEqual(needs.get('files-mine'), { kind: 'input', until: Infinity });
  assert.equal(needs.get('files-x')?.kind, 'input');
  assert.equal(needs.get('files-x')?.until, Infinity);
  assert.deepEqual([...(needs.get('files-x')?.heldFor ?? [])], ['r']);
});

test("a WASI unit's stderr is kept as its output is: by its requester while the job is open, by its provider while it holds the result", () => {
  const s = new MeshState('me');
  const result = (a: Acceptance, stderr: string) => ({
    result_id: `${a.assignment_id}/result`,
    work_unit_id: a.unit_id,
    assignment_id: a.assignment_id,
    computed_by_peer: a.provider_peer,
    output_cid: `out-${a.assignment_id}`,
    output_bytes: 10,
    computation_time_seconds: 0.1,
    resources_used: { cpu_cores: 1, ram_gb: 1 },
    verification_hash: `out-${a.assignment_id}`,
    timestamp: AT,
    stderr_cid: stderr,
  });
  const acceptance = (id: string, job: string, requester: string, provider: string): Acceptance => ({
    assignment_id: id,
    offer_id: id,
    unit_id: `${job}/0`,
    job_id: job,
    requester_peer: requester,
    provider_peer: provider,
    price: 10,
    role: 'primary',
    deadline: iso(T0 + 60_000),
    timestamp: AT,
  });
  const mine = acceptance('m1', 'mine', 'me', 'p');
  const theirs = acceptance('t1', 'x', 'r', 'me');
  for (const e of [
    submitted('mine', 'me'),
    event({ type: 'unit.created', unit: wasiUnit('mine/0', 'mine') }),
    ...held(mine),
    event({ type: 'result.recorded', result: result(mine, 'stderr-mine') }),
    submitted('x', 'r'),
    event({ type: 'unit.created', unit: wasiUnit('x/0', 'x') }),
    ...held(theirs),
    event({ type: 'result.recorded', result: result(theirs, 'stderr-x') }),
  ])
    s.apply(e);
  const needs = blobNeeds(s, { providerMs: 1000, inputMs: 1000 });
  assert.deepEqual(needs.get('stderr-mine'), { kind: 'output', until: Infinity });
  assert.equal(needs.get('stderr-x')?.until, Infinity);
  assert.deepEqual([...(needs.get('stderr-x')?.heldFor ?? [])], ['r']);
});
