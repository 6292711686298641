// A render job as the requester journals it: the scene compiled once per frame that differs (a
// scene where nothing but the camera moves shares one blob), every frame split into tiles, one
// unit per tile, each with its own fuel estimate from a coarse pre-pass on this machine, made a
// step of frames at a time (the first before the submit answers, the rest after: render-submits.ts).
// Tiles too small to be worth a unit are grouped, n×n of them a unit (core/render/unit-side.ts),
// from a probe of the first frame: the job's tile is then the unit's side.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { MAX_API_BODY_BYTES, type SubmitRender } from '../../../core/api/contract.js';
import { SubmitRenderSchema } from '../../../core/api/shapes.js';
import {
  coarseFactor,
  coarseSize,
  coarseTile,
  compileScene,
  estimateTileFuel,
  framesShareBlob,
  pixelFuelOf,
  renderUnitSide,
  splitFrame,
  RENDER_COMPARATOR,
  RENDER_TOLERANCE_DB,
  tileParams,
  type FrameProbe,
  type Tile,
} from '../../../core/render/index.js';
import { decodeJson, LIMITS, type Job, type RenderSpec, type WorkUnit } from '../../../core/schemas/index.js';
import { ApiError } from '../../api/errors.js';
import { DEFAULT_LIMITS, ExecError, Executor } from '../../exec/index.js';
import { mapInFlight, RUNS_IN_FLIGHT } from '../../exec/in-flight.js';
import { loadKernel } from '../../exec/kernels.js';
import { REFERENCE_FUEL_PER_SECOND } from '../../hardware/calibrate.js';
import { ALGORITHM_VERSION, RENDER_ALGORITHM } from '../../../core/protocol/algorithm-ids.js';
import type { NodeContext } from '../context/node-context.js';
import type { Blobs } from '../context/blobs.js';

/**
 * A pre-pass of at least this many runs (about half a second on one worker) runs on a pool of its
 * own, a worker a core: it is the user's own job, whose frames wait for it, where the node's pool is
 * only the share of the machine offered to others (one worker in the benchmarks, where a 4K frame in
 * 16-px tiles waits 5.6 s for its pre-pass).
 */
const OWN_POOL_RUNS = 4_096;

/** The pool a job's pre-pass runs on, and how to let it go (the node's own pool is not closed). */
export interface PrepassPool {
  pool: Executor;
  close(): Promise<void>;
}

/**
 * The pool the pre-pass of these frames of the job runs on: the node's, or, for a big pre-pass (a
 * pixel and a coarse tile per tile, a frame) on a machine with more cores than that pool, its own.
 */
export function openPrepassPool(executor: Executor, plan: RenderPlan, frames: readonly number[]): PrepassPool {
  const runs = frames.length * (plan.tiles.length + 1);
  const cores = availableParallelism();
  if (runs < OWN_POOL_RUNS || cores <= executor.workers) return { pool: executor, close: async () => {} };
  const pool = Executor.start({ workers: cores });
  return { pool, close: () => pool.close() };
}

/** About the most of a render job's units journaled in a step: 60,000 tiles in one hold the main thread 1.3 s. */
const RENDER_UNITS_PER_STEP = 1_000;
/**
 * ...and in the first, which the submit waits for, at most this many (at least a frame): a step
 * of ~950 units of 128 px makes a 1080p submit take 0.4 s to answer on a 2-core machine.
 */
const FIRST_STEP_UNITS = 256;

/** A tile's estimate may use at most this share of a unit's fuel limit: room for the estimate's error. */
const FUEL_HEADROOM = 0.5;

/** A render job before its units: what each step of frames needs to make its units. */
export interface RenderPlan {
  job: Job;
  spec: SubmitRender;
  tiles: Tile[];
  module: Uint8Array;
  moduleCid: string;
  /** The one scene blob every frame shares, when nothing but the camera moves. */
  shared?: Uint8Array;
  /** The first frame's blob, when the submit's probe compiled it already (a 32,768-triangle scene: ~0.3 s). */
  firstBlob?: Uint8Array;
  verification: WorkUnit['verification'];
}

/** How big a job's units are (sizeUnits), and its first frame compiled, when that took compiling. */
export interface UnitSizing {
  side: number;
  firstBlob?: Uint8Array;
}

