// Hostile: fills /tmp; past its cap a write fails with ENOSPC, as on a full disk.
#include <stdio.h>
#include <string.h>
int main(void) {
  static char block[65536];
  FILE *f = fopen("/tmp/big", "w");
  for (;;) {
    if (fwrite(block, 1, sizeof block, f) != sizeof block || fflush(f) != 0) {
      perror("write /tmp/big");
      return 1;
    }
  }
}
