// Circles on five real nodes (issue 90): a circle founded by one member reaches the other four, a
// proposal carried by their votes is active on all five within seconds, and a member that was
// offline through the vote catches up when it starts again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meshOf, startNode, stopAll, waitFor, type TestNode } from '../mesh/cluster.js';

const RAISE_VERIFIERS = { policy: { rewards: { worker_pct: 80, verifier_pct: 20 } } };

/** Waits until every node of `nodes` holds `circle` with the verifier share `pct`. */
async function verifierShareEverywhere(nodes: TestNode[], circle: string, pct: number, ms: number): Promise<void> {
  await waitFor(
    `verifier share ${pct} % on all ${nodes.length}`,
    () =>
      nodes.every(
        (n) =>
          n.node.circles.ids().includes(circle) && n.node.circles.state(circle).policy.rewards.verifier_pct === pct,
      ) || undefined,
    ms,
  );
}

test(
  'five members: a circle founded, a proposal voted and active on all five, a member away catches up',
  { timeout: 120_000 },
  async () => {
    const nodes = await Promise.all([0, 1, 2, 3, 4].map(() => startNode()));
    try {
      await meshOf(nodes);
      const [founder, ...others] = nodes as [TestNode, ...TestNode[]];
      const { circle } = await founder.api['circles.create']({
        name: 'friends',
        policy: {},
        members: others.map((n) => n.node.peerId),
      });
      assert.equal(circle.members.length, 5);
      await waitFor(
        'all five joined',
        () => nodes.every((n) => n.node.circles.ids().includes(circle.circle_id)) || undefined,
        15_000,
      );
      for (const n of others)
        assert.equal((await n.api['circles.show']({ circle_id: circle.circle_id })).circle.name, 'friends');

      // The fifth member goes away before the proposal; the other four vote.
      const away = nodes[4]!;
      await away.node.stop();
      const { proposal } = await founder.api['circles.propose']({
        circle_id: circle.circle_id,
        change: RAISE_VERIFIERS,
        description: 'verifiers do more of the work',
      });
      assert.equal(proposal.status, 'open');
      assert.deepEqual(proposal.fields, ['rewards.worker_pct', 'rewards.verifier_pct']);
      const present = nodes.slice(0, 4);
      await waitFor(
        'the proposal everywhere',
        () => present.every((n) => n.node.circles.state(circle.circle_id).proposals.length === 1) || undefined,
        15_000,
      );
      const votes = present.slice(0, 3);
      const started = Date.now();
      for (const n of votes)
        await n.api['circles.vote']({
          circle_id: circle.circle_id,
          proposal_id: proposal.proposal_id,
          choice: 'approve',
        });
      await verifierShareEverywhere(present, circle.circle_id, 20, 10_000);
      const activationMs = Date.now() - started;
      assert.ok(activationMs < 5000, `active on the four present within ${activationMs} ms of the votes`);
      const { circle: after } = await nodes[3]!.api['circles.show']({ circle_id: circle.circle_id });
      assert.equal(after.policy.rewards.worker_pct, 80);
      assert.equal(after.history.length, 1);
      assert.equal(after.history[0]!.before.rewards.verifier_pct, 10);
      assert.equal(after.history[0]!.votes.length, 3);
      assert.equal(after.proposals[0]!.status, 'passed');
      // A vote after the close changes nothing, and says so.
      await assert.rejects(
        nodes[3]!.api['circles.vote']({
          circle_id: circle.circle_id,
          proposal_id: proposal.proposal_id,
          choice: 'reject',
        }),
        /voting has closed/,
      );

      // The member that was away starts again on its data dir, and syncs what it missed.
      const back = await startNode({ dataDir: away.dataDir });
      nodes[4] = back;
      await meshOf([back, ...present]);
      await verifierShareEverywhere([back], circle.circle_id, 20, 15_000);
      assert.equal(back.node.circles.state(circle.circle_id).history.length, 1);
    } finally {
      await stopAll(nodes);
    }
  },
);
