// A requester's verified outputs, as the API hands them out: one unit's (jobs.output) or a page of
// a job's, in unit order (jobs.outputs, which `meshctl job outputs` writes as JSON Lines). An
// output is read from my store, or fetched from a provider whose result agreed with the verdict.
import type { UnitOutput, UnitView } from '../../../core/api/contract.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import { ApiError } from '../../api/errors.js';
import { DEFAULT_LIMITS } from '../../exec/index.js';
import { packOf, unitsPerPackOf } from '../../../core/mesh/rules/packs.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { blobFromHolders, type NodeContext } from '../context/node-context.js';
import { unpackOutput } from '../units/pack-outputs.js';
import { unitPage, unitsCreated, type UnitSources } from './job-view.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type JobOutputsNeeds = Pick<NodeContext, 'blobs' | 'fetchBlob' | 'log' | 'signal' | 'state'>;

/** About the most output bytes one page carries (it carries one unit at least, whatever its size). */
const OUTPUTS_PAGE_BYTES = 16 * 1024 * 1024;

/** The verified output of `view`, a unit of `record`; ApiError `unavailable` when neither I nor its providers have it. */
export async function verifiedOutput(
  ctx: JobOutputsNeeds,
  from: UnitSources,
  record: JobRecord,
  view: UnitView,
): Promise<Uint8Array> {
  if (unitsPerPackOf(record.job) === 1) return storedOutput(ctx, record, view.unit_id, view.output_cid!);
  // A unit of a pack: its entry in the pack's output, had as any output is.
  const { pack, place } = packOf(view.index, unitsPerPackOf(record.job));
  const packId = unitIdOf(record.job.job_id, pack);
  const packCid = record.summary
    ? from.archive.unit(record.job.job_id, packId)?.consensus_hash
    : from.state.units.progressOf(packId)?.consensusHash;
  if (!packCid) throw new ApiError('unavailable', `the pack of ${view.unit_id} has no verified output`);
  const outputs = from.packs.of(packCid) ?? unpackOutput(await storedOutput(ctx, record, packId, packCid));
  const output = outputs?.[place];
  if (!output || from.packs.cidOf(output) !== view.output_cid)
    throw new ApiError('unavailable', `the output of ${view.unit_id} is not in its pack's output ${packCid}`);
  return output;
}

/** The verified output `cid` of unit `unitId` (a pack's, in a packed job): from my store, else from a provider whose result carries it. */
async function storedOutput(ctx: JobOutputsNeeds, record: JobRecord, unitId: string, cid: string): Promise<Uint8Array> {
  // A compacted job's outputs are those in my store: its assignments, and so its holders, are gone.
  const agreeing = ctx.state.activeAssignments(unitId).filter((assignment) => assignment.result?.output_cid === cid);
  const holders = agreeing.map((assignment) => assignment.acceptance.provider_peer);
  // No more than the verified results said the output holds (and no executor makes more).
  const declared = record.summary
    ? DEFAULT_LIMITS.maxOutputBytes
    : Math.max(0, ...agreeing.map((assignment) => assignment.result!.output_bytes));
  const bytes = await blobFromHolders(ctx, cid, holders, Math.min(declared, DEFAULT_LIMITS.maxOutputBytes));
  if (!bytes) throw new ApiError('unavailable', `${cid} is not here and no provider that has it could send it`);
  return bytes;
}

/**
 * A WASI unit's stderr, as base64, when one of the results that agreed with its verdict carried
 * one and it is in my store (until its job is compacted): a diagnostic, not verified (the
 * verdict is over the output alone); undefined for any other unit.
 */
export function unitStderr(ctx: Pick<NodeContext, 'blobs' | 'state'>, view: UnitView): string | undefined {
  if (view.output_cid === null) return undefined;
  for (const { result } of ctx.state.activeAssignments(view.unit_id)) {
    if (result?.output_cid !== view.output_cid || !result.stderr_cid) continue;
    const bytes = ctx.blobs.get(result.stderr_cid);
    if (bytes) return Buffer.from(bytes).toString('base64');
  }
  return undefined;
}

/** The job's units from `from`, each with its output once verified, and where the next page starts. */
export async function outputsPage(
  ctx: JobOutputsNeeds,
  sources: UnitSources,
  record: JobRecord,
  from: number,
): Promise<{ outputs: UnitOutput[]; next: number | null }> {
  const outputs: UnitOutput[] = [];
  let bytes = 0;
  for (const view of unitPage(sources, record, from)) {
    if (bytes >= OUTPUTS_PAGE_BYTES) break;
    const { unit_id, index, status, failure, output_cid } = view;
    const output: UnitOutput = { unit_id, index, status, failure, output_cid };
    if (output_cid !== null && failure === null) {
      try {
        const got = await verifiedOutput(ctx, sources, record, view);
        output.output_base64 = Buffer.from(got).toString('base64');
        bytes += got.byteLength;
        const stderr = unitStderr(ctx, view);
        if (stderr !== undefined) output.stderr_base64 = stderr;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        output.unavailable = err.message;
      }
    }
    outputs.push(output);
  }
  const next = from + outputs.length;
  return { outputs, next: next < unitsCreated(record) ? next : null };
}
