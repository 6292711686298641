// BLAKE3 in its default hash mode with a 32-byte output, as the BLAKE3 paper and its reference
// implementation define it: the input is split into 1024-byte chunks, each chunk's 64-byte blocks
// are chained into a chaining value (CV), and CVs are merged pairwise into a binary tree whose
// root compression carries the ROOT flag. Everything lives in static memory: no allocation.

const CHUNK_LEN: i32 = 1024;
const BLOCK_LEN: i32 = 64;

const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const PARENT: u32 = 4;
const ROOT: u32 = 8;

// The same initial words as SHA-256's.
const IV: usize = memory.data<u32>([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

// Which message word each of a round's 16 G inputs takes: round r applies the paper's message
// permutation r times, written out so the rounds need not move the message around.
const SCHEDULE: usize = memory.data<u8>([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8,
  3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1,
  10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6,
  12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4,
  9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7,
  11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13,
]);

// The 16-word working state of one compression.
const V: usize = memory.data(16 * 4);
// A chunk's last block, zero-padded when the chunk ends short of a full block.
const LAST_BLOCK: usize = memory.data(BLOCK_LEN);
// The CV stack: one entry per level of the tree (2^54 chunks is more than any input here), plus a
// slot above the top where a new CV waits, so [top - 1, top] is one contiguous 64-byte parent block.
const CV_STACK: usize = memory.data(55 * 32);

/** Writes the 32-byte BLAKE3 digest of `len` bytes at `ptr` to `out`. */
export function blake3(ptr: usize, len: i32, out: usize): void {
  // Every chunk but the last is complete and not the root: hash it and merge it into the tree.
  // After chunk n (counting from 1), the tree holds one subtree per 1 bit of n, so merge once per
  // trailing 0 bit.
  let depth: usize = 0;
  let chunks: u64 = 0;
  let at = 0;
  while (len - at > CHUNK_LEN) {
    chunkCv(ptr + <usize>at, CHUNK_LEN, chunks, 0, CV_STACK + (depth << 5));
    chunks++;
    for (let merged = chunks; (merged & 1) == 0; merged >>= 1) {
      depth--;
      parentCv(CV_STACK + (depth << 5), 0);
    }
    depth++;
    at += CHUNK_LEN;
  }

  // The last chunk (empty for an empty input) is the root when it is alone; otherwise it and the
  // stacked subtrees fold right to left into the root.
  const last = CV_STACK + (depth << 5);
  chunkCv(ptr + <usize>at, len - at, chunks, depth == 0 ? ROOT : 0, last);
  while (depth > 0) {
    depth--;
    parentCv(CV_STACK + (depth << 5), depth == 0 ? ROOT : 0);
  }
  memory.copy(out, CV_STACK, 32);
}

/** The CV of one chunk of `len` (0..1024) bytes, written to `cv`. */
function chunkCv(ptr: usize, len: i32, counter: u64, extraFlags: u32, cv: usize): void {
  memory.copy(cv, IV, 32);
  const blocks = len == 0 ? 1 : (len + BLOCK_LEN - 1) / BLOCK_LEN;
  for (let i = 0; i < blocks - 1; i++) {
    compress(cv, ptr + <usize>(i * BLOCK_LEN), counter, BLOCK_LEN, i == 0 ? CHUNK_START : 0);
  }
  const lastLen = len - (blocks - 1) * BLOCK_LEN;
  memory.fill(LAST_BLOCK, 0, BLOCK_LEN);
  memory.copy(LAST_BLOCK, ptr + <usize>((blocks - 1) * BLOCK_LEN), <usize>lastLen);
  const flags = (blocks == 1 ? CHUNK_START : 0) | CHUNK_END | extraFlags;
  compress(cv, LAST_BLOCK, counter, lastLen, flags);
}

/** Merges the two CVs at `left` and `left + 32` into one CV at `left`. */
function parentCv(left: usize, extraFlags: u32): void {
  // The compression reads the whole block before it writes the CV, so they may overlap.
  compress(IV, left, 0, BLOCK_LEN, PARENT | extraFlags, left);
}

/**
 * The BLAKE3 compression function, truncated to the 8 words a CV (or a 32-byte root output)
 * needs: folds the 64-byte `block` into the CV at `cv` and writes the result to `out` (by default
 * back into `cv`).
 */
function compress(cv: usize, block: usize, counter: u64, blockLen: i32, flags: u32, out: usize = cv): void {
  memory.copy(V, cv, 32);
  memory.copy(V + 32, IV, 16);
  store<u32>(V, <u32>counter, 48);
  store<u32>(V, <u32>(counter >>> 32), 52);
  store<u32>(V, <u32>blockLen, 56);
  store<u32>(V, flags, 60);
  for (let round: usize = 0; round < 7; round++) {
    const s = SCHEDULE + (round << 4);
    // Columns, then diagonals.
    g(0, 4, 8, 12, word(block, s, 0), word(block, s, 1));
    g(1, 5, 9, 13, word(block, s, 2), word(block, s, 3));
    g(2, 6, 10, 14, word(block, s, 4), word(block, s, 5));
    g(3, 7, 11, 15, word(block, s, 6), word(block, s, 7));
    g(0, 5, 10, 15, word(block, s, 8), word(block, s, 9));
    g(1, 6, 11, 12, word(block, s, 10), word(block, s, 11));
    g(2, 7, 8, 13, word(block, s, 12), word(block, s, 13));
    g(3, 4, 9, 14, word(block, s, 14), word(block, s, 15));
  }
  for (let i: usize = 0; i < 8; i++) {
    store<u32>(out + (i << 2), load<u32>(V + (i << 2)) ^ load<u32>(V + ((i + 8) << 2)));
  }
}

/** Message word number `i` of a round whose schedule row is at `schedule` (words are little-endian). */
// @ts-ignore: decorator
@inline function word(block: usize, schedule: usize, i: usize): u32 {
  return load<u32>(block + (<usize>load<u8>(schedule + i) << 2));
}

/** The G mixing function on state words a, b, c, d (indices into V). */
// @ts-ignore: decorator
@inline function g(a: usize, b: usize, c: usize, d: usize, mx: u32, my: u32): void {
  let va = load<u32>(V + (a << 2)), vb = load<u32>(V + (b << 2)), vc = load<u32>(V + (c << 2)), vd = load<u32>(V + (d << 2));
  va = va + vb + mx;
  vd = rotr<u32>(vd ^ va, 16);
  vc = vc + vd;
  vb = rotr<u32>(vb ^ vc, 12);
  va = va + vb + my;
  vd = rotr<u32>(vd ^ va, 8);
  vc = vc + vd;
  vb = rotr<u32>(vb ^ vc, 7);
  store<u32>(V + (a << 2), va);
  store<u32>(V + (b << 2), vb);
  store<u32>(V + (c << 2), vc);
  store<u32>(V + (d << 2), vd);
}
