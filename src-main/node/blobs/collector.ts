// Garbage collection of blobs by the storage settings (core/storage): shortly after start and
// every `gc_interval_s`, every blob that no open work or kept output needs any more
// (blob-needs.ts), and that was not put within `grace_s`, is deleted. One collection is
// synchronous from the decision to the last delete, so nothing can come to name a blob in
// between; a blob put again since the decision is spared by the store itself (remove's `before`).
// What each requester holds on my disk (quota.ts) is counted at start, before any acceptance reads
// it, and a collection releases what it removed: a collection with nothing old enough to go reads
// nothing else (recounting walked every assignment I hold and listed every blob: a provider's
// main thread stalled 528-805 ms in the middle of a 100,000-unit job). The first collection waits,
// since it may read all of history (every kept output of a compacted job, once some blob is old)
// and would delay the node's first answers.
import { describeError } from '../../core/errors.js';
import type { MeshState } from '../../core/mesh/state/state.js';
import {
  blobNeeds,
  providerNeeds,
  type BlobKind,
  type BlobNeed,
  type Retention,
} from '../../core/mesh/rules/blob-needs.js';
import type { StorageConfig } from '../../core/storage/storage-config.js';
import { RequesterQuota } from './quota.js';
import type { BlobStore } from './store.js';

/** How long after start the first collection waits (gc_interval_s if shorter): the node answers first. */
const FIRST_COLLECTION_MS = 30_000;

export interface Collection {
  at: number;
  removed: number;
  freed_bytes: number;
}

/** What the store holds, by what it is for ('unneeded': nothing names it any more, or never did). */
export interface StorageUsage {
  blobs: number;
  row_bytes: number;
  file_bytes: number;
  by_kind: Record<BlobKind | 'shipped' | 'unneeded', number>;
}

export class BlobCollector {
  #timer: NodeJS.Timeout | undefined;
  #last: Collection | undefined;
  #freedTotal = 0;

  constructor(
    /** The node's store as it reads it (mesh/context/blobs.ts): removing through it tells it what went. */
    private readonly store: Pick<BlobStore, 'list' | 'remove' | 'size'>,
    private readonly state: MeshState,
    readonly config: StorageConfig,
    /** Blobs never collected: the shipped modules, and what running workflows hold (their inputs, their steps' outputs). */
    private readonly keep: Pick<ReadonlySet<string>, 'has'>,
    private readonly log: (message: string) => void,
    /**
     * What blobNeeds asks the node: when a requester holds my result (Provider.deliveredAt), a
     * compacted job's outputs, and what compacted jobs' units still need; and where the last are
     * forgotten once their retention has passed (the journal's archive).
     */
    private readonly hooks: Pick<Retention, 'deliveredAt' | 'compactedOutputs' | 'compactedNeeds'> & {
      forgetNeeds?: (before: { provider: number; requester: number }) => void;
    } = {},
    /** Each requester's bytes on my disk: counted at start, released as its blobs go. */
    readonly quota = new RequesterQuota(config.requester_quota_bytes),
  ) {}

  /** Counts the quotas now; collects a little later, then every gc_interval_s until stop. */
  start(): void {
    this.#countQuotas();
    const every = this.config.gc_interval_s * 1000;
    const collect = () => {
      this.#collectLogged();
      this.#timer = setInterval(() => this.#collectLogged(), every).unref();
    };
    this.#timer = setTimeout(collect, Math.min(FIRST_COLLECTION_MS, every)).unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  get last(): Collection | undefined {
    return this.#last;
  }

  /** Bytes freed by every collection since start. */
  get freedTotal(): number {
    return this.#freedTotal;
  }

  /**
   * One collection at `now` (ms). Only blobs put before the grace can go: with none, nothing else is
   * read (the needs of a running 100,000-unit job held the main thread ~0.5 s).
   */
  collect(now = Date.now()): Collection {
    const before = now - this.config.grace_s * 1000;
    const old = this.store.list(before).filter((blob) => blob.storedAt < before && !this.keep.has(blob.cid));
    let [removed, freed] = [0, 0];
    if (old.length > 0) {
      const needs = blobNeeds(this.state, this.#retention());
      const unneeded = old.filter((blob) => {
        const need = needs.get(blob.cid);
        return need === undefined || need.until < now;
      });
      ({ removed, freed } = this.store.remove(unneeded, before));
      this.quota.release(unneeded.map((blob) => blob.cid));
    }
    this.hooks.forgetNeeds?.({
      provider: now - this.config.provider_retention_s * 1000,
      requester: now - this.config.input_retention_s * 1000,
    });
    this.#freedTotal += freed;
    this.#last = { at: now, removed, freed_bytes: freed };
    return this.#last;
  }

  /** What the store holds now, by kind. */
  usage(now = Date.now()): StorageUsage {
    const needs = blobNeeds(this.state, this.#retention());
    const usage: StorageUsage = {
      blobs: 0,
      row_bytes: 0,
      file_bytes: 0,
      by_kind: { module: 0, input: 0, output: 0, shipped: 0, unneeded: 0 },
    };
    for (const blob of this.store.list()) {
      usage.blobs++;
      usage[blob.place === 'row' ? 'row_bytes' : 'file_bytes'] += blob.size;
      const need = needs.get(blob.cid);
      const kind = this.keep.has(blob.cid) ? 'shipped' : need && need.until >= now ? need.kind : 'unneeded';
      usage.by_kind[kind] += blob.size;
    }
    return usage;
  }

  /** What each requester holds on my disk, without collecting: the stored blobs of my work as provider. */
  #countQuotas(): void {
    this.quota.reset(this.#held(providerNeeds(this.state, this.#retention()), (cid) => this.store.size(cid)));
  }

  /** Requester → the blobs I hold for it as provider (cid → bytes): the needs with a `heldFor` that are stored, shipped modules aside. */
  #held(needs: Map<string, BlobNeed>, sizeOf: (cid: string) => number | undefined): Map<string, Map<string, number>> {
    const held = new Map<string, Map<string, number>>();
    for (const [cid, { heldFor }] of needs) {
      if (!heldFor || this.keep.has(cid)) continue;
      const size = sizeOf(cid);
      if (size === undefined) continue;
      for (const requester of heldFor) held.set(requester, (held.get(requester) ?? new Map()).set(cid, size));
    }
    return held;
  }

  #retention(): Retention {
    const { deliveredAt, compactedOutputs, compactedNeeds } = this.hooks;
    return {
      providerMs: this.config.provider_retention_s * 1000,
      inputMs: this.config.input_retention_s * 1000,
      ...(deliveredAt ? { deliveredAt } : {}),
      ...(compactedOutputs ? { compactedOutputs } : {}),
      ...(compactedNeeds ? { compactedNeeds } : {}),
    };
  }

  #collectLogged(): void {
    try {
      const { removed, freed_bytes } = this.collect();
      if (removed > 0) this.log(`garbage collection: ${removed} blobs, ${freed_bytes} bytes freed`);
    } catch (err) {
      this.log(`garbage collection failed: ${describeError(err)}`);
    }
  }
}
