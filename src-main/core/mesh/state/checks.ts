// What a requester learnt from its own checks (docs/PROTOCOL.md, "Verification"): each
// provider's record of checks passed, who was convicted (a result contradicted the ground truth),
// and each checked result's outcome. Folded from `unit.checked` events; pure.
import { NO_RECORD, type CheckRecord } from '../../verification/index.js';
import type { SnapshotPart } from './records.js';

export interface Conviction {
  unitId: string;
  resultId: string;
  at: string;
  /**
   * When each rejection the conviction brought was counted in the peer's reputation (its wrong
   * results, its held results refunded): what a pardon takes back. Absent in a state of an earlier version.
   */
  rejectedAt?: string[];
}

export class CheckBook implements SnapshotPart {
  readonly #records = new Map<string, CheckRecord>();
  /** Checked results: true when they matched the ground truth. */
  readonly outcomes = new Map<string, boolean>();
  /** The ground truth's CID of each unit the requester ran in full. */
  readonly truths = new Map<string, string>();
  /** The fuel of each of those runs, when it reported any: what a unit billed by fuel pays. */
  readonly truthFuel = new Map<string, number>();
  readonly convictions = new Map<string, Conviction>();
  /** Results of each provider that a check contradicted. */
  readonly contradicted = new Map<string, number>();

  toSnapshot(): Record<string, Map<string, unknown>> {
    const { outcomes, truths, truthFuel, convictions, contradicted } = this;
    return { records: this.#records, outcomes, truths, truthFuel, convictions, contradicted };
  }

  restoreSnapshot(data: unknown): void {
    const saved = data as Record<string, Map<string, never>>;
    const maps: [Map<string, unknown>, string][] = [
      [this.#records, 'records'],
      [this.outcomes, 'outcomes'],
      [this.truths, 'truths'],
      [this.truthFuel, 'truthFuel'],
      [this.convictions, 'convictions'],
      [this.contradicted, 'contradicted'],
    ];
    for (const [map, key] of maps) for (const [k, v] of saved[key] ?? []) map.set(k, v);
  }

  /** A rejection counted against a convicted peer: kept with its conviction, for a pardon to take back. */
  rejectionCounted(peer: string, at: string): void {
    const conviction = this.convictions.get(peer);
    if (conviction) (conviction.rejectedAt ??= []).push(at);
  }

  /** The user's pardon: the peer is no longer convicted; the rejections its conviction counted, to take back. */
  pardon(peer: string): string[] {
    const conviction = this.convictions.get(peer);
    if (!conviction) return [];
    this.convictions.delete(peer);
    this.#records.set(peer, { ...this.record(peer), convicted: false });
    return conviction.rejectedAt ?? [];
  }

  record(peer: string): CheckRecord {
    return this.#records.get(peer) ?? NO_RECORD;
  }

  isConvicted(peer: string): boolean {
    return this.convictions.has(peer);
  }

  /** One check of a unit: `results` pairs each checked result with its provider. */
  apply(
    unitId: string,
    truth: string | null,
    results: ReadonlyArray<{ resultId: string; peer: string; matched: boolean }>,
    at: string,
  ): void {
    if (truth !== null) this.truths.set(unitId, truth);
    for (const { resultId, peer, matched } of results) {
      if (this.outcomes.has(resultId)) continue;
      this.outcomes.set(resultId, matched);
      const before = this.record(peer);
      if (matched) {
        this.#records.set(peer, { ...before, passed: before.passed + 1 });
        continue;
      }
      this.#records.set(peer, { ...before, convicted: true });
      this.contradicted.set(peer, (this.contradicted.get(peer) ?? 0) + 1);
      if (!this.convictions.has(peer)) this.convictions.set(peer, { unitId, resultId, at });
    }
  }
}
