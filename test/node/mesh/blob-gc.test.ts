// Garbage collection racing a job: collections every few milliseconds, with no retention at all,
// never take what an open unit names (the requester's inputs) or a kept output; once the job is
// done its inputs go, its outputs stay until the job is deleted, and the provider keeps nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { DEFAULT_STORAGE_CONFIG, type StorageConfig } from '../../../src-main/core/storage/storage-config.js';
import { cidOfBytes } from '../../../src-main/node/blobs/index.js';
import { shippedModules } from '../../../src-main/node/kinds/library/library.js';
import { hashJob, meshOf, startNode, stopAll, waitFor, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

const UNITS = 60;
const storage: StorageConfig = {
  ...DEFAULT_STORAGE_CONFIG,
  gc_interval_s: 1,
  grace_s: 1,
  provider_retention_s: 0,
  input_retention_s: 0,
};

test(
  'collections racing an open job keep its inputs and kept outputs; finished work goes by the settings',
  { timeout: 120_000 },
  async () => {
    nodes.push(await startNode({ storage }), await startNode({ storage }));
    const [requester, provider] = nodes as [TestNode, TestNode];
    await meshOf(nodes);
    const shipped = new Set(shippedModules().map((m) => cidOfBytes(m)));
    const { params, input, chunk } = hashJob(UNITS, true, 1);
    const { job_id } = await requester.api['jobs.submit']({ ...params, redundancy: 1 });
    const inputCids = Array.from({ length: UNITS }, (_, i) => cidOfBytes(input.subarray(i * chunk, (i + 1) * chunk)));
    // Past the grace: from here only the job's being open keeps its inputs.
    await sleep(1500);
    let collections = 0;
    const race = setInterval(() => {
      for (const { node } of nodes) node.collector.collect();
      collections++;
    }, 5);
    try {
      await waitFor('offers', async () =>
        (await requester.api['offers.list']({ job_id })).offers.length > 0 ? true : undefined,
      );
      // Many collections while nothing is accepted yet: a job's inputs are needed before any offer is taken.
      await waitFor('collections to race the open job', () => (collections >= 20 ? true : undefined));
      for (const cid of inputCids)
        assert.equal(requester.node.ctx.blobs.has(cid), true, 'an open job keeps its inputs');
      // By hand, a pipeline's worth at a time: the job stays open for many collections.
      const job = await waitFor(
        'the job to complete',
        async () => {
          await requester.api['offers.accept']({ job_id, node_id: provider.node.peerId }).catch(() => undefined); // none open now
          const status = await requester.api['jobs.status']({ job_id, units: false });
          return status.job.state === 'running' ? undefined : status.job;
        },
        90_000,
      );
      assert.equal(job.state, 'completed');
    } finally {
      clearInterval(race);
    }
    const outputs: string[] = [];
    for (let i = 0; i < UNITS; i++) {
      const { output_base64, output_cid } = await requester.api['jobs.output']({ job_id, unit_id: `${job_id}/${i}` });
      const expected = createHash('sha256')
        .update(input.subarray(i * chunk, (i + 1) * chunk))
        .digest();
      assert.ok(Buffer.from(output_base64, 'base64').equals(expected), `unit ${i}'s output`);
      outputs.push(output_cid);
    }

    // Finished: past the grace, the inputs go (no retention); the outputs stay; the provider keeps nothing of it.
    await sleep(1200);
    requester.node.collector.collect();
    provider.node.collector.collect();
    for (const cid of inputCids) assert.equal(requester.node.ctx.blobs.has(cid), false, 'a finished job’s inputs go');
    for (const cid of outputs) assert.equal(requester.node.ctx.blobs.has(cid), true, 'its outputs stay');
    const left = provider.node.ctx.blobs.list().filter((b) => !shipped.has(b.cid));
    assert.deepEqual(left, [], 'the provider keeps nothing of settled work');

    // Deleted: its outputs go at the next collection, and the storage view says what was freed.
    await assert.rejects(requester.api['jobs.delete']({ job_id: 'job-none' }), /no job/);
    await requester.api['jobs.delete']({ job_id });
    const before = (await requester.api['storage.get']({})).freed_bytes_total;
    requester.node.collector.collect();
    for (const cid of outputs) assert.equal(requester.node.ctx.blobs.has(cid), false, 'a deleted job’s outputs go');
    const view = await requester.api['storage.get']({});
    assert.equal(view.freed_bytes_total - before, 32 * new Set(outputs).size);
    assert.equal(view.by_kind.output, 0);
    assert.equal((await requester.api['jobs.list']({})).jobs.length, 0);
  },
);
