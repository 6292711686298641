// A job of many tiny units (sha256 of 64 bytes), all assigned to one provider, in the journal
// events its provider and its requester write for it (acceptance, escrow, result, receipt or
// verdict, settle; 100 units an event): what tests and benchmarks of a big job's state fold.
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import type { NodeEvent } from '../../src-main/core/schemas/index.js';
import { hashUnit } from '../node/mesh/fixtures/accepted-unit.js';

export const PROVIDER = `12D3KooW${'P'.repeat(44)}`; // peer ids are 52 characters
export const REQUESTER = `12D3KooW${'R'.repeat(44)}`;
export const JOB = 'job-53f4fc078e6ceace';
export const MODULE = `bafkrei${'m'.repeat(52)}`;
export const AT = '2026-11-25T04:01:09.810Z';
/** An event as written, before the journal gives it an id and a time. */
type Bare = NodeEvent extends infer E ? (E extends NodeEvent ? Omit<E, 'event_id' | 'at'> : never) : never;
export const cid = (i: number, tag: string) => `bafkrei${tag}${String(i).padStart(51, '0')}`;

export type Side = 'provider' | 'requester';
export const assignmentId = (i: number) => `${PROVIDER}#1.${i}`;
export const unitId = (i: number) => `${JOB}/${i}`;
export const resultId = (i: number) => `${assignmentId(i)}/result`;

/**
 * The events of a job of `count` tiny units, all assigned to PROVIDER, as `side` journals them: a
 * batch of 100 units an event. The requester's job is batched (a template, and each unit's input
 * sha256); the provider's units come with their acceptances.
 */
export function* tinyJobJournal(side: Side, count: number): Generator<Bare> {
  if (side === 'requester') {
    const { unit_id: _, input_cid: __, ...template } = hashUnit(unitId(0), JOB, MODULE, cid(0, 'i'));
    yield {
      type: 'job.submitted',
      job: { job_id: JOB, requester: REQUESTER, name: 'hashes', unit_count: count, redundancy: 1, budget: 1e12 },
      template,
    };
    yield { type: 'units.created', job_id: JOB, first: 0, input_digests: randomBytes(32 * count).toString('base64') };
  }
  for (let from = 0; from < count; from += 100) {
    const ids = Array.from({ length: Math.min(100, count - from) }, (_, k) => from + k);
    yield {
      type: 'offers.accepted',
      accepted: ids.map((i) => ({
        acceptance: {
          assignment_id: assignmentId(i),
          offer_id: assignmentId(i),
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
        ...(side === 'provider' ? { unit: hashUnit(unitId(i), JOB, MODULE, cid(i, 'i')) } : {}),
      })),
    };
    const escrow = (i: number) => ({
      kind: 'escrow' as const,
      entry_id: `escrow/${assignmentId(i)}`,
      assignment_id: assignmentId(i),
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
        result_id: resultId(i),
        work_unit_id: unitId(i),
        assignment_id: assignmentId(i),
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
    if (side === 'provider') yield executionReceipt(from, ids);
    else yield* verdicts(from, ids);
    yield {
      type: 'ledger.entries',
      entries: ids.map((i) => ({
        kind: 'settle' as const,
        entry_id: `settle/${assignmentId(i)}`,
        assignment_id: assignmentId(i),
        worker_share_bps: 9000,
        at: AT,
      })),
    };
  }
}

/** The provider's receipt for the results of units `ids`. */
function executionReceipt(from: number, ids: number[]): Bare {
  return {
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
        assignment_id: assignmentId(i),
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
}

/** The requester's verdicts on units `ids` (each accepted unchecked), and its receipt for them. */
function* verdicts(from: number, ids: number[]): Generator<Bare> {
  yield {
    type: 'units.verified',
    verdicts: ids.map((i) => ({
      unit_id: unitId(i),
      verdict: 'verified' as const,
      consensus_hash: cid(i, 'o'),
      agreeing_results: [resultId(i)],
      unchecked_results: [resultId(i)],
    })),
  };
  yield {
    type: 'receipt.stored',
    cid: cid(from, 'v'),
    receipt: {
      kind: 'verification_batch',
      author: REQUESTER,
      seq: from / 100,
      prev: from === 0 ? null : cid(from - 100, 'v'),
      timestamp: AT,
      verdicts: ids.map((i) => ({
        unit_id: unitId(i),
        job_id: JOB,
        verdict: 'verified' as const,
        consensus_hash: cid(i, 'o'),
        agreeing: [resultId(i)],
        dissenting: [],
      })),
    },
    sig: 'A'.repeat(88),
  };
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The JS heap in use, after full collections. */
export const heapUsed = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/**
 * The state `side` folds from its journal of a `count`-unit job, each event read from JSON as the
 * journal and the network hand it over (each string a copy of its own), and the heap it grew by a unit.
 */
export function foldTinyJob(side: Side, count: number): { state: MeshState; perUnit: number } {
  const before = heapUsed();
  const state = new MeshState(side === 'provider' ? PROVIDER : REQUESTER);
  let seq = 0;
  for (const bare of tinyJobJournal(side, count))
    state.apply(JSON.parse(JSON.stringify({ ...bare, event_id: `e${++seq}`, at: AT })) as NodeEvent);
  return { state, perUnit: (heapUsed() - before) / count };
}
