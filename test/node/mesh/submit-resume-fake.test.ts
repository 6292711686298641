// A big job's units are journaled a batch a step after the job itself; a crash between those steps
// leaves the job with part of its units. The next start journals the rest from the stored input
// (a render job's: from its stored submit, by the pre-pass), or cancels the job, saying why, when
// that is gone. A render submit answers with its first step of frames journaled;
// the rest follow, and a later frame that breaks a limit cancels the job, saying why. Against a
// fake context: a real state and requester, the "crash" being a journal that holds the job and its
// first step only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { SubmitJobStreamSchema } from '../../../src-main/core/api/shapes.js';
import { unitIdOf } from '../../../src-main/core/mesh/state/unit-table.js';
import { LIMITS, type Job, type WorkUnit } from '../../../src-main/core/schemas/index.js';
import { cidOfBytes } from '../../../src-main/node/blobs/index.js';
import { ExecError, Executor } from '../../../src-main/node/exec/index.js';
import { splitJob, unitBatches } from '../../../src-main/node/mesh/jobs/job-split.js';
import { Requester } from '../../../src-main/node/mesh/requester/requester.js';
import { RecordError } from '../../../src-main/node/mesh/context/node-context.js';
import { sampleRenderSpec } from '../fixtures/sample-scene.js';
import { waitFor } from '../fixtures/p2p-peers.js';
import { fakeContext, type FakeContext } from './fixtures/fake-context.js';
import { renderJobUnits } from './fixtures/render-units.js';

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

/** 100 frames of 16 tiles: a first step of 16 frames (256 units), then steps of 62 (992), so three. */
/** 100 frames of 16 tiles, exact: grouped (they are tiny), each frame would be one unit. */
const RENDER_SPEC = sampleRenderSpec({ frames: 100, side: 64, tile: 16, spp: 1, exactTiles: true });

/** A render job as a crash mid-pre-pass leaves it: the job and its first step of frames journaled. */
async function cutShortRender(ctx: FakeContext): Promise<{ job: Job; units: WorkUnit[] }> {
  const { job, units, steps } = await renderJobUnits(ctx, executor, RENDER_SPEC);
  assert.deepEqual(
    steps.map((frames) => frames.length * 16),
    [256, 992, 352],
  );
  await ctx.record([
    { type: 'job.submitted', job },
    ...units.slice(0, 256).map((unit) => ({ type: 'unit.created' as const, unit })),
  ]);
  return { job, units };
}

test('a render submit cut short after its first step gets the rest of its frames at the next start', async () => {
  const ctx = await fakeContext();
  const { job, units } = await cutShortRender(ctx);
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 8 });
  await requester.start();
  try {
    const record = ctx.state.jobs.get(job.job_id)!;
    await waitFor(() => record.created === 1600, 'the rest of its units', 60_000);
    assert.equal(record.cancelled, false);
    // The same units a submit that ran through makes: ids, frames, tiles and estimates.
    for (const [index, unit] of units.entries())
      assert.deepEqual(ctx.state.units.get(unitIdOf(job.job_id, index))!.unit, unit, `unit ${index}`);
    assert.ok(
      ctx.logged.some((line) =>
        line.includes(`job ${job.job_id} had 256 of its 1600 units after a restart: estimating the rest`),
      ),
    );
  } finally {
    await requester.stop();
  }
});

test('a render submit cut short whose stored submit is gone is cancelled at the next start, saying why', async () => {
  const ctx = await fakeContext();
  const { job } = await cutShortRender(ctx);
  const cid = job.render!.submit_cid!;
  ctx.blobs.remove([{ cid, size: ctx.blobs.get(cid)!.byteLength, storedAt: 0, place: 'row' }], Date.now() + 1);
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 8 });
  await requester.start();
  try {
    const record = ctx.state.jobs.get(job.job_id)!;
    assert.equal(record.cancelled, true);
    assert.equal(record.created, 256);
    assert.match(record.cancelReason ?? '', /the submit is gone \(submit it again\)/);
  } finally {
    await requester.stop();
  }
});

test('a render submit answers with its first step of frames journaled; the rest follow, in order', async () => {
  const ctx = await fakeContext();
  const requester = new Requester(ctx, executor, { graceSeconds: 30, providerPipeline: 8 });
  try {
    const { job_id: jobId, units, frames } = await requester.submits.submitRender(RENDER_SPEC);
    assert.deepEqual({ units, frames }, { units: 1600, frames: 100 });
    const record = ctx.state.jobs.get(jobId)!;
    assert.equal(record.created, 256, 'its first step, when it answers');
    await waitFor(() => record.created === 1600, 'the rest of its units', 60_000);
    assert.equal(record.cancelled, false);
    for (let index = 0; index < 1600; index++) {
      const params = ctx.state.units.get(unitIdOf(jobId, index))!.unit.params!;
      assert.equal(params['frame'], Math.floor(index / 16), `unit ${index}'s frame`);
    }
  } finally {
    await requester.stop();
  }
});

test('a later frame the kernel refuses cancels the job, saying why; the submit had answered', async () => {
  const ctx = await fakeContext();
  // The same executor, but the pre-pass of frames past the first step fails as a refused scene does.
  const refusing = Object.assign(Object.create(executor) as Executor, {
    run: (request: Parameters<Executor['run']>[0]) =>
      Number((request.params as Record<string, unknown> | undefined)?.['frame']) >= 16
        ? Promise.reject(new ExecError('UnitFailed', 'scene: a mesh has no triangles'))
        : executor.run(request),
  });
  const requester = new Requester(ctx, refusing, { graceSeconds: 30, providerPipeline: 8 });
  try {
    const { job_id: jobId } = await requester.submits.submitRender(RENDER_SPEC);
    const record = ctx.state.jobs.get(jobId)!;
    await waitFor(() => record.cancelled, 'the job cancelled', 60_000);
    assert.equal(record.created, 256, 'its first step only');
    assert.match(record.cancelReason ?? '', /the render kernel refused the scene: .*a mesh has no triangles/);
  } finally {
    await requester.stop();
  }
});

test('a render submit whose later step the journal refuses is cancelled, saying why', async () => {
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
    const { job_id: jobId } = await requester.submits.submitRender(RENDER_SPEC);
    const job = ctx.state.jobs.get(jobId)!;
    await waitFor(() => job.cancelled, 'the job cancelled', 60_000);
    assert.equal(job.created, 256, 'its first step only');
    assert.match(job.cancelReason ?? '', /could not be journaled: .*disk full/);
  } finally {
    await requester.stop();
  }
});