/**
 * The job of a render submit, checked but with no unit yet: the pre-pass makes them, a step of
 * frames at a time. The submit is stored (`render.submit_cid`), so that a restart can make the
 * units of the frames it had not; `job`: the job already journaled, when a restart resumes it.
 */
export async function planRenderJob(
  ctx: { me: string; blobs: Pick<Blobs, 'put'> },
  spec: SubmitRender,
  journaled?: Job,
  /** The side of its units (sizeUnits), when they are bigger than the tiles asked for. */
  sizing: UnitSizing = { side: spec.tile },
  /** Its id, when the caller derives it (a workflow's step); a random one otherwise. */
  jobId = `job-${randomBytes(8).toString('hex')}`,
): Promise<RenderPlan> {
  const side = journaled?.render?.tile ?? sizing.side;
  const tiles = splitFrame(spec.width, spec.height, side);
  if (!tiles.ok) throw new ApiError('bad_request', tiles.error);
  const frames = spec.last_frame - spec.first_frame + 1;
  const count = frames * tiles.value.length;
  if (count > LIMITS.unitsPerRequest) {
    throw new ApiError(
      'bad_request',
      `${frames} frames of ${tiles.value.length} tiles are ${count} units; a job may have at most ${LIMITS.unitsPerRequest} (use fewer frames or bigger tiles)`,
    );
  }
  const module = loadKernel('render');
  const job: Job = journaled ?? {
    job_id: jobId,
    requester: ctx.me,
    name:
      spec.name ??
      `render ${frames === 1 ? `frame ${spec.first_frame}` : `frames ${spec.first_frame}–${spec.last_frame}`} ${spec.width}×${spec.height}`,
    unit_count: count,
    redundancy: spec.redundancy,
    budget: spec.budget,
    algorithm_id: RENDER_ALGORITHM,
    manual_accept: spec.manual_accept,
    open_to_strangers: spec.open_to_strangers,
    render: {
      first_frame: spec.first_frame,
      last_frame: spec.last_frame,
      width: spec.width,
      height: spec.height,
      spp: spec.spp,
      tile: side,
      seed: spec.seed,
      gpu: spec.gpu,
      submit_cid: await ctx.blobs.put(new TextEncoder().encode(JSON.stringify(spec))),
    },
    ...(spec.deadline !== undefined ? { deadline: spec.deadline } : {}),
  };
  return {
    job,
    spec,
    tiles: tiles.value,
    module,
    moduleCid: await ctx.blobs.put(module),
    ...(framesShareBlob(spec.scene) ? { shared: sizing.firstBlob ?? frameBlob(spec, spec.first_frame) } : {}),
    ...(sizing.firstBlob ? { firstBlob: sizing.firstBlob } : {}),
    // GPU tiles are not bit-exact: a job that lets them run on a GPU verifies by comparator (docs/GPU.md).
    verification:
      spec.gpu === 'forbidden'
        ? { kind: 'exact_hash' }
        : { kind: 'comparator', comparator: RENDER_COMPARATOR, tolerance: RENDER_TOLERANCE_DB },
  };
}

/** The submit a render job (of this spec) stored (planRenderJob), when it is still there and reads back as one. */
export function storedRenderSubmit(ctx: Pick<NodeContext, 'blobs'>, render: RenderSpec): SubmitRender | undefined {
  const cid = render.submit_cid;
  const bytes = cid === undefined ? undefined : ctx.blobs.get(cid);
  if (!bytes) return undefined;
  // It came through the API, so it is no bigger than a request may be.
  const spec = decodeJson(SubmitRenderSchema, new TextDecoder().decode(bytes), MAX_API_BODY_BYTES);
  return spec.ok ? spec.value : undefined;
}

/**
 * The job's frames in journal steps, about RENDER_UNITS_PER_STEP units each, the first about
 * FIRST_STEP_UNITS: a frame's tiles are all there or none (frames.ts waits for a frame's every
 * tile). The first step goes with the job.
 */
export function renderFrameSteps(plan: RenderPlan): number[][] {
  const { first_frame: first, last_frame: last } = plan.spec;
  const frames = (units: number) => Math.max(1, Math.floor(units / plan.tiles.length));
  const steps: number[][] = [];
  for (let start = first; start <= last; start += steps.at(-1)!.length) {
    const size = frames(steps.length === 0 ? FIRST_STEP_UNITS : RENDER_UNITS_PER_STEP);
    steps.push(Array.from({ length: Math.min(size, last - start + 1) }, (_, f) => start + f));
  }
  return steps;
}

