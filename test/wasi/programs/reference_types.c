// Built with -mreference-types (scripts/build-wasi-corpus.mjs), as clang 19 and later build by
// default: its own indirect calls name their table by an index written as a 5-byte LEB
// (`call_indirect` 0x80 0x80 0x80 0x80 0x00), which test/node/wasi-toolchain-features.test.ts finds
// in the module. It runs a little stack machine whose instructions are called through a table of
// function pointers, and sorts with qsort and a comparator of its own, then prints checksums.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  int64_t stack[64];
  int sp;
} vm_t;

typedef void (*op_t)(vm_t *, int64_t);

static void op_push(vm_t *vm, int64_t x) { vm->stack[vm->sp++] = x; }
static void op_add(vm_t *vm, int64_t x) { vm->sp--, vm->stack[vm->sp - 1] += vm->stack[vm->sp] + x; }
static void op_mul(vm_t *vm, int64_t x) { vm->sp--, vm->stack[vm->sp - 1] *= vm->stack[vm->sp] | x; }
static void op_xor(vm_t *vm, int64_t x) { vm->sp--, vm->stack[vm->sp - 1] ^= vm->stack[vm->sp] << (x & 7); }
static void op_dup(vm_t *vm, int64_t x) { vm->stack[vm->sp] = vm->stack[vm->sp - 1] + x, vm->sp++; }

static op_t const ops[] = {op_push, op_add, op_mul, op_xor, op_dup};

static int by_low_bits(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a & 0xffff, y = *(const uint32_t *)b & 0xffff;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 20000;
  uint64_t sum = 0;
  uint32_t seed = 12345;
  for (int r = 0; r < rounds; r++) {
    vm_t vm = {.sp = 0};
    op_push(&vm, r);
    for (int i = 0; i < 40; i++) {
      seed = seed * 1103515245u + 12345u;
      int op = (int)((seed >> 16) % 5);
      if (op != 0 && op != 4 && vm.sp < 2) op = 0;
      if (vm.sp > 60) op = 1;
      ops[op](&vm, (int64_t)(seed >> 20));
    }
    sum = sum * 1000003u + (uint64_t)vm.stack[0];
  }
  uint32_t values[4096];
  for (int i = 0; i < 4096; i++) values[i] = (seed = seed * 1664525u + 1013904223u);
  qsort(values, 4096, sizeof values[0], by_low_bits);
  uint64_t sorted = 0;
  for (int i = 0; i < 4096; i++) sorted = sorted * 31 + values[i];
  printf("vm %016llx\nsorted %016llx\n", (unsigned long long)sum, (unsigned long long)sorted);
  return 0;
}
