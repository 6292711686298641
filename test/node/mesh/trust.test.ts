// Who gets computed for: nobody works for a requester nobody trusts, a provider fills its slot
// with its bilateral (tier 1) requesters' units before its one-way (tier 2) ones, and a requester
// that shares nothing gets a trickle unless the provider trusts it fully.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, test } from 'node:test';
import type { Offer } from '../../../src-main/core/schemas/index.js';
import { OFFER_TTL_MS } from '../../../src-main/core/scheduler/index.js';
import { nodeKinds } from '../../../src-main/node/kinds/built-in.js';
import { jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

let nodes: TestNode[] = [];
afterEach(async () => {
  await stopAll(nodes);
  nodes = [];
});

const submitHash = (node: TestNode, units: number, chunk: number, manual: boolean, open = false) =>
  node.api['jobs.submit']({
    library: 'hash',
    units_per_pack: 1, // one unit an assignment: the trickle counts assignments
    method: 'sha256',
    input_base64: randomBytes(units * chunk).toString('base64'),
    chunk_bytes: chunk,
    redundancy: 1,
    budget: 10_000_000,
    priority: 0.5,
    manual_accept: manual,
    open_to_strangers: open,
  });

/** The offers a requester holds for one job, with their rounds. */
const offersFor = (requester: TestNode, jobId: string): Offer[] => requester.node.requester.heldOffers(jobId);

test(
  'a requester nobody trusts gets no offer and no assignment while a trusted one is served',
  { timeout: 60_000 },
  async () => {
    nodes.push(await startNode(), await startNode(), await startNode());
    const [provider, trusted, stranger] = nodes as [TestNode, TestNode, TestNode];
    // provider <-> trusted both ways; the stranger trusts the provider, but nobody trusts the stranger.
    const edges = new Set(['0>1', '1>0', '2>0']);
    await meshOf(nodes, (from, to) => (edges.has(`${from}>${to}`) ? 1 : 0));
    const ignored = await submitHash(stranger, 10, 64, false);
    const served = await submitHash(trusted, 10, 64, false);

    const done = await waitFor(
      'the trusted job to complete',
      async () => {
        const { job } = await trusted.api['jobs.status']({ job_id: served.job_id, units: false });
        return job.state === 'running' ? undefined : job;
      },
      30_000,
    );
    assert.equal(done.state, 'completed');
    // Give the mesh a few more rounds (commitment heartbeat is 2 s) to make any mistake.
    await new Promise((r) => setTimeout(r, 3000));
    const { offers } = await stranger.api['offers.list']({ job_id: ignored.job_id });
    assert.equal(offers.length, 0);
    const { job, units } = await stranger.api['jobs.status']({ job_id: ignored.job_id, units: true });
    assert.equal(job.state, 'running');
    assert.equal(job.held, 0);
    assert.ok(units!.every((u) => u.status === 'open' && u.providers.length === 0));
    const stranger_id = stranger.node.peerId;
    assert.ok(
      !provider.node.provider.recentOffers().some((o) => o.requester_peer === stranger_id),
      'the provider never offered to the stranger',
    );
  },
);

/**
 * Provider P offering one 1-core slot of 42 ms. The hash kernel estimates 0.02 s per MiB, so a
 * 256 KiB unit is 0.005 core-seconds and the slot holds 8. A node offers only the slots in force
 * now, and a real one this short would be over before the test looked, so P's offer is set here
 * (the slot is dated an hour ahead, to stay open): what is tested is how P fills a slot, not
 * availability. P trusts both requesters; only `mutual` trusts P back, so `oneWay`'s job is open to
 * strangers (else P would not see it). Both submit in manual mode (nothing runs), and P sees both
 * jobs before its first round.
 */
async function smallSlotMesh() {
  nodes.push(await startNode(), await startNode(), await startNode());
  const [provider, mutual, oneWay] = nodes as [TestNode, TestNode, TestNode];
  const edges = new Set(['0>1', '1>0', '0>2']);
  await meshOf(nodes, (from, to) => (edges.has(`${from}>${to}`) ? 1 : 0));
  const chunk = 256 * 1024;
  const start = Date.now() + 3600_000;
  await provider.api['sharing.set']({ on: false });
  const slot = {
    slot_id: 'small',
    start_time: new Date(start).toISOString(),
    end_time: new Date(start + 42).toISOString(),
    resources: { cpu_cores: 1, ram_gb: 1 },
    algorithms: nodeKinds(() => undefined).offers({ shaders: false, blender: undefined, renderScore: 1 }),
    priority: 1,
  };
  provider.node.currentSlots = () => (provider.node.state.sharing ? [slot] : []);
  const first = await submitHash(mutual, 5, chunk, true);
  const second = await submitHash(oneWay, 6, chunk, true, true);
  await waitFor(
    "the provider to see both requesters' units",
    () => {
      const seen = (peer: string) =>
        provider.node.ctx.commitments.get(peer)?.work_requests.some((r) => r.work_units.length > 0);
      return seen(mutual.node.peerId) && seen(oneWay.node.peerId);
    },
    20_000,
  );
  await provider.api['sharing.set']({ on: true });
  await waitFor(
    'offers to arrive',
    () => offersFor(mutual, first.job_id).length === 5 && offersFor(oneWay, second.job_id).length >= 3,
    20_000,
  );
  return { provider, mutual, oneWay, first, second };
}

test(
  'a provider with one small slot offers to its tier 1 requester first and gives tier 2 only what is left',
  { timeout: 60_000 },
  async () => {
    const { provider, mutual, oneWay, first, second } = await smallSlotMesh();
    const tier1 = offersFor(mutual, first.job_id);
    assert.ok(tier1.every((o) => o.tier === 1 && o.provider_peer === provider.node.peerId));
    const firstRound = Math.min(...tier1.map((o) => o.round));
    assert.ok(
      tier1.every((o) => o.round === firstRound),
      'all tier 1 units placed in the first round',
    );
    const tier2 = offersFor(oneWay, second.job_id).filter((o) => o.round === firstRound);
    assert.equal(tier2.length, 3, 'tier 2 gets the 3 places left of 8');
    assert.ok(tier2.every((o) => o.tier === 2));
    const { offers } = await mutual.api['offers.list']({ job_id: first.job_id });
    assert.equal(offers.length, 5);
    assert.ok(offers.every((o) => o.tier === 1));
    const { offers: oneWayOffers } = await oneWay.api['offers.list']({ job_id: second.job_id });
    assert.ok(oneWayOffers.length >= 3 && oneWayOffers.every((o) => o.tier === 2));
  },
);

test('a provider does not offer past its slot while its earlier offers are open', { timeout: 60_000 }, async () => {
  const { provider } = await smallSlotMesh();
  await new Promise((r) => setTimeout(r, 4500)); // two commitment heartbeats, so two more rounds
  // An offer lapses after OFFER_TTL_MS and its unit may be offered again (a slow machine can take
  // that long to get here), so what is held to the slot is the offers open at any one moment.
  const offers = provider.node.provider.recentOffers().map((o) => Date.parse(o.timestamp));
  const openAt = (t: number) => offers.filter((made) => made <= t && t < made + OFFER_TTL_MS).length;
  const most = Math.max(...offers.map(openAt));
  assert.equal(most, 8, `offers outstanding at once on an 8-unit slot: ${most}`);
});

test(
  'a requester that shares nothing gets one unit per 120 s from a provider that trusts it less than fully; trusted fully, the rest',
  { timeout: 60_000 },
  async () => {
    nodes.push(await startNode(), await startNode({ workers: 2 }));
    const [requester, provider] = nodes as [TestNode, TestNode];
    // The provider's cores are idle, and nobody else wants them.
    await meshOf(nodes, (from) => (from === 0 ? 1 : 0.5));
    await requester.api['sharing.set']({ on: false });
    const { job_id: jobId } = await submitHash(requester, 6, 64, false);
    const mine = () =>
      [...provider.node.state.assignments.values()].filter((a) => a.acceptance.job_id === jobId).length;
    await waitFor('its first unit', () => mine() > 0 || undefined, 20_000);
    await new Promise((r) => setTimeout(r, 5000)); // two or more rounds' offers and acceptances
    assert.equal(mine(), 1, 'one unit in 120 s');

    await provider.api['trust.set']({ peer_id: requester.node.peerId, weight: 1 });
    assert.equal((await jobEnded(requester.api, jobId, 30_000)).state, 'completed');
    assert.equal(mine(), 6);
  },
);
