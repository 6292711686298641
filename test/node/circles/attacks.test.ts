// Circles under attack (issue 90, item 5), on real nodes: entries a stranger signs, a forged
// signature, a duplicate, a policy out of its bounds or whose shares do not sum to 100, a vote after
// the close, a member voting twice at once from two nodes of one identity, a flood of proposals.
// None changes the policy; each is refused saying why, and whoever signed it pays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CircleEntry, SignedEntry } from '../../../src-main/core/circles/index.js';
import { signEntry } from '../../../src-main/node/circles/signed-entries.js';
import { journalCount } from '../../rogue/arena.js';
import { meshOf, startNode, stopAll, waitFor, type TestNode } from '../mesh/cluster.js';

test('attacks on a circle change nothing, say why, and cost their signer', { timeout: 120_000 }, async () => {
  const logs: string[] = [];
  const [ann, bob, cat, mallory] = (await Promise.all(
    [0, 1, 2, 3].map((i) => startNode({ log: (m) => logs.push(`${i}: ${m}`) })),
  )) as [TestNode, TestNode, TestNode, TestNode];
  const nodes = [ann, bob, cat, mallory];
  try {
    await meshOf(nodes);
    const members = [ann, bob, cat];
    const { circle } = await ann.api['circles.create']({
      name: 'three',
      members: [bob, cat].map((n) => n.node.peerId),
      policy: {},
    });
    const id = circle.circle_id;
    await waitFor(
      'all three joined',
      () => members.every((n) => n.node.circles.ids().includes(id)) || undefined,
      15_000,
    );
    assert.equal(mallory.node.circles.ids().length, 0, 'a peer the founding does not name never holds the circle');
    const policyAt = (n: TestNode) => JSON.stringify(n.node.circles.state(id).policy);
    const before = policyAt(ann);
    const sign = async (node: TestNode, entry: CircleEntry) => (await signEntry(node.node.identity, entry)).signed;
    const push = async (from: TestNode, entries: SignedEntry[]) => {
      const reply = await from.node.ctx.send(ann.node.peerId, 'circle_entries', { circle: id, entries });
      assert.equal(reply?.type, 'ack', logs.slice(-5).join('\n'));
    };
    const refusedSince = (mark: number, pattern: RegExp) =>
      logs.slice(mark).some((line) => line.startsWith('0: ') && pattern.test(line));
    const now = Date.now();

    // A stranger's proposal and vote: refused, not stored, and held against it.
    let mark = logs.length;
    const strangers = await sign(mallory, {
      kind: 'proposal',
      circle: id,
      author: mallory.node.peerId,
      description: 'all to me',
      at: now,
      change: { policy: { rewards: { worker_pct: 100, verifier_pct: 0 } } },
      expires_at: now + 600_000,
    });
    await push(mallory, [strangers]);
    assert.ok(refusedSince(mark, /refused: not_member/), 'a non-member is refused by name');
    assert.equal(ann.node.circles.state(id).proposals.length, 0);
    await waitFor(
      'the stranger penalized',
      () => journalCount(ann, 'peer.penalized', mallory.node.peerId) > 0 || undefined,
      5000,
    );

    // A member's real proposal, then a vote of bob's whose choice was changed after signing.
    const { proposal } = await bob.api['circles.propose']({
      circle_id: id,
      change: { policy: { verification: { redundancy: 2 } } },
      description: 'two workers a unit',
    });
    await waitFor('the proposal at ann', () => ann.node.circles.state(id).proposals.length === 1 || undefined, 10_000);
    const honest = await sign(bob, {
      kind: 'vote',
      circle: id,
      proposal: proposal.proposal_id,
      author: bob.node.peerId,
      choice: 'reject',
      at: Date.now(),
    });
    mark = logs.length;
    await push(mallory, [{ ...honest, entry: { ...honest.entry, choice: 'approve' } as CircleEntry }]);
    assert.ok(refusedSince(mark, /is not signed by its author/), 'a forged signature is refused');
    assert.equal(ann.node.circles.state(id).proposals[0]!.votes.size, 0);

    // Out of bounds, and shares that do not sum to 100: refused before they are stored.
    mark = logs.length;
    const base = {
      kind: 'proposal' as const,
      circle: id,
      author: cat.node.peerId,
      description: 'x',
      at: Date.now(),
      expires_at: Date.now() + 600_000,
    };
    const outOfBounds = await sign(cat, { ...base, change: { policy: { verification: { redundancy: 2 } } } });
    (outOfBounds.entry as { change: unknown }).change = { policy: { verification: { redundancy: 50 } } };
    // Out of its schema's bounds, the message itself is refused by the network, naming the field.
    assert.equal(
      await cat.node.ctx.send(ann.node.peerId, 'circle_entries', { circle: id, entries: [outOfBounds] }),
      undefined,
    );
    const { events } = await ann.api['events.since']({ after: 0, limit: 10_000 });
    assert.ok(
      events.some(
        (e) =>
          e.type === 'message.dropped' &&
          e.data.reason === 'invalid' &&
          /50 is over the limit of 5/.test(String(e.data.detail)),
      ),
      'a field out of its bounds',
    );
    await push(cat, [await sign(cat, { ...base, change: { policy: { rewards: { worker_pct: 95 } } } })]);
    assert.ok(refusedSince(mark, /invalid_policy: .*sum to 100/), 'shares that do not sum to 100');
    assert.equal(ann.node.circles.state(id).proposals.length, 1);

    // Bob votes twice at one time, from two nodes of his identity (the second signed here): neither counts.
    const at = Date.now();
    const twice = [
      await sign(bob, {
        kind: 'vote',
        circle: id,
        proposal: proposal.proposal_id,
        author: bob.node.peerId,
        choice: 'approve',
        at,
      }),
      await sign(bob, {
        kind: 'vote',
        circle: id,
        proposal: proposal.proposal_id,
        author: bob.node.peerId,
        choice: 'reject',
        at,
      }),
    ];
    mark = logs.length;
    await push(bob, twice);
    await push(bob, twice); // and a duplicate: nothing new, no fault
    assert.ok(refusedSince(mark, /voted twice at one time/));
    assert.equal(ann.node.circles.state(id).proposals[0]!.votes.has(bob.node.peerId), false);
    await waitFor('bob penalized', () => journalCount(ann, 'peer.penalized', bob.node.peerId) > 0 || undefined, 5000);

    // Ann and cat carry it; then a vote after the close is refused and changes nothing.
    for (const n of [ann, cat])
      await n.api['circles.vote']({ circle_id: id, proposal_id: proposal.proposal_id, choice: 'approve' });
    await waitFor(
      'passed at ann',
      () => ann.node.circles.state(id).policy.verification.redundancy === 2 || undefined,
      10_000,
    );
    mark = logs.length;
    await push(cat, [
      await sign(cat, {
        kind: 'vote',
        circle: id,
        proposal: proposal.proposal_id,
        author: cat.node.peerId,
        choice: 'reject',
        at: Date.now() + 5,
      }),
    ]);
    assert.ok(refusedSince(mark, /a vote after the close/));
    assert.equal(ann.node.circles.state(id).policy.verification.redundancy, 2);

    // A flood: thirty proposals at once. Ten are taken (the rest rate-limited), and past the three
    // open a member may have, the policy's own rule voids them: nothing changes.
    mark = logs.length;
    const flood = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        sign(cat, {
          ...base,
          at: Date.now() + i,
          description: `flood ${i}`,
          change: { policy: { scheduling: { offer_timeout_s: 10 + i } } },
        }),
      ),
    );
    await push(cat, flood);
    const state = ann.node.circles.state(id);
    const open = state.proposals.filter((p) => p.status === 'open' && p.proposal.author === cat.node.peerId);
    assert.ok(refusedSince(mark, /rate_limited/), 'past its rate a member is refused');
    assert.ok(open.length <= 3, `${open.length} of a flood open`);
    assert.ok(state.proposals.length <= 1 + 10, `${state.proposals.length} proposals held`);
    assert.notEqual(policyAt(ann), before);
    assert.equal(JSON.parse(policyAt(ann)).scheduling.offer_timeout_s, 30, 'the flood changed no policy');
  } finally {
    await stopAll(nodes);
  }
});
