// A pack's output (core/mesh/rules/packs.ts): its units' outputs, each as a lone run of the unit made it
// (a deterministic failure as `{"error": code}`), in a dag-cbor list in unit order. Every honest
// run of a pack makes the same bytes, so a pack is checked as a unit is: by its output's CID.
import * as dagCbor from '@ipld/dag-cbor';
import { MAX_UNITS_PER_PACK } from '../../../core/schemas/index.js';
import { DEFAULT_LIMITS } from '../../exec/index.js';
import { cidOfBytes } from '../../blobs/cid.js';
import type { Blobs } from '../context/blobs.js';

/** The bytes of a pack's output. */
export const packOutput = (outputs: readonly Uint8Array[]): Uint8Array => dagCbor.encode(outputs);

/** The units' outputs in a pack's output, or undefined when the bytes are not one. */
export function unpackOutput(bytes: Uint8Array): Uint8Array[] | undefined {
  let decoded: unknown;
  try {
    decoded = dagCbor.decode(bytes);
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length === 0 || decoded.length > MAX_UNITS_PER_PACK) return undefined;
  return decoded.every((output) => output instanceof Uint8Array) ? decoded : undefined;
}

/** The units' inputs in a pack's input: `chunkBytes` each, the last what is left. */
export function unpackInput(input: Uint8Array, chunkBytes: number): Uint8Array[] {
  const inputs: Uint8Array[] = [];
  for (let at = 0; at < input.byteLength; at += chunkBytes) inputs.push(input.subarray(at, at + chunkBytes));
  return inputs.length > 0 ? inputs : [input];
}

/** A pack's output is held to one unit's limit, as every fetch of an output caps it. */
export const MAX_PACK_OUTPUT_BYTES = DEFAULT_LIMITS.maxOutputBytes;

/**
 * Bytes of packs' outputs kept decoded: a page of a packed job's units reads each pack once, not
 * once a unit (10,000 units of 64-byte sha256 packs: 40 packs of ~8.5 KB).
 */
const PACK_BYTES_KEPT = 8 << 20;

/** The units' outputs of verified packs, from my store (where a verdict puts its output), decoded once. */
export class PackOutputs {
  readonly #kept = new Map<string, Uint8Array[]>();
  /** Outputs' CIDs by the outputs (views of a pack's bytes, which no one writes), for as long as they live. */
  readonly #cids = new WeakMap<Uint8Array, string>();
  #keptBytes = 0;

  constructor(private readonly blobs: Pick<Blobs, 'get'>) {}

  /**
   * The CID of one of those outputs, hashed once while it is kept: a page of a job's units names
   * each unit's output by it, and a workflow's step checks each against its view (each hashed every
   * time before: 10,000 a fan-out, at every page asked).
   */
  cidOf(output: Uint8Array): string {
    let cid = this.#cids.get(output);
    if (cid === undefined) this.#cids.set(output, (cid = cidOfBytes(output)));
    return cid;
  }

  /** The units' outputs in the pack output `cid`; undefined when my store has no such pack output. */
  of(cid: string): Uint8Array[] | undefined {
    const kept = this.#kept.get(cid);
    if (kept) return kept;
    const bytes = this.blobs.get(cid);
    const outputs = bytes && unpackOutput(bytes);
    if (!outputs) return undefined;
    if (this.#keptBytes + bytes.byteLength > PACK_BYTES_KEPT) {
      this.#kept.clear();
      this.#keptBytes = 0;
    }
    if (bytes.byteLength <= PACK_BYTES_KEPT / 4) {
      this.#kept.set(cid, outputs);
      this.#keptBytes += bytes.byteLength;
    }
    return outputs;
  }
}