/**
 * The units of these frames of the job, in frame order (unit ids by their place in the whole job),
 * each tile with its fuel estimate from the pre-pass on `pool`; their scene blobs stored first, so
 * that no unit names an input that is not there. Rejects with a bad_request naming the limit a
 * frame breaks (its scene too big for a unit's input, a tile over the fuel limit, a scene the
 * kernel refuses).
 */
export async function renderUnitsOf(
  ctx: { blobs: Pick<Blobs, 'put'> },
  plan: RenderPlan,
  pool: Executor,
  frames: readonly number[],
): Promise<WorkUnit[]> {
  const { job, spec, tiles } = plan;
  const blobs = new Map<number, Uint8Array>();
  for (const frame of frames)
    blobs.set(
      frame,
      plan.shared ?? (frame === spec.first_frame ? plan.firstBlob : undefined) ?? frameBlob(spec, frame),
    );
  const estimates = await estimateFrames(pool, plan.module, blobs, spec, tiles, job.render!.tile);
  // Not Math.max(...tiles): 100,000 of them are near the most a call's arguments may be.
  const worst = estimates.flat().reduce((most, fuel) => Math.max(most, fuel), 0);
  if (worst > DEFAULT_LIMITS.fuel * FUEL_HEADROOM) {
    throw new ApiError(
      'bad_request',
      `a tile of frame ${frames[estimates.findIndex((fuel) => fuel.includes(worst))]} would take about ${worst.toExponential(1)} fuel; a unit may use at most ${DEFAULT_LIMITS.fuel.toExponential(1)} (use smaller tiles or fewer samples)`,
    );
  }
  const cidOf = new Map<Uint8Array, string>(); // frames that share a blob store (and hash) it once
  for (const blob of new Set(blobs.values())) cidOf.set(blob, await ctx.blobs.put(blob));
  const units: WorkUnit[] = [];
  for (const [f, frameEstimates] of estimates.entries()) {
    const frame = frames[f]!;
    for (const [t, tile] of tiles.entries()) {
      const fuel = frameEstimates[t]!;
      units.push({
        unit_id: `${job.job_id}/${(frame - spec.first_frame) * tiles.length + t}`,
        job_id: job.job_id,
        algorithm_id: RENDER_ALGORITHM,
        algorithm_version: ALGORITHM_VERSION,
        // A GPU-only job asks for GPU memory: only slots with a GPU have any. Its scene in f32 is under the blob's size.
        required_resources: {
          cpu_cores: 1,
          ram_gb: 0.0625,
          ...(spec.gpu === 'required'
            ? { gpu_vram_gb: Math.max(1 / 1024, blobs.get(frame)!.byteLength / 2 ** 30) }
            : {}),
        },
        // On the reference machine; a provider divides by its calibrated score (fuel/s over the reference).
        estimated_duration_seconds: fuel / REFERENCE_FUEL_PER_SECOND,
        estimated_fuel: fuel,
        priority: spec.priority,
        verification_redundancy: spec.redundancy,
        module_cid: plan.moduleCid,
        input_cid: cidOf.get(blobs.get(frame)!)!,
        params: { ...tileParams(frame, spec.width, spec.height, tile, spec.spp, spec.seed) },
        ...(spec.max_price !== undefined ? { max_price: spec.max_price } : {}),
        ...(spec.circle !== undefined ? { circle: spec.circle } : {}),
        verification: plan.verification,
      });
    }
  }
  return units;
}

/** Frame `frame` of the scene compiled; a bad_request if it is too big for a unit's input. */
function frameBlob(spec: SubmitRender, frame: number): Uint8Array {
  const blob = compileScene(spec.scene, frame);
  if (blob.byteLength > DEFAULT_LIMITS.maxInputBytes) {
    throw new ApiError(
      'bad_request',
      `the compiled scene of frame ${frame} is ${blob.byteLength} bytes; a unit's input may be at most ${DEFAULT_LIMITS.maxInputBytes} (fewer triangles)`,
    );
  }
  return blob;
}

/** A probe's coarse frame is at most this wide and high: a few thousand paths, milliseconds on one worker. */
const PROBE_SIDE = 128;

/**
 * A probe of one frame on `pool` (core/render/unit-side.ts): one pixel, and the whole frame coarse
 * (at most PROBE_SIDE a side) at 1 spp and at 2, which tell a pixel's own fuel from its samples'.
 */
