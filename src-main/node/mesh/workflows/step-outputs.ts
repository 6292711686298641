// A batch step's verified outputs gathered from its ended job (docs/WORKFLOWS.md): each stored here
// as a blob (later steps read them here, whoever ran them) and remembered under its unit's memo
// key, a batch at a time; or the first unit that failed.
import type { JobRecord } from '../../../core/mesh/state/records.js';
import type { WorkflowStore } from '../../journal/workflow-store.js';
import { unitPage, type UnitSources } from '../views/job-view.js';
import { unitStderr, verifiedOutput } from '../views/job-outputs.js';
import type { NodeContext } from '../context/node-context.js';

/** Bytes of a step's outputs held before they are stored together (one page of units at most). */
const KEPT_BATCH_BYTES = 16 * 2 ** 20;

/** The memo key of a WASI unit's stderr, beside its output's. */
export const stderrKey = (key: string): string => `${key}.stderr`;

/** What a batch step gathers from: its units the job ran (the job's unit i is ran[i]), their keys, and whether they are a program's. */
export interface GatherFrom {
  ran: readonly { unit: number }[];
  keyOf: (unit: number) => string;
  wasi: boolean;
}

/**
 * Each unit's output by its place in the step, or the first failure (why, and whether a retry could
 * mend it); what was verified is remembered even when a unit failed: a run after it runs only what is missing.
 */
export async function gatherOutputs(
  ctx: Pick<NodeContext, 'blobs' | 'fetchBlob' | 'log' | 'signal' | 'state'>,
  store: Pick<WorkflowStore, 'remember'>,
  sources: UnitSources,
  record: JobRecord,
  created: number,
  { ran, keyOf, wasi }: GatherFrom,
): Promise<{ outputs: Map<number, { cid: string; bytes: number }>; failed?: { reason: string; retryable: boolean } }> {
  const outputs = new Map<number, { cid: string; bytes: number }>();
  let failed: { reason: string; retryable: boolean } | undefined;
  let kept: { place: number; key: string; bytes: Uint8Array }[] = [];
  let keptBytes = 0;
  // Stored a batch at once, in a few transactions.
  const keep = async () => {
    const cids = await ctx.blobs.putMany(kept.map(({ bytes }) => bytes));
    const remembered = kept.map(({ place, key, bytes }, i) => {
      if (place >= 0) outputs.set(place, { cid: cids[i]!, bytes: bytes.byteLength });
      return { key, cid: cids[i]!, bytes: bytes.byteLength };
    });
    store.remember(remembered);
    [kept, keptBytes] = [[], 0];
  };
  for (let from = 0; from < created;) {
    const page = unitPage(sources, record, from);
    if (page.length === 0) break;
    from += page.length;
    for (const unit of page) {
      if (unit.failure !== null || unit.output_cid === null) {
        // Providers that disagreed may agree elsewhere; a trap or fuel run out would happen again.
        failed ??= {
          reason: `unit ${unit.index} of job ${record.job.job_id} failed: ${unit.failure ?? 'no output'}`,
          retryable: unit.failure === 'no_agreement',
        };
        continue;
      }
      const { unit: place } = ran[unit.index]!;
      const key = keyOf(place);
      const bytes = await verifiedOutput(ctx, sources, record, unit);
      kept.push({ place, key, bytes });
      keptBytes += bytes.byteLength;
      const stderr = wasi ? unitStderr(ctx, unit) : undefined;
      if (stderr !== undefined) kept.push({ place: -1, key: stderrKey(key), bytes: Buffer.from(stderr, 'base64') });
      if (keptBytes >= KEPT_BATCH_BYTES) await keep();
    }
  }
  await keep();
  return failed ? { outputs, failed } : { outputs };
}
