// A requester's trust gates, on real nodes in this process: offers from a provider it does not
// trust are dropped as they arrive unless their job is open to strangers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Offer } from '../../../src-main/core/schemas/index.js';
import { HostilePeer } from './fixtures/hostile-peer.js';
import { startNode, stopAll, type TestNode } from './cluster.js';

let r: TestNode;
let h: HostilePeer;
after(async () => {
  await stopAll([r]);
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
  const offers: Offer[] = r.node.state.jobs.get(jobId)!.unitIds.map((unitId, n) => ({
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
  const reply = await h.network.request(r.node.peerId, 'offers', { offers });
  assert.equal(reply?.type, 'ack');
}

const offered = (jobId: string) =>
  r.node.state.jobs.get(jobId)!.unitIds.flatMap((id) => [...(r.node.state.offersByUnit.get(id)?.values() ?? [])]);

test('offers from a provider the requester does not trust are dropped, unless the job is open to strangers', async () => {
  const [closed, open] = [await submit(false), await submit(true)];
  await offerAll(closed);
  await offerAll(open);
  assert.deepEqual(offered(closed), [], 'not journaled');
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
