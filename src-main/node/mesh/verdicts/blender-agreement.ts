// Whether two providers' renders of a Blender unit are the same render: not by their bytes (honest
// renders on other CPU code paths differ in ~1 % of pixels) but by their decoded pixels, the rule
// the requester's own check uses (core/blender/compare.ts: at least IDENTICAL_SHARE identical). It is
// consensus's comparator for a Blender unit with more than one result: what checks a frame where
// the requester has no Blender (docs/BLENDER.md, "A requester without Blender"), each frame rendered
// by two providers. A frame that is no PNG of its unit's size agrees with nothing, not even a copy
// of itself: colluders cannot agree on garbage.
import { IDENTICAL_SHARE, identicalShare } from '../../../core/blender/compare.js';
import type { Rgba } from '../../../core/blender/tiles.js';
import { BlenderUnitParamsSchema, unitWork } from '../../../core/blender/unit.js';
import type { Comparator } from '../../../core/consensus/index.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import { validate, type WorkResult, type WorkUnit } from '../../../core/schemas/index.js';
import { decodeRgba } from '../../blender/png.js';
import type { NodeContext } from '../context/node-context.js';
import { OutputFetches } from './output-fetches.js';

type AgreementNeeds = Pick<NodeContext, 'blobs' | 'fetchBlob' | 'log' | 'signal'>;

export interface FramesAgreement {
  comparator: Comparator;
  /** Results whose frame could not be fetched: they cannot be judged. */
  unfetchable: Set<string>;
}

export class BlenderAgreement {
  /** Each result's pixels (null: not a PNG of its unit's size), until its unit's verdict. */
  readonly #pixels = new Map<string, Rgba | null>();
  readonly #fetches: OutputFetches;

  constructor(private readonly ctx: AgreementNeeds) {
    this.#fetches = new OutputFetches(ctx);
  }

  /** The comparator over the unit's results; undefined while a frame is still to be fetched (decide again later). */
  async prepare(
    unit: WorkUnit,
    assignments: readonly AssignmentRecord[],
    frameCap: number,
  ): Promise<FramesAgreement | undefined> {
    const size = this.#sizeOf(unit);
    const unfetchable = new Set<string>();
    let waiting = false;
    for (const { result, acceptance } of assignments) {
      if (!result || this.#pixels.has(result.result_id)) continue;
      const png = await this.#fetches.fetch(result, acceptance.provider_peer, frameCap);
      if (png === 'later') waiting = true;
      if (png === 'lost') unfetchable.add(result.result_id);
      if (typeof png === 'string') continue;
      this.#pixels.set(result.result_id, this.#decode(result, png, size));
    }
    if (waiting) return undefined;
    const comparator: Comparator = (a, b) => {
      const pa = this.#pixels.get(a.result_id);
      const pb = this.#pixels.get(b.result_id);
      return !!pa && !!pb && (a.hash === b.hash || identicalShare(pa, pb) >= IDENTICAL_SHARE);
    };
    return { comparator, unfetchable };
  }

  /** The unit has its verdict: what was kept for it goes. */
  forget(results: readonly WorkResult[]): void {
    for (const r of results) this.#pixels.delete(r.result_id);
    this.#fetches.forget(results);
  }

  /** The frame's (or tile's) pixels, or null when it is no 8-bit RGBA PNG of the unit's size (an EXR is read only by Blender). */
  #decode(result: WorkResult, png: Uint8Array, size: { width: number; height: number } | undefined): Rgba | null {
    if (!size) return null;
    try {
      const image = decodeRgba(png);
      if (image.width === size.width && image.height === size.height) return image;
      this.ctx.log(
        `the frame of ${result.result_id} is ${image.width}×${image.height}, not ${size.width}×${size.height}`,
      );
    } catch (err) {
      this.ctx.log(`the frame of ${result.result_id} is no 8-bit RGBA PNG: ${(err as Error).message}`);
    }
    return null;
  }

  /** What the unit's output must measure: its frame, or its tile; undefined for an EXR or a unit I cannot read. */
  #sizeOf(unit: WorkUnit): { width: number; height: number } | undefined {
    const params = validate(BlenderUnitParamsSchema, unit.params);
    const input = unit.input_cid ? this.ctx.blobs.get(unit.input_cid) : undefined;
    const work = params.ok && input ? unitWork(params.value, input) : undefined;
    if (!params.ok || !work || params.value.format === 'exr') return undefined;
    const tile = work.tile ?? { x0: 0, y0: 0, x1: params.value.width, y1: params.value.height };
    return { width: tile.x1 - tile.x0, height: tile.y1 - tile.y0 };
  }
}
