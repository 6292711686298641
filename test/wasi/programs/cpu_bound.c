// CPU-bound, for `npm run bench -- wasi` (wasi_cpu_ratio): integer mixing and float math in a loop,
// argv[1] rounds (default 2,000,000), the result printed so no step can be left out.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 2000000;
  unsigned long long h = 1469598103934665603ULL;
  double acc = 0;
  for (long i = 0; i < rounds; i++) {
    h ^= (unsigned long long)i;
    h *= 1099511628211ULL;
    h ^= h >> 29;
    acc += sqrt((double)(h & 0xffff)) * 0.5;
  }
  printf("%016llx %.6f\n", h, acc);
  return 0;
}
