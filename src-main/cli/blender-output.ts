// `meshctl job output JOB --out DIR` for Blender jobs: each frame a file named as Blender names
// its own (`####`: the frame's number, four digits at least) with its format's extension. A job
// cut into tiles gives its frames, each stitched by the requester from its verified tiles
// (node/kinds/blender/frames.ts), not the tiles, and a composited job its frames, each
// composited by the requester from its unit's verified render before the compositor, each PNG
// checked against its CID before it is written; a job of whole frames gives its units' outputs,
// named by their frames (framesByUnit).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MethodResult } from '../core/api/contract.js';
import type { ApiClient } from '../node/api/index.js';
import { cidOfBytes } from '../node/blobs/cid.js';
import { CliError } from './args.js';

type BlenderFrames = MethodResult<'jobs.frames'>;

/** A frame's file name: its number as Blender's `####` writes it, and the format's extension. */
export const blenderFrameName = (frame: number, format: 'png' | 'exr'): string =>
  `${String(frame).padStart(4, '0')}.${format}`;

/**
 * Each unit's frame, by unit id, of a Blender job of whole frames (blender.frames); undefined when
 * the node no longer holds them (a compacted job's outputs are then named by their place).
 */
export async function framesByUnit(client: ApiClient, jobId: string): Promise<Map<string, number> | undefined> {
  const view = await client.call('blender.frames', { job_id: jobId }).catch(() => undefined);
  if (!view || view.frames.length < view.frames_total) return undefined;
  return new Map(view.frames.map((f) => [f.unit_id, f.frame]));
}

export async function writeStitchedFrames(client: ApiClient, jobId: string, dir: string, view: BlenderFrames) {
  const missing: number[] = [];
  let written = 0;
  for (const { frame, png_cid: cid } of view.frames) {
    if (cid === null) {
      missing.push(frame);
      continue;
    }
    const { png_base64: base64 } = await client.call('jobs.frame', { job_id: jobId, frame });
    const png = Buffer.from(base64, 'base64');
    if (cidOfBytes(png) !== cid) throw new CliError(`frame ${frame} does not match its CID ${cid}`);
    await writeFile(join(dir, blenderFrameName(frame, 'png')), png);
    written++;
  }
  const count = view.frames.length;
  const json = { out: dir, frames: count, written, missing: missing.length };
  const [first, last] = [view.frames[0], view.frames.at(-1)].map((f) =>
    join(dir, blenderFrameName(f?.frame ?? 0, 'png')),
  );
  const made = view.tiles ? 'stitched from its tiles' : 'composited here from its checked render';
  const text = `wrote ${written} of the job's ${count} frames, each ${made}, to ${first} … ${last}`;
  if (missing.length === 0) return { json, text };
  const which = missing.length === 1 ? `frame ${missing[0]}` : `frames ${missing[0]} and ${missing.length - 1} more`;
  const why = view.tiles ? 'not stitched yet (their tiles are not all verified)' : 'not composited yet';
  return { json, text, failure: `${which} ${why}` };
}
