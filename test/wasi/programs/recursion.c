// Hostile: recursion a billion deep. It ends at the unit ABI's call depth, the same on every node.
#include <stdio.h>
static volatile unsigned limit = 1u << 30;
__attribute__((noinline)) static unsigned down(unsigned n) {
  volatile char pad[16];
  pad[0] = (char)n;
  if (n >= limit) return 0;
  return down(n + 1) + pad[0];
}
int main(void) {
  printf("%u\n", down(0));
  return 0;
}
