// `meshctl job output JOB --out DIR` for a Blender job cut into tiles: its frames, each stitched by
// the requester from its verified tiles (node/mesh/render/blender-frames.ts), not the tiles. A
// file a frame, named as a job of whole frames names its units' (the frame's place in the job,
// zero-padded), each PNG checked against its CID before it is written.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MethodResult } from '../core/api/contract.js';
import type { ApiClient } from '../node/api/index.js';
import { cidOfBytes } from '../node/blobs/cid.js';
import { CliError } from './args.js';

type BlenderFrames = MethodResult<'jobs.blender_frames'>;

/** Frame `i` of `count`'s file name: its place, zero-padded to the last one's width, so names sort in order. */
const frameName = (i: number, count: number) => String(i).padStart(String(Math.max(count - 1, 0)).length, '0');

export async function writeStitchedFrames(client: ApiClient, jobId: string, dir: string, view: BlenderFrames) {
  const missing: number[] = [];
  let written = 0;
  for (const [i, { frame, png_cid: cid }] of view.frames.entries()) {
    if (cid === null) {
      missing.push(frame);
      continue;
    }
    const { png_base64: base64 } = await client.call('jobs.frame', { job_id: jobId, frame });
    const png = Buffer.from(base64, 'base64');
    if (cidOfBytes(png) !== cid) throw new CliError(`frame ${frame} does not match its CID ${cid}`);
    await writeFile(join(dir, frameName(i, view.frames.length)), png);
    written++;
  }
  const count = view.frames.length;
  const json = { out: dir, frames: count, written, missing: missing.length };
  const text = `wrote ${written} of the job's ${count} frames, each stitched from its tiles, to ${join(dir, frameName(0, count))} … ${join(dir, frameName(count - 1, count))}`;
  if (missing.length === 0) return { json, text };
  const which = missing.length === 1 ? `frame ${missing[0]}` : `frames ${missing[0]} and ${missing.length - 1} more`;
  return { json, text, failure: `${which} not stitched yet (their tiles are not all verified)` };
}
