// The seam every kind of work plugs into (docs/ARCHITECTURE.md, "Kinds of work"): a kind is a
// planner (a job's terms → its units: the one place jobs are planned, for a submit, a quote and a
// workflow's step), a runtime (what this node offers of it, and a unit run to its output) and its
// spec (core/kinds: its algorithm ids, its output's noun, how it is checked), and, for a kind whose
// units' outputs make frames, its frames (the requester's assembly of them, and their view). The roles (node/mesh)
// import only these types and reach a kind through Kinds, by a unit's algorithm id or a job's
// terms; only the wiring names concrete kinds (node/kinds/built-in.ts).
import type { MethodResult, SubmitJobTerms } from '../../core/api/contract.js';
import type { SampleProgress } from '../../core/blender/progress.js';
import type { KindSpec } from '../../core/kinds/index.js';
import type { JobRecord, MeshState } from '../../core/mesh/state/state.js';
import type { AlgorithmCapability, Job, WorkUnit } from '../../core/schemas/index.js';
import type { Executor } from '../exec/index.js';
import type { GpuService } from '../gpu/gpu-service.js';
import type { Archive } from '../journal/archive.js';
import type { NodeBasics } from '../mesh/context/node-basics.js';

/** A job's module and its units' params, as its terms resolve them. */
export interface Resolved {
  algorithmId: string;
  /** What the job is called when not named (`library/method`). */
  label?: string;
  /** The units' module, by CID: a WASM module, a shader's source, a scene, or a kind's own bytes. */
  module: Uint8Array;
  params: Record<string, unknown>;
  /** Reference seconds per input MiB: a unit's estimate where no probe says better. */
  secondsPerMiB: number;
  /** GPU memory a unit's buffers take (a shader's); 0 for a unit that needs no GPU. */
  gpuBytes: number;
  /** Files every unit mounts (a WASI job's input tree), stored once as the units' required_dataset. */
  files?: Uint8Array;
}

