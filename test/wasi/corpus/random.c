// random_get: bytes from the unit's seed, the same on every run.
#include <stdio.h>
#include <wasi/api.h>
int main(void) {
  unsigned char a[40], b[40];
  printf("random_get: %d\n", __wasi_random_get(a, sizeof a));
  __wasi_random_get(b, sizeof b);
  int same = 1;
  for (int i = 0; i < 40; i++) same &= a[i] == b[i];
  printf("first bytes:");
  for (int i = 0; i < 8; i++) printf(" %02x", a[i]);
  printf("\n");
  printf("two draws differ: %s\n", same ? "no" : "yes");
  printf("bad address: %d\n", __wasi_random_get((uint8_t *)0xfffffff0, 64));
  return 0;
}
