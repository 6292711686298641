// The ledger held in Maps: for tests, simulations and anything that needs balances without SQL.
// It never decides anything itself; it applies what planLedgerEntry says, and only when it says ok.
import { LedgerEntrySchema } from '../schemas/index.js';
import { planLedgerEntry } from './plan.js';
import type { Escrow, LedgerEffects, LedgerPlan, LedgerView } from './types.js';

export class MemoryLedger implements LedgerView {
  readonly #escrows = new Map<string, Escrow>();
  readonly #jobCommitted = new Map<string, number>();
  readonly #balances = new Map<string, number>();

  /** Applies the entry if its schema and the planner accept it; a refused entry changes nothing. */
  apply(input: unknown): LedgerPlan {
    const parsed = LedgerEntrySchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid entry';
      return { ok: false, error: { code: 'invalid_entry', message } };
    }
    const plan = planLedgerEntry(this, parsed.data);
    if (plan.ok) this.#applyEffects(plan.effects);
    return plan;
  }

  escrow(assignmentId: string): Escrow | undefined {
    const escrow = this.#escrows.get(assignmentId);
    return escrow && { ...escrow }; // a copy, so callers cannot edit the ledger's state
  }

  jobCommitted(jobId: string): number {
    return this.#jobCommitted.get(jobId) ?? 0;
  }

  /** Credits earned minus credits paid; 0 for a peer never seen. */
  balance(peer: string): number {
    return this.#balances.get(peer) ?? 0;
  }

  balances(): Map<string, number> {
    return new Map(this.#balances);
  }

  /** Credits this peer, as requester, has reserved in escrows not yet settled or refunded. */
  held(peer: string): number {
    let total = 0;
    for (const escrow of this.#escrows.values()) {
      if (escrow.requester === peer && escrow.status === 'held') total += escrow.amount;
    }
    return total;
  }

  #applyEffects({ escrow, transfers, jobCommittedDelta }: LedgerEffects): void {
    this.#escrows.set(escrow.assignment_id, escrow);
    this.#jobCommitted.set(escrow.job_id, this.jobCommitted(escrow.job_id) + jobCommittedDelta);
    for (const { from, to, amount } of transfers) {
      this.#balances.set(from, this.balance(from) - amount);
      this.#balances.set(to, this.balance(to) + amount);
    }
  }
}
