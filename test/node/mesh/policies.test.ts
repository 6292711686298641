// The provider's side of the economy on real nodes: its policies (a daily quota, a rate limit) and
// a requester's credit limit refuse acceptances with a reason the requester sees, and a requester
// that refunds a correct result as rejected, or one it said it holds as cancelled, is refused and
// gets no more work.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, test } from 'node:test';
import type { ApiEvent } from '../../../src-main/core/api/contract.js';
import { FALSE_REFUND_REFUSAL } from '../../../src-main/node/mesh/provider/admission.js';
import { HostilePeer } from './fixtures/hostile-peer.js';
import { HostileRequester } from './fixtures/hostile-requester.js';
import { jobEnded, meshOf, seenGivingBack, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

let nodes: TestNode[] = [];
let hostile: HostilePeer | undefined;
afterEach(async () => {
  await stopAll(nodes);
  nodes = [];
  await hostile?.stop();
  hostile = undefined;
});

/** A sha256 job of `units` 64-byte units, one replica each, whose offers wait for the user. */
const submitManual = (node: TestNode, units: number) =>
  node.api['jobs.submit']({
    library: 'hash',
    units_per_pack: 1, // one unit an assignment: the policies count assignments
    method: 'sha256',
    input_base64: randomBytes(units * 64).toString('base64'),
    chunk_bytes: 64,
    redundancy: 1,
    budget: 10_000_000,
    priority: 0.5,
    manual_accept: true,
    open_to_strangers: false,
  });

/** A provider node that trusts a hostile requester, which has published `units` units and holds the provider's offer for each. */
async function hostileRequesterOf(
  units: number,
  lie: 'rejecting' | 'holding' = 'rejecting',
): Promise<{ provider: TestNode; requester: HostileRequester }> {
  nodes.push(await startNode());
  const [provider] = nodes as [TestNode];
  hostile = await HostilePeer.start();
  const requester = new HostileRequester(hostile, lie);
  await provider.node.network.connect(hostile.network.listenAddresses()[0]!);
  await provider.api['trust.set']({ peer_id: hostile.peerId, weight: 1 });
  await requester.publishJob(provider.node.peerId, units);
  await waitFor('offers on every unit', () => requester.offers.size === units, 20_000);
  return { provider, requester };
}

/** No more work for a requester caught refunding falsely: the offer it kept for unit `index` is refused, with the reason. */
async function assertNoMoreWork(requester: HostileRequester, index: number): Promise<void> {
  const offer = requester.offers.get(requester.units[index]!.unit_id)!;
  assert.deepEqual(await requester.accept([index]), {
    accepted: [],
    refused: [{ assignment_id: offer.offer_id, reason: FALSE_REFUND_REFUSAL }],
  });
}

const offersFrom = async (requester: TestNode, jobId: string, provider: TestNode) =>
  (await requester.api['offers.list']({ job_id: jobId })).offers.filter((o) => o.provider === provider.node.peerId);

const eventsOf = async (node: TestNode, type: ApiEvent['type']) =>
  (await node.api['events.since']({ after: 0, limit: 10_000 })).events.filter((e) => e.type === type);

/** How many offers the provider has made to the requester since `sinceMs` (its offers are kept for 30 s). */
const offersMadeSince = (provider: TestNode, requester: TestNode, sinceMs: number) =>
  provider.node.provider
    .recentOffers()
    .filter((o) => o.requester_peer === requester.node.peerId && Date.parse(o.timestamp) >= sinceMs).length;

test(
  'a daily quota refuses the units past it with its reason, the requester sees it, and the rest go to another provider',
  { timeout: 60_000 },
  async () => {
    nodes.push(await startNode(), await startNode(), await startNode());
    const [requester, limited, other] = nodes as [TestNode, TestNode, TestNode];
    await meshOf(nodes);
    const { job_id } = await submitManual(requester, 6);
    await waitFor('offers from both providers on every unit', async () => {
      const [a, b] = await Promise.all([offersFrom(requester, job_id, limited), offersFrom(requester, job_id, other)]);
      return a.length === 6 && b.length === 6;
    });
    // The quota comes after the offers: the acceptance is where it holds.
    await limited.api['policies.set']({ policies: [{ kind: 'quota', units_per_day: 2 }] });
    assert.deepEqual((await limited.api.status({})).policies, [{ kind: 'quota', units_per_day: 2 }]);
    const taken = await requester.api['offers.accept']({ job_id, node_id: limited.node.peerId });
    assert.equal(taken.accepted, 2);
    assert.deepEqual(
      taken.refused.map((r) => r.reason),
      Array(4).fill('the provider refused: daily quota reached: 2 of 2 units today (UTC)'),
    );

    const { job } = await requester.api['jobs.status']({ job_id, units: false });
    assert.equal(job.refusals.length, 1);
    assert.equal(job.refusals[0]!.provider, limited.node.peerId);
    assert.equal(job.refusals[0]!.units, 4);
    assert.equal(job.refusals[0]!.reason, 'daily quota reached: 2 of 2 units today (UTC)');
    const refused = await eventsOf(requester, 'unit.refused');
    assert.equal(refused.length, 4);
    assert.ok(
      refused.every((e) => e.data['provider'] === limited.node.peerId && e.data['reason'] === job.refusals[0]!.reason),
    );

    // The other four go to the other provider.
    const second = await requester.api['offers.accept']({ job_id, node_id: other.node.peerId });
    assert.equal(second.accepted, 4);
    const done = await jobEnded(requester.api, job_id, 30_000);
    assert.equal(done.state, 'completed');
    assert.equal(done.units_verified, 6);
    const { units } = await requester.api['jobs.status']({ job_id, units: true });
    const by = (p: TestNode) => units!.filter((u) => u.providers.includes(p.node.peerId)).length;
    assert.deepEqual([by(limited), by(other)], [2, 4]);
    // Its quota used, the limited provider offers this requester nothing more today.
    const quotaUsedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500)); // a commitment heartbeat, so another round
    assert.equal(offersMadeSince(limited, requester, quotaUsedAt), 0);
  },
);

