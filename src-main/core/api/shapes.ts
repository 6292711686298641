// What the API's methods take and give back, apart from the methods themselves (contract.ts):
// the views of peers, jobs, units, offers and frames (the ledger's: ledger-shapes.ts), the two
// submit forms, and the size limits a server applies before it reads a request.
import * as z from '../schemas/zod.js';
import {
  base64Of,
  boundedArray,
  Count,
  Credits,
  Fraction,
  Id,
  idRecord,
  IsoTime,
  LIMITS,
  Name,
  NonNegative,
  Params,
  PeerId,
  JobRefusalSchema,
  MAX_JOB_REFUSALS,
  MAX_WASI_FILES_BYTES,
  WasiUnitParamsSchema,
} from '../schemas/index.js';
import { framesInOrder, FRAMES_OUT_OF_ORDER, MAX_FRAME, RENDER_SPEC_FIELDS } from '../schemas/render-job.js';
import { SHADER_LIMITS } from '../gpu/shader.js';
import { MAX_REDUNDANCY, MAX_UNITS_PER_PACK } from '../schemas/work.js';
import { SceneSchema } from '../render/scene.js';
import { LinkViewSchema } from './reach-shapes.js';
import { BlenderJobSchema, blenderFrames } from '../blender/unit.js';

/** Largest request body a server reads (a job's input travels inline, base64). */
export const MAX_API_BODY_BYTES = 64 * 1024 * 1024;
/** A job's input inline in jobs.submit (base64 in the JSON); a bigger one streams (UPLOAD_JOB_PATH). */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;
/** A program of real size: an interpreter or a compiler built for WASI is 10-30 MB. */
export const MAX_MODULE_BYTES = 64 * 1024 * 1024;
/**
 * A module inline in a request, as base64 (wasm_base64, blobs.put's data_base64): what a request's
 * body holds with room. A bigger one is put raw first (UPLOAD_BLOB_PATH) and named by `module_cid`.
 */
