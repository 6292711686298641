// The requester's own run of a unit of its job: the ground truth that providers' results are
// checked against (core/verification). Which results are checked is drawn from a secret only this
// node holds, so a provider cannot tell which of its results will be.
import { hash, randomBytes } from 'node:crypto';
import type { WorkUnit } from '../../../core/schemas/index.js';
import { ExecError, type Executor } from '../../exec/index.js';
import type { Kinds, KindRuntime } from '../../kinds/seam.js';
import type { NodeContext } from '../context/node-context.js';
import { unitOutput } from '../units/unit-run.js';
import { unpackInput } from '../units/pack-outputs.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type GroundTruthNeeds = Pick<NodeContext, 'blobs' | 'kinds' | 'log' | 'now' | 'signal'>;

/** Failures a run ends in at once (a refusal, a trap, a module outside the ABI): worth running again to read. */
const QUICK_FAILURES = new Set(['UnitFailed', 'Trap', 'BadModule', 'ForbiddenImport', 'BadRequest', 'InputTooLarge']);

/** The unit's module and input from my store, or undefined when one is not there. */
function blobsOf(
  ctx: Pick<NodeContext, 'blobs'>,
  unit: WorkUnit,
): { module: Uint8Array; input: Uint8Array; files?: Uint8Array } | undefined {
  const module = unit.module_cid ? ctx.blobs.get(unit.module_cid) : new Uint8Array();
  const input = unit.input_cid ? ctx.blobs.get(unit.input_cid) : new Uint8Array();
  // A WASI job's files, mounted at /input (exec/wasi/job-unit.ts).
  const files = unit.required_dataset ? ctx.blobs.get(unit.required_dataset) : undefined;
  if (unit.required_dataset && !files) return undefined;
  return module && input ? { module, input, ...(files ? { files } : {}) } : undefined;
}

/**
 * What a run of the unit on my CPU says when it ends in the `failure` every run agreed on: the
 * kernel's status message, the trap's. The agreed output holds only the code (so that every
 * honest run gives the same CID). Undefined for a failure that shows only once it has used its
 * whole budget (fuel, memory, output), or a unit I cannot run here. A pack's unit at `place` is
 * run alone on its part of the pack's input, as unitOutput runs it.
 */
export async function failureMessageHere(
  ctx: Pick<NodeContext, 'blobs' | 'kinds' | 'signal'>,
  executor: Executor,
  packOrUnit: WorkUnit,
  failure: string,
  place = 0,
): Promise<string | undefined> {
  const runtime = rerunsHere(ctx.kinds, packOrUnit);
  if (!QUICK_FAILURES.has(failure) || !runtime) return undefined;
  const blobs = blobsOf(ctx, packOrUnit);
  if (!blobs) return undefined;
  const { pack_chunk_bytes: chunkBytes, ...unit } = packOrUnit;
  const input = chunkBytes === undefined ? blobs.input : unpackInput(blobs.input, chunkBytes)[place];
  if (!input) return undefined;
  const run = {
    unit,
    module: blobs.module,
    input,
    files: blobs.files,
    signal: ctx.signal,
    cpu: executor,
    gpu: undefined,
  };
  const ran = await runtime.run(run).catch((err: unknown) => err);
  return ran instanceof ExecError && ran.code === failure ? ran.message : undefined;
}

/**
 * The runtime of the unit's kind when I can run it to check it (its kind's spec says the requester
 * reruns it: not a shader, a GPU's, nor a Blender frame, checked by pre-checks.ts); else undefined.
 */
function rerunsHere(kinds: Kinds, unit: WorkUnit): KindRuntime | undefined {
  const kind = kinds.of(unit.algorithm_id);
  return kind?.spec.requesterReruns ? kind.runtime : undefined;
}

/** My run of a unit: its output's CID in my store, and the fuel it burned. */
export interface TruthRun {
  cid: string;
  fuel?: number;
}

export class GroundTruth {
  /** Fresh at every start: draws need only be unpredictable, not repeatable. */
  readonly #secret = randomBytes(32).toString('hex');
  /** Modules seen in my store (canRun). */
  readonly #modules = new Set<string>();

  constructor(
    private readonly ctx: GroundTruthNeeds,
    private readonly executor: Executor,
  ) {}

  /**
   * Uniform in [0, 1): the sha256 of my secret and the result's id. A provider learns at most
   * whether its result was checked, never a digest, so there is nothing to extend: an HMAC is no
   * harder to predict here, and its key setup, per result, costs several times the hash.
   */
  draw(resultId: string): number {
    return hash('sha256', this.#secret + resultId, 'buffer').readUInt32BE(0) / 2 ** 32;
  }

  /**
   * Whether I can run the unit: a CPU unit (a shader needs a GPU; a Blender frame is checked by
   * pre-checks.ts instead) whose module and input are in my store. Asked at every verdict: a module found once is taken as there (a job's units share it;
   * if it went since, run() finds it missing and says it could not run).
   */
  canRun(unit: WorkUnit): boolean {
    if (!rerunsHere(this.ctx.kinds, unit)) return false;
    const module = unit.module_cid;
    if (module && !this.#modules.has(module)) {
      if (!this.ctx.blobs.has(module)) return false;
      this.#modules.add(module);
    }
    if (unit.required_dataset && !this.ctx.blobs.has(unit.required_dataset)) return false;
    return !unit.input_cid || this.ctx.blobs.has(unit.input_cid);
  }

  /** Runs the unit on my CPU and stores its output: its CID and the fuel it burned, or undefined if it could not run here. */
  async run(unit: WorkUnit): Promise<TruthRun | undefined> {
    const blobs = blobsOf(this.ctx, unit);
    if (!blobs) return undefined;
    const runtime = rerunsHere(this.ctx.kinds, unit);
    if (!runtime) return undefined;
    const run = { unit, ...blobs, signal: this.ctx.signal, cpu: this.executor, gpu: undefined }; // on my CPU
    const ran = await unitOutput(runtime, run, () => this.ctx.now());
    if (ran instanceof Error) {
      this.ctx.log(`checking unit ${unit.unit_id} failed: ${ran.message}`);
      return undefined;
    }
    const cid = await this.ctx.blobs.put(ran.output);
    return ran.fuel === undefined ? { cid } : { cid, fuel: ran.fuel };
  }
}
