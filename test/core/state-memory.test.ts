// What a big job's records cost the state on the heap: each unit's assignment as a provider folds
// it from its journal (acceptance, escrow, result, receipt, settle), every event read from JSON as
// the journal and the network hand them over, so that each string is a copy of its own. Weighed
// after full collections; the figure is what a million-unit job multiplies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MeshState } from '../../src-main/core/mesh/state.js';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import { hashUnit } from '../node/mesh/fixtures/accepted-unit.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PROVIDER = `12D3KooW${'P'.repeat(44)}`; // peer ids are 52 characters
const REQUESTER = `12D3KooW${'R'.repeat(44)}`;
const JOB = 'job-53f4fc078e6ceace';
const MODULE = `bafkrei${'m'.repeat(52)}`;
const AT = '2026-11-25T04:01:09.810Z';
/** An event as written, before the journal gives it an id and a time. */
type Bare = NodeEvent extends infer E ? (E extends NodeEvent ? Omit<E, 'event_id' | 'at'> : never) : never;
const cid = (i: number, tag: string) => `bafkrei${tag}${String(i).padStart(51, '0')}`;

/** The events of `count` tiny units' assignments to me, a batch of 100 an event as a node journals them. */
function* batches(count: number): Generator<Bare> {
  for (let from = 0; from < count; from += 100) {
    const ids = Array.from({ length: Math.min(100, count - from) }, (_, k) => from + k);
    const assignment = (i: number) => `${PROVIDER}#1.${i}`;
    const unitId = (i: number) => `${JOB}/${i}`;
    yield {
      type: 'offers.accepted',
      accepted: ids.map((i) => ({
        acceptance: {
          assignment_id: assignment(i),
          offer_id: assignment(i),
          unit_id: unitId(i),
          job_id: JOB,
          requester_peer: REQUESTER,
          provider_peer: PROVIDER,
          price: 10,
          role: 'primary',
          deadline: AT,
          timestamp: AT,
        },
        terms: { estimated_seconds: 0.001 },
        unit: hashUnit(unitId(i), JOB, MODULE, cid(i, 'i')),
      })),
    };
    const escrow = (i: number) => ({
      kind: 'escrow' as const,
      entry_id: `escrow/${assignment(i)}`,
      assignment_id: assignment(i),
      job_id: JOB,
      unit_id: unitId(i),
      requester: REQUESTER,
      worker: PROVIDER,
      amount: 10,
      job_budget: 1e12,
      at: AT,
    });
    yield { type: 'ledger.entries', entries: ids.map(escrow) };
    yield {
      type: 'results.recorded',
      results: ids.map((i) => ({
        result_id: `${assignment(i)}/result`,
        work_unit_id: unitId(i),
        assignment_id: assignment(i),
        computed_by_peer: PROVIDER,
        output_cid: cid(i, 'o'),
        output_bytes: 32,
        fuel: 22697,
        computation_time_seconds: 0.009,
        resources_used: { cpu_cores: 1, ram_gb: 0.0625 },
        verification_hash: cid(i, 'o'),
        timestamp: AT,
      })),
    };
    yield {
      type: 'receipt.stored',
      cid: cid(from, 'r'),
      receipt: {
        kind: 'execution_batch',
        author: PROVIDER,
        seq: from / 100,
        prev: from === 0 ? null : cid(from - 100, 'r'),
        timestamp: AT,
        requester_peer: REQUESTER,
        results: ids.map((i) => ({
          assignment_id: assignment(i),
          unit_id: unitId(i),
          job_id: JOB,
          module_cid: MODULE,
          input_cid: cid(i, 'i'),
          output_cid: cid(i, 'o'),
          fuel: 22697,
          wall_ms: 9,
        })),
      },
      sig: 'A'.repeat(88),
    };
    yield {
      type: 'ledger.entries',
      entries: ids.map((i) => ({
        kind: 'settle' as const,
        entry_id: `settle/${assignment(i)}`,
        assignment_id: assignment(i),
        worker_share_bps: 9000,
        at: AT,
      })),
    };
  }
}

const heapUsed = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

test('a tiny unit a provider ran costs its state under 2,000 bytes of heap, its repeated strings kept once', () => {
  const UNITS = 10_000;
  const before = heapUsed();
  const state = new MeshState(PROVIDER);
  let seq = 0;
  for (const bare of batches(UNITS)) {
    const event = { ...bare, event_id: `e${++seq}`, at: AT };
    state.apply(JSON.parse(JSON.stringify(event)) as NodeEvent); // each string a copy, as read from a journal
  }
  const perUnit = (heapUsed() - before) / UNITS;
  assert.equal(state.assignments.size, UNITS);
  assert.equal(state.assignments.get(`${PROVIDER}#1.7`)?.escrow, 'paid');
  assert.equal(state.executionOf(`${PROVIDER}#1.7`)?.cid, cid(0, 'r'));
  assert.ok(perUnit < 2000, `${Math.round(perUnit)} bytes a unit`);
});
