// judgeUnit on random evidence: votes from a few peers over a few hashes, random check records,
// draws and earlier checks (consistent with a hidden truth), with or without the truth at hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Vote } from '../../../src-main/core/consensus/index.js';
import {
  CHECK_RATE_FLOOR,
  checkRate,
  isProven,
  judgeUnit,
  NO_RECORD,
  PROBATION_CHECKS,
  type CheckRecord,
  type Judgement,
  type UnitEvidence,
} from '../../../src-main/core/verification/index.js';

const PEERS = ['a', 'b', 'c', 'd', 'e'];
/** The hidden truth: h0. A check of a result says whether its hash is h0. */
const TRUTH = 'h0';
const HASHES = [TRUTH, 'h1', 'h2'];

const arbCase = fc.record({
  redundancy: fc.integer({ min: 1, max: 4 }),
  extra: fc.integer({ min: 0, max: 3 }),
  inFlight: fc.integer({ min: 0, max: 2 }),
  votes: fc.array(
    fc.record({
      peer: fc.constantFrom(...PEERS),
      // Mostly the truth, and mostly not yet checked: agreement without a check is where the rules bite.
      hash: fc.constantFrom(TRUTH, TRUTH, ...HASHES),
      checked: fc.constantFrom(undefined, undefined, undefined, true),
      draw: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    }),
    { maxLength: 6 },
  ),
  /** One record per peer: around probation and the ramp to the floor (1/passed), rarely convicted. */
  records: fc.tuple(
    ...PEERS.map(() =>
      fc.record({
        passed: fc.integer({ min: 0, max: 25 }),
        convicted: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      }),
    ),
  ),
  canCheck: fc.boolean(),
  truthKnown: fc.boolean(),
  suspect: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
});

type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

/** The case made an easy agreement: one unchecked result per peer, all the same hash, enough of them, nothing suspect. */
function agreeing(c: Case): Case {
  const votes = c.votes
    .filter((v, i) => c.votes.findIndex((w) => w.peer === v.peer) === i)
    .map((v) => ({ ...v, hash: TRUTH, checked: undefined }));
  return { ...c, votes, redundancy: Math.max(1, Math.min(c.redundancy, votes.length)), inFlight: 0, suspect: false };
}

/** The evidence a case describes; `checked` results are checked against TRUTH (true when they match it). */
function evidenceOf(c: Case): UnitEvidence {
  const votes: Vote[] = c.votes.map((v, i) => ({ result_id: `r${i}`, peer: v.peer, hash: v.hash }));
  const checked = new Map<string, boolean>();
  c.votes.forEach((v, i) => {
    if (v.checked) checked.set(`r${i}`, v.hash === TRUTH);
  });
  const draws = new Map(c.votes.map((v, i) => [`r${i}`, v.draw]));
  return {
    redundancy: c.redundancy,
    votes,
    requested: votes.length + c.inFlight,
    maxReplicas: Math.min(16, c.redundancy + c.extra),
    record: (peer): CheckRecord => c.records[PEERS.indexOf(peer)]!,
    draw: (id) => draws.get(id)!,
    checked,
    ...(c.truthKnown ? { truth: TRUTH } : {}),
    canCheck: c.canCheck,
    suspect: c.suspect,
  };
}

const contradicted = (e: UnitEvidence) =>
  new Set(e.votes.filter((v) => e.checked.get(v.result_id) === false).map((v) => v.hash));

test('judgeUnit never verifies a hash that a check contradicted', () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const e = evidenceOf(c);
      const j = judgeUnit(e);
      if (j.status === 'verified') assert.ok(!contradicted(e).has(j.hash), JSON.stringify(j));
    }),
    { numRuns: 2000 },
  );
});

test('judgeUnit with the truth at hand verifies the truth and pays exactly the results that matched it', () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const e = evidenceOf({ ...c, truthKnown: true });
      const j = judgeUnit(e);
      assert.equal(j.status, 'verified');
      if (j.status !== 'verified') return;
      assert.equal(j.hash, TRUTH);
      assert.deepEqual(j.unchecked, []);
      for (const id of j.results) {
        const vote = e.votes.find((v) => v.result_id === id)!;
        assert.equal(e.checked.get(id), true);
        assert.ok(!e.record(vote.peer).convicted);
      }
    }),
    { numRuns: 1000 },
  );
});

test('judgeUnit never accepts unchecked a result of a provider on probation when it can check', () => {
  fc.assert(
    fc.property(fc.oneof(arbCase, arbCase.map(agreeing)), (c) => {
      const e = evidenceOf({ ...c, canCheck: true, truthKnown: false });
      const j = judgeUnit(e);
      if (j.status !== 'verified') return;
      // A spot-checked result (checked, no truth) is held as unchecked too: it was checked, though.
      for (const id of j.unchecked.filter((held) => !e.checked.has(held))) {
        const peer = e.votes.find((v) => v.result_id === id)!.peer;
        assert.ok(isProven(e.record(peer)), `${peer} (${JSON.stringify(e.record(peer))}) accepted unchecked`);
      }
    }),
    { numRuns: 2000 },
  );
});

test('a proven provider whose result is not drawn for a check is accepted unchecked (the rate is not 1)', () => {
  const e: UnitEvidence = {
    redundancy: 1,
    votes: [{ result_id: 'r', peer: 'a', hash: 'h0' }],
    requested: 1,
    maxReplicas: 3,
    record: () => ({ passed: 40, convicted: false }),
    draw: () => 0.99,
    checked: new Map(),
    canCheck: true,
  };
  assert.deepEqual(judgeUnit(e), { status: 'verified', hash: 'h0', results: ['r'], unchecked: ['r'] });
  const onProbation = { ...e, record: () => ({ passed: PROBATION_CHECKS - 1, convicted: false }) };
  assert.deepEqual(judgeUnit(onProbation), { status: 'check', results: ['r'] });
});

