// A packed job's offers and events as its user sees them: each offer (offers.list, for
// --manual-accept) is for a pack, named by the pack's first unit as the user counts units, and says
// how many it covers — not "unit 1" for the second pack, which is the id of the job's second unit;
// the requester's unit events count the job's units, not its packs, and name no pack by its index.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ApiEvent } from '../../../src-main/core/api/contract.js';
import { hashJob, jobEnded, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

/** A job of 600 units of 64 bytes, which the node packs 256 a pack (256, 256 and 88), in manual mode: the provider's offers on its packs. */
async function packedJobOffers(requester: TestNode, provider: TestNode) {
  const { params } = hashJob(600, true);
  const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
  const offers = await waitFor('offers on the three packs', async () => {
    const listed = (await requester.api['offers.list']({ job_id })).offers;
    const mine = listed.filter((o) => o.provider === provider.node.peerId);
    return mine.length === 3 ? mine : undefined;
  });
  return { job_id, offers };
}

test("a packed job's offers name each pack's first unit and its units", { timeout: 60_000 }, async () => {
  nodes.push(await startNode(), await startNode());
  const [requester, provider] = nodes as [TestNode, TestNode];
  await meshOf(nodes);
  const { job_id, offers } = await packedJobOffers(requester, provider);
  assert.deepEqual(
    offers.map((o) => [o.unit_id, o.units]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      [`${job_id}/0`, 256],
      [`${job_id}/256`, 256],
      [`${job_id}/512`, 88],
    ],
  );
  const { job } = await requester.api['jobs.status']({ job_id, units: false });
  assert.deepEqual([job.units_total, job.units_per_pack], [600, 256]);
});

test("a packed job's unit events count its units, and name a pack by its first unit", { timeout: 60_000 }, async () => {
  const [requester] = nodes as [TestNode, TestNode];
  const { params } = hashJob(600, false);
  const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
  assert.equal((await jobEnded(requester.api, job_id, 50_000)).state, 'completed');
  const events: ApiEvent[] = [];
  for (let seen = 0; ;) {
    const page = (await requester.api['events.since']({ after: seen, limit: 1000 })).events;
    if (page.length === 0) break;
    events.push(...page);
    seen = page.at(-1)!.id;
  }
  const mine = events.filter((e) => e.data['job_id'] === job_id);
  const unitsIn = (one: string, many: string) =>
    mine.reduce((sum, e) => sum + (e.type === one ? 1 : e.type === many ? Number(e.data['units']) : 0), 0);
  assert.equal(unitsIn('unit.verified', 'units.verified'), 600, 'verified, as the user counts units');
  assert.equal(unitsIn('unit.finished', 'units.finished'), 600, 'finished');
  assert.ok(unitsIn('unit.accepted', 'units.accepted') >= 600, 'accepted');
  for (const named of mine.filter((e) => e.data['unit_id'] !== undefined)) {
    const index = Number(String(named.data['unit_id']).split('/').at(-1));
    assert.equal(index % 256, 0, `${named.type} names ${String(named.data['unit_id'])}, not a pack's first unit`);
  }
});

test("a packed job's refusals count the units of the packs refused, not the packs", { timeout: 60_000 }, async () => {
  const [requester, provider] = nodes as [TestNode, TestNode];
  const { job_id, offers } = await packedJobOffers(requester, provider);
  // A quota counts assignments, so a pack as one: this provider has run packs for this requester today.
  await provider.api['policies.set']({ policies: [{ kind: 'quota', units_per_day: 1 }] });
  const taken = await requester.api['offers.accept']({ job_id, node_id: provider.node.peerId });
  assert.ok(taken.refused.length >= 2, `${taken.refused.length} packs refused`);
  const unitsOf = new Map(offers.map((o) => [o.offer_id, o.units]));
  const refusedUnits = taken.refused.reduce((sum, r) => sum + unitsOf.get(r.offer_id)!, 0);
  const { job } = await requester.api['jobs.status']({ job_id, units: false });
  assert.deepEqual(
    job.refusals.map((r) => [r.provider, r.units]),
    [[provider.node.peerId, refusedUnits]],
  );
  await provider.api['policies.set']({ policies: [] });
});
