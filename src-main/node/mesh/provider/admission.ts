// Whether a requester may have my machine compute one more unit now, and if not why: a requester
// that refunded a result of mine as rejected without its verdict saying so gets nothing (until my
// user sets their trust in it again), then my policies (core/policy: permit list, daily quota, rate
// limit) and, for a requester that gives nothing back and that I trust less than fully, a
// free-rider's trickle (core/policy/free-rider.ts, core/scheduler/reciprocity.ts), then its credit
// limit with me (core/ledger: my trust in it × CREDIT_PER_TRUST). The provider asks at each
// acceptance, which is the guarantee, and in each round before its offers go out, so that it does
// not offer what it would refuse.
import { creditLimit, creditRefusal } from '../../../core/ledger/index.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import { evaluatePolicies, freeRiderRefusal, freeRiderRoom, policyRoom } from '../../../core/policy/index.js';
import { givesBack, heldToTrickle, unitKey } from '../../../core/scheduler/index.js';
import type { ComputeCommitment, Offer } from '../../../core/schemas/index.js';
import { MAX_REFUSAL_REASON } from '../../../core/schemas/index.js';

/** What one requester has of mine: when each of its units was accepted here, and what its escrows hold. */
interface Load {
  /** The times of its units accepted here, as the state keeps them (all of them: not copied). */
  accepted: readonly number[];
  /** Units counted as accepted since this admission was made (at its `nowMs`). */
  counted: number;
  held: number;
  /** More units my policies let it have now (policyRoom), once asked. */
  policyRoom?: number;
  /** Why my policies refuse it one more, once asked (nothing is counted while they refuse). */
  policyRefusal?: string;
}

export const FALSE_REFUND_REFUSAL =
  'you refunded a result of mine as rejected without a verdict against it, or paid less than its fuel costs: no more work until my user sets their trust in you again';

export class Admission {
  readonly #loads = new Map<string, Load>();

  /**
   * Reads a requester's assignments with me (as provider) as of `nowMs`, when first asked about it.
   * `commitments`: what each requester's commitment shows me, to tell whether it gives back
   * (core/scheduler/reciprocity.ts); absent, every requester counts as giving back.
   */
  constructor(
    private readonly state: MeshState,
    private readonly nowMs: number,
    private readonly commitments?: ReadonlyMap<string, ComputeCommitment>,
    /** Each requester's room on my disk (node/blobs/quota.ts): none left, no more units. */
    private readonly disk?: { refusal(requester: string): string | undefined },
  ) {}

  /** Why `requester` may not have one more unit at `price` now, or undefined; an admitted unit counts towards the next. */
  admit(requester: string, price: number): string | undefined {
    const refusal = this.#refusal(requester, price);
    if (refusal === undefined) this.count(requester, price);
    return refusal?.slice(0, MAX_REFUSAL_REASON);
  }

  /** Counts a unit as if accepted now (an open offer of mine that the requester may still take). */
  count(requester: string, price: number): void {
    const load = this.#load(requester);
    load.counted++;
    load.held += price;
    if (load.policyRoom !== undefined) load.policyRoom--;
    load.policyRefusal = undefined;
  }

