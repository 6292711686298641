// A composited Blender job's frames as jobs.frames gives them (docs/BLENDER.md): a unit each, its
// frame read from the job's input (a unit's input is its frame's number), its PNG once composited
// (frames.ts), and whether a provider renders it now.
import { FRAME_BYTES, frameOf } from '../../../core/blender/unit.js';
import { isRunning } from '../../../core/mesh/state/records.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import type { FramesNode, FramesView } from '../seam.js';

/** A composited job's frames, a unit each, in the units' order: its PNG once composited; none when its input is gone. */
export function compositedFrames(
  node: Pick<FramesNode['ctx'], 'blobs' | 'state'>,
  record: JobRecord,
): FramesView['frames'] {
  const input = record.input && node.blobs.get(record.input.cid);
  if (!input) return [];
  const frames = [];
  for (let i = 0; i < record.job.unit_count; i++) {
    const frame = frameOf(input.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES));
    if (frame === undefined) continue;
    const png = record.frames.get(frame) ?? null;
    const unitId = unitIdOf(record.job.job_id, i);
    const verdict = png === null ? node.state.units.progressOf(unitId)?.verdict : 'verified';
    const running = !verdict && node.state.assignmentsOf(unitId).some(isRunning);
    frames.push({
      frame,
      tiles_total: 1,
      tiles_verified: verdict === 'verified' ? 1 : 0,
      png_cid: png,
      rendering: running ? [unitId] : [],
    });
  }
  return frames;
}
