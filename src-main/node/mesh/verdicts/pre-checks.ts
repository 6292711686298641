// What the requester checks of a unit's results before their consensus, where hashes alone cannot
// say: render tiles that may come from a GPU (tile-check.ts: spot-checked on my CPU, compared
// within a tolerance) and Blender frames (blender-check.ts: a crop re-rendered by my Blender,
// compared by pixels). A result that fails its check is journaled as contradicted, which convicts
// its provider (convictions.ts).
import { isBlenderAlgorithm } from '../../../core/blender/algorithm.js';
import type { Comparator } from '../../../core/consensus/index.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { Acceptance, WorkResult, WorkUnit } from '../../../core/schemas/index.js';
import type { Executor } from '../../exec/index.js';
import { BlenderChecker } from './blender-check.js';
import type { Convictions } from './convictions.js';
import { TileChecker } from './tile-check.js';

export interface PreChecked {
  /** How results agree, when not by hash. */
  comparator?: Comparator;
  /** Results whose output could not be fetched: they cannot be judged (nor convicted). */
  unfetchable?: Set<string>;
}

export class PreChecks {
  readonly #tiles: TileChecker;
  readonly #frames: BlenderChecker;

  constructor(
    ctx: ConstructorParameters<typeof TileChecker>[0] & ConstructorParameters<typeof BlenderChecker>[0],
    executor: Executor,
    private readonly convictions: Pick<Convictions, 'record'>,
  ) {
    this.#tiles = new TileChecker(ctx, executor);
    this.#frames = new BlenderChecker(ctx);
  }

  /** Units just accepted: a Blender frame's check begins now (blender-check.ts). */
  accepted(acceptances: readonly Acceptance[]): void {
    this.#frames.accepted(acceptances);
  }

  /** The unit's results checked as its kind needs; undefined while that cannot be done yet (decide again later). */
  async run(unit: WorkUnit, active: readonly AssignmentRecord[]): Promise<PreChecked | undefined> {
    if (!active.some((a) => a.result)) return {};
    if (unit.verification?.kind === 'comparator') {
      const tiles = await this.#tiles.prepare(unit, active);
      if (!tiles) return undefined;
      await this.convictions.record(unit, null, [...tiles.spotChecks]);
      return { comparator: tiles.comparator, unfetchable: tiles.unfetchable };
    }
    if (isBlenderAlgorithm(unit.algorithm_id)) {
      const frames = await this.#frames.prepare(unit, active);
      if (!frames) return undefined;
      await this.convictions.record(unit, null, frames.outcomes);
      return { unfetchable: frames.unfetchable };
    }
    return {};
  }

  /** The unit has its verdict: what was kept for it goes. */
  forget(unitId: string, results: readonly WorkResult[]): void {
    this.#tiles.forget(unitId, results);
    this.#frames.forget(unitId, results);
  }
}
