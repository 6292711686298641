// Built with -mbulk-memory (scripts/build-wasi-corpus.mjs), so its memcpy, memset and memmove are
// memory.copy and memory.fill: test/node/wasi-bulk-memory.test.ts and `npm run bench -- wasi`
// (wasi_bulk_ratio). With no argument it moves 8 rounds of 4 MiB back and forth, overlapping and
// misaligned, and prints a checksum of what it sampled; `fill N` memsets N bytes and prints one.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "fill") == 0) {
    size_t n = (size_t)atol(argv[2]);
    unsigned char *p = malloc(n);
    if (!p) return 2;
    memset(p, 0x5a, n);
    printf("filled %zu, last %d\n", n, p[n - 1]);
    return 0;
  }
  const size_t size = 4u << 20;
  uint8_t *a = malloc(size), *b = malloc(size);
  if (!a || !b) return 1;
  for (size_t i = 0; i < size; i += 4096) a[i] = (uint8_t)(i >> 12);
  uint64_t sum = 0;
  for (int round = 0; round < 8; round++) {
    memset(a + round, 0x5a + round, size / 2 - round * 7);
    memcpy(b + round * 3, a, size - round * 3);
    memmove(b + 1, b, size - 1);
    for (size_t i = 0; i < size; i += 1021) sum = sum * 31 + b[i];
  }
  printf("checksum %016llx\n", (unsigned long long)sum);
  return 0;
}
