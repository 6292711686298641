import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decideConsensus, quorumFor, type Comparator, type Vote } from '../../src-main/core/consensus/index.js';

/** A vote from `peer` whose output hashes to `hash`. */
function vote(peer: string, hash: string, result_id = `r-${peer}-${hash}`): Vote {
  return { result_id, peer, hash };
}

test('quorum: 1 of 1, 2 of 2, 2 of 3, 3 of 4, 3 of 5', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((r) => quorumFor(r)),
    [1, 2, 2, 3, 3],
  );
  // A circle's policy may ask for more than a majority: two thirds, or every result.
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((r) => quorumFor(r, 0.66)),
    [1, 2, 2, 3, 4],
  );
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((r) => quorumFor(r, 1)),
    [1, 2, 3, 4, 5],
  );
});

test('redundancy 1: the single result is verified', () => {
  const d = decideConsensus({ redundancy: 1, votes: [vote('a', 'h1')], maxReplicas: 1 });
  assert.deepEqual(d, {
    status: 'verified',
    hash: 'h1',
    results: ['r-a-h1'],
    agreeing: ['a'],
    dissenting: [],
    ignored: [],
  });
});

test('no votes yet: pending, needing a full quorum', () => {
  assert.deepEqual(decideConsensus({ redundancy: 3, votes: [], maxReplicas: 5 }), {
    status: 'pending',
    needed: 2,
    ignored: [],
  });
});

test('redundancy 2 needs both results to agree', () => {
  const one = decideConsensus({ redundancy: 2, votes: [vote('a', 'h1')], maxReplicas: 4 });
  assert.deepEqual(one, { status: 'pending', needed: 1, ignored: [] });
  const both = decideConsensus({ redundancy: 2, votes: [vote('a', 'h1'), vote('b', 'h1')], maxReplicas: 4 });
  assert.equal(both.status, 'verified');
});

test('redundancy 3: two agreeing results verify, the third peer dissents', () => {
  const d = decideConsensus({
    redundancy: 3,
    votes: [vote('c', 'bad'), vote('a', 'h1'), vote('b', 'h1')],
    maxReplicas: 5,
  });
  assert.deepEqual(d, {
    status: 'verified',
    hash: 'h1',
    results: ['r-a-h1', 'r-b-h1'],
    agreeing: ['a', 'b'],
    dissenting: ['c'],
    ignored: [],
  });
});

test('redundancy 3: two disagreeing results wait for the third, already in flight', () => {
  const d = decideConsensus({ redundancy: 3, votes: [vote('a', 'h1'), vote('b', 'h2')], maxReplicas: 5 });
  assert.deepEqual(d, { status: 'pending', needed: 1, ignored: [] });
});

test('redundancy 2 disagreeing: a conflict asks for one extra replica', () => {
  const d = decideConsensus({ redundancy: 2, votes: [vote('a', 'h1'), vote('b', 'h2')], maxReplicas: 4 });
  assert.deepEqual(d, { status: 'conflict', extraReplicas: 1, ignored: [] });
});

test('the extra replica breaks the tie', () => {
  const votes = [vote('a', 'h1'), vote('b', 'h2'), vote('c', 'h2')];
  const d = decideConsensus({ redundancy: 2, votes, maxReplicas: 4, requested: 3 });
  assert.deepEqual(d, {
    status: 'verified',
    hash: 'h2',
    results: ['r-b-h2', 'r-c-h2'],
    agreeing: ['b', 'c'],
    dissenting: ['a'],
    ignored: [],
  });
});

test('a conflict counts replicas already requested', () => {
  const votes = [vote('a', 'h1'), vote('b', 'h2'), vote('c', 'h3'), vote('d', 'h4'), vote('e', 'h5')];
  // redundancy 5 needs 3 agreeing: at best 2 more. One is already on its way, so ask for one.
  const d = decideConsensus({ redundancy: 5, votes, maxReplicas: 9, requested: 6 });
  assert.deepEqual(d, { status: 'conflict', extraReplicas: 1, ignored: [] });
  const covered = decideConsensus({ redundancy: 5, votes, maxReplicas: 9, requested: 7 });
  assert.deepEqual(covered, { status: 'pending', needed: 2, ignored: [] });
});

test('failed when maxReplicas leaves no room for a quorum', () => {
  const d = decideConsensus({ redundancy: 2, votes: [vote('a', 'h1'), vote('b', 'h2')], maxReplicas: 2 });
  assert.deepEqual(d, { status: 'failed', reason: 'replicas_exhausted', ignored: [] });
  const three = [vote('a', 'h1'), vote('b', 'h2'), vote('c', 'h3')];
  assert.equal(decideConsensus({ redundancy: 2, votes: three, maxReplicas: 4, requested: 3 }).status, 'conflict');
  assert.equal(decideConsensus({ redundancy: 2, votes: three, maxReplicas: 3, requested: 3 }).status, 'failed');
});

test('two clusters that both reach the quorum fail rather than pick one', () => {
  const votes = [vote('a', 'h1'), vote('b', 'h1'), vote('c', 'h2'), vote('d', 'h2')];
  const d = decideConsensus({ redundancy: 2, votes, maxReplicas: 4 });
  assert.deepEqual(d, { status: 'failed', reason: 'competing_quorums', ignored: [] });
});