async function probeFrame(pool: Executor, spec: SubmitRender, frame: number, blob: Uint8Array): Promise<FrameProbe> {
  const k = Math.ceil(Math.max(spec.width, spec.height) / PROBE_SIDE);
  const coarse = coarseSize(spec.width, spec.height, k);
  const whole = { x: 0, y: 0, w: coarse.width, h: coarse.height };
  const runs = [
    { footprint: { x: 0, y: 0, w: 1, h: 1 }, spp: 1 },
    { footprint: whole, spp: 1 },
    { footprint: whole, spp: 2 },
  ];
  const [fixedFuel, oneSpp, twoSpp] = await Promise.all(
    runs.map(({ footprint, spp }) =>
      prepassFuel(pool, loadKernel('render'), { frame, blob, footprint }, coarse, spec.seed, spp),
    ),
  );
  const pixelFuel = pixelFuelOf({ fixedFuel: fixedFuel!, oneSpp: oneSpp!, twoSpp: twoSpp!, pixels: whole.w * whole.h });
  return { fixedFuel: fixedFuel!, coarseFuel: oneSpp!, coarse: whole, pixelFuel };
}

/**
 * The side of the job's units (core/render/unit-side.ts): the tile asked for, or a square of
 * several, from a probe of its first frame on `pool`; the tile asked for when the job wants exact tiles.
 */
export async function sizeUnits(pool: Executor, spec: SubmitRender): Promise<UnitSizing> {
  if (spec.exact_tiles) return { side: spec.tile };
  const blob = frameBlob(spec, spec.first_frame);
  const probe = await probeFrame(pool, spec, spec.first_frame, blob);
  const frames = spec.last_frame - spec.first_frame + 1;
  return { side: renderUnitSide({ ...spec, frames }, probe, REFERENCE_FUEL_PER_SECOND), firstBlob: blob };
}

/** One run of a pre-pass: a footprint of the coarse frame at `spp` (1 unless told), its fuel. */
async function prepassFuel(
  executor: Executor,
  module: Uint8Array,
  { frame, blob, footprint }: { frame: number; blob: Uint8Array; footprint: Tile },
  coarse: { width: number; height: number },
  seed: number,
  spp = 1,
): Promise<number> {
  try {
    const params = tileParams(frame, coarse.width, coarse.height, footprint, spp, seed);
    return (await executor.run({ module, input: blob, params: { ...params } })).fuel;
  } catch (err) {
    if (err instanceof ExecError && err.code === 'UnitFailed')
      throw new ApiError('bad_request', `the render kernel refused the scene: ${err.message}`);
    throw err;
  }
}

/**
 * Each frame's tiles' estimated fuel, from the coarse pre-pass (core/render/estimate.ts) run here:
 * per frame, one pixel (its fixed cost) and each tile's coarse footprint, all frames in one queue;
 * a pixel's own fuel from a probe of the first frame (probeFrame).
 */
async function estimateFrames(
  executor: Executor,
  module: Uint8Array,
  blobs: ReadonlyMap<number, Uint8Array>,
  spec: SubmitRender,
  tiles: Tile[],
  side: number,
): Promise<number[][]> {
  const k = coarseFactor(side);
  const coarse = coarseSize(spec.width, spec.height, k);
  const footprints = [{ x: 0, y: 0, w: 1, h: 1 }, ...tiles.map((tile) => coarseTile(tile, k, coarse))];
  const runs = [...blobs].flatMap(([frame, blob]) => footprints.map((footprint) => ({ frame, blob, footprint })));
  const [first, firstBlob] = [...blobs][0]!;
  const [{ pixelFuel }, fuel] = await Promise.all([
    probeFrame(executor, spec, first, firstBlob),
    mapInFlight(runs, RUNS_IN_FLIGHT, (run) => prepassFuel(executor, module, run, coarse, spec.seed)),
  ]);
  return [...blobs].map((_, f) => {
    const [fixedFuel, ...coarseFuel] = fuel.slice(f * footprints.length, (f + 1) * footprints.length);
    return tiles.map((tile, t) =>
      estimateTileFuel({
        fixedFuel: fixedFuel!,
        coarseFuel: coarseFuel[t]!,
        coarse: footprints[t + 1]!,
        tile,
        spp: spec.spp,
        ...(pixelFuel !== undefined ? { pixelFuel } : {}),
      }),
    );
  });
}
