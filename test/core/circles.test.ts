// A circle's state as a pure function of its log (core/circles/resolve.ts): the same entries in any
// order give the same policy and history; each rule a proposal passes by; what is ignored, and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyFragment,
  DEFAULT_MESH_POLICY,
  resolveCircle,
  type Change,
  type Genesis,
  type LoggedEntry,
  type PolicyFragment,
  type VoteChoice,
} from '../../src-main/core/circles/index.js';

const MEMBERS = ['ann', 'bob', 'cat', 'dan', 'eve'];
const T0 = 1_800_000_000_000;
const CIRCLE = 'circle-1';

function genesis(policy: PolicyFragment = {}, members = MEMBERS): LoggedEntry<Genesis> {
  const made = applyFragment(DEFAULT_MESH_POLICY, policy);
  assert.ok(made.ok);
  return {
    cid: CIRCLE,
    entry: {
      kind: 'genesis',
      name: 'friends',
      founder: members[0]!,
      members,
      policy: made.policy,
      at: T0,
      nonce: 'nonce-123',
    },
  };
}

const proposal = (cid: string, author: string, at: number, change: Change, expiresAt = at + 3600_000): LoggedEntry => ({
  cid,
  entry: { kind: 'proposal', circle: CIRCLE, author, description: cid, change, at, expires_at: expiresAt },
});
const vote = (cid: string, author: string, of: string, at: number, choice: VoteChoice = 'approve'): LoggedEntry => ({
  cid,
  entry: { kind: 'vote', circle: CIRCLE, proposal: of, author, choice, at },
});
const share = (verifier: number): Change => ({
  policy: { rewards: { worker_pct: 100 - verifier, verifier_pct: verifier } },
});

/** Every order of a few entries, and some shuffles of more. */
function orders<T>(items: readonly T[]): T[][] {
  const out: T[][] = [[...items], [...items].reverse()];
  let seed = 7;
  for (let i = 0; i < 20; i++) {
    const copy = [...items];
    for (let j = copy.length - 1; j > 0; j--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const k = seed % (j + 1);
      [copy[j], copy[k]] = [copy[k]!, copy[j]!];
    }
    out.push(copy);
  }
  return out;
}

test('a proposal passes at the vote that makes it certain (3 of 5 at 0.6), and is in the history with its votes', () => {
  const log = [
    proposal('p1', 'ann', T0 + 1, share(20)),
    vote('v1', 'ann', 'p1', T0 + 2),
    vote('v2', 'bob', 'p1', T0 + 3),
  ];
  const two = resolveCircle(genesis(), log, T0 + 10);
  assert.equal(two.policy.rewards.verifier_pct, 10, 'two approvals of five are not enough');
  assert.equal(two.proposals[0]!.status, 'open');
  const three = resolveCircle(genesis(), [...log, vote('v3', 'cat', 'p1', T0 + 4)], T0 + 10);
  assert.equal(three.policy.rewards.verifier_pct, 20);
  assert.equal(three.proposals[0]!.status, 'passed');
  assert.deepEqual(three.history[0]!.votes, ['v1', 'v2', 'v3']);
  assert.equal(three.history[0]!.at, T0 + 4);
  assert.equal(three.history[0]!.before.rewards.verifier_pct, 10);
  assert.deepEqual(three.history[0]!.fields, ['rewards.worker_pct', 'rewards.verifier_pct']);
});

test('the same entries in any order make the same policy, members and history', () => {
  const log = [
    proposal('p1', 'ann', T0 + 1, share(20)),
    proposal('p2', 'bob', T0 + 1, share(30)), // the same field, at the same time: CID orders them
    proposal('p3', 'cat', T0 + 2, { add_members: ['fay'] }),
    ...['ann', 'bob', 'cat'].map((m, i) => vote(`a${i}`, m, 'p1', T0 + 10)),
    ...['dan', 'eve', 'ann'].map((m, i) => vote(`b${i}`, m, 'p2', T0 + 10)),
    ...['ann', 'bob', 'dan'].map((m, i) => vote(`c${i}`, m, 'p3', T0 + 20 + i)),
    vote('late', 'fay', 'p1', T0 + 30, 'reject'),
  ];
  const states = orders(log).map((order) => resolveCircle(genesis(), order, T0 + 100));
  const first = JSON.stringify({ p: states[0]!.policy, m: states[0]!.members, h: states[0]!.history });
  for (const state of states)
    assert.equal(JSON.stringify({ p: state.policy, m: state.members, h: state.history }), first);
  // Both share proposals passed at T0 + 10: applied in CID order, p2's last.
  assert.equal(states[0]!.policy.rewards.verifier_pct, 30);
  assert.deepEqual(
    states[0]!.history.map((a) => a.proposal),
    ['p1', 'p2', 'p3'],
  );
  assert.ok(states[0]!.members.includes('fay'));
  assert.match(states[0]!.ignored.get('late')!, /a vote after the close/);
});

test('two votes of one member signed at one time both count for nothing; a later vote replaces an earlier', () => {
  const log = [
    proposal('p1', 'ann', T0 + 1, share(20)),
    vote('x1', 'bob', 'p1', T0 + 5, 'approve'),
    vote('x2', 'bob', 'p1', T0 + 5, 'reject'),
    vote('y1', 'cat', 'p1', T0 + 5, 'reject'),
    vote('y2', 'cat', 'p1', T0 + 6, 'approve'),
  ];
  const state = resolveCircle(genesis(), log, T0 + 10);
  const p1 = state.proposals[0]!;
  assert.equal(p1.votes.has('bob'), false);
  assert.equal(p1.votes.get('cat')!.choice, 'approve');
  assert.match(state.ignored.get('x1')!, /voted twice at one time/);
  assert.match(state.ignored.get('x2')!, /voted twice at one time/);
  assert.match(state.ignored.get('y1')!, /a later vote/);
  // A third vote of bob's at another time still counts for nothing on this proposal.
  const again = resolveCircle(genesis(), [...log, vote('x3', 'bob', 'p1', T0 + 7)], T0 + 10);
  assert.equal(again.proposals[0]!.votes.has('bob'), false);
});

