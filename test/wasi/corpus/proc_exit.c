// proc_exit: the exit code is the result, and what was written before it is kept.
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  printf("before exit\n");
  fflush(stdout);
  exit(42);
}
