// What the requester checks of a unit's results before their consensus, where hashes alone cannot
// say: render tiles that may come from a GPU (tile-check.ts: spot-checked on my CPU, compared
// within a tolerance) and Blender frames (blender-check.ts: a crop re-rendered by my Blender,
// compared by pixels, a failed crop confirmed by the whole frame; and, where a unit has several
// results, blender-agreement.ts: two providers' frames compared by pixels, all a requester without
// Blender has, and all a scene that no crop can check gets). A result that fails its check is
// journaled as contradicted, which convicts its provider (convictions.ts); results that disagree
// convict nobody.
import type { Comparator } from '../../../core/consensus/index.js';
import type { AssignmentRecord } from '../../../core/mesh/state/state.js';
import type { Acceptance, WorkResult, WorkUnit } from '../../../core/schemas/index.js';
import type { Executor } from '../../exec/index.js';
import type { NodeContext } from '../context/node-context.js';
import { BlenderAgreement } from './blender-agreement.js';
import { BlenderChecker, frameCap } from './blender-check.js';
import type { Convictions } from './convictions.js';
import { TileChecker } from './tile-check.js';

export interface PreChecked {
  /** How results agree, when not by hash. */
  comparator?: Comparator;
  /** Results whose output could not be fetched: they cannot be judged (nor convicted). */
  unfetchable?: Set<string>;
  /** Providers whose agreement is taken where I cannot check (judge.ts UnitEvidence.vouches). */
  vouches?: (peer: string) => boolean;
}

export class PreChecks {
  readonly #tiles: TileChecker;
  readonly #crops: BlenderChecker;
  readonly #agreement: BlenderAgreement;

  constructor(
    private readonly ctx: ConstructorParameters<typeof TileChecker>[0] &
      ConstructorParameters<typeof BlenderChecker>[0] &
      Pick<NodeContext, 'kinds' | 'now' | 'state'>,
    executor: Executor,
    private readonly convictions: Pick<Convictions, 'record'>,
  ) {
    this.#tiles = new TileChecker(ctx, executor);
    this.#crops = new BlenderChecker(ctx);
    this.#agreement = new BlenderAgreement(ctx);
  }

  /** Units just accepted: a Blender frame's crop check begins now (blender-check.ts), where I have Blender and a crop can check it. */
  accepted(acceptances: readonly Acceptance[]): void {
    const cropped = acceptances.filter((a) => {
      const unit = this.ctx.state.units.get(a.unit_id)?.unit;
      return unit !== undefined && this.#frames(unit) && this.#byCrop(unit);
    });
    if (cropped.length === 0) return;
    const checking = this.#haveBlender().then((mine) => mine && this.#crops.accepted(cropped));
    this.ctx.background("rendering Blender frames' check crops", checking);
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
    if (this.#frames(unit)) return this.#blender(unit, active);
    return {};
  }

  /**
   * A Blender unit's results: each checked against my crop where I have Blender and a crop can
   * check its scene; compared with each other by pixels where there are several; without a crop,
   * a peer I trust vouches.
   */
  async #blender(unit: WorkUnit, active: readonly AssignmentRecord[]): Promise<PreChecked | undefined> {
    const mine = this.#byCrop(unit) && (await this.#haveBlender());
    const unfetchable = new Set<string>();
    if (mine) {
      const frames = await this.#crops.prepare(unit, active);
      if (!frames) return undefined;
      await this.convictions.record(unit, null, frames.outcomes);
      frames.unfetchable.forEach((id) => unfetchable.add(id));
    }
    const vouches = mine
      ? {}
      : { vouches: (peer: string) => this.ctx.state.effectiveTrustIn(peer, this.ctx.now()) > 0 };
    if (active.filter((a) => a.result).length < 2) return { unfetchable, ...vouches };
    const agreement = await this.#agreement.prepare(unit, active, frameCap(unit));
    if (!agreement) return undefined;
    agreement.unfetchable.forEach((id) => unfetchable.add(id));
    return { comparator: agreement.comparator, unfetchable, ...vouches };
  }

  /** Whether the unit's kind checks its results as frames, by pixels (core/kinds: Blender's). */
  #frames(unit: WorkUnit): boolean {
    return this.ctx.kinds.of(unit.algorithm_id)?.spec.verifier === 'frames';
  }

  /** Whether the unit's job is checked by crops (not a job of two providers' agreement: blender-jobs.ts). */
  #byCrop(unit: WorkUnit): boolean {
    return this.ctx.state.jobs.get(unit.job_id)?.job.blender_agreement !== true;
  }

  /** Whether this node has a working Blender to check frames with (looked for once: machine/blender-probe.ts). */
  async #haveBlender(): Promise<boolean> {
    return (await this.ctx.blender?.find())?.ok === true;
  }

  /** The unit has its verdict: what was kept for it goes. */
  forget(unitId: string, results: readonly WorkResult[]): void {
    this.#tiles.forget(unitId, results);
    this.#crops.forget(unitId, results);
    this.#agreement.forget(results);
  }
}