test("non-members' proposals and votes, and a member's proposals past its open limit, are void", () => {
  const log = [
    proposal('p0', 'mallory', T0 + 1, share(50)),
    vote('m1', 'mallory', 'p0', T0 + 2),
    ...[1, 2, 3, 4].map((i) => proposal(`f${i}`, 'bob', T0 + 2 + i, share(10 + i))),
  ];
  const state = resolveCircle(genesis(), log, T0 + 10);
  assert.equal(state.proposals.find((p) => p.cid === 'p0')!.status, 'void');
  assert.match(state.ignored.get('p0')!, /not a member/);
  assert.deepEqual(
    state.proposals.filter((p) => p.cid.startsWith('f')).map((p) => p.status),
    ['open', 'open', 'open', 'void'],
    'three open at once, the default limit',
  );
});

test('at its close a proposal passes on its quorum and threshold, or expires; a vote after it is ignored', () => {
  const closes = T0 + 60_000;
  const log = [
    proposal('p1', 'ann', T0, share(20), closes),
    vote('v1', 'ann', 'p1', T0 + 1),
    vote('v2', 'bob', 'p1', T0 + 2),
    vote('v3', 'cat', 'p1', T0 + 3, 'abstain'),
  ];
  // Three of five voted (quorum 0.5 met), approvals 2 of 2 decided: passes when voting closes.
  assert.equal(resolveCircle(genesis(), log, closes - 1).proposals[0]!.status, 'open');
  const closed = resolveCircle(genesis(), [...log, vote('v4', 'dan', 'p1', closes + 1, 'reject')], closes + 10);
  assert.equal(closed.proposals[0]!.status, 'passed');
  assert.equal(closed.history[0]!.at, closes);
  assert.match(closed.ignored.get('v4')!, /after the close/);
  // Two of five is under the quorum: it expires.
  const few = resolveCircle(genesis(), log.slice(0, 3), closes + 10);
  assert.equal(few.proposals[0]!.status, 'expired');
  assert.equal(few.policy.rewards.verifier_pct, 10);
});

test('a change to the voting rules needs the stricter of the old and new thresholds', () => {
  const loosen = proposal('p1', 'ann', T0, { policy: { voting: { threshold: 0.5 } } });
  const tighten = proposal('p2', 'ann', T0, { policy: { voting: { threshold: 0.8 } } });
  const three = (of: string) => ['ann', 'bob', 'cat'].map((m, i) => vote(`${of}${i}`, m, of, T0 + 1 + i));
  assert.equal(resolveCircle(genesis(), [loosen, ...three('p1')], T0 + 10).policy.voting.threshold, 0.5);
  // 3 of 5 is 0.6: under the 0.8 it asks for, so it is not yet carried.
  const tight = resolveCircle(genesis(), [tighten, ...three('p2')], T0 + 10);
  assert.equal(tight.policy.voting.threshold, 0.6);
  assert.equal(tight.proposals[0]!.status, 'open');
  const four = resolveCircle(genesis(), [tighten, ...three('p2'), vote('p2x', 'dan', 'p2', T0 + 5)], T0 + 10);
  assert.equal(four.policy.voting.threshold, 0.8);
});

test('members added vote from their addition; a removed member no longer counts', () => {
  const log = [
    proposal('add', 'ann', T0, { add_members: ['fay'], remove_members: ['eve'] }),
    ...['ann', 'bob', 'cat'].map((m, i) => vote(`a${i}`, m, 'add', T0 + 1 + i)),
    proposal('p2', 'fay', T0 + 10, share(20)),
    vote('e1', 'eve', 'p2', T0 + 11),
    ...['fay', 'ann', 'bob'].map((m, i) => vote(`b${i}`, m, 'p2', T0 + 12 + i)),
  ];
  const state = resolveCircle(genesis(), log, T0 + 100);
  assert.deepEqual(state.members, ['ann', 'bob', 'cat', 'dan', 'fay']);
  assert.match(state.ignored.get('e1')!, /not a member/);
  assert.equal(state.policy.rewards.verifier_pct, 20);
});

test('a policy out of its bounds, or shares not summing to 100, is refused whole', () => {
  const over = applyFragment(DEFAULT_MESH_POLICY, { rewards: { worker_pct: 95 } });
  assert.equal(over.ok, false);
  assert.match(!over.ok ? over.error : '', /sum to 100/);
  const bounds = applyFragment(DEFAULT_MESH_POLICY, { verification: { redundancy: 50 } });
  assert.equal(bounds.ok, false);
  assert.match(!bounds.ok ? bounds.error : '', /50 is over the limit of 5/);
  // A proposal passed whose result is invalid (here: another proposal changed the shares first) fails, and changes nothing.
  const log = [
    proposal('p1', 'ann', T0, share(20)),
    proposal('p2', 'bob', T0, { policy: { rewards: { worker_pct: 90 } } }),
    ...['ann', 'bob', 'cat'].map((m, i) => vote(`a${i}`, m, 'p1', T0 + 1 + i)),
    ...['ann', 'bob', 'cat'].map((m, i) => vote(`b${i}`, m, 'p2', T0 + 10 + i)),
  ];
  const state = resolveCircle(genesis(), log, T0 + 100);
  assert.equal(state.proposals.find((p) => p.cid === 'p2')!.status, 'failed');
  assert.equal(state.policy.rewards.worker_pct, 80);
});
