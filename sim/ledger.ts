// The money side, through the real ledger (MemoryLedger, planLedgerEntry): an escrow when an offer
// is accepted, a settle when its result is paid, a refund 'rejected' when its result is thrown out
// (entries as node/mesh/settlement/ledger-events.ts writes them). Every entry goes through the ledger's zod
// validation: 5–10 µs an entry on the 2-core CI machine (the honest figure measures it), two
// entries or more a unit, 10–20 s for a million units, more than all the rest of a scenario; so
// the simulator drives it for one unit in `every` (all of that unit's assignments).
// Verifier rewards (node/mesh/verdicts/verdicts.ts) are left out: they move the honest providers' pay, not
// what saboteurs get.
import { MemoryLedger, WORKER_SHARE_BPS } from '../src-main/core/ledger/index.js';
import { ledgerEntryId, type Acceptance } from '../src-main/core/schemas/index.js';

export interface LedgerAudit {
  /** Units whose assignments went through the ledger. */
  sampledUnits: number;
  entries: number;
  /** Entries the ledger refused (a bug in the simulator or the ledger): their codes. */
  refused: string[];
  /** Sampled escrows still held at the end (each should be paid or refunded). */
  stillHeld: number;
  /** Credits paid to saboteurs, and to honest providers, in the sample. */
  paidToSaboteurs: number;
  paidToHonest: number;
  /** The sum of all balances: 0 when every credit paid came from someone. */
  balanceSum: number;
}

export class SampledLedger {
  readonly #ledger = new MemoryLedger();
  readonly #escrowed: string[] = [];
  readonly #units = new Set<number>();
  #entries = 0;
  readonly #refused: string[] = [];

  constructor(
    /** One unit in this many goes through the ledger; 0 for none. */
    private readonly every: number,
    private readonly budget: number,
  ) {}

  sampled(unit: number): boolean {
    return this.every > 0 && unit % this.every === 0;
  }

  escrow(unit: number, acceptance: Acceptance): void {
    if (!this.sampled(unit)) return;
    this.#units.add(unit);
    const id = acceptance.assignment_id;
    this.#escrowed.push(id);
    this.#apply({
      kind: 'escrow',
      entry_id: ledgerEntryId('escrow', id),
      assignment_id: id,
      job_id: acceptance.job_id,
      unit_id: acceptance.unit_id,
      requester: acceptance.requester_peer,
      worker: acceptance.provider_peer,
      amount: acceptance.price,
      job_budget: this.budget,
      at: acceptance.timestamp,
    });
  }

  settle(unit: number, assignmentId: string, nowMs: number): void {
    if (!this.sampled(unit)) return;
    this.#apply({
      kind: 'settle',
      entry_id: ledgerEntryId('settle', assignmentId),
      assignment_id: assignmentId,
      worker_share_bps: WORKER_SHARE_BPS,
      at: new Date(nowMs).toISOString(),
    });
  }

  refund(unit: number, assignmentId: string, nowMs: number): void {
    if (!this.sampled(unit)) return;
    this.#apply({
      kind: 'refund',
      entry_id: ledgerEntryId('refund', assignmentId),
      assignment_id: assignmentId,
      reason: 'rejected',
      at: new Date(nowMs).toISOString(),
    });
  }

  #apply(entry: Parameters<MemoryLedger['apply']>[0]): void {
    this.#entries++;
    const plan = this.#ledger.apply(entry);
    if (!plan.ok) this.#refused.push(plan.error.code);
  }

  audit(isSaboteur: (peer: string) => boolean): LedgerAudit {
    let paidToSaboteurs = 0;
    let paidToHonest = 0;
    let balanceSum = 0;
    for (const [peer, balance] of this.#ledger.balances()) {
      balanceSum += balance;
      if (balance <= 0) continue;
      if (isSaboteur(peer)) paidToSaboteurs += balance;
      else paidToHonest += balance;
    }
    return {
      sampledUnits: this.#units.size,
      entries: this.#entries,
      refused: [...this.#refused],
      stillHeld: this.#escrowed.filter((id) => this.#ledger.escrow(id)?.status === 'held').length,
      paidToSaboteurs,
      paidToHonest,
      balanceSum,
    };
  }
}
