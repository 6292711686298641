// SHA-256 as FIPS 180-4 defines it, over bytes already in linear memory. The state and the
// message schedule live in static memory, so hashing allocates nothing however long the input.

// The round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// The initial hash value: the fractional parts of the square roots of the first 8 primes.
const H0: usize = memory.data<u32>([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const STATE: usize = memory.data(8 * 4);
const SCHEDULE: usize = memory.data(64 * 4);
// The padded tail of the message: at most two blocks.
const TAIL: usize = memory.data(128);

/** Writes the 32-byte SHA-256 digest of `len` bytes at `ptr` to `out`. */
export function sha256(ptr: usize, len: i32, out: usize): void {
  memory.copy(STATE, H0, 32);
  const fullBlocks = len >>> 6;
  for (let i = 0; i < fullBlocks; i++) compress(ptr + (<usize>i << 6));

  // Padding: the rest of the bytes, a 1 bit, zeros, then the length in bits as a big-endian u64.
  const rest = len & 63;
  memory.fill(TAIL, 0, 128);
  memory.copy(TAIL, ptr + (<usize>fullBlocks << 6), <usize>rest);
  store<u8>(TAIL + <usize>rest, 0x80);
  const tailLen: usize = rest < 56 ? 64 : 128;
  store<u64>(TAIL + tailLen - 8, bswap<u64>(<u64>len << 3));
  compress(TAIL);
  if (tailLen == 128) compress(TAIL + 64);

  for (let i: usize = 0; i < 8; i++) store<u32>(out + (i << 2), bswap<u32>(load<u32>(STATE + (i << 2))));
}

/** Folds one 64-byte block into STATE. */
function compress(block: usize): void {
  for (let t: usize = 0; t < 16; t++) store<u32>(SCHEDULE + (t << 2), bswap<u32>(load<u32>(block + (t << 2))));
  for (let t: usize = 16; t < 64; t++) {
    const w15 = load<u32>(SCHEDULE + ((t - 15) << 2));
    const w2 = load<u32>(SCHEDULE + ((t - 2) << 2));
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(SCHEDULE + (t << 2), load<u32>(SCHEDULE + ((t - 16) << 2)) + s0 + load<u32>(SCHEDULE + ((t - 7) << 2)) + s1);
  }

  let a = load<u32>(STATE, 0), b = load<u32>(STATE, 4), c = load<u32>(STATE, 8), d = load<u32>(STATE, 12);
  let e = load<u32>(STATE, 16), f = load<u32>(STATE, 20), g = load<u32>(STATE, 24), h = load<u32>(STATE, 28);
  for (let t: usize = 0; t < 64; t++) {
    const s1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const choose = (e & f) ^ (~e & g);
    const t1 = h + s1 + choose + load<u32>(K + (t << 2)) + load<u32>(SCHEDULE + (t << 2));
    const s0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const majority = (a & b) ^ (a & c) ^ (b & c);
    const t2 = s0 + majority;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  store<u32>(STATE, load<u32>(STATE, 0) + a, 0);
  store<u32>(STATE, load<u32>(STATE, 4) + b, 4);
  store<u32>(STATE, load<u32>(STATE, 8) + c, 8);
  store<u32>(STATE, load<u32>(STATE, 12) + d, 12);
  store<u32>(STATE, load<u32>(STATE, 16) + e, 16);
  store<u32>(STATE, load<u32>(STATE, 20) + f, 20);
  store<u32>(STATE, load<u32>(STATE, 24) + g, 24);
  store<u32>(STATE, load<u32>(STATE, 28) + h, 28);
}
