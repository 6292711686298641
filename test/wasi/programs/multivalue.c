// Built with -mmultivalue and clang's experimental multi-value ABI (scripts/build-wasi-corpus.mjs),
// so a function that returns a small struct returns its fields as several WebAssembly results
// (`(result i32 i32)`), which binaryen reads as tuple.make: test/node/wasi-toolchain-features.test.ts.
// wasi-libc is built for the usual ABI, so nothing here passes a struct to it or takes one from it
// (no div()). It sums quotients and remainders, multiplies complex numbers and 64-bit integers to
// 128 bits, and prints checksums.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  int32_t quotient, remainder;
} qr_t;

typedef struct {
  double re, im;
} complex_t;

typedef struct {
  uint64_t lo, hi;
} u128_t;

__attribute__((noinline)) static qr_t divide(int32_t a, int32_t b) {
  qr_t r = {a / b, a % b};
  return r;
}

__attribute__((noinline)) static complex_t multiply(complex_t a, complex_t b) {
  complex_t r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  return r;
}

__attribute__((noinline)) static u128_t wide(uint64_t a, uint64_t b) {
  uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
  uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
  u128_t r = {(mid << 32) | (ll & 0xffffffffu), hh + (lh >> 32) + (hl >> 32) + (mid >> 32)};
  return r;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  int64_t qsum = 0;
  complex_t z = {1.0, 0.0}, w = {0.6, 0.8};
  uint64_t lo = 0, hi = 0, x = 0x9e3779b97f4a7c15ull;
  for (int i = 1; i <= n; i++) {
    qr_t d = divide(i * 7919 + 13, i % 97 + 1);
    qsum += d.quotient * 3 + d.remainder;
    z = multiply(z, w);
    u128_t p = wide(x, x ^ (uint64_t)i);
    lo ^= p.lo;
    hi += p.hi;
    x = p.lo + p.hi;
  }
  printf("divide %lld\nmultiply %.9f %.9f\nwide %016llx %016llx\n", (long long)qsum, z.re, z.im,
         (unsigned long long)lo, (unsigned long long)hi);
  return 0;
}
