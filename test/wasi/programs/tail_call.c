// Built with -mtail-call (scripts/build-wasi-corpus.mjs): `musttail` returns compile to
// return_call and return_call_indirect, which leave the caller's frame. Two functions call each
// other ten million deep and a state machine runs through a table of handlers as deep: without
// tail calls either would pass any stack's depth (test/node/wasi-toolchain-features.test.ts).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static uint64_t even(uint64_t n, uint64_t acc);

__attribute__((noinline)) static uint64_t odd(uint64_t n, uint64_t acc) {
  if (n == 0) return acc;
  __attribute__((musttail)) return even(n - 1, acc * 3 + 1);
}

__attribute__((noinline)) static uint64_t even(uint64_t n, uint64_t acc) {
  if (n == 0) return acc + 7;
  __attribute__((musttail)) return odd(n - 1, acc ^ (n << 1));
}

typedef uint32_t (*state_t)(const uint8_t *text, uint32_t n, uint32_t words);
static uint32_t in_word(const uint8_t *text, uint32_t n, uint32_t words);
static uint32_t in_space(const uint8_t *text, uint32_t n, uint32_t words);
static const state_t states[2] = {in_space, in_word};

__attribute__((noinline)) static uint32_t in_space(const uint8_t *text, uint32_t n, uint32_t words) {
  if (n == 0) return words;
  int letter = *text != ' ';
  __attribute__((musttail)) return states[letter](text + 1, n - 1, words + letter);
}

__attribute__((noinline)) static uint32_t in_word(const uint8_t *text, uint32_t n, uint32_t words) {
  if (n == 0) return words;
  __attribute__((musttail)) return states[*text != ' '](text + 1, n - 1, words);
}

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], 0, 10) : 10000000;
  uint8_t *text = malloc(n);
  if (!text) return 1;
  for (uint64_t i = 0; i < n; i++) text[i] = (i * 2654435761u >> 7) % 5 == 0 ? ' ' : 'a';
  printf("even %016llx\nwords %u\n", (unsigned long long)even(n, 1), in_space(text, (uint32_t)n, 0));
  return 0;
}
