// The units requesters asked me for, as last seen in their commitments or pulled, by requester,
// oldest first: what an offer round looks units up in, until an acceptance puts them in the state.
// A peer I trust can list thousands of units in each commitment, with new ids every time, several
// commitments a second: without a cap they were kept for the whole UNIT_MEMORY_MS (a flood of three
// trusted rogues left 64,000 of them here in 12 s, test/rogue/flood.test.ts). Past a cap the oldest
// are forgotten: a requester's own, or those of the requester holding the most, so a peer that lists
// too much pushes out its own units and never an honest peer's few.
import type { WorkUnit } from '../../../core/schemas/index.js';

/**
 * Units remembered of one requester: an honest one lists at most 8 open units of each of its 256
 * jobs (2,048: requester/work-requests.ts, LIMITS.requestsPerCommitment), and a provider pulls at
 * most 1,000 more at a time, one pull per requester (pulled-units.ts): this is room for those and
 * eight pulls' worth not yet offered for or accepted.
 */
export const MAX_UNITS_SEEN_PER_PEER = 10_000;
/**
 * Units remembered in all, however many peers (identities) I trust list them: a unit held is about
 * half a kilobyte, so 12-15 MB at most; room for two requesters at their cap and several small ones.
 */
export const MAX_UNITS_SEEN = 25_000;

export class SeenUnits {
  /** Requester → unit id → the unit and when it was last seen, oldest first. */
  readonly #byPeer = new Map<string, Map<string, { unit: WorkUnit; at: number }>>();
  #total = 0;

  /** Remembers `unit` as seen at `at`: moved to the end of its requester's, so the oldest stay first. */
  saw(requester: string, unit: WorkUnit, at: number): void {
    let units = this.#byPeer.get(requester);
    if (!units) this.#byPeer.set(requester, (units = new Map()));
    if (!units.delete(unit.unit_id)) this.#total++;
    units.set(unit.unit_id, { unit, at });
    if (units.size > MAX_UNITS_SEEN_PER_PEER) this.#forgetOldestOf(requester, units);
    if (this.#total > MAX_UNITS_SEEN) this.#forgetOldestOf(...this.#largest());
  }

  get(requester: string, unitId: string): WorkUnit | undefined {
    return this.#byPeer.get(requester)?.get(unitId)?.unit;
  }

  delete(requester: string, unitId: string): void {
    const units = this.#byPeer.get(requester);
    if (!units?.delete(unitId)) return;
    this.#total--;
    if (units.size === 0) this.#byPeer.delete(requester);
  }

  /** Forgets the units last seen before `cutoff` (from each requester's oldest, so only those are visited). */
  forgetBefore(cutoff: number): void {
    for (const [requester, units] of this.#byPeer) {
      for (const [id, { at }] of units) {
        if (at >= cutoff) break;
        units.delete(id);
        this.#total--;
      }
      if (units.size === 0) this.#byPeer.delete(requester);
    }
  }

  #forgetOldestOf(requester: string, units: Map<string, unknown>): void {
    units.delete(units.keys().next().value!);
    this.#total--;
    if (units.size === 0) this.#byPeer.delete(requester);
  }

  /** The requester with the most units remembered (there are as many requesters as peers I follow). */
  #largest(): [string, Map<string, unknown>] {
    let largest: [string, Map<string, unknown>] | undefined;
    for (const entry of this.#byPeer) if (!largest || entry[1].size > largest[1].size) largest = entry;
    return largest!;
  }

  /** How many are remembered, in all and of the requester with the most. */
  counts(): { total: number; mostOfOnePeer: number } {
    let most = 0;
    for (const units of this.#byPeer.values()) most = Math.max(most, units.size);
    return { total: this.#total, mostOfOnePeer: most };
  }
}