test(
  'a rate limit refuses the units past it with its reason, and takes more as its window slides',
  { timeout: 60_000 },
  async () => {
    nodes.push(await startNode(), await startNode());
    const [requester, provider] = nodes as [TestNode, TestNode];
    await meshOf(nodes);
    const { job_id } = await submitManual(requester, 6);
    await waitFor('offers on every unit', async () => (await offersFrom(requester, job_id, provider)).length === 6);
    await provider.api['policies.set']({ policies: [{ kind: 'rate_limit', units: 2, per_seconds: 2 }] });
    await requester.api['offers.accept']({ job_id, node_id: provider.node.peerId });
    const { job } = await requester.api['jobs.status']({ job_id, units: false });
    assert.deepEqual(
      job.refusals.map((r) => [r.provider, r.units, r.reason]),
      [[provider.node.peerId, 4, 'rate limit reached: 2 of 2 units in 2 s']],
    );
    // The provider offers again as its window slides; each batch is taken by hand.
    await waitFor(
      'the job to complete',
      async () => {
        const { job: now } = await requester.api['jobs.status']({ job_id, units: false });
        if (now.units_verified === 6) return true;
        if ((await offersFrom(requester, job_id, provider)).length > 0)
          await requester.api['offers.accept']({ job_id, node_id: provider.node.peerId });
        return undefined;
      },
      40_000,
    );
    // Never more than 2 units accepted in any 2 s, as the provider journaled them.
    const times = [...provider.node.state.assignments.values()]
      .filter((a) => a.acceptance.requester_peer === requester.node.peerId)
      .map((a) => Date.parse(a.acceptedAt))
      .sort((a, b) => a - b);
    assert.equal(times.length, 6);
    for (let i = 2; i < times.length; i++)
      assert.ok(times[i]! - times[i - 2]! >= 2000, `accepted at ${times.join(', ')}`);
  },
);

test(
  'a requester I trust little runs up debt to its credit limit, is refused with the reason, and gets no more offers',
  { timeout: 60_000 },
  async () => {
    nodes.push(await startNode(), await startNode());
    const [requester, provider] = nodes as [TestNode, TestNode];
    await meshOf(nodes);
    await provider.api['prices.set']({ minimum: 1000 }); // 1 credit a unit
    const { job_id } = await submitManual(requester, 6);
    await waitFor('offers on every unit', async () => (await offersFrom(requester, job_id, provider)).length === 6);
    // Trust 0.0003: a credit limit of 3 credits, 3 units at 1 credit each.
    await seenGivingBack(provider, requester); // so that the credit limit, not the trickle, is what refuses
    await provider.api['trust.set']({ peer_id: requester.node.peerId, weight: 0.0003 });
    await requester.api['offers.accept']({ job_id, node_id: provider.node.peerId });
    const { job } = await requester.api['jobs.status']({ job_id, units: false });
    assert.deepEqual(
      job.refusals.map((r) => [r.units, r.reason]),
      [[3, 'credit limit reached: balance 0.000, 3.000 held, this unit 1.000; the limit is 3.000 credits']],
    );
    // The three it took are paid: the requester owes the provider 2.7 credits (the worker's 90 %).
    const ledger = await waitFor('the three units to be paid', async () => {
      const l = await provider.api['ledger.get']({ limit: 0 });
      return l.held === 0 && l.balance === 2700 ? l : undefined;
    });
    assert.deepEqual(ledger.peers, [{ peer_id: requester.node.peerId, balance: 2700, earned: 2700, spent: 0 }]);
    assert.equal(provider.node.state.positions.get(requester.node.peerId), 2700);
    // In debt to its limit, it is offered nothing more...
    const inDebtAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(offersMadeSince(provider, requester, inDebtAt), 0);
    assert.equal((await requester.api['jobs.status']({ job_id, units: false })).job.units_verified, 3);
    // ...until the provider trusts it more: the limit follows trust.
    await provider.api['trust.set']({ peer_id: requester.node.peerId, weight: 1 });
    await waitFor(
      'offers on the other three',
      async () => (await offersFrom(requester, job_id, provider)).length === 3,
    );
    await requester.api['offers.accept']({ job_id, node_id: provider.node.peerId });
    assert.equal((await jobEnded(requester.api, job_id, 30_000)).state, 'completed');
  },
);

