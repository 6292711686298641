// My contribution history: counted by MeshState from my assignments as a provider as each closes,
// and read as the four numbers my commitment publishes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contributionHistory, emptyContribution } from '../../src-main/core/mesh/state/contribution.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import { ContributionHistorySchema } from '../../src-main/core/schemas/index.js';
import { assignmentLife, AT, event, ME, stateAfter } from './assignment-life.js';

test('a node with no history publishes 0 units, 0 hours and the unknown prior 0.5', () => {
  const history = contributionHistory(new MeshState(ME).contribution);
  assert.deepEqual(history, {
    total_work_units_completed: 0,
    total_compute_hours: 0,
    average_result_quality: 0.5,
    reliability_score: 0.5,
  });
  assert.deepEqual(contributionHistory(emptyContribution()), history);
});

test('paid assignments count as completed with their compute time; rejected ones lower quality, late ones reliability', () => {
  const state = stateAfter([
    ...assignmentLife('a1', 'settle', { seconds: 1800 }),
    ...assignmentLife('a2', 'settle', { seconds: 3600 }),
    ...assignmentLife('a3', 'settle', { seconds: 1800 }),
    ...assignmentLife('a4', 'rejected', { seconds: 900 }),
    ...assignmentLife('a5', 'late', { noResult: true }),
  ]);
  const history = contributionHistory(state.contribution);
  assert.equal(history.total_work_units_completed, 3);
  assert.equal(
    history.total_compute_hours,
    2,
    'the paid results: 0.5 + 1 + 0.5 hours; the rejected one is not counted',
  );
  assert.equal(history.average_result_quality, (3 + 1) / (3 + 1 + 2), 'Beta mean of 3 paid, 1 rejected');
  assert.equal(history.reliability_score, (4 + 1) / (4 + 1 + 2), 'Beta mean of 4 delivered, 1 late');
  assert.ok(ContributionHistorySchema.safeParse(history).success);
});

test('a hand-back (failed, no result) is missed; a failed unit I had delivered for is not; cancelled counts nowhere', () => {
  const state = stateAfter([
    ...assignmentLife('b1', 'failed', { noResult: true }),
    ...assignmentLife('b2', 'failed'),
    ...assignmentLife('b3', 'cancelled', { noResult: true }),
  ]);
  assert.deepEqual(state.contribution, { paid: 0, rejected: 0, delivered: 1, missed: 1, computeSeconds: 0 });
  const history = contributionHistory(state.contribution);
  assert.equal(history.average_result_quality, 0.5);
  assert.equal(history.reliability_score, 0.5);
});

test('only my own assignments count, each once, however often its close is applied', () => {
  const settled = assignmentLife('c1', 'settle');
  const state = stateAfter([
    ...settled,
    settled.at(-1)!, // the settle again
    event({
      type: 'ledger.entry',
      entry: { kind: 'refund', entry_id: 'refund/c1', assignment_id: 'c1', reason: 'late', at: AT },
    }),
    ...assignmentLife('theirs', 'settle', { provider: 'peer-other' }), // I am the requester here
  ]);
  assert.deepEqual(state.contribution, { paid: 1, rejected: 0, delivered: 1, missed: 0, computeSeconds: 1800 });
});
