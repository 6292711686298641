// A trusted requester cannot fill a provider's disk: units whose distinct large outputs would
// pass its quota are not taken (or, once computed, handed back) until garbage collection frees
// room, and the job still completes, every output right.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { DEFAULT_STORAGE_CONFIG, type StorageConfig } from '../../../src-main/core/storage/storage-config.js';
import { cidOfBytes } from '../../../src-main/node/blobs/index.js';
import { shippedModules } from '../../../src-main/node/kinds/library/library.js';
import { reversed, reverseModule } from '../fixtures/hostile/modules.js';
import { jobEnded, meshOf, startNode, stopAll, type TestNode } from './cluster.js';

const nodes: TestNode[] = [];
after(() => stopAll(nodes));

const QUOTA = 256 * 1024;
const UNITS = 20;
const CHUNK = 48 * 1024; // outputs as large: files, fetched by the requester before its verdict
const storage: StorageConfig = {
  ...DEFAULT_STORAGE_CONFIG,
  gc_interval_s: 1,
  grace_s: 1,
  provider_retention_s: 0,
  requester_quota_bytes: QUOTA,
};

test(
  'a requester with distinct large outputs never holds more than its quota of the provider’s disk',
  { timeout: 180_000 },
  async () => {
    nodes.push(await startNode(), await startNode({ storage }));
    const [requester, provider] = nodes as [TestNode, TestNode];
    await meshOf(nodes);
    const shipped = new Set(shippedModules().map((m) => cidOfBytes(m)));
    // What the provider's store holds that is not its own: all of it the requester's.
    const held = () =>
      provider.node.ctx.blobs
        .list()
        .filter((b) => !shipped.has(b.cid))
        .reduce((sum, b) => sum + b.size, 0);
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, held())), 20);
    try {
      const input = randomBytes(UNITS * CHUNK);
      const { job_id } = await requester.api['jobs.submit']({
        wasm_base64: Buffer.from(reverseModule()).toString('base64'),
        input_base64: input.toString('base64'),
        chunk_bytes: CHUNK,
        redundancy: 1,
        budget: 100_000_000,
        priority: 0.5,
        manual_accept: false,
        open_to_strangers: false,
      });
      const job = await jobEnded(requester.api, job_id, 150_000);
      assert.equal(job.state, 'completed');
      for (let i = 0; i < UNITS; i++) {
        const { output_base64 } = await requester.api['jobs.output']({ job_id, unit_id: `${job_id}/${i}` });
        const chunk = input.subarray(i * CHUNK, (i + 1) * CHUNK);
        assert.ok(Buffer.from(output_base64, 'base64').equals(reversed(chunk)), `unit ${i}'s output`);
      }
    } finally {
      clearInterval(sampler);
    }
    most = Math.max(most, held());
    assert.ok(most <= QUOTA, `the provider held ${most} bytes for the requester, over its quota of ${QUOTA}`);
    assert.ok(most > QUOTA / 2, `the quota was used (${most} bytes at most): the test exercised it`);
    const { requesters } = await provider.api['storage.get']({});
    assert.ok(requesters.every((r) => r.bytes <= QUOTA));
  },
);
