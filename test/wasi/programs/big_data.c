// A module of about 1 MB, for `npm run bench -- wasi` (wasi_unit_start_ms): a 1 MiB table in its
// data (made by the preprocessor, so the source stays small), which every instance copies into its
// memory; it prints one byte of it, chosen by argc, so the table is kept.
#include <stdio.h>
#define B16 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
#define X16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char table[] = {X16(X16(X16(X16(B16))))};
int main(int argc, char **argv) {
  (void)argv;
  printf("%zu %d\n", sizeof table, table[(sizeof table - 1) / (unsigned)argc]);
  return 0;
}
