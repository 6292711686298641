// The units the state knows, in two forms. Units journaled one by one (a provider's assigned
// units, render tiles) are whole records. A job's units journaled in batches share one template
// and differ only in their input: they are held as the template and 32 bytes (the input's sha256)
// per unit, and a unit's record is made from them when asked for, so a million-unit job costs tens
// of megabytes, not gigabytes. Their verdicts (what changes) are kept apart, only for units that
// have one. Pure: no I/O.
import type { UnitTemplate } from '../../schemas/index.js';
import { cidOfSha256, sha256OfCid, SHA256_BYTES } from './input-cids.js';
import type { SnapshotPart, UnitProgress, UnitRecord } from './records.js';

interface BatchedJob {
  template: UnitTemplate;
  requester: string;
  /** Units journaled so far, in order. */
  created: number;
  /** The input sha256 of unit i at i × 32. */
  digests: Uint8Array;
  /** Open addressing by a digest's first 4 bytes: unit index + 1, 0 for an empty slot. */
  byDigest: Int32Array;
}

/** Batched units kept made (UnitTable's #made): a provider's pipelines and a verdict batch, with room. */
const UNITS_MADE_KEPT = 8192;

/** A unit's id: its job's id and its index, as every job names its units. */
export const unitIdOf = (jobId: string, index: number): string => `${jobId}/${index}`;

/** The job and index of a unit id of that form. */
export function parseUnitId(unitId: string): { jobId: string; index: number } | undefined {
  const slash = unitId.lastIndexOf('/');
  const digits = unitId.slice(slash + 1);
  if (slash <= 0 || !/^(0|[1-9]\d{0,8})$/.test(digits)) return undefined;
  return { jobId: unitId.slice(0, slash), index: Number(digits) };
}

/** What a snapshot keeps of the table (typed arrays travel as they are in a structured clone). */
interface SavedUnitTable {
  listed: Map<string, UnitRecord>;
  batched: Map<string, BatchedJob>;
  progress: Map<string, UnitProgress>;
}

export class UnitTable implements SnapshotPart {
  readonly #listed = new Map<string, UnitRecord>();
  readonly #batched = new Map<string, BatchedJob>();
  /** The progress of batched units that have any, by unit id. */
  readonly #progress = new Map<string, UnitProgress>();
  /** Per job, an index below which every unit has a verdict (firstUndecided): a cache, not saved. */
  readonly #decidedBelow = new Map<string, number>();
  /**
   * Batched units' records made lately, less their progress: a unit in flight is asked for at each
   * step of its way (its offer, acceptance, result, verdict), and making it (the template's fields,
   * its input's CID) each time would be most of what `get` costs. A cache, not saved: a unit never changes.
   */
  readonly #made = new Map<string, UnitRecord>();