  /** At most how many more units at `price` each `requester` may have now (Infinity when nothing limits it). */
  room(requester: string, price: number): number {
    if ((this.state.falseRefunds.get(requester) ?? 0) > 0 || this.disk?.refusal(requester)) return 0;
    const headroom = this.#limit(requester) + this.#balance(requester) - this.#load(requester).held;
    const credit = headroom < 0 ? 0 : price > 0 ? Math.floor(headroom / price) : Infinity;
    return Math.max(0, Math.min(this.#policyRoom(requester), credit));
  }

  /** Whether its commitment shows it gives back; one I have not seen shows nothing. */
  #givesBack(requester: string): boolean {
    if (!this.commitments) return true;
    const theirs = this.commitments.get(requester);
    return theirs !== undefined && givesBack(theirs);
  }

  #refusal(requester: string, price: number): string | undefined {
    if ((this.state.falseRefunds.get(requester) ?? 0) > 0) return FALSE_REFUND_REFUSAL;
    const full = this.disk?.refusal(requester);
    if (full !== undefined) return full;
    const load = this.#load(requester);
    if (this.#policyRoom(requester) <= 0) {
      if (load.policyRefusal === undefined) {
        const history = this.#history(load);
        const decision = evaluatePolicies(this.state.policies, requester, history, this.nowMs);
        load.policyRefusal = decision.allowed
          ? (freeRiderRefusal(history, this.nowMs) ?? 'refused by my policies')
          : decision.reason;
      }
      return load.policyRefusal;
    }
    return creditRefusal(this.#limit(requester), { balance: this.#balance(requester), held: load.held }, price);
  }

  /** My policies' room for it, and a free-rider's trickle when it gives nothing back (unless I trust it fully). */
  #policyRoom(requester: string): number {
    const load = this.#load(requester);
    if (load.policyRoom === undefined) {
      const trickle = heldToTrickle(this.#givesBack(requester), this.state.myTrustIn(requester));
      if (this.state.policies.length === 0 && !trickle) load.policyRoom = Infinity;
      else {
        const history = this.#history(load);
        const mine = policyRoom(this.state.policies, requester, history, this.nowMs);
        load.policyRoom = trickle ? Math.min(mine, freeRiderRoom(history, this.nowMs)) : mine;
      }
    }
    return load.policyRoom;
  }

  /** Its credit limit with me, from my trust in it. */
  #limit(requester: string): number {
    return creditLimit(this.state.myTrustIn(requester));
  }

  /** Its balance with me from settled units: negative when it owes me. */
  #balance(requester: string): number {
    return -(this.state.positions.get(requester) ?? 0);
  }

  #load(requester: string): Load {
    let load = this.#loads.get(requester);
    if (load) return load;
    load = { accepted: this.state.acceptedFrom.get(requester) ?? [], counted: 0, held: this.state.heldFrom(requester) };
    this.#loads.set(requester, load);
    return load;
  }

  /**
   * Its acceptance times with those counted here, for my policies. Copied only when something was
   * counted: a provider that has worked a million units for it would otherwise copy a million times
   * each round (a quarter of the provider's main thread in a 100,000-unit job).
   */
  #history(load: Load): readonly number[] {
    return load.counted === 0 ? load.accepted : [...load.accepted, ...new Array<number>(load.counted).fill(this.nowMs)];
  }
}

/**
 * The offers of a round, each for a unit its requester may have now. Requesters that may have
 * nothing (at `minimumPrice`) are left out before placing; when a placement passes a requester's
 * limit (more units than its policies allow, a price past its credit), the round is placed once
 * more with that requester's units cut to those admitted, so the room the others took goes to the
 * rest; whatever the second placement still passes is not offered.
 */
export function admittedOffers(
  requesters: readonly ComputeCommitment[],
  admission: () => Admission,
  place: (requesters: ComputeCommitment[]) => Offer[],
  minimumPrice: number,
): Offer[] {
  const now = admission();
  let candidates = requesters.filter((c) => now.room(c.peer_id, minimumPrice) > 0);
  for (let pass = 1; ; pass++) {
    const gate = admission();
    const offers = place(candidates);
    const admitted = offers.filter((o) => gate.admit(o.requester_peer, o.price) === undefined);
    if (admitted.length === offers.length || pass === 2) return admitted;
    const passed = new Set(admitted);
    const capped = new Set(offers.filter((o) => !passed.has(o)).map((o) => o.requester_peer));
    const keep = new Set(admitted.map((o) => unitKey(o.requester_peer, o.unit_id)));
    candidates = candidates.map((c) => (capped.has(c.peer_id) ? onlyUnits(c, keep) : c));
  }
}

/** A requester's commitment with only the units in `keep` (by unitKey). */
function onlyUnits(commitment: ComputeCommitment, keep: ReadonlySet<string>): ComputeCommitment {
  return {
    ...commitment,
    work_requests: commitment.work_requests.map((request) => ({
      ...request,
      work_units: request.work_units.filter((unit) => keep.has(unitKey(commitment.peer_id, unit.unit_id))),
    })),
  };
}
