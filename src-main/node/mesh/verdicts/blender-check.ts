// The requester's check of a Blender unit's frames (docs/BLENDER.md): not by hash consensus, but
// each provider's frame fetched and a random crop of it re-rendered by my own Blender in its
// sandbox, at the unit's seed and samples, and compared by pixels (node/blender/unit.ts: at least
// IDENTICAL_SHARE of them identical). A frame that passes is a check passed; one that fails
// contradicts my run, which convicts its provider as a liar is (convictions.ts).
import { BlenderUnitParamsSchema, unitWork } from '../../../core/blender/unit.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import { validate, type WorkResult, type WorkUnit } from '../../../core/schemas/index.js';
import { describeError } from '../../../core/errors.js';
import { checkUnitFrame } from '../../blender/unit.js';
import { blobFromHolders, type NodeContext } from '../context/node-context.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type BlenderCheckNeeds = Pick<NodeContext, 'blender' | 'blobs' | 'emit' | 'fetchBlob' | 'log' | 'signal'>;

/** A frame that cannot be fetched is asked for this many times before its result is left out. */
const FETCH_ATTEMPTS = 3;

export interface BlenderCheck {
  /** Each result checked, and whether its frame passed. */
  outcomes: Array<[string, boolean]>;
  /** Results whose frame could not be fetched: they cannot be judged (nor convicted). */
  unfetchable: Set<string>;
}

export class BlenderChecker {
  /** Outcomes by result id, until the unit's verdict: a frame is checked once. */
  readonly #checked = new Map<string, boolean>();
  readonly #fetchFailures = new Map<string, number>();

  constructor(private readonly ctx: BlenderCheckNeeds) {}

  /** The unit's results checked; undefined while a frame is still to be fetched or I cannot check now (decide again later). */
  async prepare(unit: WorkUnit, assignments: readonly AssignmentRecord[]): Promise<BlenderCheck | undefined> {
    const outcomes: Array<[string, boolean]> = [];
    const unfetchable = new Set<string>();
    let waiting = false;
    for (const { result, acceptance } of assignments) {
      if (!result) continue;
      const known = this.#checked.get(result.result_id);
      if (known !== undefined) {
        outcomes.push([result.result_id, known]);
        continue;
      }
      const png = await blobFromHolders(this.ctx, result.output_cid, [acceptance.provider_peer], frameCap(unit));
      if (!png) {
        const failures = (this.#fetchFailures.get(result.result_id) ?? 0) + 1;
        this.#fetchFailures.set(result.result_id, failures);
        if (failures < FETCH_ATTEMPTS) waiting = true;
        else unfetchable.add(result.result_id);
        continue;
      }
      const passed = await this.#check(unit, result, png);
      if (passed === undefined) return undefined;
      this.#checked.set(result.result_id, passed);
      outcomes.push([result.result_id, passed]);
    }
    return waiting ? undefined : { outcomes, unfetchable };
  }

  /** The unit has its verdict: what was kept for it goes. */
  forget(results: readonly WorkResult[]): void {
    for (const r of results) {
      this.#checked.delete(r.result_id);
      this.#fetchFailures.delete(r.result_id);
    }
  }

  /** Whether the frame passes; undefined when I cannot check it now (no Blender here, the scene gone, my render failed). */
  async #check(unit: WorkUnit, result: WorkResult, png: Uint8Array): Promise<boolean | undefined> {
    const params = validate(BlenderUnitParamsSchema, unit.params);
    const scene = unit.module_cid ? this.ctx.blobs.get(unit.module_cid) : undefined;
    const input = unit.input_cid ? this.ctx.blobs.get(unit.input_cid) : undefined;
    const work = params.ok && input ? unitWork(params.value, input) : undefined;
    const found = await this.ctx.blender?.find();
    if (!params.ok || !scene || work === undefined || !found?.ok) {
      this.ctx.log(
        `cannot check the frame of ${unit.unit_id}: ${found?.ok === false ? found.reason : 'its scene or frame is not here'}`,
      );
      return undefined;
    }
    try {
      const verdict = await checkUnitFrame(
        { blender: found.install.path, scene, params: params.value, ...work, signal: this.ctx.signal },
        png,
      );
      const shares =
        verdict.crops.map((c) => `${(c.share * 100).toFixed(1)} %`).join(', ') || 'not a frame of its size';
      if (!verdict.agrees) this.ctx.log(`the frame of ${result.result_id} fails my re-render (${shares} identical)`);
      this.ctx.emit('blender.checked', {
        job_id: unit.job_id,
        unit_id: unit.unit_id,
        agrees: verdict.agrees,
        share: verdict.crops.length > 0 ? Math.min(...verdict.crops.map((c) => c.share)) : 0,
        ms: Math.round(verdict.ms),
      });
      return verdict.agrees;
    } catch (err) {
      this.ctx.log(`checking the frame of ${result.result_id} failed here: ${describeError(err)}`);
      return undefined;
    }
  }
}

/** The most a frame's PNG may weigh: its pixels unpacked, and room for the PNG's own bytes. */
function frameCap(unit: WorkUnit): number {
  const params = validate(BlenderUnitParamsSchema, unit.params);
  return params.ok ? params.value.width * params.value.height * 4 + params.value.height + (64 << 10) : 64 << 10;
}