test(
  'a requester that refunds a correct result as rejected is refused: the escrow stays held, the user is told, and it gets no more work',
  { timeout: 60_000 },
  async () => {
    const { provider, requester } = await hostileRequesterOf(3);
    try {
      // Units 0 and 1 are taken and computed; the offer for unit 2 is kept for later.
      const first = await requester.accept([0, 1]);
      assert.equal(first.accepted.length, 2);
      await waitFor('both results', () => requester.results.size === 2, 20_000);
      const cheated = await waitFor('the provider to notice both false refunds', async () => {
        const events = await eventsOf(provider, 'peer.cheated');
        return events.length === 2 ? events : undefined;
      });
      assert.ok(cheated.every((e) => e.data['peer'] === hostile!.peerId));
      // Refused: the escrows stay held, owed to the provider (results resent, refused again, told once).
      await new Promise((r) => setTimeout(r, 1000));
      for (const id of requester.results.keys()) assert.equal(provider.node.state.assignments.get(id)?.escrow, 'held');
      assert.equal(
        (await provider.api['ledger.get']({ limit: 0 })).held,
        2 * requester.offers.get(requester.units[0]!.unit_id)!.price,
      );
      const peer = (await provider.api['peers.list']({})).peers.find((p) => p.peer_id === hostile!.peerId)!;
      assert.equal(peer.false_refunds, 2);
      assert.equal((await eventsOf(provider, 'peer.cheated')).length, 2);
      await assertNoMoreWork(requester, 2);
    } finally {
      requester.stop();
    }
  },
);

test(
  'a requester that says it holds a result, then refunds it as cancelled, is refused: the escrow stays held, the user is told, and it gets no more work',
  { timeout: 60_000 },
  async () => {
    const { provider, requester } = await hostileRequesterOf(2, 'holding');
    try {
      const first = await requester.accept([0]);
      assert.equal(first.accepted.length, 1);
      const id = requester.offers.get(requester.units[0]!.unit_id)!.offer_id;
      await waitFor(
        'the provider to hear that its result is held',
        () => provider.node.provider.deliveredAt(id) !== undefined,
        20_000,
      );
      await requester.cancelHeld(provider.node.peerId);
      const cheated = await waitFor('the provider to notice the false refund', async () => {
        const events = await eventsOf(provider, 'peer.cheated');
        return events.length === 1 ? events : undefined;
      });
      assert.equal(cheated[0]!.data['assignment_id'], id);
      assert.equal(provider.node.state.assignments.get(id)?.escrow, 'held', 'the refund is not taken: still owed');
      const peer = (await provider.api['peers.list']({})).peers.find((p) => p.peer_id === hostile!.peerId)!;
      assert.equal(peer.false_refunds, 1);
      await assertNoMoreWork(requester, 1);
    } finally {
      requester.stop();
    }
  },
);

test(
  'acceptances sent at once are admitted one message after another: two messages cannot share one unit of quota',
  { timeout: 60_000 },
  async () => {
    const { provider, requester } = await hostileRequesterOf(2);
    try {
      await provider.api['policies.set']({ policies: [{ kind: 'quota', units_per_day: 1 }] });
      const replies = await Promise.all([requester.accept([0]), requester.accept([1])]);
      assert.equal(replies.flatMap((r) => r.accepted).length, 1, JSON.stringify(replies));
      assert.deepEqual(
        replies.flatMap((r) => r.refused.map((x) => x.reason)),
        ['daily quota reached: 1 of 1 units today (UTC)'],
      );
    } finally {
      requester.stop();
    }
  },
);

test(
  'an acceptance sent again after its offer was taken (and forgotten) runs nothing twice: the provider answers it as its own',
  { timeout: 60_000 },
  async () => {
    const { provider, requester } = await hostileRequesterOf(1);
    try {
      const id = requester.offers.get(requester.units[0]!.unit_id)!.offer_id;
      assert.deepEqual(await requester.accept([0]), { accepted: [id], refused: [] });
      await waitFor('its result', () => requester.results.size === 1, 20_000);
      assert.ok(!provider.node.provider.recentOffers().some((o) => o.offer_id === id), 'the taken offer is forgotten');
      // The same acceptance again, as a replaying requester sends it.
      assert.deepEqual(await requester.accept([0]), { accepted: [id], refused: [] });
      await new Promise((r) => setTimeout(r, 1000));
      const started = (await eventsOf(provider, 'unit.started')).filter(
        (e) => e.data['unit_id'] === requester.units[0]!.unit_id,
      );
      assert.equal(started.length, 1, 'the unit ran once');
      assert.equal(
        (await provider.api['ledger.get']({ limit: 0 })).held,
        requester.offers.get(requester.units[0]!.unit_id)!.price,
      );
    } finally {
      requester.stop();
    }
  },
);
