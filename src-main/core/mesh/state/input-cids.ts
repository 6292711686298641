// The CIDs of a batched job's inputs, from their sha256: CIDv1, raw codec, sha256, base32 — the
// form node/blobs/cid.ts makes with multiformats, written out here because the core imports no
// package but zod (test/core/unit-table.test.ts checks that both agree). A batch event carries the
// digests as one base64 string (the node writes it with Buffer): 43 characters a unit instead of
// a 59-character CID in a JSON array.

export const SHA256_BYTES = 32;
/** CID version 1, the raw codec (0x55), sha256 (0x12) of 32 bytes (0x20). */
const CID_PREFIX = [0x01, 0x55, 0x12, 0x20];
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const CID_CHARS = 1 + Math.ceil(((CID_PREFIX.length + SHA256_BYTES) * 8) / 5);

const BASE32_CODES = Uint8Array.from(BASE32, (c) => c.charCodeAt(0));
/** A CID's characters as they are spelled, made a string at once: one a character took twice as long. */
const spelled = new Uint8Array(CID_CHARS);

/** The CID of the blob whose sha256 is `digests[at .. at + 32)`. */
export function cidOfSha256(digests: Uint8Array, at = 0): string {
  spelled[0] = 'b'.charCodeAt(0);
  let n = 1;
  let bits = 0;
  let value = 0;
  for (let i = -CID_PREFIX.length; i < SHA256_BYTES; i++) {
    value = (value << 8) | (i < 0 ? CID_PREFIX[i + CID_PREFIX.length]! : digests[at + i]!);
    bits += 8;
    while (bits >= 5) {
      spelled[n++] = BASE32_CODES[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    value &= 0xff; // at most 4 bits are still unread
  }
  if (bits > 0) spelled[n] = BASE32_CODES[(value << (5 - bits)) & 31]!; // the last of CID_CHARS
  // apply, not a spread: spreading a typed array takes 3x as long as the characters one by one.
  return String.fromCharCode.apply(null, spelled as unknown as number[]);
}

const BASE32_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE32.length; i++) BASE32_VALUE[BASE32.charCodeAt(i)] = i;

/** The sha256 a raw sha256 CIDv1 names, or undefined for any other string. */
export function sha256OfCid(cid: string): Uint8Array | undefined {
  if (cid.length !== CID_CHARS || cid[0] !== 'b') return undefined;
  const bytes = new Uint8Array(CID_PREFIX.length + SHA256_BYTES);
  let bits = 0;
  let value = 0;
  let n = 0;
  for (let i = 1; i < cid.length; i++) {
    const code = cid.charCodeAt(i);
    const digit = code < 128 ? BASE32_VALUE[code]! : -1;
    if (digit < 0) return undefined;
    value = ((value << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bytes[n++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  // The canonical spelling only: the bits past the last byte are zero.
  if ((value & ((1 << bits) - 1)) !== 0 || CID_PREFIX.some((b, i) => bytes[i] !== b)) return undefined;
  return bytes.subarray(CID_PREFIX.length);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Uint8Array(128);
for (let i = 0; i < BASE64.length; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

/** The bytes of standard base64 (the event schema has checked its alphabet and length). */
export function digestsFromBase64(text: string): Uint8Array {
  const end = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - end);
  let n = 0;
  for (let i = 0; i < text.length; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) v = (v << 6) | (BASE64_VALUE[text.charCodeAt(i + k) & 127] ?? 0);
    if (n < bytes.length) bytes[n++] = v >>> 16;
    if (n < bytes.length) bytes[n++] = (v >>> 8) & 0xff;
    if (n < bytes.length) bytes[n++] = v & 0xff;
  }
  return bytes;
}
