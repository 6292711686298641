// One item of a job of WASI programs as a unit's input (`items: "framed"`, core/schemas/wasi-job.ts):
// a name (what `{name}` in its args becomes) and a stdin, padded to the job's chunk size, so a job
// of one unit per file is cut into units as any other job's input is.

/** The biggest framed item's name. */
export const MAX_ITEM_NAME_BYTES = 1024;

/** A framed item's header: the name's bytes and the stdin's, u32 little-endian each. */
const HEADER_BYTES = 8;

/** The chunk a framed item needs: its header, name and stdin. */
export const framedBytes = (name: string, stdinBytes: number): number =>
  HEADER_BYTES + new TextEncoder().encode(name).byteLength + stdinBytes;

/**
 * One item as a unit's input of exactly `chunkBytes`: name length, stdin length (u32 LE), the
 * name (UTF-8), the stdin, then zeros. Every item of a job is padded to the same chunk, so the
 * job's input is cut into units as any other job's.
 */
export function encodeWasiItem(name: string, stdin: Uint8Array, chunkBytes: number): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.byteLength > MAX_ITEM_NAME_BYTES)
    throw new RangeError(`an item's name is at most ${MAX_ITEM_NAME_BYTES} bytes: ${name.slice(0, 40)}…`);
  const needed = HEADER_BYTES + nameBytes.byteLength + stdin.byteLength;
  if (needed > chunkBytes) throw new RangeError(`item ${name} needs ${needed} bytes, over the chunk's ${chunkBytes}`);
  const out = new Uint8Array(chunkBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, nameBytes.byteLength, true);
  view.setUint32(4, stdin.byteLength, true);
  out.set(nameBytes, HEADER_BYTES);
  out.set(stdin, HEADER_BYTES + nameBytes.byteLength);
  return out;
}

/**
 * The item a framed input holds, or why it holds none. Strict: the lengths must fit, the name must
 * be UTF-8 without NUL and the padding all zeros, so one item has one encoding and every node
 * refuses a malformed one alike.
 */
export function decodeWasiItem(input: Uint8Array): { name: string; stdin: Uint8Array } | string {
  if (input.byteLength < HEADER_BYTES)
    return `a framed item is at least ${HEADER_BYTES} bytes, not ${input.byteLength}`;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const nameBytes = view.getUint32(0, true);
  const stdinBytes = view.getUint32(4, true);
  if (nameBytes > MAX_ITEM_NAME_BYTES) return `a framed item's name is at most ${MAX_ITEM_NAME_BYTES} bytes`;
  const end = HEADER_BYTES + nameBytes + stdinBytes;
  if (end > input.byteLength) return `a framed item says ${end} bytes, more than its ${input.byteLength}`;
  if (input.subarray(end).some((b) => b !== 0)) return "a framed item's padding is not all zeros";
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(input.subarray(HEADER_BYTES, HEADER_BYTES + nameBytes));
  } catch {
    return "a framed item's name is not UTF-8";
  }
  if (name.includes('\0')) return "a framed item's name holds a NUL";
  return { name, stdin: input.subarray(HEADER_BYTES + nameBytes, end) };
}
