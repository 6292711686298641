// Two providers that lie together against one honest one, all trusted alike by the requester:
// every output the requester keeps is right, whatever the redundancy; both liars are convicted by
// a check against the requester's own run (never by a vote) and paid nothing; the honest one is
// never punished.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { HostilePeer } from './fixtures/hostile-peer.js';
import { trustedLiar } from './fixtures/trusted-liar.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
const liars: HostilePeer[] = [];
after(async () => {
  await stopAll(nodes);
  await Promise.all(liars.map((l) => l.stop()));
});

let requester: TestNode;
let honest: TestNode[];

before(async () => {
  nodes.push(await startNode(), await startNode(), await startNode());
  [requester, ...honest] = nodes as [TestNode, TestNode, TestNode];
  await meshOf(nodes);
});

/** Two fresh liars the requester trusts as much as the honest: both answer every unit with the same wrong bytes. */
async function colludingLiars(): Promise<HostilePeer[]> {
  const pair = [await trustedLiar(requester), await trustedLiar(requester)];
  liars.push(...pair);
  return pair;
}

for (const redundancy of [2, 1]) {
  test(
    `at redundancy ${redundancy}, two colluding liars and two honest providers: every output is right, each liar that delivered a result is convicted, none is paid, no honest one is punished`,
    { timeout: 90_000 },
    async () => {
      const pair = await colludingLiars();
      const unitCount = 30;
      const { params, input, chunk } = hashJob(unitCount, false);
      // The liars get the first units: the honest providers share only once they hold some (else
      // the honest, whose pipelines take a small job whole, could leave the liars nothing to lie about).
      for (const { api } of honest) await api['sharing.set']({ on: false });
      const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy });
      await waitFor(
        'the liars to hold units',
        () =>
          [...requester.node.state.assignments.values()].some(
            (a) => a.acceptance.job_id === job_id && pair.some((l) => l.peerId === a.acceptance.provider_peer),
          ) || undefined,
        20_000,
      );
      for (const { api } of honest) await api['sharing.set']({ on: true });
      const done = await jobEnded(requester.api, job_id, 75_000);
      assert.equal(done.state, 'completed');
      assert.equal(done.units_verified, unitCount);

      const { units } = await requester.api['jobs.status']({ job_id, units: true });
      for (const unit of units!) {
        const { output_base64 } = await requester.api['jobs.output']({ job_id, unit_id: unit.unit_id });
        const expected = createHash('sha256')
          .update(input.subarray(unit.index * chunk, (unit.index + 1) * chunk))
          .digest();
        assert.deepEqual(Buffer.from(output_base64, 'base64'), expected, `${unit.unit_id} is right`);
      }

      // Each liar that delivered a result is convicted (and at least one did: they had the units first).
      const workedFor = new Set(
        [...requester.node.state.assignments.values()]
          .filter((a) => a.acceptance.job_id === job_id && a.result)
          .map((a) => a.acceptance.provider_peer),
      );
      const caughtOut = pair.filter((liar) => workedFor.has(liar.peerId));
      assert.ok(caughtOut.length > 0, 'the liars delivered results');
      // A liar's result that came after its unit's verdict (a unit reopened by the other liar's
      // conviction, say) is checked against my run of it once it is in: the job may end first.
      const convicted = async () => {
        const { peers } = await requester.api['peers.list']({});
        return caughtOut.every((l) => peers.find((p) => p.peer_id === l.peerId)?.convicted_at) ? peers : undefined;
      };
      const peers = await waitFor('each liar that delivered a result to be convicted', convicted, 20_000);
      const view = (peer: string) => peers.find((p) => p.peer_id === peer)!;
      for (const liar of caughtOut) {
        assert.notEqual(view(liar.peerId).convicted_at, null, `${liar.peerId} is convicted`);
        assert.equal(view(liar.peerId).effective_trust, 0);
      }
      for (const { node } of honest) {
        assert.equal(view(node.peerId).convicted_at, null, 'no honest provider is');
        assert.equal(view(node.peerId).caught_lying, 0);
        assert.equal(requester.node.state.reputation.get(node.peerId)?.rejected ?? 0, 0);
      }
      // The liars are paid for none of their work.
      for (const assignment of requester.node.state.assignments.values()) {
        if (
          assignment.acceptance.job_id === job_id &&
          pair.some((l) => l.peerId === assignment.acceptance.provider_peer)
        )
          assert.notEqual(assignment.escrow, 'paid', 'no liar is paid');
      }
      const { events } = await requester.api['events.since']({ after: 0, limit: 10_000 });
      const caught = new Set(
        events.filter((e) => e.type === 'peer.caught_lying' && e.data['job_id'] === job_id).map((e) => e.data['peer']),
      );
      assert.deepEqual(caught, new Set(caughtOut.map((l) => l.peerId)));
      // And no honest provider was refunded a right result as rejected (each would call it a false refund).
      for (const { api } of honest) {
        const seen = (await api['peers.list']({})).peers.find((p) => p.peer_id === requester.node.peerId);
        assert.equal(seen?.false_refunds ?? 0, 0);
      }
    },
  );
}
