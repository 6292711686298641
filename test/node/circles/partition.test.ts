// A circle split in two (issue 90, item 7): five members, a partition of 2 and 3, each side passing
// a proposal on the same field (the three by their votes, the two when their proposal's voting
// closes), so the two sides run by different policies; healed, all five converge on one policy and
// one history, the two activations applied in the order they happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { meshOf, startNode, stopAll, waitFor, type TestNode } from '../mesh/cluster.js';

/** Cuts every link between the sides: no trust across (so nobody redials), every connection hung up. */
async function partition(left: TestNode[], right: TestNode[]): Promise<void> {
  for (const [a, b] of left.flatMap((l) => right.flatMap((r) => [[l, r] as const, [r, l] as const]))) {
    await a.api['trust.set']({ peer_id: b.node.peerId, weight: 0 });
    // The network keeps its libp2p node to itself: a test reaches in to cut the wire.
    await (a.node.network as unknown as { libp2p: Libp2p }).libp2p.hangUp(peerIdFromString(b.node.peerId));
  }
}

/** Waits until each of `nodes` holds the proposal. */
const holding = (nodes: TestNode[], circle: string, proposal: string) =>
  waitFor(
    `proposal ${proposal}`,
    () => nodes.every((n) => n.node.circles.state(circle).proposals.some((p) => p.cid === proposal)) || undefined,
    10_000,
  );

const verifierPct = (n: TestNode, circle: string) => n.node.circles.state(circle).policy.rewards.verifier_pct;
const share = (verifier: number) => ({ policy: { rewards: { worker_pct: 100 - verifier, verifier_pct: verifier } } });

test(
  'a partition of 2 and 3 with conflicting proposals, healed, converges on one policy on all five',
  { timeout: 120_000 },
  async () => {
    const nodes = await Promise.all([0, 1, 2, 3, 4].map(() => startNode()));
    try {
      await meshOf(nodes);
      const [a, b, c, d, e] = nodes as [TestNode, TestNode, TestNode, TestNode, TestNode];
      // Quorum 0.4: the two alone can carry a proposal when its voting closes (2 of 5 voted, all approving).
      const { circle } = await a.api['circles.create']({
        name: 'split',
        members: [b, c, d, e].map((n) => n.node.peerId),
        policy: { voting: { quorum: 0.4, threshold: 0.5 } },
      });
      const id = circle.circle_id;
      await waitFor(
        'all five joined',
        () => nodes.every((n) => n.node.circles.ids().includes(id)) || undefined,
        15_000,
      );
      const [two, three] = [
        [a, b],
        [c, d, e],
      ];
      await partition(two, three);
      await waitFor(
        'the sides apart',
        () =>
          two.every((n) => n.node.network.connectedPeers().every((p) => !three.some((t) => t.node.peerId === p))) ||
          undefined,
        10_000,
      );

      // The two: 15 % to verifiers, voting closing in 10 s. The three: 25 %, carried at once.
      const { proposal: small } = await a.api['circles.propose']({
        circle_id: id,
        change: share(15),
        description: 'the two',
        expires_in_s: 10,
      });
      await holding(two, id, small.proposal_id);
      for (const n of two)
        await n.api['circles.vote']({ circle_id: id, proposal_id: small.proposal_id, choice: 'approve' });
      const { proposal: big } = await c.api['circles.propose']({
        circle_id: id,
        change: share(25),
        description: 'the three',
      });
      await holding(three, id, big.proposal_id);
      for (const n of three)
        await n.api['circles.vote']({ circle_id: id, proposal_id: big.proposal_id, choice: 'approve' });
      await waitFor('the three at 25 %', () => three.every((n) => verifierPct(n, id) === 25) || undefined, 10_000);
      await waitFor(
        'the two at 15 % once their vote closed',
        () => two.every((n) => verifierPct(n, id) === 15) || undefined,
        20_000,
      );
      assert.ok(
        three.every((n) => verifierPct(n, id) === 25),
        'while apart, each side runs by its own',
      );

      // Healed: trust and links back. All five hold both activations, in the order they happened.
      const healedAt = Date.now();
      await meshOf(nodes);
      await waitFor(
        'one policy and one history everywhere',
        () =>
          nodes.every((n) => n.node.circles.state(id).history.length === 2 && verifierPct(n, id) === 15) || undefined,
        15_000,
      );
      const histories = nodes.map((n) => JSON.stringify(n.node.circles.state(id).history));
      assert.equal(new Set(histories).size, 1, 'the same history on all five');
      assert.deepEqual(
        a.node.circles.state(id).history.map((h) => h.proposal),
        [big.proposal_id, small.proposal_id],
        'the three passed theirs first; the two passed theirs at its close',
      );
      assert.ok(Date.now() - healedAt < 15_000);
    } finally {
      await stopAll(nodes);
    }
  },
);
