// Hostile: allocates and touches memory until malloc fails, then aborts (a trap after a refused grow).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  char *volatile p;
  for (long n = 0;; n++) {
    p = malloc(1 << 20);
    if (!p) abort();
    memset(p, (int)n, 1 << 20);
  }
}