test('the check rate: every result on probation, then 1/passed, never below the floor; a convicted record is never proven', () => {
  assert.equal(checkRate(NO_RECORD), 1);
  assert.equal(checkRate({ passed: PROBATION_CHECKS - 1, convicted: false }), 1);
  assert.equal(checkRate({ passed: PROBATION_CHECKS, convicted: false }), 1 / PROBATION_CHECKS);
  assert.equal(checkRate({ passed: 10, convicted: false }), 0.1);
  assert.equal(checkRate({ passed: 10_000, convicted: false }), CHECK_RATE_FLOOR);
  assert.equal(checkRate({ passed: 10_000, convicted: true }), 1);
  assert.ok(!isProven({ passed: 10_000, convicted: true }));
});

/** The fields each judgement may carry: none names a provider to convict. */
const FIELDS: Record<Judgement['status'], string[]> = {
  pending: ['status'],
  check: ['status', 'results'],
  replicas: ['status', 'extra'],
  verified: ['status', 'hash', 'results', 'unchecked'],
  failed: ['status', 'reason'],
};

test('judgeUnit never convicts: its judgements name results, never a provider to convict', () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const e = evidenceOf(c);
      const j = judgeUnit(e);
      assert.deepEqual(Object.keys(j).sort(), [...FIELDS[j.status]].sort());
      const ids = new Set(e.votes.map((v) => v.result_id));
      const named = j.status === 'check' ? j.results : j.status === 'verified' ? [...j.results, ...j.unchecked] : [];
      for (const id of named) assert.ok(ids.has(id), `${id} is not a result of the unit`);
    }),
    { numRuns: 1000 },
  );
});

test('judgeUnit asks for a check of every standing unchecked result when a result dissents', () => {
  const e: UnitEvidence = {
    redundancy: 3,
    votes: [
      { result_id: 'r1', peer: 'a', hash: 'h0' },
      { result_id: 'r2', peer: 'b', hash: 'h0' },
      { result_id: 'r3', peer: 'c', hash: 'h1' },
    ],
    requested: 3,
    maxReplicas: 5,
    record: () => ({ passed: 40, convicted: false }),
    draw: () => 0.99,
    checked: new Map(),
    canCheck: true,
  };
  assert.deepEqual(judgeUnit(e), { status: 'check', results: ['r1', 'r2', 'r3'] });
});

test('judgeUnit checks results that agree on the output but not on the fuel they bill, and only those', () => {
  const e: UnitEvidence = {
    redundancy: 2,
    votes: [
      { result_id: 'r1', peer: 'a', hash: 'h0', fuel: 1000 },
      { result_id: 'r2', peer: 'b', hash: 'h0', fuel: 3000 },
    ],
    requested: 2,
    maxReplicas: 5,
    record: () => ({ passed: 40, convicted: false }),
    draw: () => 0.99,
    checked: new Map(),
    canCheck: true,
  };
  assert.deepEqual(judgeUnit(e), { status: 'check', results: ['r1', 'r2'] });
  // The same fuel, or no fuel billed (a GPU result, a unit not priced by fuel): no check is asked for.
  const agreed = e.votes.map((v) => ({ ...v, fuel: 1000 }));
  assert.equal(judgeUnit({ ...e, votes: agreed }).status, 'verified');
  const unbilled = e.votes.map(({ fuel: _fuel, ...v }) => v);
  assert.equal(judgeUnit({ ...e, votes: unbilled }).status, 'verified');
});

test('where it cannot check, a vouched-for provider stands for an agreement as a proven one does, and only in one', () => {
  const e: UnitEvidence = {
    redundancy: 2,
    votes: [
      { result_id: 'r1', peer: 'a', hash: 'h0' },
      { result_id: 'r2', peer: 'b', hash: 'h0' },
    ],
    requested: 2,
    maxReplicas: 5,
    record: () => NO_RECORD,
    draw: () => 0.99,
    checked: new Map(),
    canCheck: false,
  };
  // Two providers without a record agree: one more is asked for, as neither is proven.
  assert.deepEqual(judgeUnit(e), { status: 'replicas', extra: 1 });
  const vouches = (peer: string) => peer === 'b';
  assert.deepEqual(judgeUnit({ ...e, vouches }), {
    status: 'verified',
    hash: 'h0',
    results: ['r1', 'r2'],
    unchecked: ['r1', 'r2'],
  });
  // A vouched-for provider alone is not an agreement: its dissent with another asks for a third.
  const split = { ...e, vouches, votes: [e.votes[0]!, { ...e.votes[1]!, hash: 'h1' }] };
  assert.equal(judgeUnit(split).status, 'replicas');
  // Nor does it outweigh a check that contradicted its output.
  const contradictedVouch = { ...e, vouches, checked: new Map([['r2', false]]) };
  assert.notEqual(judgeUnit(contradictedVouch).status, 'verified');
});

test('a result that passed a spot-check only (a crop, no run of mine) is verified but held as unchecked, to be reopened', () => {
  const e: UnitEvidence = {
    redundancy: 1,
    votes: [{ result_id: 'r', peer: 'a', hash: 'h0' }],
    requested: 1,
    maxReplicas: 3,
    record: () => NO_RECORD,
    draw: () => 0.99,
    checked: new Map([['r', true]]),
    canCheck: false,
  };
  assert.deepEqual(judgeUnit(e), { status: 'verified', hash: 'h0', results: ['r'], unchecked: ['r'] });
  // With my whole run, a match is beyond doubt: nothing is held.
  assert.deepEqual(judgeUnit({ ...e, truth: 'h0' }), { status: 'verified', hash: 'h0', results: ['r'], unchecked: [] });
});
