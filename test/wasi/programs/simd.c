// Built with -msimd128 (scripts/build-wasi-corpus.mjs): wasm_simd128.h's f32x4 and f64x2 arithmetic,
// for test/node/wasi-toolchain-features.test.ts and `npm run bench -- wasi` (wasi_simd_ratio). With
// no argument it draws a Mandelbrot set four pixels at a time (its escaped lanes run on to infinity
// and NaN, as vector code does) and relaxes an f64x2 grid, and prints checksums of both (a number
// N: N times the iterations and rounds); `nan` prints the bits of NaNs that SIMD operations make,
// stored and read as integers.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_simd128.h>

static uint32_t mandelbrot(int width, int height, int iterations) {
  uint32_t sum = 0;
  const v128_t four = wasm_f32x4_splat(4.0f), two = wasm_f32x4_splat(2.0f);
  for (int y = 0; y < height; y++) {
    v128_t ci = wasm_f32x4_splat(-1.25f + 2.5f * (float)y / (float)height);
    for (int x = 0; x < width; x += 4) {
      v128_t cr = wasm_f32x4_add(wasm_f32x4_splat(-2.0f + 3.0f * (float)x / (float)width),
                                 wasm_f32x4_make(0.0f, 3.0f / width, 6.0f / width, 9.0f / width));
      v128_t zr = wasm_f32x4_splat(0.0f), zi = zr, count = wasm_i32x4_splat(0);
      for (int i = 0; i < iterations; i++) {
        v128_t zr2 = wasm_f32x4_mul(zr, zr), zi2 = wasm_f32x4_mul(zi, zi);
        v128_t inside = wasm_f32x4_le(wasm_f32x4_add(zr2, zi2), four);
        if (!wasm_v128_any_true(inside)) break;
        count = wasm_i32x4_sub(count, inside);
        zi = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(zr, zi), two), ci);
        zr = wasm_f32x4_add(wasm_f32x4_sub(zr2, zi2), cr);
      }
      for (int k = 0; k < 4; k++) sum = sum * 31 + (uint32_t)((int32_t *)&count)[k];
    }
  }
  return sum;
}

// Jacobi relaxation of a grid of doubles, two at a time, with sqrt, division, min and max.
static double relax(int n, int rounds) {
  static double a[256 * 256], b[256 * 256];
  for (int i = 0; i < n * n; i++) a[i] = (double)((i * 7919) % 1000) / 1000.0;
  const v128_t quarter = wasm_f64x2_splat(0.25), lo = wasm_f64x2_splat(0.001), hi = wasm_f64x2_splat(10.0);
  for (int r = 0; r < rounds; r++) {
    for (int y = 1; y < n - 1; y++)
      for (int x = 1; x + 2 < n; x += 2) {
        int i = y * n + x;
        v128_t s = wasm_f64x2_add(wasm_f64x2_add(wasm_v128_load(&a[i - 1]), wasm_v128_load(&a[i + 1])),
                                  wasm_f64x2_add(wasm_v128_load(&a[i - n]), wasm_v128_load(&a[i + n])));
        v128_t m = wasm_f64x2_mul(s, quarter);
        v128_t v = wasm_f64x2_div(wasm_f64x2_sqrt(wasm_f64x2_max(m, lo)), wasm_f64x2_min(wasm_f64x2_add(m, lo), hi));
        wasm_v128_store(&b[i], v);
      }
    memcpy(a + n, b + n, sizeof(double) * (size_t)n * (size_t)(n - 2));
  }
  double total = 0;
  for (int i = 0; i < n * n; i++) total += a[i];
  return total;
}

static void print_f32x4(const char *what, v128_t v) {
  uint32_t stored[4];
  wasm_v128_store(stored, v);
  printf("%s %08x %08x %08x %08x / %08x\n", what, stored[0], stored[1], stored[2], stored[3],
         (uint32_t)wasm_i32x4_extract_lane(v, 0));
}

static void print_f64x2(const char *what, v128_t v) {
  uint64_t stored[2];
  wasm_v128_store(stored, v);
  printf("%s %016llx %016llx / %016llx\n", what, (unsigned long long)stored[0], (unsigned long long)stored[1],
         (unsigned long long)wasm_i64x2_extract_lane(v, 1));
}

// Operands the compiler cannot fold: NaN payloads and signs read at run time.
static volatile float zero_f = 0.0f, minus_one_f = -1.0f, inf_f = __builtin_inff();
static volatile uint32_t payload_f = 0xffa00001u;
static volatile double zero_d = 0.0;
static volatile uint64_t payload_d = 0xfff4000000000001ull;

static int nans(void) {
  float pf;
  double pd;
  uint32_t pfu = payload_f;
  uint64_t pdu = payload_d;
  memcpy(&pf, &pfu, 4);
  memcpy(&pd, &pdu, 8);
  v128_t z = wasm_f32x4_splat(zero_f), p = wasm_f32x4_splat(pf), inf = wasm_f32x4_splat(inf_f);
  v128_t zd = wasm_f64x2_splat(zero_d), dp = wasm_f64x2_splat(pd);
  print_f32x4("f32x4.div 0/0", wasm_f32x4_div(z, z));
  print_f32x4("f32x4.sqrt -1", wasm_f32x4_sqrt(wasm_f32x4_splat(minus_one_f)));
  print_f32x4("f32x4.sub inf-inf", wasm_f32x4_sub(inf, inf));
  print_f32x4("f32x4.mul payload*payload", wasm_f32x4_mul(p, p));
  print_f32x4("f32x4.add payload+1", wasm_f32x4_add(p, wasm_f32x4_splat(1.0f)));
  print_f32x4("f32x4.min payload,1", wasm_f32x4_min(p, wasm_f32x4_splat(1.0f)));
  print_f32x4("f32x4.max 1,payload", wasm_f32x4_max(wasm_f32x4_splat(1.0f), p));
  print_f32x4("f32x4.nearest payload", wasm_f32x4_nearest(p));
  print_f32x4("f32x4.floor payload", wasm_f32x4_floor(p));
  print_f32x4("f32x4.demote payload", wasm_f32x4_demote_f64x2_zero(dp));
  print_f32x4("f32x4.splat 0/0", wasm_f32x4_splat(zero_f / zero_f));
  print_f32x4("f32x4.replace_lane 0/0", wasm_f32x4_replace_lane(wasm_f32x4_splat(1.0f), 2, zero_f / zero_f));
  print_f64x2("f64x2.div 0/0", wasm_f64x2_div(zd, zd));
  print_f64x2("f64x2.mul payload*payload", wasm_f64x2_mul(dp, dp));
  print_f64x2("f64x2.sqrt payload", wasm_f64x2_sqrt(dp));
  print_f64x2("f64x2.promote payload", wasm_f64x2_promote_low_f32x4(p));
  print_f64x2("f64x2.splat 0/0", wasm_f64x2_splat(zero_d / zero_d));
  // Bits that move unchanged: a negated NaN from memory keeps its payload, an ordinary value its sign.
  print_f32x4("f32x4.neg payload", wasm_f32x4_neg(p));
  print_f32x4("f32x4.mul -0.5*2", wasm_f32x4_mul(wasm_f32x4_splat(-0.5f), wasm_f32x4_splat(2.0f)));
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "nan") == 0) return nans();
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  if (scale < 1) return 2;
  uint32_t m = mandelbrot(256, 192, 256 * scale);
  double r = relax(128, 40 * scale);
  printf("mandelbrot %08x\nrelax %.12f\n", m, r);
  return 0;
}
