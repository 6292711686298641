// The step memo (core/workflow/facts.ts stepMemoKeyOf): once a step's job ends, the list of its
// outputs is stored as a blob and remembered under the step's key, beside its units' own keys. A
// run of the same step over the same items takes them all from that list, making none of its
// units' keys nor looking each up (a fan-out's 10,000), once every output is found still held: the
// collector may have taken some since, and then the units' memo decides, unit by unit. A list found
// or put held whole is not asked of the store again while no blob has left it (HeldSets).
import { hash } from 'node:crypto';
import { isFile } from '../../../core/workflow/fact-check.js';
import { stepMemoKeyOf } from '../../../core/workflow/facts.js';
import type { FileValue } from '../../../core/workflow/references.js';
import { HeldSets } from '../../blobs/held-sets.js';
import type { WorkflowStore } from '../../journal/workflow-store.js';
import type { Blobs } from '../context/blobs.js';
import { listCidOf, listOf } from './file-lists.js';

/** A unit's output as the memo has it. */
export interface MemoOutput {
  unit: number;
  cid: string;
  bytes: number;
}

export class StepMemo {
  readonly #held: HeldSets;

  constructor(
    private readonly blobs: Pick<Blobs, 'get' | 'put' | 'hasAllStored' | 'removals'>,
    private readonly store: Pick<WorkflowStore, 'memo' | 'remember'>,
  ) {
    this.#held = new HeldSets(blobs);
  }

  /** What to give remember for outputs found or put held from now on. */
  mark(): number {
    return this.#held.mark();
  }

  /** The step's key, hashed as its units' are: its items' list by the CID of its bytes. */
  keyOf(moduleCid: string, params: Record<string, unknown>, chunkBytes: number, items: readonly FileValue[]): string {
    return hash('sha256', stepMemoKeyOf(moduleCid, params, chunkBytes, listCidOf(items)), 'hex');
  }

  /** Each of the step's `units` outputs in order, when the memo has its list and the store every one of them. */
  outputs(key: string, units: number): MemoOutput[] | undefined {
    const hit = this.store.memo(key);
    const stored = hit && this.blobs.get(hit.cid);
    if (!stored) return undefined;
    let list: unknown;
    try {
      list = JSON.parse(Buffer.from(stored).toString('utf8'));
    } catch {
      return undefined;
    }
    if (!Array.isArray(list) || list.length !== units || !list.every(isFile)) return undefined;
    const files = list as FileValue[];
    if (this.#held.firstMissing(hit.cid, files) >= 0) return undefined;
    return files.map(({ cid, bytes }, unit) => ({ unit, cid, bytes }));
  }

  /** Remembers the step's outputs, in unit order, under its key; held whole when each was found or put held since `mark`. */
  async remember(key: string, files: readonly FileValue[], mark: number | undefined): Promise<void> {
    const list = listOf(files);
    const cid = await this.blobs.put(list.json);
    this.store.remember([{ key, cid, bytes: list.json.byteLength }]);
    if (mark !== undefined) this.#held.add(cid, mark);
  }
}
