/*
 * SHA-256 by Debian's libsodium 1.0.18 natively: the same C source crypto.wasm is built from
 * (scripts/build-library.mjs), so library_crypto_ratio can show what WebAssembly and our host cost
 * apart from the hardware SHA instructions openssl uses. Hashes `count` chunks of `chunk_mib` MiB
 * (bytes 0x5a) one after another, as the benchmark's units do, `repetitions` times.
 *
 *   gcc -O2 -o sodium-sha256 sodium-sha256.c -lsodium
 *   ./sodium-sha256 <chunk_mib> <count> <repetitions>
 *
 * Prints {"median_ms": …} (CLOCK_MONOTONIC) and the first chunk's digest in hex.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 4 || sodium_init() < 0) return 2;
  size_t chunk = (size_t)atoi(argv[1]) << 20;
  int count = atoi(argv[2]), repetitions = atoi(argv[3]);
  if (chunk == 0 || count < 1 || repetitions < 1 || repetitions > 64) return 2;
  unsigned char *bytes = malloc(chunk);
  if (!bytes) return 2;
  memset(bytes, 0x5a, chunk);
  unsigned char digest[crypto_hash_sha256_BYTES];
  double times[64];
  for (int r = 0; r < repetitions; r++) {
    double start = now_ms();
    for (int i = 0; i < count; i++) crypto_hash_sha256(digest, bytes, chunk);
    times[r] = now_ms() - start;
  }
  qsort(times, (size_t)repetitions, sizeof times[0], by_value);
  printf("{\"median_ms\": %.3f, \"digest\": \"", times[repetitions / 2]);
  for (size_t i = 0; i < sizeof digest; i++) printf("%02x", digest[i]);
  printf("\"}\n");
  free(bytes);
  return 0;
}
