// A requester's trust gates, on real nodes in this process: offers from a provider it does not
// trust are dropped as they arrive unless their job is open to strangers; its topic carries only
// the work requests of its jobs open to strangers, and the peers it trusts, that trust it back, get
// them all directly.
import { unitIdsOf } from '../../../src-main/core/mesh/state/state.js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { contributionHistory, emptyContribution } from '../../../src-main/core/mesh/state/contribution.js';
import { offerGroupsOf } from '../../../src-main/core/protocol/messages.js';
import type { ComputeCommitment, Offer } from '../../../src-main/core/schemas/index.js';
import { HostilePeer } from './fixtures/hostile-peer.js';
import { startNode, stopAll, waitFor, type TestNode } from './cluster.js';

let r: TestNode;
let h: HostilePeer;
const others: TestNode[] = [];
after(async () => {
  await stopAll([r, ...others]);
  await h.stop();
});
before(async () => {
  r = await startNode();
  h = await HostilePeer.start();
  await r.node.network.connect(h.network.listenAddresses()[0]!);
});

/** A two-unit sha256 job of R's, accepted by hand (nothing is taken while the test looks). */
const submit = async (open: boolean) =>
  (
    await r.api['jobs.submit']({
      library: 'hash',
      units_per_pack: 1, // two units, two offers
      method: 'sha256',
      input_base64: randomBytes(128).toString('base64'),
      chunk_bytes: 64,
      redundancy: 1,
      budget: 1_000_000,
      priority: 0.5,
      manual_accept: true,
      open_to_strangers: open,
    })
  ).job_id;

let round = 0;
/** H offers for every unit of the job, straight to R (as a provider R once trusted might, knowing the unit ids). */
async function offerAll(jobId: string): Promise<void> {
  const now = new Date().toISOString();
  round++;
  const offers: Offer[] = [...unitIdsOf(r.node.state.jobs.get(jobId)!)].map((unitId, n) => ({
    offer_id: `${h.peerId}#${round}.${n}`,
    round,
    unit_id: unitId,
    job_id: jobId,
    requester_peer: r.node.peerId,
    provider_peer: h.peerId,
    slot_id: 'h',
    tier: 2,
    price: 10,
    estimated_seconds: 1,
    performance_score: 1,
    expected_start: now,
    expected_end: now,
    timestamp: now,
  }));
  const reply = await h.network.request(r.node.peerId, 'offers', { groups: offerGroupsOf(offers) });
  assert.equal(reply?.type, 'ack');
}

const offered = (jobId: string) => r.node.requester.heldOffers(jobId);

test('offers from a provider the requester does not trust are dropped, unless the job is open to strangers', async () => {
  const [closed, open] = [await submit(false), await submit(true)];
  await offerAll(closed);
  await offerAll(open);
  assert.deepEqual(offered(closed), [], 'not held');
  assert.deepEqual((await r.api['offers.list']({ job_id: closed })).offers, [], 'not listed');
  assert.equal((await r.api['offers.list']({ job_id: open })).offers.length, 2);
  await assert.rejects(r.api['offers.accept']({ job_id: closed, node_id: h.peerId }), /no open offer/);

  await r.api['trust.set']({ peer_id: h.peerId, weight: 0.5 });
  await offerAll(closed);
  assert.equal((await r.api['offers.list']({ job_id: closed })).offers.length, 2, 'trusted: taken in');
  // Trust withdrawn after the offers arrived: taking them by hand is refused, and says why.
  await r.api['trust.set']({ peer_id: h.peerId, weight: 0 });
  const taken = await r.api['offers.accept']({ job_id: closed, node_id: h.peerId });
  assert.equal(taken.accepted, 0);
  assert.equal(taken.refused.length, 2);
  for (const { reason } of taken.refused)
    assert.match(reason, /is not a peer I trust, and job .* is not open to strangers/);
});

/** The jobs whose work requests `viewer` holds from R, sorted. */
const jobsSeen = (viewer: TestNode) =>
  (viewer.node.ctx.commitments.get(r.node.peerId)?.work_requests ?? []).map((w) => w.job_id).sort();
/** R's running jobs, sorted: all of them, or those open to strangers. */
const jobsOf = (openOnly: boolean) =>
  [...r.node.state.jobs.values()]
    .filter((j) => !openOnly || j.job.open_to_strangers === true)
    .map((j) => j.job.job_id)
    .sort();
const sees = (viewer: TestNode, jobs: string[]) => () =>
  JSON.stringify(jobsSeen(viewer)) === JSON.stringify(jobs) || undefined;

test("R's topic carries its open jobs only; H, which R trusts and which trusts R, gets them all directly", async () => {
  const [trusted, stranger] = [await startNode(), await startNode()];
  others.push(trusted, stranger);
  for (const n of others) await n.node.network.connect(r.node.network.listenAddresses()[0]!);
  await r.api['trust.set']({ peer_id: trusted.node.peerId, weight: 1 });
  for (const n of others) await n.api['trust.set']({ peer_id: r.node.peerId, weight: 1 });
  await submit(false);
  await submit(true);
  assert.ok(jobsOf(true).length > 0 && jobsOf(true).length < jobsOf(false).length);
  await waitFor('H to see every job of R', sees(trusted, jobsOf(false)), 10_000);
  await waitFor('S to see the open ones', sees(stranger, jobsOf(true)), 10_000);
  await new Promise((resolve) => setTimeout(resolve, 2500)); // a heartbeat: nothing more reaches S, nothing is lost at H
  assert.deepEqual(jobsSeen(stranger), jobsOf(true));
  assert.deepEqual(jobsSeen(trusted), jobsOf(false));

  // R stops trusting H: H keeps following R, but sees only what a stranger sees; trusted again, all of it.
  await r.api['trust.set']({ peer_id: trusted.node.peerId, weight: 0 });
  await waitFor('H to see only the open jobs', sees(trusted, jobsOf(true)), 10_000);
  await r.api['trust.set']({ peer_id: trusted.node.peerId, weight: 0.5 });
  await waitFor('H to see every job again', sees(trusted, jobsOf(false)), 10_000);
});

test('a commitment sent directly is taken only from a peer followed, and only as its own', async () => {
  const [, stranger] = others as [TestNode, TestNode];
  await h.network.connect(stranger.node.network.listenAddresses()[0]!);
  const now = new Date().toISOString();
  const commitment = (peer: string): ComputeCommitment => ({
    peer_id: peer,
    availability_slots: [],
    work_requests: [],
    trust_weights: { [stranger.node.peerId]: 1 },
    contribution_history: contributionHistory(emptyContribution()),
    damping_factor: 1,
    over_allocation_history: [],
    timestamp: now,
    vector_clock: { [h.peerId]: 1 },
  });
  const send = (peer: string) => h.network.request(stranger.node.peerId, 'commitment', commitment(peer));
  assert.equal(await send(h.peerId), undefined, 'not followed: not taken');
  assert.equal(stranger.node.ctx.commitments.has(h.peerId), false);
  await stranger.api['trust.set']({ peer_id: h.peerId, weight: 1 });
  assert.equal((await send(h.peerId))?.type, 'ack');
  assert.ok(stranger.node.ctx.commitments.has(h.peerId));
  assert.equal(await send(r.node.peerId), undefined, "H's word for R's commitment: not taken");
  // What S holds for R is R's own (R may have published again meanwhile), never the body H sent.
  assert.equal(stranger.node.ctx.commitments.get(r.node.peerId)?.vector_clock[h.peerId], undefined);
});