test('a peer voting twice is counted once and its extra vote reported', () => {
  const repeated = vote('a', 'h1', 'r2');
  const d = decideConsensus({ redundancy: 2, votes: [vote('a', 'h1', 'r1'), repeated], maxReplicas: 4 });
  assert.deepEqual(d, { status: 'pending', needed: 1, ignored: [repeated] });
});

test('invalid redundancy or maxReplicas is a typed failure', () => {
  for (const [redundancy, maxReplicas] of [
    [0, 3],
    [1.5, 3],
    [3, 2],
    [Number.NaN, 3],
  ] as const) {
    const d = decideConsensus({ redundancy, votes: [vote('a', 'h1')], maxReplicas });
    assert.deepEqual(d, { status: 'failed', reason: 'invalid_arguments', ignored: [] });
  }
});

/** GPU-style agreement: hashes here are numbers as text, agreeing within 1. */
const withinOne: Comparator = (a, b) => Math.abs(Number(a.hash) - Number(b.hash)) <= 1;

test('with a comparator, results within tolerance agree', () => {
  const votes = [vote('a', '10'), vote('b', '11'), vote('c', '50')];
  const d = decideConsensus({ redundancy: 3, votes, maxReplicas: 5, comparator: withinOne });
  // The agreeing results are both, though their hashes differ: both get paid.
  assert.deepEqual(d, {
    status: 'verified',
    hash: '10',
    results: ['r-a-10', 'r-b-11'],
    agreeing: ['a', 'b'],
    dissenting: ['c'],
    ignored: [],
  });
  const exact = decideConsensus({ redundancy: 3, votes, maxReplicas: 5 });
  assert.equal(exact.status, 'conflict');
});

const peers = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
const arbVote = fc
  .record({
    result_id: fc.constantFrom('r1', 'r2', 'r3', 'r4'),
    peer: fc.constantFrom(...peers),
    hash: fc.constantFrom('10', '11', '12', '20', '21'),
  })
  .map((v): Vote => ({ ...v })); // plain objects: fast-check may build them without a prototype
const arbCase = fc.record({
  redundancy: fc.integer({ min: 1, max: 5 }),
  extra: fc.integer({ min: 0, max: 4 }),
  votes: fc.array(arbVote, { maxLength: 9 }),
  tolerant: fc.boolean(),
});

test('property: the decision does not depend on the order of votes', () => {
  fc.assert(
    fc.property(
      arbCase.chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray(c.votes, { minLength: c.votes.length }))),
      ([c, shuffled]) => {
        const comparator = c.tolerant ? withinOne : undefined;
        const input = { redundancy: c.redundancy, maxReplicas: c.redundancy + c.extra, comparator };
        assert.deepEqual(decideConsensus({ ...input, votes: shuffled }), decideConsensus({ ...input, votes: c.votes }));
      },
    ),
  );
});

test('property: outcomes are consistent with the quorum and the replica bound', () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const maxReplicas = c.redundancy + c.extra;
      const d = decideConsensus({
        redundancy: c.redundancy,
        votes: c.votes,
        maxReplicas,
        comparator: c.tolerant ? withinOne : undefined,
      });
      const counted = new Set(c.votes.map((v) => v.peer)).size;
      assert.equal(d.ignored.length, c.votes.length - counted);
      if (d.status === 'verified') {
        assert.ok(d.agreeing.length >= quorumFor(c.redundancy));
        assert.equal(d.agreeing.length + d.dissenting.length, counted);
        assert.ok(d.agreeing.every((p) => !d.dissenting.includes(p)));
      }
      if (d.status === 'conflict') {
        assert.ok(d.extraReplicas >= 1);
        assert.ok(Math.max(counted, c.redundancy) + d.extraReplicas <= maxReplicas);
      }
      if (d.status === 'pending') assert.ok(d.needed >= 1 && d.needed <= quorumFor(c.redundancy));
    }),
  );
});

test('a rejected result (failed its spot-check) never forms a quorum, but counts as cast and dissents', () => {
  const liar = vote('a', 'h1');
  const alone = decideConsensus({ redundancy: 1, votes: [liar], maxReplicas: 3, rejected: new Set([liar.result_id]) });
  assert.deepEqual(alone, { status: 'conflict', extraReplicas: 1, ignored: [] });
  const honest = vote('b', 'h2');
  const settled = decideConsensus({
    redundancy: 1,
    votes: [liar, honest],
    maxReplicas: 3,
    requested: 2,
    rejected: new Set([liar.result_id]),
  });
  assert.deepEqual(settled, {
    status: 'verified',
    hash: 'h2',
    results: ['r-b-h2'],
    agreeing: ['b'],
    dissenting: ['a'],
    ignored: [],
  });
  const liars = [vote('a', 'x'), vote('b', 'y'), vote('c', 'z')];
  const exhausted = decideConsensus({
    redundancy: 1,
    votes: liars,
    maxReplicas: 3,
    rejected: new Set(liars.map((v) => v.result_id)),
  });
  assert.deepEqual(exhausted, { status: 'failed', reason: 'replicas_exhausted', ignored: [] });
});