export const MAX_INLINE_MODULE_BYTES = 32 * 1024 * 1024;
/** A job's input sent as a stream (the upload path): stored once, as one blob, never held whole. */
export const MAX_STREAMED_INPUT_BYTES = 1024 * 1024 * 1024;
/** The most input one unit takes. */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
/** The event stream's WebSocket messages: events as JSON lines in order, one moment's in one message, at most this many. */
export const MAX_EVENTS_PER_FRAME = 64;
export const InlineModule = base64Of(MAX_INLINE_MODULE_BYTES);
export const Multiaddr = z
  .string()
  .check(z.minLength(1), z.maxLength(LIMITS.nameChars), z.regex(/^\//, 'a multiaddr starts with /'));
export const Empty = z.strictObject({});

/** A method of the API: its params' schema and its result's (contract.ts). */
export const method = <P extends z.ZodMiniType, R extends z.ZodMiniType>(params: P, result: R) => ({ params, result });

/** Bad messages dropped, per reason. */
export const DropCountsSchema = idRecord(Count, 64);

export const PeerViewSchema = z.strictObject({
  peer_id: PeerId,
  name: z.optional(Name),
  addresses: boundedArray(z.string().check(z.maxLength(LIMITS.nameChars)), LIMITS.addressesPerAdvert),
  connected: z.boolean(),
  /** My weight for them, and theirs for me as their last commitment said. */
  trust_mine: Fraction,
  trust_theirs: z.nullable(Fraction),
  bilateral: Fraction,
  reputation: Fraction,
  /** My trust that decides: my weight times its reputation; 0 once convicted. */
  effective_trust: Fraction,
  /** Its results that matched my own run of the unit. */
  checks_passed: Count,
  /** Its results that contradicted my own run of the unit (one convicts). */
  caught_lying: Count,
  /** When a check first caught it lying: it gets no more work from me. */
  convicted_at: z.nullable(IsoTime),
  /** Its refunds of my results as rejected that its own verdicts did not back; while above 0 it gets no work from me. */
  false_refunds: Count,
  dropped: DropCountsSchema,
  last_seen: z.nullable(IsoTime),
  /** While connected: direct or relayed, the address in use, the round-trip time. */
  link: z.nullable(LinkViewSchema),
});

/** `paused`: running, but short of budget: it takes no offers until its budget is set anew (`budget_needed`). */
const JobStateSchema = z.enum(['running', 'paused', 'completed', 'failed', 'cancelled']);

export const UnitViewSchema = z.strictObject({
  unit_id: Id,
  index: Count,
  status: z.enum(['open', 'assigned', 'verified', 'failed', 'cancelled']),
  /** Why a failed unit failed: the error every run agreed on (OutOfFuel, Trap…), or `no_agreement`. */
  failure: z.nullable(z.string().check(z.maxLength(64))),
  providers: boundedArray(PeerId, MAX_REDUNDANCY * 4),
  consensus_hash: z.nullable(Id),
  output_cid: z.nullable(Id),
  /** The requester's fuel estimate, when it made one (render tiles). */
  estimated_fuel: z.nullable(Count),
  /** For the verified result: the seconds its provider's offer estimated, and what running it took. */
  estimated_seconds: z.nullable(NonNegative),
  seconds: z.nullable(NonNegative),
  fuel: z.nullable(Count),
  /** Where the verified result ran: the CPU (WASM) or a GPU (WebGPU); null before a verdict. */
  device: z.nullable(z.enum(['cpu', 'gpu'])),
});

/** One unit's outcome and, once verified, its output (jobs.outputs). */
export const UnitOutputSchema = z.extend(
  z.pick(UnitViewSchema, { unit_id: true, index: true, status: true, failure: true, output_cid: true }),
  {
    output_base64: z.optional(z.string()),
    /** A WASI unit's stderr, when it wrote any: a diagnostic beside the output, not verified. */
    stderr_base64: z.optional(z.string()),
    /** Why a verified unit's output is not in this reply: not in my store, and no provider that has it sent it. */
    unavailable: z.optional(z.string().check(z.maxLength(1000))),
  },
);

export const JobViewSchema = z.strictObject({
  job_id: Id,
  name: Name,
  algorithm: Id,
  state: JobStateSchema,
  units_total: Count,
  /** Units made so far: fewer than units_total while a render job's later frames are still being estimated. */
  units_created: Count,
  /** Units that travel as one pack (core/mesh/rules/packs.ts): 1 when they travel alone. */
  units_per_pack: z.int().check(z.minimum(1), z.maximum(MAX_UNITS_PER_PACK)),
  units_verified: Count,
  units_failed: Count,
  /**
   * Units whose results are in but wait for another provider's result to agree before a verdict:
   * the results disagreed, or came from a provider still on probation and this node cannot run the
   * unit itself to check them (a shader tile needs a GPU). Without another provider to take the
   * unit, they wait.
   */
  units_awaiting_agreement: Count,
  redundancy: z.int().check(z.minimum(1), z.maximum(MAX_REDUNDANCY)),
  budget: Credits,
  /** What its escrows hold now: a unit in flight, its offer's price (a cap, billed by fuel); a result in, its price. */
  held: Credits,
  /** What it paid its providers. */
  spent: Credits,
  /** While paused: the budget it needs to finish, at the cheapest offer's terms (node/mesh/jobs/job-budgets.ts). */
  budget_needed: z.nullable(Credits),
  manual_accept: z.boolean(),
  /** Peers I have not trusted may compute it; otherwise only those I trust (weight > 0). */
  open_to_strangers: z.boolean(),
  submitted_at: IsoTime,
  completed_at: z.nullable(IsoTime),
  /** Why the node cancelled the job, when its user did not (a render job's later frame broke a limit). */
  cancel_reason: z.nullable(z.string().check(z.maxLength(1000))),
  /** Why a running job is not moving, when something stands in its way: too few providers for its redundancy, every offer over its price cap. */
  waiting: z.nullable(z.string().check(z.maxLength(1000))),
  /** Providers that refused acceptances of this job's units: the last reason each gave, and how many. */
  refusals: boundedArray(JobRefusalSchema, MAX_JOB_REFUSALS),
});

export const OfferViewSchema = z.strictObject({
  offer_id: Id,
  /** The unit it is for: the first of its pack's, in a packed job. */
  unit_id: Id,
  /** The job's units it is for: 1, or its pack's (core/mesh/rules/packs.ts). */
  units: z.int().check(z.minimum(1), z.maximum(MAX_UNITS_PER_PACK)),
  provider: PeerId,
  price: Credits,
  estimated_seconds: NonNegative,
  reputation: Fraction,
  trust: Fraction,
  /** 1: the provider and I trust each other; 2: only it trusts me (it serves me after its tier 1). */
  tier: z.union([z.literal(1), z.literal(2)]),
  expected_end: IsoTime,
});

/** A job's budget, in millicredits: more than none (a job with none can pay for nothing). */
export const Budget = z
  .int()
  .check(
    z.minimum(1, { error: (issue) => `a budget must be positive, at least 1 millicredit, got ${String(issue.input)}` }),
    z.maximum(Number.MAX_SAFE_INTEGER),
  );

/** What any job asks of the mesh: replicas, money, urgency, whether offers wait for the user, who may compute it. */
const JOB_TERMS = {
  redundancy: z._default(z.int().check(z.minimum(1), z.maximum(MAX_REDUNDANCY)), 1),
  budget: Budget,
  max_price: z.optional(Credits),
  priority: z._default(Fraction, 0.5),
  deadline: z.optional(IsoTime),
  manual_accept: z._default(z.boolean(), false),
  /** Peers I have not trusted may compute it (by default only those I trust do). */
  open_to_strangers: z._default(z.boolean(), false),
  /** A circle of mine it runs in: only its members compute it, by its active policy (core/circles). */
  circle: z.optional(Id),
};

/**
 * A job of WASI programs (docs/UNIT_ABI.md, section 15): its units' params, less `program` (argv[0]), and its
 * files: an input tree (node/exec/wasi/program.ts), stored once as a blob and mounted read-only at /input.
 */
export const WasiJobSchema = z.strictObject({
  program: z.optional(WasiUnitParamsSchema.shape.program),
  args: z._default(WasiUnitParamsSchema.shape.args, []),
  env: z._default(WasiUnitParamsSchema.shape.env, {}),
  items: z._default(WasiUnitParamsSchema.shape.items, 'chunks'),
  files_base64: z.optional(base64Of(MAX_WASI_FILES_BYTES)),
  /** Folders mapped where the program expects them, their files in files_base64 under i/ (core/schemas/wasi-dirs.ts). */
  dirs: WasiUnitParamsSchema.shape.dirs,
});

/** A job over an input, apart from the input itself (inline in jobs.submit, or streamed: UPLOAD_JOB_PATH). */
const SUBMIT_JOB_FIELDS = {
  name: z.optional(Name),
  /** A shipped kernel or library program: library and method, e.g. hash / sha256, crypto / ed25519_sign. */
  library: z.optional(Id),
  method: z.optional(Id),
  /**
   * A library program's units (docs/KERNELS.md, "The library"): chunks of the input (the default),
   * or framed items, a file each (node/exec/wasi/items.ts), as `meshctl run` sends them.
   */
  items: z.optional(WasiUnitParamsSchema.shape.items),
  /**
   * A library program's files, an input tree as wasi.files_base64 (WasiJobSchema), mounted read-only
   * at /input in every unit, where a method reads what its params name (data/join's right table).
   */
  files_base64: z.optional(base64Of(MAX_WASI_FILES_BYTES)),
  /** Or the user's own module under the unit ABI. */
  wasm_base64: z.optional(InlineModule),
  /** Or that module by its CID, in my store already: put there by blobs.put (a program too big for a request). */
  module_cid: z.optional(Id),
  /** Or a WGSL compute shader (GPU workers only; params: entry_point, workgroup_size, workgroups, buffer_size; docs/UNIT_ABI.md). */
  wgsl_code: z.optional(z.string().check(z.minLength(1), z.maxLength(SHADER_LIMITS.codeChars))),
  chunk_bytes: z.int().check(z.minimum(1), z.maximum(MAX_CHUNK_BYTES)),
  /**
   * Units a pack holds (core/mesh/rules/packs.ts; 1: none packed). Absent: sized by the node for its own
   * kernels' tiny units, 1 for a module or a shader, whose cost it cannot know.
   */
  units_per_pack: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_UNITS_PER_PACK))),
  params: z.optional(Params),
  /** The module (wasm_base64) is a WASI program: how each unit starts it (WasiJobSchema). */
  wasi: z.optional(WasiJobSchema),
  /** Or a Blender scene (BlenderJobSchema), a unit a frame. */
  blender: z.optional(BlenderJobSchema),
  /**
   * Or a kind of work the node was started with besides the built-in ones (node/kinds/seam.ts), by
   * its name: its planner reads the params and the input.
   */
  kind: z.optional(Id),
  ...JOB_TERMS,
};

