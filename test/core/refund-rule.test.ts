import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rejectionShown } from '../../src-main/core/ledger/index.js';
import type { VerificationReceipt, WorkResult } from '../../src-main/core/schemas/index.js';

const AT = '2025-03-10T12:00:00.000Z';
const mine: WorkResult = {
  result_id: 'a#1.0/result',
  work_unit_id: 'job-1/0',
  assignment_id: 'a#1.0',
  computed_by_peer: 'provider',
  output_cid: 'cid-mine',
  output_bytes: 32,
  computation_time_seconds: 0.01,
  resources_used: { cpu_cores: 1, ram_gb: 0.0625 },
  verification_hash: 'cid-mine',
  timestamp: AT,
};
const verdict = (fields: Partial<VerificationReceipt>): VerificationReceipt => ({
  kind: 'verification',
  author: 'requester',
  seq: 3,
  prev: null,
  timestamp: AT,
  unit_id: 'job-1/0',
  job_id: 'job-1',
  verdict: 'verified',
  consensus_hash: 'cid-other',
  agreeing: ['b#1.0/result', 'c#1.0/result'],
  dissenting: [mine.result_id],
  ...fields,
});

test('a verdict that verified another hash shows my result rejected', () => {
  assert.equal(rejectionShown(mine, [verdict({})]), true);
});

test('a failed unit that lists my result as dissenting shows it rejected', () => {
  assert.equal(rejectionShown(mine, [verdict({ verdict: 'rejected', consensus_hash: null, agreeing: [] })]), true);
});

test('no verdict, a verdict on my hash, one listing me as agreeing, or one on another unit shows nothing', () => {
  assert.equal(rejectionShown(mine, []), false);
  assert.equal(rejectionShown(mine, [verdict({ consensus_hash: mine.verification_hash })]), false);
  assert.equal(rejectionShown(mine, [verdict({ agreeing: [mine.result_id], dissenting: [] })]), false);
  assert.equal(rejectionShown(mine, [verdict({ unit_id: 'job-1/1' })]), false);
  assert.equal(
    rejectionShown(mine, [verdict({ verdict: 'rejected', consensus_hash: null, agreeing: [], dissenting: [] })]),
    false,
  );
});
