// The providers as the requester knows them: slots (the machines, each honest or a saboteur) and
// identities (the ids they present; a whitewashing saboteur gets a new one for its slot after each
// conviction). Per identity: the check record judgeUnit reads, the reputation the acceptance ranks
// by, and the units it had accepted unchecked (reopened if it is convicted).
import { effectiveTrust, emptyReputation, recordOutcome, reputationScore } from '../src-main/core/trust/index.js';
import type { Reputation } from '../src-main/core/trust/index.js';
import { isProven, type CheckRecord } from '../src-main/core/verification/index.js';

export class Providers {
  /** Per slot: the identity it presents now, or -1 once it is convicted and gone. */
  readonly current: Int32Array;
  /** Per slot: units it may still take this round. */
  readonly room: Int32Array;
  /** Per slot: its units accepted (paid) before its first conviction, or while never convicted. */
  readonly acceptedBeforeCaught: Int32Array;
  /** Per slot: whether it has been convicted at least once. */
  readonly caught: Uint8Array;

  // Per identity, indexed by identity number.
  readonly names: string[] = [];
  readonly records: CheckRecord[] = [];
  readonly reputations: Reputation[] = [];
  readonly slotOf: number[] = [];
  /** Results computed under this identity (record-then-lie counts them). */
  readonly results: number[] = [];
  /** Units accepted on a result of this identity that no check covered. */
  readonly unchecked: number[][] = [];
  readonly byName = new Map<string, number>();
  /** reputationScore per identity, kept for the instant it was read at (the acceptance asks often). */
  readonly #score: number[] = [];
  readonly #scoreAt: number[] = [];

  constructor(
    readonly slots: number,
    /** Per slot: 1 for a saboteur. */
    readonly saboteur: Uint8Array,
    startPassed: number,
  ) {
    this.current = new Int32Array(slots);
    this.room = new Int32Array(slots);
    this.acceptedBeforeCaught = new Int32Array(slots);
    this.caught = new Uint8Array(slots);
    for (let slot = 0; slot < slots; slot++) this.current[slot] = this.newIdentity(slot, startPassed);
  }

  /** A fresh id for `slot`, with `passed` checks on record (0: a newcomer, on probation). */
  newIdentity(slot: number, passed: number): number {
    const id = this.names.length;
    const name = `p${slot}.${id}`;
    this.names.push(name);
    this.records.push({ passed, convicted: false });
    this.reputations.push(emptyReputation());
    this.slotOf.push(slot);
    this.results.push(0);
    this.unchecked.push([]);
    this.#score.push(0);
    this.#scoreAt.push(Number.NaN);
    this.byName.set(name, id);
    this.current[slot] = id;
    return id;
  }

  identityOf(name: string): number {
    return this.byName.get(name)!;
  }

  record(id: number): CheckRecord {
    return this.records[id]!;
  }

  isSaboteur(id: number): boolean {
    return this.saboteur[this.slotOf[id]!] === 1;
  }

  outcome(id: number, outcome: 'verified' | 'rejected', nowMs: number): void {
    this.reputations[id] = recordOutcome(this.reputations[id]!, outcome, nowMs);
    this.#scoreAt[id] = Number.NaN;
  }

  reputation(id: number, nowMs: number): number {
    if (this.#scoreAt[id] !== nowMs) {
      this.#score[id] = reputationScore(this.reputations[id]!, nowMs);
      this.#scoreAt[id] = nowMs;
    }
    return this.#score[id]!;
  }

  /** The acceptance's trust in an identity: the user trusts every provider (weight 1), scaled by its reputation; 0 once convicted. */
  trust(id: number, nowMs: number): number {
    return this.records[id]!.convicted ? 0 : effectiveTrust(1, this.reputation(id, nowMs));
  }

  /**
   * Gives every active slot its room for a round: `pipeline` units for a proven provider, one for a
   * provider on probation (the requester keeps a newcomer's pipeline short). Returns the slots with room.
   */
  openRound(pipeline: number): number[] {
    const open: number[] = [];
    for (let slot = 0; slot < this.slots; slot++) {
      const id = this.current[slot]!;
      this.room[slot] = id < 0 ? 0 : isProven(this.records[id]!) ? pipeline : 1;
      if (this.room[slot]! > 0) open.push(slot);
    }
    return open;
  }
}
