// The CID of a list of files (core/workflow/references.ts fileListJson), hashed once a list: a
// fan-out's 10,000 items are hashed as a list when the run is given them, and their step's memo key
// names the same list. Lists are made once and never changed, so a list is known by its array.
import { fileListJson, type FileValue } from '../../../core/workflow/references.js';
import { cidOfBytes } from '../../blobs/cid.js';

const known = new WeakMap<readonly FileValue[], string>();

/** The list's canonical JSON and its CID (hashed now, and known from then on). */
export function listOf(files: readonly FileValue[]): { json: Buffer; cid: string } {
  const json = Buffer.from(fileListJson(files));
  const cid = cidOfBytes(json);
  known.set(files, cid);
  return { json, cid };
}

/** The CID of the list's canonical JSON: known, or hashed now. */
export function listCidOf(files: readonly FileValue[]): string {
  return known.get(files) ?? listOf(files).cid;
}
