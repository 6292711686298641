// Sets of blobs known held whole, each by a name (a list's CID): the store's removals count when a
// set was found (or put) held is kept, and while no blob has left the store since, the set is held
// still, without asking the store for each of its blobs again (a fan-out's 10,000 outputs).
import type { BlobStore } from './store.js';

/** Sets remembered at most, the oldest forgotten first. */
const MAX_SETS = 64;

export class HeldSets {
  readonly #known = new Map<string, number>();

  /** `hasAllStored`: a set is held as the store's own blobs (a unit's input inside a job's input goes with it). */
  constructor(private readonly store: Pick<BlobStore, 'removals' | 'hasAllStored'>) {}

  /** What to give `add` for blobs found or put held from now on. */
  mark(): number {
    return this.store.removals();
  }

  /** Remembers the set `name` held whole, each of its blobs found or put held since `mark`: unless one has left since. */
  add(name: string, mark: number): void {
    if (mark !== this.store.removals()) return;
    this.#known.delete(name);
    if (this.#known.size >= MAX_SETS) this.#known.delete(this.#known.keys().next().value!);
    this.#known.set(name, mark);
  }

  /** Whether the set `name` is known held whole now. */
  has(name: string): boolean {
    return this.#known.get(name) === this.store.removals();
  }

  /**
   * The index of the first of the set `name`'s `files` not held at its size, or -1: the store is
   * asked only while the set is not known held whole, and a set found held is known from then on.
   */
  firstMissing(name: string, files: readonly { cid: string; bytes: number }[]): number {
    if (this.has(name)) return -1;
    const mark = this.mark();
    const gone = this.store
      .hasAllStored(
        files.map((file) => file.cid),
        files.map((file) => file.bytes),
      )
      .indexOf(false);
    if (gone < 0) this.add(name, mark);
    return gone;
  }
}