  get(unitId: string): UnitRecord | undefined {
    const listed = this.#listed.get(unitId);
    if (listed) return listed;
    let made = this.#made.get(unitId);
    if (!made) {
      const at = this.#locate(unitId);
      if (!at) return undefined;
      if (this.#made.size >= UNITS_MADE_KEPT) this.#made.clear();
      this.#made.set(unitId, (made = this.#record(at.job, at.index, unitId)));
    }
    // A unit in flight has no progress yet: its made record is the answer (records are not changed in place).
    const progress = this.#progress.get(unitId);
    return progress ? { ...progress, ...made } : made;
  }

  has(unitId: string): boolean {
    return this.#listed.has(unitId) || this.#locate(unitId) !== undefined;
  }

  /** Every unit, listed ones first (a batched one is made as it is reached). */
  *values(): Generator<UnitRecord> {
    yield* this.#listed.values();
    for (const [jobId, job] of this.#batched)
      for (let i = 0; i < job.created; i++) {
        const id = unitIdOf(jobId, i);
        yield { ...this.#progress.get(id), ...this.#record(job, i, id) };
      }
  }

  /** A unit journaled whole; false when one of that id is known already. */
  add(record: UnitRecord): boolean {
    if (this.has(record.unit.unit_id)) return false;
    this.#listed.set(record.unit.unit_id, record);
    return true;
  }

  /** A job whose `count` units will come in batches (`append`). */
  addBatched(jobId: string, requester: string, template: UnitTemplate, count: number): void {
    if (this.#batched.has(jobId)) return;
    this.#batched.set(jobId, {
      template,
      requester,
      created: 0,
      digests: new Uint8Array(count * SHA256_BYTES),
      byDigest: new Int32Array(2 ** Math.ceil(Math.log2(Math.max(2, count * 2)))),
    });
  }

  /**
   * The next units of a batched job, by their inputs' sha256 (32 bytes each, in order, from unit
   * `first`); the number made, 0 when `first` is not the next unit or the job has no room for them.
   */
  append(jobId: string, first: number, digests: Uint8Array): number {
    const job = this.#batched.get(jobId);
    const count = digests.byteLength / SHA256_BYTES;
    if (!job || first !== job.created || !Number.isInteger(count)) return 0;
    if ((first + count) * SHA256_BYTES > job.digests.byteLength) return 0;
    job.digests.set(digests, first * SHA256_BYTES);
    for (let i = first; i < first + count; i++) indexDigest(job, i);
    job.created += count;
    return count;
  }

  /** The batched unit whose input is `cid` (the first, when several share it). */
  findInput(cid: string): { jobId: string; index: number } | undefined {
    const digest = sha256OfCid(cid);
    if (!digest) return undefined;
    for (const [jobId, job] of this.#batched) {
      const found = lookup(job, digest);
      if (found !== undefined) return { jobId, index: found };
    }
    return undefined;
  }

  /** What a unit's verdict set, without making its record (cheap over a million units). */
  progressOf(unitId: string): Readonly<UnitProgress> | undefined {
    return this.#listed.get(unitId) ?? this.#progress.get(unitId);
  }

  /**
   * The index of the job's first unit without a verdict (`created` when all have one): scans on from
   * where the last call stopped, so walking a big job's open units does not pass its decided ones
   * again each time.
   */
  firstUndecided(jobId: string, created: number): number {
    let i = this.#decidedBelow.get(jobId) ?? 0;
    while (i < created && this.progressOf(unitIdOf(jobId, i))?.verdict) i++;
    this.#decidedBelow.set(jobId, i);
    return i;
  }

  /** Unit `index` of the job lost its verdict: the job's units are looked at again from it. */
  reopened(jobId: string, index: number): void {
    const below = this.#decidedBelow.get(jobId);
    if (below !== undefined && index < below) this.#decidedBelow.set(jobId, index);
  }

  /** The unit's progress, to change: a listed unit's own record, a batched unit's entry (made if new). */
  progress(unitId: string): UnitProgress | undefined {
    const listed = this.#listed.get(unitId);
    if (listed) return listed;
    if (!this.#locate(unitId)) return undefined;
    let progress = this.#progress.get(unitId);
    if (!progress) this.#progress.set(unitId, (progress = {}));
    return progress;
  }

  /** Every unit of a job leaves the table (compaction): its batch, its batched units' progress, its listed units. */
  dropJob(jobId: string): void {
    this.#decidedBelow.delete(jobId);
    this.#made.clear();
    const job = this.#batched.get(jobId);
    if (job) for (let i = 0; i < job.created; i++) this.#progress.delete(unitIdOf(jobId, i));
    this.#batched.delete(jobId);
    for (const [id, record] of this.#listed) if (record.unit.job_id === jobId) this.#listed.delete(id);
  }

  toSnapshot(): SavedUnitTable {
    return { listed: this.#listed, batched: this.#batched, progress: this.#progress };
  }

  restoreSnapshot(data: unknown): void {
    const saved = data as SavedUnitTable;
    for (const [id, record] of saved.listed) this.#listed.set(id, record);
    for (const [id, job] of saved.batched) this.#batched.set(id, job);
    for (const [id, progress] of saved.progress) this.#progress.set(id, progress);
  }

  #locate(unitId: string): { job: BatchedJob; index: number } | undefined {
    const parsed = parseUnitId(unitId);
    const job = parsed && this.#batched.get(parsed.jobId);
    return job && parsed.index < job.created ? { job, index: parsed.index } : undefined;
  }

  #record(job: BatchedJob, index: number, unitId: string): UnitRecord {
    return {
      unit: { ...job.template, unit_id: unitId, input_cid: cidOfSha256(job.digests, index * SHA256_BYTES) },
      requester: job.requester,
      index,
    };
  }
}

const prefixOf = (bytes: Uint8Array, at: number) =>
  ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;

function sameDigest(job: BatchedJob, index: number, digest: Uint8Array): boolean {
  const at = index * SHA256_BYTES;
  for (let b = 0; b < SHA256_BYTES; b++) if (job.digests[at + b] !== digest[b]) return false;
  return true;
}

function lookup(job: BatchedJob, digest: Uint8Array): number | undefined {
  const mask = job.byDigest.length - 1;
  for (let slot = prefixOf(digest, 0) & mask; job.byDigest[slot] !== 0; slot = (slot + 1) & mask) {
    const index = job.byDigest[slot]! - 1;
    if (sameDigest(job, index, digest)) return index;
  }
  return undefined;
}

function indexDigest(job: BatchedJob, i: number): void {
  const digest = job.digests.subarray(i * SHA256_BYTES, (i + 1) * SHA256_BYTES);
  const mask = job.byDigest.length - 1;
  let slot = prefixOf(digest, 0) & mask;
  for (; job.byDigest[slot] !== 0; slot = (slot + 1) & mask)
    if (sameDigest(job, job.byDigest[slot]! - 1, digest)) return; // the same input as an earlier unit's
  job.byDigest[slot] = i + 1;
}
