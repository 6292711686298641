// The crypto library as a WASI program: libsodium 1.0.18 (Debian's source, its patches applied)
// for SHA-256, SHA-512, Ed25519 and XChaCha20-Poly1305, and the BLAKE3 team's C implementation
// (the c/ folder of Debian's blake3 1.3.1 crate) for BLAKE3. Built by scripts/build-library.mjs.
//
// argv: crypto METHOD [NAME=HEX]…: the node checks every param before a unit runs (algorithms.ts);
// the input is stdin, the result stdout. A refusal is exit 2 with its message on stdout (what the
// nodes compare and send back: stderr stays where the unit ran) and stderr.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include "blake3.h"

#define MAX_WHOLE_INPUT (24u << 20)

static void fail(const char *fmt, const char *arg) {
  FILE *streams[] = {stdout, stderr};
  for (int i = 0; i < 2; i++) {
    fprintf(streams[i], "crypto: ");
    fprintf(streams[i], fmt, arg);
    fputc('\n', streams[i]);
  }
  exit(2);
}

static void put(const unsigned char *bytes, size_t n) {
  if (n > 0 && fwrite(bytes, 1, n, stdout) != n) fail("cannot write the output%s", "");
}

// The value of param NAME=HEX, decoded into exactly `len` bytes; absent: NULL when optional.
static unsigned char *param(int argc, char **argv, const char *name, size_t len, size_t *got, int optional) {
  size_t name_len = strlen(name);
  for (int i = 2; i < argc; i++) {
    if (strncmp(argv[i], name, name_len) != 0 || argv[i][name_len] != '=') continue;
    const char *hex = argv[i] + name_len + 1;
    size_t hex_len = strlen(hex);
    size_t cap = len ? len : hex_len / 2;
    unsigned char *out = malloc(cap + 1);
    size_t bin_len = 0;
    if (!out || sodium_hex2bin(out, cap, hex, hex_len, NULL, &bin_len, NULL) != 0 || bin_len * 2 != hex_len ||
        (len && bin_len != len))
      fail("param %s is not the right number of hex digits", name);
    if (got) *got = bin_len;
    return out;
  }
  if (!optional) fail("param %s is missing", name);
  if (got) *got = 0;
  return NULL;
}

// All of stdin, up to MAX_WHOLE_INPUT bytes (a method that needs it whole).
static unsigned char *read_all(size_t *len) {
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  for (;;) {
    if (!buf) fail("out of memory reading the input%s", "");
    ssize_t r = read(0, buf + n, cap - n);
    if (r < 0) fail("cannot read the input: %s", strerror(errno));
    if (r == 0) break;
    n += (size_t)r;
    if (n > MAX_WHOLE_INPUT) fail("the input is over %s bytes, this method's most", "25165824");
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  *len = n;
  return buf;
}

// Streams stdin through `update`.
static void stream(void *state, void (*update)(void *, const unsigned char *, size_t)) {
  static unsigned char buf[1 << 16];
  ssize_t r;
  while ((r = read(0, buf, sizeof buf)) > 0) update(state, buf, (size_t)r);
  if (r < 0) fail("cannot read the input: %s", strerror(errno));
}

static void sha256_update(void *s, const unsigned char *b, size_t n) { crypto_hash_sha256_update(s, b, n); }
static void sha512_update(void *s, const unsigned char *b, size_t n) { crypto_hash_sha512_update(s, b, n); }
static void blake3_update(void *s, const unsigned char *b, size_t n) { blake3_hasher_update(s, b, n); }

int main(int argc, char **argv) {
  if (sodium_init() < 0) fail("libsodium did not start%s", "");
  const char *method = argc > 1 ? argv[1] : "";
  if (strcmp(method, "sha256") == 0) {
    crypto_hash_sha256_state s;
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&s);
    stream(&s, sha256_update);
    crypto_hash_sha256_final(&s, out);
    put(out, sizeof out);
  } else if (strcmp(method, "sha512") == 0) {
    crypto_hash_sha512_state s;
    unsigned char out[crypto_hash_sha512_BYTES];
    crypto_hash_sha512_init(&s);
    stream(&s, sha512_update);
    crypto_hash_sha512_final(&s, out);
    put(out, sizeof out);
  } else if (strcmp(method, "blake3") == 0) {
    blake3_hasher s;
    unsigned char out[BLAKE3_OUT_LEN];
    blake3_hasher_init(&s);
    stream(&s, blake3_update);
    blake3_hasher_finalize(&s, out, sizeof out);
    put(out, sizeof out);
  } else if (strcmp(method, "ed25519_sign") == 0) {
    // RFC 8032 Ed25519 (deterministic): the signature of the input by the key of the 32-byte seed.
    unsigned char *seed = param(argc, argv, "seed", crypto_sign_SEEDBYTES, NULL, 0);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    size_t len;
    unsigned char *msg = read_all(&len);
    crypto_sign_seed_keypair(pk, sk, seed);
    crypto_sign_detached(sig, NULL, msg, len, sk);
    put(sig, sizeof sig);
  } else if (strcmp(method, "ed25519_verify") == 0) {
    unsigned char *pk = param(argc, argv, "public_key", crypto_sign_PUBLICKEYBYTES, NULL, 0);
    unsigned char *sig = param(argc, argv, "signature", crypto_sign_BYTES, NULL, 0);
    size_t len;
    unsigned char *msg = read_all(&len);
    const char *verdict = crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? "valid\n" : "invalid\n";
    put((const unsigned char *)verdict, strlen(verdict));
  } else if (strcmp(method, "aead_encrypt") == 0 || strcmp(method, "aead_decrypt") == 0) {
    // XChaCha20-Poly1305 (IETF): nonce ‖ ciphertext ‖ tag. The nonce is drawn from random_get,
    // which the host seeds from the unit's id: unique per unit and job, the same on every node.
    unsigned char *key = param(argc, argv, "key", crypto_aead_xchacha20poly1305_ietf_KEYBYTES, NULL, 0);
    size_t ad_len;
    unsigned char *ad = param(argc, argv, "ad", 0, &ad_len, 1);
    const size_t nonce_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    const size_t tag_len = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    size_t len;
    unsigned char *in = read_all(&len);
    if (method[5] == 'e') {
      unsigned char *out = malloc(nonce_len + len + tag_len);
      if (!out) fail("out of memory%s", "");
      randombytes_buf(out, nonce_len);
      unsigned long long clen;
      crypto_aead_xchacha20poly1305_ietf_encrypt(out + nonce_len, &clen, in, len, ad, ad_len, NULL, out, key);
      put(out, nonce_len + (size_t)clen);
    } else {
      if (len < nonce_len + tag_len) fail("the input is shorter than a nonce and a tag%s", "");
      unsigned char *out = malloc(len);
      unsigned long long mlen;
      if (!out) fail("out of memory%s", "");
      if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, in + nonce_len, len - nonce_len, ad, ad_len,
                                                     in, key) != 0)
        fail("authentication failed: the input is not a ciphertext of this key and ad%s", "");
      put(out, (size_t)mlen);
    }
  } else {
    fail("unknown method \"%s\"", method);
  }
  if (fflush(stdout) != 0) fail("cannot write the output%s", "");
  return 0;
}
