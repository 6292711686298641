// The requester's check of a Blender unit's frames (docs/BLENDER.md): not by hash consensus, but
// each provider's frame fetched and a random crop of it re-rendered by my own Blender in its
// sandbox, at the unit's seed and samples, and compared by pixels (node/blender/unit.ts: at least
// IDENTICAL_SHARE of them identical). A frame that passes is a check passed. One that fails is
// confirmed before anyone is convicted: my Blender renders the unit whole, as its provider was
// asked to, and only a frame that differs from that too contradicts my run, which convicts its
// provider as a liar is (convictions.ts); until then the result is held, not paid. An EXR frame is
// decoded by my Blender in its sandbox (never here), and a verified one keeps its 8-bit pixels as
// the preview the app shows (render/blender-previews.ts).
// The crop depends on nothing the provider sends, so it is rendered when the unit is accepted,
// while the providers render: a result is then compared as it comes, and the job's last frame does
// not wait for a Blender started after it. One Blender at a time renders the crops waiting, those
// of one job together (one start for them all: most of a small crop's time).
import { exrFrameCap } from '../../../core/blender/exr.js';
import { BlenderUnitParamsSchema } from '../../../core/blender/unit.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import { validate, type Acceptance, type WorkResult, type WorkUnit } from '../../../core/schemas/index.js';
import { describeError } from '../../../core/errors.js';
import type { Rgba } from '../../../core/blender/tiles.js';
import {
  compareWithCrop,
  confirmWhole,
  renderCheckCrops,
  type BlenderUnit,
  type CheckCrop,
} from '../../blender/unit.js';
import type { NodeContext } from '../context/node-context.js';
import { OutputFetches } from './output-fetches.js';
import { myBlenderUnit } from '../units/my-blender-unit.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type BlenderCheckNeeds = Pick<
  NodeContext,
  'background' | 'blender' | 'blobs' | 'emit' | 'fetchBlob' | 'kinds' | 'log' | 'signal' | 'state'
>;

/** Crops held at most (rendering, waiting their turn, or their results): past it, a crop is rendered when its result comes. */
const MAX_CROPS = 16;
/** Crops one Blender renders at most: a unit accepted meanwhile waits for the next. */
const CROPS_PER_RUN = 8;

/** A unit accepted whose crop waits its turn, and how its crop is handed over. */
interface Waiting {
  unit: WorkUnit;
  done: (crop: CheckCrop | undefined) => void;
}

export interface BlenderCheck {
  /** Each result checked, and whether its frame passed. */
  outcomes: Array<[string, boolean]>;
  /** Results whose frame could not be fetched: they cannot be judged (nor convicted). */
  unfetchable: Set<string>;
}

export class BlenderChecker {
  /** Outcomes by result id, until the unit's verdict: a frame is checked once. */
  readonly #checked = new Map<string, boolean>();
  readonly #fetches: OutputFetches;
  /** My crop of each unit, by unit id, until its verdict: one crop checks every result of the unit. */
  readonly #crops = new Map<string, Promise<CheckCrop | undefined>>();
  /** Units accepted whose crops are not begun, first accepted first. */
  #waiting: Waiting[] = [];
  #rendering = false;

  constructor(private readonly ctx: BlenderCheckNeeds) {
    this.#fetches = new OutputFetches(ctx);
  }

