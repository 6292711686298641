// What a big job's records cost the state on the heap: each unit's assignment as its provider and
// as its requester fold it from their journals (acceptance, escrow, result, receipt or verdict,
// settle), every event read from JSON as the journal and the network hand them over, so that each
// string is a copy of its own. Weighed after full collections: the figure is what a million-unit
// job multiplies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateFromData, stateToData } from '../../src-main/core/mesh/state/state-codec.js';
import { decodeSnapshot } from '../../src-main/node/journal/snapshot-decoding.js';
import { encodeSnapshot } from '../../src-main/node/journal/snapshot-encoding.js';
import { AT, JOB, PROVIDER, REQUESTER, assignmentId, cid, foldTinyJob, heapUsed, unitId } from './tiny-job-journal.js';

test('a tiny unit a provider ran costs its state under 2,000 bytes of heap, the values its records repeat kept once', () => {
  const { state, perUnit } = foldTinyJob('provider', 10_000);
  assert.equal(state.assignments.size, 10_000);
  assert.equal(state.assignments.get(assignmentId(7))?.escrow, 'paid');
  assert.equal(state.executionOf(assignmentId(7))?.cid, cid(0, 'r'));
  assert.ok(perUnit < 2000, `${Math.round(perUnit)} bytes a unit`);
});

test('a tiny unit of a requester’s batched job costs its state under 2,000 bytes of heap once verified and paid', () => {
  const { state, perUnit } = foldTinyJob('requester', 10_000);
  assert.equal(state.jobs.get(JOB)?.completedAt, AT);
  assert.equal(state.units.get(unitId(7))?.consensusHash, cid(7, 'o'));
  assert.equal(state.verificationOf(unitId(7))?.cid, cid(0, 'v'));
  assert.equal(state.assignments.get(assignmentId(7))?.escrow, 'paid');
  assert.ok(perUnit < 2000, `${Math.round(perUnit)} bytes a unit`);
});

test('a state loaded from its snapshot costs no more than its fold: each value its records repeat is one string again', () => {
  for (const side of ['provider', 'requester'] as const) {
    const fold = foldTinyJob(side, 10_000);
    let bytes: Buffer | undefined = encodeSnapshot(stateToData(fold.state));
    const before = heapUsed();
    const state = stateFromData(
      side === 'provider' ? PROVIDER : REQUESTER,
      decodeSnapshot(bytes) as Record<string, unknown>,
    );
    bytes = undefined;
    const perUnit = (heapUsed() - before) / 10_000;
    assert.equal(state.assignments.get(assignmentId(7))?.escrow, 'paid');
    // v8.deserialize gave each string and object a copy of its own: 3,650 bytes a unit for 1,617.
    assert.ok(
      perUnit < fold.perUnit * 1.1,
      `${side}: ${Math.round(perUnit)} bytes a unit, ${Math.round(fold.perUnit)} folded`,
    );
  }
});
