// A result's output fetched from its provider for a check before its unit's verdict (a GPU tile,
// a Blender frame): one that cannot be fetched is asked for again at the next decision, and after
// FETCH_ATTEMPTS its result is left out (it cannot be judged, nor convicted).
import type { WorkResult } from '../../../core/schemas/index.js';
import { blobFromHolders, type NodeContext } from '../context/node-context.js';

/** An output that cannot be fetched is asked for this many times before its result is left out. */
const FETCH_ATTEMPTS = 3;

export class OutputFetches {
  readonly #failures = new Map<string, number>();

  constructor(private readonly ctx: Pick<NodeContext, 'blobs' | 'fetchBlob' | 'log' | 'signal'>) {}

  /**
   * The result's output (kept in my store unless `keep` is false); `later` when it could not be
   * fetched and is to be asked for again; `lost` once it failed FETCH_ATTEMPTS times.
   */
  async fetch(
    result: WorkResult,
    provider: string,
    maxBytes: number,
    keep = true,
  ): Promise<Uint8Array | 'later' | 'lost'> {
    const bytes = await blobFromHolders(this.ctx, result.output_cid, [provider], maxBytes, keep);
    if (bytes) return bytes;
    const failures = (this.#failures.get(result.result_id) ?? 0) + 1;
    this.#failures.set(result.result_id, failures);
    return failures < FETCH_ATTEMPTS ? 'later' : 'lost';
  }

  /** The unit has its verdict: its results' failures go. */
  forget(results: readonly WorkResult[]): void {
    for (const r of results) this.#failures.delete(r.result_id);
  }
}