  /** Units just accepted: their crops are rendered now, while their providers render. */
  accepted(acceptances: readonly Acceptance[]): void {
    for (const { unit_id } of acceptances) {
      if (this.#crops.has(unit_id)) continue;
      if (this.#crops.size >= MAX_CROPS) this.#dropEnded();
      if (this.#crops.size >= MAX_CROPS) break;
      const record = this.ctx.state.units.get(unit_id);
      if (!record || record.verdict || this.ctx.kinds.of(record.unit.algorithm_id)?.spec.verifier !== 'frames')
        continue;
      this.#crops.set(unit_id, new Promise((done) => this.#waiting.push({ unit: record.unit, done })));
    }
    this.#renderWaiting();
  }

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
      const png = await this.#fetches.fetch(result, acceptance.provider_peer, frameCap(unit));
      if (png === 'later') waiting = true;
      if (png === 'lost') unfetchable.add(result.result_id);
      if (typeof png === 'string') continue;
      const passed = await this.#check(unit, result, png);
      if (passed === undefined) return undefined;
      this.#checked.set(result.result_id, passed);
      outcomes.push([result.result_id, passed]);
    }
    return waiting ? undefined : { outcomes, unfetchable };
  }

  /** The unit has its verdict: what was kept for it goes. */
  forget(unitId: string, results: readonly WorkResult[]): void {
    this.#crops.delete(unitId);
    for (const r of results) this.#checked.delete(r.result_id);
    this.#fetches.forget(results);
  }

  /** Whether the frame passes; undefined when I cannot check it now (no Blender here, the scene gone, my render failed). */
  async #check(unit: WorkUnit, result: WorkResult, png: Uint8Array): Promise<boolean | undefined> {
    // A crop not begun yet is rendered now, not after the crops ahead of it: its result is here.
    const waiting = this.#waiting.find((w) => w.unit.unit_id === unit.unit_id);
    let crop = waiting ? undefined : this.#crops.get(unit.unit_id);
    if (!crop) {
      this.#waiting = this.#waiting.filter((w) => w !== waiting);
      crop = this.#renderCrops([unit]).then(([own]) => {
        waiting?.done(own);
        return own;
      });
      this.#crops.set(unit.unit_id, crop);
    }
    const own = await crop;
    const blenderUnit = own && (await myBlenderUnit(this.ctx, unit, 'cannot check the frame of'));
    if (!own || !blenderUnit) {
      this.#crops.delete(unit.unit_id); // tried again on the next decision
      return undefined;
    }
    const verdict = await compareWithCrop(blenderUnit, png, own);
    const shares =
      verdict.crops.map((c) => `${(c.share * 100).toFixed(1)} %`).join(', ') ||
      `not a frame of its size: ${verdict.why ?? ''}`;
    let { agrees } = verdict;
    let share = verdict.crops.length > 0 ? Math.min(...verdict.crops.map((c) => c.share)) : 0;
    let ms = verdict.ms;
    // A frame of the unit's size that fails its crop is held to my whole render before it convicts anyone.
    if (!agrees && verdict.image) {
      this.ctx.log(
        `the frame of ${result.result_id} fails my crop (${shares} identical): rendering it whole to confirm`,
      );
      const whole = await this.#confirm(blenderUnit, verdict.image);
      if (!whole) return undefined;
      ({ agrees, share } = whole);
      ms += whole.ms;
      this.ctx.log(
        `the frame of ${result.result_id} ${agrees ? 'matches' : 'fails'} my whole render too (${(share * 100).toFixed(1)} % identical)${agrees ? ': my crop could not check it' : ''}`,
      );
    } else if (!agrees) this.ctx.log(`the frame of ${result.result_id} fails my re-render (${shares} identical)`);
    if (agrees && verdict.composite) this.ctx.blender?.previews.keepComposite(result.output_cid, verdict.composite);
    else if (agrees && verdict.image && blenderUnit.params.format === 'exr' && this.ctx.blender)
      this.ctx.background('a preview of an EXR frame', this.ctx.blender.previews.keep(unit.unit_id, verdict.image));
    this.ctx.emit('blender.checked', {
      job_id: unit.job_id,
      unit_id: unit.unit_id,
      agrees,
      share,
      ms: Math.round(ms),
    });
    return agrees;
  }

  /** My whole render of the unit against the provider's pixels; undefined when I could not render it (decided again later). */
  async #confirm(
    unit: BlenderUnit,
    provided: Rgba,
  ): Promise<{ agrees: boolean; share: number; ms: number } | undefined> {
    try {
      return await confirmWhole(unit, provided);
    } catch (err) {
      this.ctx.log(`confirming the frame of ${unit.frame} failed here: ${describeError(err)}`);
      return undefined;
    }
  }

  /** The crops waiting, those of the first one's job together, by one Blender; then the next. */
  #renderWaiting(): void {
    this.#dropDecided();
    const [first] = this.#waiting;
    if (this.#rendering || !first) return;
    const batch = this.#waiting.filter((w) => w.unit.job_id === first.unit.job_id).slice(0, CROPS_PER_RUN);
    this.#waiting = this.#waiting.filter((w) => !batch.includes(w));
    this.#rendering = true;
    const rendered = this.#renderCrops(batch.map((w) => w.unit))
      .then((crops) => batch.forEach((w, i) => w.done(crops[i])))
      .finally(() => {
        this.#rendering = false;
        this.#renderWaiting();
      });
    this.ctx.background('rendering check crops', rendered);
  }

  /** My crops of the units' frames (unit.ts renderCheckCrops), each undefined where I cannot render it (logged). */
  async #renderCrops(units: readonly WorkUnit[]): Promise<Array<CheckCrop | undefined>> {
    const ready: BlenderUnit[] = [];
    const at: number[] = [];
    for (const [i, unit] of units.entries()) {
      const blenderUnit = await myBlenderUnit(this.ctx, unit, 'cannot check the frame of');
      if (!blenderUnit) continue;
      ready.push(blenderUnit);
      at.push(i);
    }
    const crops: Array<CheckCrop | undefined> = units.map(() => undefined);
    try {
      (await renderCheckCrops(ready)).forEach((crop, j) => (crops[at[j]!] = crop));
    } catch (err) {
      this.ctx.log(`checking frames of job ${units[0]?.job_id} failed here: ${describeError(err)}`);
    }
    return crops;
  }

  /** Crops of units that will have no verdict (their job cancelled or ended), which would hold their places for good. */
  #dropEnded(): void {
    const { state } = this.ctx;
    for (const unitId of this.#crops.keys()) {
      const record = state.units.get(unitId);
      if (!record || record.verdict || !state.myRunningJob(record.unit.job_id)) this.#crops.delete(unitId);
    }
    this.#dropDecided();
  }

  /** Crops waiting for units no longer kept (decided, or their job ended) are not rendered: whoever awaits one gets none. */
  #dropDecided(): void {
    const kept = this.#waiting.filter((w) => this.#crops.has(w.unit.unit_id));
    for (const w of this.#waiting) if (!kept.includes(w)) w.done(undefined);
    this.#waiting = kept;
  }
}

/** The most a frame may weigh: a PNG its pixels unpacked and room for its own bytes; an EXR as exrFrameCap says. */
export function frameCap(unit: WorkUnit): number {
  const params = validate(BlenderUnitParamsSchema, unit.params);
  if (!params.ok) return 64 << 10;
  const { width, height, format, raw_layer: raw } = params.value;
  return format === 'exr'
    ? exrFrameCap(width, height, raw === undefined ? 2 : 4)
    : width * height * 4 + height + (64 << 10);
}
