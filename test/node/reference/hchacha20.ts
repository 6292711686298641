// HChaCha20 (draft-irtf-cfrg-xchacha-03, section 2.2): the subkey XChaCha20 derives from its key and
// the first 16 bytes of its nonce, so that OpenSSL's ChaCha20-Poly1305 (through node:crypto) can be
// the reference for the crypto library's XChaCha20-Poly1305 (xchachaSeal). Checked against the
// draft's vector.
import { createCipheriv } from 'node:crypto';

const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

/** ChaCha's quarter round on words a, b, c, d of the state (a Uint32Array keeps each sum mod 2³²). */
function quarterRound(s: Uint32Array, a: number, b: number, c: number, d: number): void {
  let [x, y, z, w] = [s[a] ?? 0, s[b] ?? 0, s[c] ?? 0, s[d] ?? 0];
  x = (x + y) >>> 0;
  w = rotl(w ^ x, 16);
  z = (z + w) >>> 0;
  y = rotl(y ^ z, 12);
  x = (x + y) >>> 0;
  w = rotl(w ^ x, 8);
  z = (z + w) >>> 0;
  y = rotl(y ^ z, 7);
  [s[a], s[b], s[c], s[d]] = [x, y, z, w];
}

/** The 32-byte subkey of a 32-byte key and a 16-byte nonce. */
export function hchacha20(key: Uint8Array, nonce: Uint8Array): Buffer {
  const words = (bytes: Uint8Array) =>
    Array.from({ length: bytes.byteLength / 4 }, (_, i) => Buffer.from(bytes).readUInt32LE(i * 4));
  const s = Uint32Array.from([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, ...words(key), ...words(nonce)]);
  for (let round = 0; round < 10; round++) {
    quarterRound(s, 0, 4, 8, 12);
    quarterRound(s, 1, 5, 9, 13);
    quarterRound(s, 2, 6, 10, 14);
    quarterRound(s, 3, 7, 11, 15);
    quarterRound(s, 0, 5, 10, 15);
    quarterRound(s, 1, 6, 11, 12);
    quarterRound(s, 2, 7, 8, 13);
    quarterRound(s, 3, 4, 9, 14);
  }
  const out = Buffer.alloc(32);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => out.writeUInt32LE(s[w] ?? 0, i * 4));
  return out;
}

/** XChaCha20-Poly1305 by OpenSSL's ChaCha20-Poly1305: key HChaCha20(key, nonce[0..16]), nonce 0⁴ ‖ nonce[16..24]. */
export function xchachaSeal(key: Buffer, nonce: Buffer, plaintext: Uint8Array, ad: Buffer): Buffer {
  const cipher = createCipheriv(
    'chacha20-poly1305',
    hchacha20(key, nonce.subarray(0, 16)),
    Buffer.concat([Buffer.alloc(4), nonce.subarray(16)]),
    { authTagLength: 16 },
  );
  cipher.setAAD(ad, { plaintextLength: plaintext.byteLength });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}
