// The requester's frame assembly (node/kinds/render/frames.ts, through node/mesh/render/frame-outputs.ts) against a fake context: a frame is stitched
// once its last tile is in, from reads that grow with its tiles, not with their square; and a
// frame whose tile is reopened is stitched again once the tile has its new verdict.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unitIdOf } from '../../../src-main/core/mesh/state/unit-table.js';
import { ALGORITHM_VERSION, RENDER_ALGORITHM } from '../../../src-main/core/protocol/algorithm-ids.js';
import { tileParams } from '../../../src-main/core/render/index.js';
import type { WorkUnit } from '../../../src-main/core/schemas/index.js';
import { FrameOutputs } from '../../../src-main/node/mesh/render/frame-outputs.js';
import { fakeContext, type FakeContext } from './fixtures/fake-context.js';

const JOB = 'job-frames';
const SIDE = 160;
const TILE = 8; // 400 tiles a frame

function tileUnit(index: number, x: number, y: number, frame = 0): WorkUnit {
  return {
    unit_id: unitIdOf(JOB, index),
    job_id: JOB,
    algorithm_id: RENDER_ALGORITHM,
    algorithm_version: ALGORITHM_VERSION,
    required_resources: { cpu_cores: 1, ram_gb: 0.0625 },
    estimated_duration_seconds: 0.001,
    priority: 0.5,
    verification_redundancy: 1,
    module_cid: 'bafkreimodule',
    input_cid: 'bafkreiscene',
    params: { ...tileParams(frame, SIDE, SIDE, { x, y, w: TILE, h: TILE }, 1, 0) },
    verification: { kind: 'exact_hash' },
  };
}

/** A render job of `frames` frames of SIDE×SIDE in TILE-px tiles, journaled with its first frame's units; its units in order. */
async function renderJob(ctx: FakeContext, frames = 1): Promise<WorkUnit[]> {
  const units: WorkUnit[] = [];
  for (let frame = 0; frame < frames; frame++)
    for (let y = 0; y < SIDE; y += TILE)
      for (let x = 0; x < SIDE; x += TILE) units.push(tileUnit(units.length, x, y, frame));
  const perFrame = units.length / frames;
  await ctx.record([
    {
      type: 'job.submitted',
      job: {
        job_id: JOB,
        requester: ctx.me,
        name: 'frames',
        algorithm_id: RENDER_ALGORITHM,
        unit_count: units.length,
        redundancy: 1,
        budget: 1_000_000,
        render: {
          first_frame: 0,
          last_frame: frames - 1,
          width: SIDE,
          height: SIDE,
          spp: 1,
          tile: TILE,
          seed: 0,
          gpu: 'forbidden',
        },
      },
    },
    ...units.slice(0, perFrame).map((unit) => ({ type: 'unit.created' as const, unit })),
  ]);
  return units;
}

/** The job's units after its first frame's, journaled as a submit's later steps are. */
async function laterFrames(ctx: FakeContext, units: WorkUnit[]): Promise<void> {
  const perFrame = (SIDE / TILE) ** 2;
  await ctx.record(units.slice(perFrame).map((unit) => ({ type: 'unit.created' as const, unit })));
}

/** The tile's verdict journaled, with its pixels (one grey level per tile) in the store. */
async function verify(ctx: FakeContext, unit: WorkUnit, grey: number, round = ''): Promise<void> {
  const cid = await ctx.blobs.put(new Uint8Array(TILE * TILE * 4).fill(grey));
  await ctx.record([
    {
      type: 'unit.verified',
      event_id: `verdict/${unit.unit_id}${round}`,
      unit_id: unit.unit_id,
      verdict: 'verified',
      consensus_hash: cid,
    },
  ]);
}

test(
  'a frame is stitched once, when its last tile is in, from reads linear in its tiles',
  { timeout: 60_000 },
  async () => {
    const ctx = await fakeContext();
    const units = await renderJob(ctx);
    const frames = new FrameOutputs(ctx, { unit: () => undefined });
    let reads = 0;
    for (const name of ['get', 'progressOf'] as const) {
      const read = ctx.state.units[name].bind(ctx.state.units);
      ctx.state.units[name] = ((unitId: string) => {
        reads++;
        return read(unitId);
      }) as never;
    }
    try {
      for (const [i, unit] of units.entries()) {
        await verify(ctx, unit, i % 250);
        await frames.onVerdict(unit.unit_id);
        if (i < units.length - 1)
          assert.equal(ctx.recordedOf('frame.rendered').length, 0, 'no frame before its last tile');
      }
      assert.equal(ctx.recordedOf('frame.rendered').length, 1);
      assert.equal(ctx.emitted.filter((e) => e.type === 'render.tile').length, units.length);
      // A verdict reads its tile and the frame is read whole twice (its open tiles once, then to stitch
      // it); reading the frame at each verdict read 400 × 400.
      assert.ok(reads <= 8 * units.length, `${reads} reads of unit records for ${units.length} tiles`);
    } finally {
      frames.stop();
    }
  },
);

test(
  'a frame whose tile was reopened is stitched again with the tile as verified anew',
  { timeout: 60_000 },
  async () => {
    const ctx = await fakeContext();
    const units = await renderJob(ctx);
    const frames = new FrameOutputs(ctx, { unit: () => undefined });
    try {
      for (const unit of units) {
        await verify(ctx, unit, 7);
        await frames.onVerdict(unit.unit_id);
      }
      const [first] = ctx.recordedOf('frame.rendered');
      const withdrawn = units[123]!;
      await ctx.record([{ type: 'unit.reopened', unit_id: withdrawn.unit_id, convicted: '12D3KooWConvictedProvider' }]);
      assert.ok(!ctx.state.jobs.get(JOB)!.frames.has(0), 'the frame is withdrawn with its tile');
      await verify(ctx, withdrawn, 200, '/1');
      await frames.onVerdict(withdrawn.unit_id);
      const rendered = ctx.recordedOf('frame.rendered');
      assert.equal(rendered.length, 2, 'stitched again');
      assert.notEqual(rendered[1]!.png_cid, first!.png_cid, 'with the tile as verified anew');
      assert.equal(ctx.state.jobs.get(JOB)!.frames.get(0), rendered[1]!.png_cid);
    } finally {
      frames.stop();
    }
  },
);

test('frames journaled after a tile was verified are stitched too', { timeout: 60_000 }, async () => {
  const ctx = await fakeContext();
  const units = await renderJob(ctx, 2);
  const frames = new FrameOutputs(ctx, { unit: () => undefined });
  try {
    // Frame 0's first tile is verified while frame 1's units are still being journaled.
    await verify(ctx, units[0]!, 1);
    await frames.onVerdict(units[0]!.unit_id);
    await laterFrames(ctx, units);
    for (const unit of units.slice(1)) {
      await verify(ctx, unit, 2);
      await frames.onVerdict(unit.unit_id);
    }
    assert.deepEqual(
      ctx.recordedOf('frame.rendered').map((e) => e.frame),
      [0, 1],
    );
  } finally {
    frames.stop();
  }
});
