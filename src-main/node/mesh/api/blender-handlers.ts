// The API's Blender methods (core/api/blender-methods.ts): whether this node has Blender and its
// sandbox, a scene's preflight by my Blender in its sandbox before it is submitted (nothing
// journaled; by a trusted peer sharing Blender when I have none) with the peers that can render it, a Blender job's frames as its card shows
// them: each frame (from the job's input, a frame number a unit) with its unit's state, and a
// verified EXR frame's PNG preview (kept from its check, or decoded again in the sandbox).
import type { ApiHandlers } from '../../../core/api/contract.js';
import { blenderPeers, isBlenderAlgorithm } from '../../../core/blender/algorithm.js';
import { BlenderUnitParamsSchema, FRAME_BYTES, frameOf } from '../../../core/blender/unit.js';
import { validate } from '../../../core/schemas/index.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { ApiError } from '../../api/errors.js';
import { decodeExrInSandbox } from '../../blender/exr.js';
import { unitPage } from '../views/job-view.js';
import type { NodeApi } from './node-api.js';

type BlenderMethods = 'blender.check' | 'blender.preflight' | 'blender.frames' | 'blender.preview';

export function blenderHandlers(node: NodeApi): Pick<ApiHandlers, BlenderMethods> {
  const { state } = node;
  /** My Blender, or the API's refusal saying why there is none. */
  const myBlender = async () => {
    const found = await node.blender.find();
    if (!found.ok) throw new ApiError('bad_request', `this node cannot read Blender scenes: ${found.reason}`);
    return found.install;
  };
  return {
    async 'blender.check'() {
      const found = await node.blender.find();
      return found.ok
        ? { found: true, version: found.install.version.join('.'), algorithm: found.install.algorithm, reason: null }
        : { found: false, version: null, algorithm: null, reason: found.reason };
    },
    async 'blender.preflight'({ scene_base64, file, zip }) {
      const scene = new Uint8Array(Buffer.from(scene_base64, 'base64'));
      const preflight = await node.blender.read({ scene, params: { file, zip } });
      if (!preflight.ok) throw new ApiError('bad_request', preflight.reason);
      const { report, verdict, algorithm, by } = preflight;
      const nowMs = Date.now();
      const peers = blenderPeers(
        node.commitments,
        node.peerId,
        algorithm,
        (peer) => state.effectiveTrustIn(peer, nowMs) > 0,
      ).map((peer) => ({ ...peer, name: state.peers.get(peer.peer_id)?.name ?? null }));
      return {
        report,
        refusals: verdict.refusals,
        warnings: verdict.warnings,
        tiles: verdict.tiles,
        tiles_why_not: verdict.tilesWhyNot ?? null,
        algorithm,
        by,
        peers,
      };
    },
    async 'blender.frames'({ job_id }) {
      const record = state.jobs.get(job_id);
      if (!record || record.job.requester !== node.peerId) throw new ApiError('not_found', `no job ${job_id}`);
      const stored = record.input;
      if (!isBlenderAlgorithm(record.job.algorithm_id ?? '') || !stored || stored.chunk_bytes !== FRAME_BYTES)
        throw new ApiError('bad_request', `job ${job_id} is not a Blender job of a unit a frame`);
      const params = validate(BlenderUnitParamsSchema, state.units.get(unitIdOf(job_id, 0))?.unit.params);
      const input = node.blobs.get(stored.cid);
      if (!params.ok || !input)
        throw new ApiError(
          'unavailable',
          `job ${job_id}'s units or frames are no longer held (compacted or collected)`,
        );
      const units = unitPage(node.jobs.unitSources, record, 0); // the first unitsPerPage
      const frames = units.flatMap((unit) => {
        const at = unit.index * FRAME_BYTES;
        const frame = frameOf(input.subarray(at, at + FRAME_BYTES));
        return frame === undefined ? [] : [{ frame, unit_id: unit.unit_id, status: unit.status }];
      });
      const { width, height, format = 'png' } = params.value;
      return { width, height, frames, frames_total: record.job.unit_count, format };
    },
    async 'blender.preview'({ job_id, unit_id }) {
      const record = state.jobs.get(job_id);
      const unit = state.units.get(unit_id);
      if (!record || record.job.requester !== node.peerId || unit?.unit.job_id !== job_id)
        throw new ApiError('not_found', `no unit ${unit_id} of a job ${job_id} of mine`);
      const params = validate(BlenderUnitParamsSchema, unit.unit.params);
      if (!params.ok || params.value.format !== 'exr')
        throw new ApiError('bad_request', `${unit_id} is not a frame of an EXR Blender job`);
      if (params.value.raw_layer !== undefined) {
        // A render before the compositor: what the user sees is its frame, composited here.
        const frame = record.frameOfUnit?.get(unit.index);
        const cid = frame === undefined ? undefined : record.frames.get(frame);
        const png = cid === undefined ? undefined : node.blobs.get(cid);
        if (!png) throw new ApiError('conflict', `the frame of ${unit_id} is not composited yet`);
        return { png_base64: Buffer.from(png).toString('base64') };
      }
      const exr = unit.verdict === 'verified' && unit.consensusHash ? node.blobs.get(unit.consensusHash) : undefined;
      if (!exr) throw new ApiError('conflict', `the frame of ${unit_id} is not verified here`);
      const { width, height } = params.value;
      const png = await node.blender.previews.of(unit_id, async () => {
        const decoded = await decodeExrInSandbox((await myBlender()).path, exr, { width, height });
        if (!decoded.ok)
          throw new ApiError('internal', `the verified frame of ${unit_id} cannot be read: ${decoded.reason}`);
        return decoded.image;
      });
      return { png_base64: Buffer.from(png).toString('base64') };
    },
  };
}
