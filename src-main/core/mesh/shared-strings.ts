// One copy of each string the state's records repeat. Every record is made from a message's or an
// event's JSON, and JSON.parse makes a copy of each string it reads: a provider's records of a
// 20,000-unit job held its job id 57,000 times and each peer id 20,000 times, and the same
// assignment id three times more (as its offer id, its result's and its closing's). The fold hands
// what it keeps through here; the values stay equal, only the copies go. Pure: no I/O.
import type { Acceptance, ExecutionEntry, LedgerEntry, WorkResult, WorkUnit } from '../schemas/index.js';

/** Distinct values kept: timestamps differ from batch to batch, so the pool starts over at this size. */
const MAX_KEPT = 4096;

export class SharedStrings {
  readonly #kept = new Map<string, string>();

  /** `value`, as the one copy kept of it. */
  of(value: string): string {
    const kept = this.#kept.get(value);
    if (kept !== undefined) return kept;
    if (this.#kept.size >= MAX_KEPT) this.#kept.clear(); // the values in use come back at once
    this.#kept.set(value, value);
    return value;
  }

  acceptance(acceptance: Acceptance): void {
    acceptance.offer_id = same(acceptance.offer_id, acceptance.assignment_id);
    acceptance.job_id = this.of(acceptance.job_id);
    acceptance.requester_peer = this.of(acceptance.requester_peer);
    acceptance.provider_peer = this.of(acceptance.provider_peer);
    acceptance.deadline = this.of(acceptance.deadline);
    acceptance.timestamp = this.of(acceptance.timestamp);
  }

  /** A result taken for `acceptance` (already shared): the ids it repeats point at the acceptance's. */
  result(result: WorkResult, acceptance: Acceptance): void {
    result.assignment_id = same(result.assignment_id, acceptance.assignment_id);
    result.work_unit_id = same(result.work_unit_id, acceptance.unit_id);
    result.computed_by_peer = same(result.computed_by_peer, acceptance.provider_peer);
    result.verification_hash = same(result.verification_hash, result.output_cid);
    result.timestamp = this.of(result.timestamp);
  }

  /** A settle or refund that closed `acceptance`'s escrow. */
  closing(entry: LedgerEntry, acceptance: Acceptance): void {
    entry.assignment_id = same(entry.assignment_id, acceptance.assignment_id);
    entry.at = this.of(entry.at);
  }

  /** What my execution receipt says of a unit, which the state keeps with the receipt. */
  executionEntry(entry: ExecutionEntry, acceptance?: Acceptance, result?: WorkResult, unit?: WorkUnit): void {
    if (acceptance) {
      entry.assignment_id = same(entry.assignment_id, acceptance.assignment_id);
      entry.unit_id = same(entry.unit_id, acceptance.unit_id);
    }
    if (result) entry.output_cid = same(entry.output_cid, result.output_cid);
    if (unit?.input_cid !== undefined && entry.input_cid !== undefined)
      entry.input_cid = same(entry.input_cid, unit.input_cid);
    entry.job_id = this.of(entry.job_id);
    if (entry.module_cid !== undefined) entry.module_cid = this.of(entry.module_cid);
  }

  unit(unit: WorkUnit): void {
    unit.job_id = this.of(unit.job_id);
    unit.algorithm_id = this.of(unit.algorithm_id);
    unit.algorithm_version = this.of(unit.algorithm_version);
    if (unit.module_cid !== undefined) unit.module_cid = this.of(unit.module_cid);
  }
}

/** `value`, as `other` when the two are equal. */
const same = (value: string, other: string): string => (value === other ? other : value);
