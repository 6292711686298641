// A batched job's unit inputs read as slices of its one input blob (node/mesh/context/blobs.ts), a
// block at a time: whatever order the units are read in, across blocks and jobs, each unit gets
// exactly its chunk, the last one short, and a copy it may change; asked for many at once, each is there.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { MeshState } from '../../src-main/core/mesh/state/state.js';
import { cidOfBytes } from '../../src-main/node/blobs/cid.js';
import { BlobStore } from '../../src-main/node/blobs/store.js';
import { fileListJson } from '../../src-main/core/workflow/references.js';
import type { NodeApi } from '../../src-main/node/mesh/api/node-api.js';
import { workflowHandlers } from '../../src-main/node/mesh/api/workflow-handlers.js';
import { withJobInputs } from '../../src-main/node/mesh/context/blobs.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-job-inputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Job {
  id: string;
  bytes: Buffer;
  chunk: number;
  /** Each unit's input CID, in unit order. */
  cids: string[];
}

/** A job whose input is `bytes` cut in chunks of `chunk` (the last may be short). */
function jobOf(id: string, bytes: Buffer, chunk: number): Job {
  const cids: string[] = [];
  for (let at = 0; at < bytes.byteLength; at += chunk) cids.push(cidOfBytes(bytes.subarray(at, at + chunk)));
  return { id, bytes, chunk, cids };
}

/** The slice of the state job-inputs reads: where a unit input lies, and its job's input. */
function stateOf(jobs: Job[]): MeshState {
  const places = new Map(jobs.flatMap((job) => job.cids.map((cid, index) => [cid, { jobId: job.id, index }] as const)));
  const inputs = new Map(
    jobs.map((job) => [
      job.id,
      { input: { cid: cidOfBytes(job.bytes), bytes: job.bytes.byteLength, chunk_bytes: job.chunk } },
    ]),
  );
  return { units: { findInput: (cid: string) => places.get(cid) }, jobs: inputs } as unknown as MeshState;
}

test('every unit reads its own chunk, in any order, across blocks and jobs', async () => {
  const store = new BlobStore(join(dir, 'blobs'));
  // Chunks of 100 bytes do not divide a 64 KiB block: some slices straddle two blocks.
  const first = jobOf('job-a', randomBytes(199_950), 100);
  const second = jobOf('job-b', randomBytes(70_001), 64);
  for (const job of [first, second]) assert.equal(await store.put(job.bytes), cidOfBytes(job.bytes));
  const blobs = withJobInputs(store, stateOf([first, second]));
  const expect = (job: Job, index: number) => job.bytes.subarray(index * job.chunk, (index + 1) * job.chunk);

  const orders: [Job, number][][] = [
    first.cids.map((_, i) => [first, i]),
    first.cids.map((_, i) => [first, first.cids.length - 1 - i]),
    // The two jobs alternating: each read leaves the other job's block.
    second.cids.flatMap((_, i) => [
      [second, i] as [Job, number],
      [first, (i * 7) % first.cids.length] as [Job, number],
    ]),
  ];
  for (const order of orders)
    for (const [job, index] of order) {
      const got = blobs.get(job.cids[index]!);
      assert.ok(got, `unit ${index} of ${job.id}`);
      assert.deepEqual(Buffer.from(got), expect(job, index), `unit ${index} of ${job.id}`);
      assert.equal(blobs.size(job.cids[index]!), expect(job, index).byteLength);
    }
  assert.equal(blobs.get(first.cids.at(-1)!)!.byteLength, 50, 'the last chunk is short');

  const kept = blobs.get(first.cids[3]!)!;
  kept.fill(0);
  assert.deepEqual(
    Buffer.from(blobs.get(first.cids[3]!)!),
    expect(first, 3),
    'a caller changing its copy changes nothing else',
  );
  store.close();
});

test("once the collector removes a job's input, its units' inputs are no longer there", async () => {
  const store = new BlobStore(join(dir, 'removed'));
  const job = jobOf('job-c', randomBytes(6_400), 64);
  await store.put(job.bytes);
  const blobs = withJobInputs(store, stateOf([job]));
  assert.equal(blobs.has(job.cids[0]!), true);
  assert.equal(blobs.size(job.cids[1]!), 64);
  assert.ok(blobs.get(job.cids[2]!));
  // Many at once, by size too: a unit's input is there at its chunk's size, not at another.
  const unheld = cidOfBytes(randomBytes(64));
  assert.deepEqual(blobs.hasAll([job.cids[0]!, unheld, job.cids[1]!]), [true, false, true]);
  assert.deepEqual(blobs.hasAll([job.cids[0]!, job.cids[1]!], [64, 65]), [true, false]);
  // Read many at once: a unit's input is its slice of the job's input, among blobs of the store's own.
  const own = randomBytes(100);
  const [ownCid] = await store.putMany([own]);
  const read = blobs.getMany([job.cids[3]!, unheld, ownCid!]);
  assert.deepEqual(
    read.map((bytes) => bytes && Buffer.from(bytes)),
    [job.bytes.subarray(192, 256), undefined, own],
  );
  const input = blobs.list().filter((blob) => blob.cid === cidOfBytes(job.bytes));
  assert.equal(blobs.remove(input, Date.now() + 1_000).removed, 1);
  assert.equal(blobs.has(job.cids[0]!), false);
  assert.deepEqual(blobs.hasAll([job.cids[0]!]), [false]);
  assert.equal(blobs.size(job.cids[1]!), undefined);
  assert.equal(blobs.get(job.cids[2]!), undefined);
  store.close();
});

test("a list of files given by CID that are only units' inputs inside a job's input is refused: the job's input may go", async () => {
  const store = new BlobStore(join(dir, 'listed'));
  const job = jobOf('job-d', randomBytes(640), 64);
  await store.put(job.bytes);
  const blobs = withJobInputs(store, stateOf([job]));
  const files = job.cids.slice(0, 3).map((cid, i) => ({ name: `f${i}`, cid, bytes: 64 }));
  const list = await store.put(Buffer.from(fileListJson(files)));
  const workflows = { run: () => ({ workflow_id: 'wf' }) };
  const handlers = workflowHandlers({ blobs, workflows } as unknown as NodeApi);
  const run = () =>
    handlers['workflows.run']({ document: '{}', inputs: { items: { files_cid: list } }, no_cache: false });
  await assert.rejects(run(), /its file f0 .* is not in this node's store/);
  // Once they are blobs of the store's own, the same list is taken.
  await store.putMany(files.map((_, i) => job.bytes.subarray(i * 64, (i + 1) * 64)));
  assert.equal((await run()).workflow_id, 'wf');
  store.close();
});