/** The user's module, inline (wasm_base64) or put first and named (module_cid). */
const hasModule = (job: { wasm_base64?: string; module_cid?: string }) =>
  job.wasm_base64 !== undefined || job.module_cid !== undefined;

const oneModule = [
  (job: {
    wasm_base64?: string;
    module_cid?: string;
    library?: string;
    method?: string;
    wgsl_code?: string;
    blender?: unknown;
    kind?: string;
  }) =>
    !(job.wasm_base64 !== undefined && job.module_cid !== undefined) &&
    [
      hasModule(job),
      job.library !== undefined && job.method !== undefined,
      job.wgsl_code !== undefined,
      job.blender !== undefined,
      job.kind !== undefined,
    ].filter(Boolean).length === 1,
  {
    message:
      'name a kernel (library and method), or give a module (wasm_base64, or module_cid once put), a shader (wgsl_code), a Blender scene (blender) or a kind of work of the node (kind): exactly one',
  },
] as const;

/** WASI terms go with a module: a WASI program is one. */
const wasiWithModule = [
  (job: { wasm_base64?: string; module_cid?: string; wasi?: unknown; params?: unknown }) =>
    job.wasi === undefined || (hasModule(job) && job.params === undefined),
  {
    message:
      'wasi goes with a module (wasm_base64 or module_cid), and its units take no params: the wasi terms are theirs',
  },
] as const;

