import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerView } from '../../src-main/core/api/contract.js';
import type { Policy } from '../../src-main/core/schemas/index.js';
import { policyLabel, wholeIn, withoutKind, withPolicy } from '../../src-renderer/peers/policy-model.js';

const quota: Policy = { kind: 'quota', units_per_day: 5 };
const rate: Policy = { kind: 'rate_limit', units: 2, per_seconds: 60 };

test('setting a policy replaces the one of its kind and keeps the others; removing a kind keeps the rest', () => {
  assert.deepEqual(withPolicy([quota, rate], { kind: 'quota', units_per_day: 1 }), [
    rate,
    { kind: 'quota', units_per_day: 1 },
  ]);
  assert.deepEqual(withPolicy([], rate), [rate]);
  assert.deepEqual(withoutKind([quota, rate], 'quota'), [rate]);
  assert.deepEqual(withoutKind([quota], 'permit_list'), [quota]);
});

test('only whole numbers in range are taken from the inputs', () => {
  assert.equal(wholeIn(' 12 ', 0, 100), 12);
  for (const bad of ['', '-1', '1.5', 'ten', '101', '1e3']) assert.equal(wholeIn(bad, 0, 100), null, bad);
});

test('policies read as sentences, peers by their names where known', () => {
  const peers = [{ peer_id: '12D3KooWAliceAliceAlice', name: 'alice' }] as PeerView[];
  assert.equal(policyLabel({ kind: 'permit_list', peers: ['12D3KooWAliceAliceAlice'] }, peers), 'Only alice');
  assert.equal(policyLabel({ kind: 'permit_list', peers: [] }, peers), 'Nobody (the permit list is empty)');
  assert.equal(policyLabel(quota, peers), 'At most 5 units per peer per day (UTC)');
  assert.equal(
    policyLabel({ kind: 'rate_limit', units: 1, per_seconds: 10 }, peers),
    'At most 1 unit per peer in any 10 s',
  );
});
