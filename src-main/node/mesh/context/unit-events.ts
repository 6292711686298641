// The UI's events for a batch of units: one a job and peer, not one a unit. Every event is built,
// checked, written and sent by the node's main thread, and read by the UI's, and a unit has six
// steps a UI hears of (its offer, acceptance, result, verdict, escrow and settle).
import type { ApiEvent, ApiEventType } from '../../../core/api/contract.js';
import { unitsAt, unitsPerPackOf } from '../../../core/mesh/rules/packs.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import { parseUnitId, unitIdOf } from '../../../core/mesh/state/unit-table.js';
import type { LedgerEntry } from '../../../core/schemas/index.js';

type Emit = (type: ApiEventType, data: ApiEvent['data']) => void;

/** A unit of the batch: its job, its id, the peer on the other side (if any), and what else its own event says. */
export interface BatchedUnit {
  job_id: string;
  unit_id: string;
  /** How many of the job's units it stands for, when more than 1: a pack's (userUnits). */
  units?: number;
  peer?: string;
  extra?: ApiEvent['data'];
}

/**
 * A unit of my state as its job's user counts units: itself, or for a pack of a packed job, the
 * first unit in it and how many it holds (core/mesh/rules/packs.ts). Events name units so: pack 3 of
 * `job` is not unit `job/3`.
 */
export function userUnits(state: Pick<MeshState, 'jobs'>, unitId: string): { unit_id: string; units?: number } {
  const at = parseUnitId(unitId);
  const record = at && state.jobs.get(at.jobId);
  if (!record || unitsPerPackOf(record.job) === 1) return { unit_id: unitId };
  return { unit_id: unitIdOf(at.jobId, at.index * unitsPerPackOf(record.job)), units: unitsAt(record, at.index) };
}

/** A lone unit's event type, the batch's, and the key its peer goes under. */
export interface UnitEventTypes {
  one: ApiEventType;
  many: ApiEventType;
  peerKey?: 'provider';
}

/**
 * One event for each job and peer of the batch: a lone unit's own event (`one`: its `unit_id`,
 * its peer under `peerKey`, and its `extra`), or for several (a pack is its units), `many` with
 * their count as `units`.
 */
export function emitUnits(emit: Emit, { one, many, peerKey }: UnitEventTypes, units: readonly BatchedUnit[]): void {
  const groups = new Map<string, BatchedUnit[]>();
  for (const unit of units) {
    const key = `${unit.job_id} ${unit.peer ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(unit);
    else groups.set(key, [unit]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    const peer: ApiEvent['data'] = peerKey && first.peer !== undefined ? { [peerKey]: first.peer } : {};
    const count = group.reduce((sum, unit) => sum + (unit.units ?? 1), 0);
    if (count === 1) emit(one, { job_id: first.job_id, unit_id: first.unit_id, ...peer, ...first.extra });
    else emit(many, { job_id: first.job_id, ...peer, units: count });
  }
}

/**
 * Units told of one at a time (a verdict each, where its decision ends) and emitted together at
 * the end of the turn, as emitUnits does a batch. `flush` emits them now: before an event that
 * must come after them (the job's completion).
 */
export class UnitsThisTurn {
  #units: BatchedUnit[] = [];

  constructor(
    private readonly emit: Emit,
    private readonly types: UnitEventTypes,
  ) {}

  add(unit: BatchedUnit): void {
    if (this.#units.length === 0) setImmediate(() => this.flush());
    this.#units.push(unit);
  }

  flush(): void {
    const units = this.#units;
    this.#units = [];
    emitUnits(this.emit, this.types, units);
  }
}

/**
 * The events of a unit's verdict (`named`: as its job's user counts units, userUnits): `unit.failed`
 * with the failure every run agreed on, or its units verified this turn; a pack's units that failed
 * alone are a `unit.failed` of theirs, `in_pack` (job status says why, unit by unit).
 */
export function emitVerdict(
  emit: Emit,
  verifiedThisTurn: UnitsThisTurn,
  named: { unit_id: string; units?: number },
  verdict: { jobId: string; hash: string | null; failure: string | undefined; failedUnits: number },
): void {
  const { jobId, hash, failure, failedUnits } = verdict;
  if (failure) return emit('unit.failed', { job_id: jobId, ...named, hash, failure });
  if (failedUnits > 0) emit('unit.failed', { job_id: jobId, ...named, units: failedUnits, hash, failure: 'in_pack' });
  const verified = (named.units ?? 1) - failedUnits;
  if (verified > 0) verifiedThisTurn.add({ job_id: jobId, ...named, units: verified, extra: { hash } });
}

/** One event for the entries one journal event holds: a lone entry's own, or their count and kind. */
export function emitLedgerEntries(emit: Emit, entries: readonly LedgerEntry[]): void {
  const [first] = entries;
  if (!first) return;
  if (entries.length === 1) emit('ledger.entry', { kind: first.kind, assignment_id: first.assignment_id });
  else {
    const kind = entries.every((e) => e.kind === first.kind) ? first.kind : 'mixed';
    emit('ledger.entries', { kind, entries: entries.length });
  }
}
