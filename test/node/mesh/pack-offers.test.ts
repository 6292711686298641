// A packed job's offers as its user sees them (offers.list, for --manual-accept): each offer is for
// a pack, named by the pack's first unit as the user counts units, and says how many it covers —
// not "unit 1" for the second pack, which is the id of the job's second unit.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hashJob, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

test("a packed job's offers name each pack's first unit and its units", { timeout: 60_000 }, async () => {
  nodes.push(await startNode(), await startNode());
  const [requester, provider] = nodes as [TestNode, TestNode];
  await meshOf(nodes);
  // 600 units of 64 bytes, which the node packs 256 a pack: 256, 256 and 88.
  const { params } = hashJob(600, true);
  const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
  const offers = await waitFor('offers on the three packs', async () => {
    const listed = (await requester.api['offers.list']({ job_id })).offers;
    const mine = listed.filter((o) => o.provider === provider.node.peerId);
    return mine.length === 3 ? mine : undefined;
  });
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
