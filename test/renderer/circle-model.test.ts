// The Circles page's model (src-renderer/circles/circle-model.ts): the "Propose a change" form
// sends only the fields edited, refuses in words a value that is no number, a policy that breaks a
// rule and a change of nothing; proposals and activations read as before → after; values as the
// policy tables show them; every field of a policy has a label.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MESH_POLICY, type MeshPolicy } from '../../src-main/core/circles/index.js';
import {
  activationLines,
  changeSummary,
  formatPolicyValue,
  peerIdsOf,
  peerNamer,
  POLICY_LABELS,
  POLICY_SECTIONS,
  proposalLines,
  proposedChange,
} from '../../src-renderer/circles/circle-model.js';

const policy = DEFAULT_MESH_POLICY;
const name = peerNamer('me', new Map([['bob', 'Bob']]));

test('only the fields edited to another value are proposed, with the members added and removed', () => {
  const texts = { 'rewards.worker_pct': ' 80 ', 'rewards.verifier_pct': '20', 'verification.redundancy': '1' };
  assert.deepEqual(proposedChange(policy, texts, 'bob\ncarol, bob', ''), {
    ok: true,
    value: { policy: { rewards: { worker_pct: 80, verifier_pct: 20 } }, add_members: ['bob', 'carol'] },
  });
  assert.deepEqual(proposedChange(policy, {}, '', ' dave '), { ok: true, value: { remove_members: ['dave'] } });
});

test('the form refuses, in words, a value that is no number, shares that do not sum to 100, and no change', () => {
  const notNumber = proposedChange(policy, { 'requirements.min_trust': 'high' }, '', '');
  assert.deepEqual(notNumber, { ok: false, error: 'Requirements · Least trust: "high" is not a number' });
  const unbalanced = proposedChange(policy, { 'rewards.worker_pct': '80' }, '', '');
  assert.ok(!unbalanced.ok && /sum to 100/.test(unbalanced.error), JSON.stringify(unbalanced));
  assert.deepEqual(proposedChange(policy, { 'rewards.worker_pct': '90' }, '', ' '), {
    ok: false,
    error: 'Change a field, or add or remove a member.',
  });
});

test('a proposal reads from the policy in force to what it proposes; an activation from before to after', () => {
  const change = { policy: { rewards: { worker_pct: 80, verifier_pct: 20 } }, add_members: ['bob'] };
  assert.deepEqual(
    proposalLines({ change }, policy, name).map((l) => [l.label, l.before, l.after]),
    [
      ['Rewards · Worker share', '90%', '80%'],
      ["Rewards · Verifiers' share", '10%', '20%'],
      ['Member added', undefined, 'Bob'],
    ],
  );
  assert.deepEqual(changeSummary({ ...change, remove_members: ['me'] }, name), [
    'Rewards · Worker share',
    "Rewards · Verifiers' share",
    'add Bob',
    'remove you',
  ]);
  const after: MeshPolicy = { ...policy, voting: { ...policy.voting, threshold: 0.75 } };
  const lines = activationLines(
    {
      fields: ['voting.threshold', 'members.add carol', 'members.remove x'],
      before: policy,
      after,
      members_before: ['me', 'bob', 'x'],
      members_after: ['me', 'bob', 'carol'],
    },
    name,
  );
  assert.deepEqual(
    lines.map((l) => [l.label, l.before, l.after]),
    [
      ['Voting · Threshold (approvals)', '60%', '75%'],
      ['Member added', undefined, 'carol'],
      ['Member removed', undefined, 'x'],
    ],
  );
});

test('values read as their kind: shares, parts, durations, RAM, credits; peers by name, me as "you"', () => {
  assert.equal(formatPolicyValue('worker_pct', 80), '80%');
  assert.equal(formatPolicyValue('quorum', 0.5), '50%');
  assert.equal(formatPolicyValue('voting_period_s', 7 * 86_400), '7 d');
  assert.equal(formatPolicyValue('offer_timeout_s', 90), '90 s');
  assert.equal(formatPolicyValue('min_ram_gib', 16), '16 GB');
  assert.equal(formatPolicyValue('min_credit', 2500), '2.500 credits');
  assert.equal(formatPolicyValue('min_credit', policy.bonding.min_credit), 'no minimum');
  assert.equal(formatPolicyValue('min_trust', 0.25), '0.25');
  assert.deepEqual(peerIdsOf(' a\n\nb,c  a '), ['a', 'b', 'c']);
  assert.equal(name('me'), 'you');
  assert.equal(name('12D3KooWAbcdefghijklmnop'), '12D3KooW…klmnop');
});

test('every field of the default policy has a label, in the order the page shows the sections', () => {
  assert.deepEqual(POLICY_SECTIONS, Object.keys(policy));
  for (const section of POLICY_SECTIONS)
    assert.deepEqual(Object.keys(POLICY_LABELS[section].fields).sort(), Object.keys(policy[section]).sort(), section);
});
