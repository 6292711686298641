// A step's unit outputs stored while its job runs (step-jobs.ts): each look at a running step's
// job (every 100 ms) stores the verified outputs of the packs decided since the last, so that its
// end stores only the rest. A fan-out's 10,000 outputs read from their packs and stored at its end
// took ~200 ms after the last unit was verified, the provider idle; now they are stored while the
// provider computes the others. The end looks at every unit again and takes a kept output only
// while it is still the unit's (a verdict withdrawn since, unit.reopened, is looked at anew), and
// the memo is written at the end alone, from the outputs as they are then.
import { unitsOfJob, unitsPerPackOf } from '../../../core/mesh/rules/packs.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import type { NodeContext } from '../context/node-context.js';
import { verifiedOutput } from '../views/job-outputs.js';
import { unitPage, type UnitSources } from '../views/job-view.js';

/** Bytes of outputs held before they are stored together. */
export const KEPT_BATCH_BYTES = 16 * 2 ** 20;

/** Outputs stored while the job ran, by the unit's index in its job, and the packs looked at (from the first). */
export interface KeptOutputs {
  byIndex: Map<number, { cid: string; bytes: number }>;
  packs: number;
}

export const noKeptOutputs = (): KeptOutputs => ({ byIndex: new Map(), packs: 0 });

/**
 * Stores the verified outputs of the job's packs decided since the last call, from the first pack
 * on up to the first not yet decided; a unit without an output (failed, or one that cannot be read
 * now) is left to the end.
 */
export async function keepVerified(
  ctx: Pick<NodeContext, 'blobs' | 'fetchBlob' | 'log' | 'signal' | 'state'>,
  sources: UnitSources,
  record: JobRecord,
  kept: KeptOutputs,
): Promise<void> {
  const jobId = record.job.job_id;
  let packs = kept.packs;
  while (packs < record.created && ctx.state.units.progressOf(unitIdOf(jobId, packs))?.verdict) packs++;
  if (packs === kept.packs) return;
  const perPack = unitsPerPackOf(record.job);
  const last = Math.min(unitsOfJob(record), packs * perPack);
  // The units of the decided packs alone: the record as if no later pack were made yet.
  const decided: JobRecord = { ...record, created: packs };
  for (let from = kept.packs * perPack; from < last;) {
    const page = unitPage(sources, decided, from);
    let batch: { index: number; bytes: Uint8Array }[] = [];
    let batchBytes = 0;
    const store = async () => {
      const cids = await ctx.blobs.putMany(batch.map(({ bytes }) => bytes));
      batch.forEach(({ index, bytes }, i) => kept.byIndex.set(index, { cid: cids[i]!, bytes: bytes.byteLength }));
      [batch, batchBytes] = [[], 0];
    };
    for (const unit of page) {
      if (unit.status !== 'verified' || unit.failure !== null || unit.output_cid === null) continue;
      try {
        const bytes = await verifiedOutput(ctx, sources, record, unit);
        batch.push({ index: unit.index, bytes });
        batchBytes += bytes.byteLength;
      } catch {
        continue; // read again at the end
      }
      if (batchBytes >= KEPT_BATCH_BYTES) await store();
    }
    await store();
    from += page.length;
    if (page.length === 0) break;
  }
  kept.packs = packs;
}
