// One copy of each value the state's records repeat. Every record is made from a message's or an
// event's JSON, and JSON.parse makes a copy of each string and object it reads: left so, a
// provider's records of a 20,000-unit job hold its job id 57,000 times and each peer id 20,000
// times, the same assignment id three times more (as its offer id, its result's and its closing's),
// and each unit its own `{ cpu_cores: 1, ram_gb: 0.0625 }`. The fold hands what it keeps through here; the
// values stay equal, only the copies go. Pure: no I/O.
import type {
  Acceptance,
  ExecutionEntry,
  LedgerEntry,
  UnitVerdict,
  Verdict,
  WorkResult,
  WorkUnit,
} from '../../schemas/index.js';
import type { UnitProgress } from './records.js';

/** Distinct values kept: timestamps differ from batch to batch, so the pool starts over at this size. */
const MAX_KEPT = 4096;

export class SharedValues {
  readonly #kept = new Map<string, string>();
  /** The last small object kept of each field that holds one (a unit's resources, its params). */
  readonly #lastObjects = new Map<string, object>();

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
    result.resources_used = this.#flat('resources_used', result.resources_used);
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

  /** A verdict on a unit with these assignments: the ids and the hash it names, as their results'. */
  verdict(verdict: UnitVerdict, assignments: readonly { result?: WorkResult }[]): void {
    for (const { result } of assignments) {
      if (!result) continue;
      if (verdict.consensus_hash !== null)
        verdict.consensus_hash = same(verdict.consensus_hash, result.verification_hash);
      sameIn(verdict.agreeing_results, result.result_id);
      sameIn(verdict.unchecked_results, result.result_id);
    }
  }

  /** What my verification receipt says of a unit, as the unit's progress (already shared) says it. */
  verdictEntry(entry: Verdict, progress: Readonly<UnitProgress> | undefined): void {
    entry.job_id = this.of(entry.job_id);
    entry.agreeing = entry.agreeing.slice(); // of its length: one built by push holds room for 16
    if (!progress) return;
    if (entry.consensus_hash !== null && progress.consensusHash)
      entry.consensus_hash = same(entry.consensus_hash, progress.consensusHash);
    for (const id of progress.agreeing ?? []) sameIn(entry.agreeing, id);
  }

  unit(unit: WorkUnit): void {
    unit.job_id = this.of(unit.job_id);
    unit.algorithm_id = this.of(unit.algorithm_id);
    unit.algorithm_version = this.of(unit.algorithm_version);
    if (unit.module_cid !== undefined) unit.module_cid = this.of(unit.module_cid);
    unit.required_resources = this.#flat('required_resources', unit.required_resources);
    if (unit.params !== undefined) unit.params = this.#flat('params', unit.params);
    if (unit.verification !== undefined) unit.verification = this.#flat('verification', unit.verification);
  }

  /**
   * `value`, as the last object kept for `field` when the two have the same keys, in the same order,
   * and the same values (strings, numbers: a nested object is never the same): a big job's units
   * and results repeat theirs. Records are never changed in place, so one object may serve many.
   */
  #flat<T extends object>(field: string, value: T): T {
    const last = this.#lastObjects.get(field) as T | undefined;
    if (last !== undefined && sameFlat(last, value)) return last;
    this.#lastObjects.set(field, value);
    return value;
  }
}

function sameFlat(a: object, b: object): boolean {
  const keys = Object.keys(a);
  const others = Object.keys(b);
  if (keys.length !== others.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = (a as Record<string, unknown>)[key];
    if (others[i] !== key || typeof value === 'object' || value !== (b as Record<string, unknown>)[key]) return false;
  }
  return true;
}

/** `value`, as `other` when the two are equal. */
const same = (value: string, other: string): string => (value === other ? other : value);

/** Points the items of `ids` equal to `id` at it. */
function sameIn(ids: string[] | undefined, id: string): void {
  if (!ids) return;
  for (let i = 0; i < ids.length; i++) if (ids[i] === id) ids[i] = id;
}