/** Items and files are a library's: a module's WASI terms hold its own. */
const itemsWithLibrary = [
  (job: { library?: string; items?: unknown; files_base64?: string }) =>
    (job.items === undefined && job.files_base64 === undefined) || job.library !== undefined,
  {
    message:
      'items and files_base64 go with a library method; a WASI module (wasm_base64) takes wasi.items and wasi.files_base64',
  },
] as const;

/** What every job's terms are checked for, submitted or quoted. */
const JOB_CHECKS = [oneModule, wasiWithModule, itemsWithLibrary, blenderFrames].map(([check, message]) =>
  z.refine<JobTerms>(check, message),
);
type JobTerms = Parameters<(typeof oneModule)[0]>[0] &
  Parameters<(typeof wasiWithModule)[0]>[0] &
  Parameters<(typeof itemsWithLibrary)[0]>[0] &
  Parameters<(typeof blenderFrames)[0]>[0];

export const SubmitJobSchema = z
  .strictObject({ ...SUBMIT_JOB_FIELDS, input_base64: base64Of(MAX_INPUT_BYTES) })
  .check(...JOB_CHECKS);

/**
 * A job over an input, quoted before it is submitted (`jobs.estimate`, `submit-job --dry-run`):
 * its terms, the input's size, and for a module of the user's whose units the node packs by what
 * its first one costs, the input's first bytes (a unit's and one more), which it runs as a submit
 * would; for a WASI program, its first unit's input, which it runs to estimate every unit. Nothing
 * is stored or journaled.
 */