/** A job planned: its units' module and params, their cost, and what the kind does to the job. */
export interface Plan<T extends { redundancy: number } = SubmitJobTerms> {
  resolved: Resolved;
  /** Reference seconds a unit takes, where a run here or a preflight measured it. */
  seconds?: number;
  /** Whether a unit's cost is known well enough to pack tiny units by default (packs.ts). */
  knownCost: boolean;
  /** The terms as the job runs (a Blender job checked by two providers: redundancy 2 at least). */
  terms: T;
  /** The units' inputs from the job's input as it streams (a tiled Blender job's frames become tiles). */
  through?(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  /** The job's own fields, once its input has passed through (`through`). */
  jobFields?(): Partial<Job>;
}

/** What a plan may use: my blobs (a module_cid's), where to run a probe, and the input's start. */
export interface PlanEnv {
  blobs: { get(cid: string): Uint8Array | undefined };
  /** Where a user's module is checked and its first unit run; absent: planned without runs (a workflow's memo keys). */
  executor?: Executor;
  /** The input's first `headBytes` bytes, where the caller has them. */
  head?: Uint8Array;
}

export interface KindPlanner {
  /** Whether these terms are this kind's (by the fields only it has, or `kind`). */
  claims(terms: SubmitJobTerms): boolean;
  /** The units' chunk and input bytes from a job's input of `bytes` (frames become tiles); absent: as given. */
  unitInput?(terms: SubmitJobTerms, bytes: number): { chunk: number; bytes: number };
  /**
   * The units' module and params from the terms alone, with nothing run or read (a workflow step's
   * memo keys); absent for a kind that needs a run to know them (Blender's preflight).
   */
  resolve?(terms: SubmitJobTerms, blobs: PlanEnv['blobs']): Resolved;
  /** Bytes of the input's start its plan runs a probe on (0: it reads none). */
  headBytes(terms: SubmitJobTerms): number;
  /** The plan of a job of these terms; throws ApiError (bad_request) for terms it refuses, saying why. */
  plan<T extends SubmitJobTerms>(terms: T, env: PlanEnv): Promise<Plan<T>>;
}

/** The machine, as a runtime sizes its offer. */
export interface MachineOffer {
  /** Whether this node takes shader units (GpuService.acceptsShaderUnits). */
  shaders: boolean;
  /** The Blender algorithm it renders others' scenes with now, if any. */
  blender: string | undefined;
  /** The calibrated speed of its render (the GPU's, with one ready). */
  renderScore: number;
}

/** A unit to run, its module and input in hand, and what it may run on. */
export interface KindRun {
  unit: WorkUnit;
  module: Uint8Array;
  input: Uint8Array;
  /** The unit's files (its `required_dataset`'s blob), for a runtime that reads them. */
  files?: Uint8Array;
  signal: AbortSignal;
  cpu: Executor;
  gpu: GpuService | undefined;
  /** A long unit's progress (Blender's samples), for a runtime that reports it. */
  onProgress?: (progress: SampleProgress) => void;
}

export interface RanUnit {
  output: Uint8Array;
  /** Fuel, for metered (CPU) units. */
  fuel?: number;
  wallMs: number;
  device?: 'gpu';
  /** A WASI program's stderr as its host kept it: a diagnostic beside the output, not compared. */
  stderr?: Uint8Array;
}

export interface KindRuntime {
  /** The algorithms this node offers of the kind now, at their speed. */
  offers(machine: MachineOffer): AlgorithmCapability[];
  /** The most bytes of a unit's module a provider fetches. */
  moduleLimit: number;
  /** The most bytes of a unit's files (required_dataset) it fetches; absent: its units read none. */
  filesLimit?: number;
  /** Whether tiny units travel in packs (a unit's run depends on its input and params alone). */
  packable: boolean;
  /** Whether a unit takes a whole machine's worth of a worker (a Blender process): one a worker at once. */
  heavy: boolean;
  /**
   * Why I refuse `requester`'s unit as its provider (Blender's: sharing off, the requester trusted
   * below my threshold, another Blender); undefined, or absent: taken, as admission allows.
   */
  refusal?(state: MeshState, requester: string, unit: Pick<WorkUnit, 'algorithm_id'>): string | undefined;
  /** Runs the unit to its output; rejects with the engine's coded error (ExecError, GpuError). */
  run(run: KindRun): Promise<RanUnit>;
}

/** What a kind's frames need of the node: its context, where a compacted job's units went, and a PNG encoder. */
export interface FramesNode {
  readonly ctx: Pick<
    NodeBasics,
    'background' | 'blender' | 'blobs' | 'emit' | 'events' | 'fetchBlob' | 'log' | 'me' | 'record' | 'signal' | 'state'
  >;
  readonly archive: Pick<Archive, 'unit'>;
  /** Encodes RGBA pixels as a PNG off the main thread (started at the first frame); undefined once the node stopped. */
  png(): { encode(width: number, height: number, rgba: Uint8Array): Promise<Uint8Array> } | undefined;
}

/** A job's frames as the API gives them (jobs.frames). */
export type FramesView = MethodResult<'jobs.frames'>;

/**
 * The requester's side of a kind whose units' outputs make frames (core/kinds/frames.ts, the one
 * layout): once a job's units that make a frame are verified, the frame is made (stitched,
 * composited), stored and journaled (`frame.rendered`), and said (`render.frame`).
 */
export interface KindFrames {
  /** Unit `index` of my job `job` reached its verdict: its frame made if it was the last it waited for. */
  onVerdict(job: JobRecord, index: number): Promise<void>;
  /** After a restart, or when a provider comes back: the frames not yet made. */
  resume(): Promise<void>;
  /** The job's frames: each one's units verified so far, and its PNG once made. */
  view(job: JobRecord): FramesView;
}

export interface WorkloadKind {
  /** A built-in kind's KindName, or a kind a node registered itself. */
  name: string;
  spec: KindSpec;
  /** Absent: its jobs are planned by their own submit (a render's scene: render/render-jobs.ts). */
  planner?: KindPlanner;
  runtime: KindRuntime;
  /** Its frames, made on the node `node` (absent: a unit's output is all its job gives). */
  frames?(node: FramesNode): KindFrames;
}

/** The kinds this node knows, found by a unit's algorithm id or a job's terms. */
export interface Kinds {
  /** The kind of a unit of `algorithmId`; undefined: none here runs it. */
  of(algorithmId: string): WorkloadKind | undefined;
  /** The kind whose planner claims the terms; throws ApiError (bad_request) when none does. */
  planning(terms: SubmitJobTerms): WorkloadKind & { planner: KindPlanner };
  /** Why I refuse `requester`'s unit, as its kind's runtime says (runtime.refusal); undefined: taken. */
  refusal(state: MeshState, requester: string, unit: Pick<WorkUnit, 'algorithm_id'>): string | undefined;
  /** What this node offers of every kind. */
  offers(machine: MachineOffer): AlgorithmCapability[];
  /** Every kind this node knows. */
  all(): readonly WorkloadKind[];
}
