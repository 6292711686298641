// A big job's units are journaled a batch a step after the job itself; a crash between those steps
// leaves the job with part of its units. The next start journals the rest from the stored input,
// or cancels the job when the input is gone; a render job's are made only at its submit, so it is
// cancelled. Against a fake context: a real state and requester, the "crash" being a journal that
// holds the job and its first step only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { SubmitJobStreamSchema } from '../../../src-main/core/api/shapes.js';
import { unitIdOf } from '../../../src-main/core/mesh/unit-table.js';
import { LIMITS } from '../../../src-main/core/schemas/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/index.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { splitJob, unitBatches } from '../../../src-main/node/mesh/jobs.js';
import { renderUnitSteps, splitRenderJob } from '../../../src-main/node/mesh/render-jobs.js';
import { Requester } from '../../../src-main/node/mesh/requester.js';
import { RecordError } from '../../../src-main/node/mesh/context.js';
import { ApiError } from '../../../src-main/node/api/errors.js';
import { sampleRenderSpec } from '../fixtures/sample-scene.js';
import { fakeContext, type FakeContext } from './fixtures/fake-context.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

const CHUNK = 4;
/** Two and a half batches: the "crash" leaves the first. */
const UNITS = LIMITS.unitsPerBatch * 2 + LIMITS.unitsPerBatch / 2;

/** A job of UNITS sha256 units journaled as a crash after its first step leaves it: its id and input. */
async function cutShortJob(ctx: FakeContext): Promise<{ jobId: string; input: Buffer; inputCid: string }> {
  const input = randomBytes(UNITS * CHUNK);
  async function* source() {
    yield new Uint8Array(input);
  }
  const spec = SubmitJobStreamSchema.parse({
    library: 'hash',
    method: 'sha256',
    chunk_bytes: CHUNK,
    units_per_pack: 1, // batches of units, not of packs
    budget: 1e9,
  });
  const { job, template, input: stored, digests } = await splitJob(ctx, spec, source());
  const [first] = unitBatches(job.job_id, digests);
  await ctx.record([{ type: 'job.submitted', job, template, input: stored }, first!]);
  return { jobId: job.job_id, input, inputCid: stored.cid };
}

test('a submit cut short after its first batch gets the rest of its units at the next start', async () => {
  const ctx = await fakeContext();
  const { jobId, input } = await cutShortJob(ctx);
  assert.equal(ctx.state.jobs.get(jobId)!.created, LIMITS.unitsPerBatch, 'the crash left one batch');
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 8 });
  await requester.start();
  try {
    const record = ctx.state.jobs.get(jobId)!;
    assert.equal(record.created, UNITS);
    assert.equal(record.cancelled, false);
    // Each unit names its own chunk, those journaled before the crash and those after alike.
    for (const index of [0, LIMITS.unitsPerBatch - 1, LIMITS.unitsPerBatch, UNITS - 1]) {
      const chunk = input.subarray(index * CHUNK, (index + 1) * CHUNK);
      assert.equal(ctx.state.units.get(unitIdOf(jobId, index))!.unit.input_cid, cidOfBytes(chunk), `unit ${index}`);
    }
    // A second start finds nothing to finish: no unit is journaled twice.
    const events = ctx.recorded.length;
    await requester.start();
    assert.equal(ctx.recorded.length, events);
  } finally {
    await requester.stop();
  }
});

test('a submit cut short whose input is gone is cancelled at the next start', async () => {
  const ctx = await fakeContext();
  const { jobId, inputCid } = await cutShortJob(ctx);
  ctx.blobs.remove([{ cid: inputCid, size: UNITS * CHUNK, storedAt: 0, place: 'row' }], Date.now() + 1);
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 8 });
  await requester.start();
  try {
    const record = ctx.state.jobs.get(jobId)!;
    assert.equal(record.cancelled, true);
    assert.equal(record.created, LIMITS.unitsPerBatch);
  } finally {
    await requester.stop();
  }
});

test('a render submit cut short after its first step is cancelled at the next start, its steps whole frames', async () => {
  const ctx = await fakeContext();
  // 100 frames of 16 tiles: steps of 62 frames (992 units), so two.
  const spec = sampleRenderSpec({ frames: 100, side: 64, tile: 16, spp: 1 });
  const { job, units, perFrame } = await splitRenderJob(ctx, executor, spec);
  const steps = renderUnitSteps(units, perFrame);
  assert.deepEqual(
    steps.map((step) => step.length),
    [992, 608],
  );
  assert.deepEqual(
    steps.flat().map((e) => (e.type === 'unit.created' ? e.unit.unit_id : '')),
    units.map((u) => u.unit_id),
  );
  await ctx.record([{ type: 'job.submitted', job }, ...steps[0]!]);
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 8 });
  await requester.start();
  try {
    const record = ctx.state.jobs.get(job.job_id)!;
    assert.equal(record.cancelled, true);
    assert.equal(record.created, 992);
    assert.ok(ctx.logged.some((line) => line.includes(`job ${job.job_id} had 992 of its 1600 units`)));
  } finally {
    await requester.stop();
  }
});

test('a render submit whose later step the journal refuses fails, and its job is cancelled at once', async () => {
  const ctx = await fakeContext();
  const record = ctx.record.bind(ctx);
  let steps = 0;
  ctx.record = async (events) => {
    if (events.some((e) => e.type === 'unit.created') && ++steps === 2)
      throw new RecordError([{ type: 'unit.created', code: 'io', message: 'disk full' }]);
    return record(events);
  };
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 8 });
  try {
    await assert.rejects(
      requester.submitRender(sampleRenderSpec({ frames: 100, side: 64, tile: 16, spp: 1 })),
      (err: unknown) => err instanceof ApiError && /could not be journaled: .*disk full/.test(err.message),
    );
    const [submitted] = ctx.recordedOf('job.submitted');
    const job = ctx.state.jobs.get(submitted!.job.job_id)!;
    assert.equal(job.created, 992, 'its first step only');
    assert.equal(job.cancelled, true);
  } finally {
    await requester.stop();
  }
});