export const EstimateJobSchema = z
  .strictObject({
    ...SUBMIT_JOB_FIELDS,
    input_bytes: Count.check(z.minimum(1)),
    first_bytes_base64: z.optional(base64Of(MAX_CHUNK_BYTES + 1)),
  })
  .check(...JOB_CHECKS);

/** What a job is expected to be, cost, hold and need, reckoned without journaling anything (core/scheduler/quote.ts). */
export const JobEstimateSchema = z.strictObject({
  /** Its units as the user counts them, and how many travel as one pack. */
  units: Count,
  units_per_pack: z.int().check(z.minimum(1), z.maximum(MAX_UNITS_PER_PACK)),
  /** A render job's frames, and the side of its units (render.submit's `tile`); null for a job over an input. */
  frames: z.nullable(Count),
  tile: z.nullable(z.int().check(z.minimum(1))),
  redundancy: z.int().check(z.minimum(1), z.maximum(MAX_REDUNDANCY)),
  /** What a unit's result is expected to be paid, a worker, on average; and what its escrow holds while it is in flight (an offer's cap). */
  unit_price: NonNegative,
  unit_held: NonNegative,
  /** What the job is expected to pay its providers in all. */
  cost: Credits,
  /** The budget that sees it through without pausing: every result's price held until the job completes, and one cap besides. */
  budget_needed: Credits,
  /** The budget asked for, and whether it is that much. */
  budget: Credits,
  enough: z.boolean(),
  /** Seconds it is expected to take on the `cores` that providers working for you offer now (their speed taken as the reference machine's); null when none offers any. */
  seconds: z.nullable(NonNegative),
  cores: Count,
  /** Whose prices: the fuel rate of offers in hand, or this node's own (no offer in hand, or units priced by time); `prices` says which in words. */
  priced_by: z.enum(['offers', 'own']),
  prices: z.string().check(z.maxLength(1000)),
});

/** The first line of a streamed submit (UPLOAD_JOB_PATH): the job as JSON; the input follows, raw. */
export const SubmitJobStreamSchema = z.strictObject(SUBMIT_JOB_FIELDS).check(...JOB_CHECKS);

export const FrameNumber = z.int().check(z.minimum(0), z.maximum(MAX_FRAME));

/**
 * A render job: the tiles of frames first..last of a scene (docs/SCENE.md), one unit per tile, or
 * per square of n×n tiles when a tile is too small to be worth a unit (core/render/unit-side.ts),
 * unless `exact_tiles`.
 */
export const SubmitRenderSchema = z
  .strictObject({
    name: z.optional(Name),
    scene: SceneSchema,
    ...RENDER_SPEC_FIELDS,
    tile: z._default(RENDER_SPEC_FIELDS.tile, 64),
    exact_tiles: z._default(z.boolean(), false),
    ...JOB_TERMS,
  })
  .check(z.refine(framesInOrder, FRAMES_OUT_OF_ORDER));

export const FrameViewSchema = z.strictObject({
  frame: FrameNumber,
  tiles_total: Count,
  tiles_verified: Count,
  /** The PNG, once every tile is verified and the frame assembled. */
  png_cid: z.nullable(Id),
});

export type JobView = z.infer<typeof JobViewSchema>;
export type UnitView = z.infer<typeof UnitViewSchema>;
export type UnitOutput = z.infer<typeof UnitOutputSchema>;
export type PeerView = z.infer<typeof PeerViewSchema>;
export type OfferView = z.infer<typeof OfferViewSchema>;
export type SubmitJob = z.infer<typeof SubmitJobSchema>;
export type SubmitJobTerms = z.infer<typeof SubmitJobStreamSchema>;
/** The terms as a client writes them (defaults not yet applied). */
export type SubmitJobTermsInput = z.input<typeof SubmitJobStreamSchema>;
export type SubmitRender = z.output<typeof SubmitRenderSchema>;
export type FrameView = z.infer<typeof FrameViewSchema>;
export type EstimateJob = z.output<typeof EstimateJobSchema>;
export type JobEstimate = z.infer<typeof JobEstimateSchema>;
