// The API's job methods, a part of its contract (contract.ts spreads them into API_METHODS):
// submitting a job (over an input, or a render job), following it and its frames, setting its
// budget, cancelling and forgetting it, its outputs, and the offers on a job accepted by hand.
import * as z from '../schemas/zod.js';
import { boundedArray, Count, Id, LIMITS, PeerId } from '../schemas/index.js';
import { Side } from '../schemas/render-job.js';
import { BlenderTilesSchema, MAX_TILES_SIDE } from '../schemas/blender-tiles.js';
import {
  Budget,
  Empty,
  EstimateJobSchema,
  JobEstimateSchema,
  FrameNumber,
  FrameViewSchema,
  InlineModule,
  JobViewSchema,
  method,
  OfferViewSchema,
  SubmitJobSchema,
  SubmitRenderSchema,
  UnitOutputSchema,
  UnitViewSchema,
} from './shapes.js';

/**
 * A frame of a job that makes frames: its tiles verified so far (a unit each; 1 where a unit is a
 * frame), its PNG once made, and `rendering`, the units of its tiles a provider is rendering now
 * (taken, no result yet: their unit.progress events are this frame's); absent where no longer known
 * (a compacted job's).
 */
const JobFrameViewSchema = z
  .strictObject({ ...FrameViewSchema.shape, rendering: z.optional(boundedArray(Id, MAX_TILES_SIDE ** 2)) })
  .check(
    z.refine(
      (f) => f.tiles_verified + (f.rendering?.length ?? 0) <= f.tiles_total,
      'a frame has no more tiles verified and rendering than it has tiles',
    ),
  );

/**
 * The frames of a job that makes them (core/kinds/frames.ts): a render job's and a tiled Blender
 * job's, stitched from tiles, a composited Blender job's, a unit each; each read with jobs.frame once
 * made. A Blender job of whole frames makes none (its units' outputs are its frames: blender.frames).
 */
const JobFramesSchema = z.strictObject({
  /** The frames' size; null where the job does not keep it (a composited Blender job's). */
  width: z.nullable(Side),
  height: z.nullable(Side),
  /** A render job's tile side as its tiles are rendered, a unit each (render.submit's `tile`); null for any other. */
  tile: z.nullable(Side),
  /** A tiled Blender job's grid; null for any other. */
  tiles: z.nullable(BlenderTilesSchema),
  frames: boundedArray(JobFrameViewSchema, LIMITS.unitsPerRequest),
});

export const JOB_METHODS = {
  /**
   * Bytes kept in my store for a job to name by their CID: a program too big to travel inside a
   * request (jobs.submit's module_cid). Over UPLOAD_BLOB_PATH its bytes come raw. Named by no job,
   * they go at the first collection past the store's grace.
   */
  'blobs.put': method(z.strictObject({ data_base64: InlineModule }), z.strictObject({ cid: Id, bytes: Count })),
  'jobs.submit': method(SubmitJobSchema, z.strictObject({ job_id: Id, units: Count })),
  /** What a job over an input would cost, hold and need, and how long it would take: nothing is stored or journaled. */
  'jobs.estimate': method(EstimateJobSchema, JobEstimateSchema),
  // `tile`: the side of the job's units, the tile asked for or a square of several.
  'render.submit': method(SubmitRenderSchema, z.strictObject({ job_id: Id, units: Count, frames: Count, tile: Side })),
  /** What a render job would cost, hold and need (its fuel pre-pass runs, as a submit's would): nothing is stored or journaled. */
  'render.estimate': method(SubmitRenderSchema, JobEstimateSchema),
  'jobs.frames': method(z.strictObject({ job_id: Id }), JobFramesSchema),
  /** jobs.frames' name before it served every kind (kept for a release: the last version's app and meshctl call it). */
  'jobs.blender_frames': method(z.strictObject({ job_id: Id }), JobFramesSchema),
  /** A finished frame's PNG: of a job that makes frames (jobs.frames). */
  'jobs.frame': method(
    z.strictObject({ job_id: Id, frame: FrameNumber }),
    z.strictObject({ png_cid: Id, png_base64: z.string() }),
  ),
  'jobs.status': method(
    /** `units`: also list units, a page of at most unitsPerPage from unit `units_from` (everyUnit pages on). */
    z.strictObject({ job_id: Id, units: z._default(z.boolean(), false), units_from: z.optional(Count) }),
    z.strictObject({ job: JobViewSchema, units: z.optional(boundedArray(UnitViewSchema, LIMITS.unitsPerPage)) }),
  ),
  /** My newest jobs, at most recordEntries, oldest first; `total`: how many I have (`jobs.status` shows any). */
  'jobs.list': method(Empty, z.strictObject({ jobs: boundedArray(JobViewSchema, LIMITS.recordEntries), total: Count })),
  'jobs.cancel': method(z.strictObject({ job_id: Id }), z.strictObject({ job: JobViewSchema })),
  /**
   * Sets a running job's budget anew: a job paused short of budget goes on (node/mesh/jobs/job-budgets.ts;
   * its view's `budget_needed` says what it needs); lowered, it holds and pays no more than that,
   * which may not be under what it has held or spent already.
   */
  'jobs.set_budget': method(z.strictObject({ job_id: Id, budget: Budget }), z.strictObject({ job: JobViewSchema })),
  /** Forgets a finished (completed or cancelled) job: its outputs go at the next garbage collection. */
  'jobs.delete': method(z.strictObject({ job_id: Id }), z.strictObject({ deleted: Id })),
  'jobs.output': method(
    z.strictObject({ job_id: Id, unit_id: Id }),
    // `stderr_base64`: a WASI unit's stderr, when it wrote any (a diagnostic, not verified).
    z.strictObject({ output_cid: Id, output_base64: z.string(), stderr_base64: z.optional(z.string()) }),
  ),
  'jobs.outputs': method(
    /**
     * A page of the job's units from unit `from` (0), each with its output once verified: at most
     * unitsPerPage units and about OUTPUTS_PAGE_BYTES of outputs; `next` is where the next page
     * starts, null after the last unit journaled.
     */
    z.strictObject({ job_id: Id, from: z.optional(Count) }),
    z.strictObject({ outputs: boundedArray(UnitOutputSchema, LIMITS.unitsPerPage), next: z.nullable(Count) }),
  ),
  'offers.list': method(
    z.strictObject({ job_id: Id }),
    z.strictObject({ offers: boundedArray(OfferViewSchema, LIMITS.unitsPerRequest) }),
  ),
  'offers.accept': method(
    z.strictObject({ job_id: Id, node_id: PeerId }),
    z.strictObject({
      accepted: Count,
      refused: boundedArray(z.strictObject({ offer_id: Id, reason: z.string() }), LIMITS.unitsPerRequest),
    }),
  ),
} as const;
