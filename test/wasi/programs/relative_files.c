// Reads data.txt by a relative path and writes what it counted into result.txt beside it (or the
// path argv[1] names): a program that expects its working folder, as `wasmtime --dir DIR::.` or
// `meshctl run-local --wasi … --dir DIR:.:rw` gives it (docs/UNIT_ABI.md, section 15). argv[2], if
// given, is a path it tries to create, saying how that went (a read-only folder refuses it).
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static char text[65536];

int main(int argc, char **argv) {
  const char *out_name = argc > 1 ? argv[1] : "result.txt";
  FILE *in = fopen("data.txt", "r");
  if (!in) {
    fprintf(stderr, "data.txt: %s\n", strerror(errno));
    return 1;
  }
  size_t n = fread(text, 1, sizeof text, in);
  fclose(in);
  size_t lines = 0, words = 0;
  int in_word = 0;
  for (size_t i = 0; i < n; i++) {
    if (text[i] == '\n') lines++;
    if (isspace((unsigned char)text[i])) in_word = 0;
    else if (!in_word) in_word = 1, words++;
    text[i] = (char)toupper((unsigned char)text[i]);
  }
  FILE *out = fopen(out_name, "w");
  if (!out) {
    fprintf(stderr, "%s: %s\n", out_name, strerror(errno));
    return 2;
  }
  fprintf(out, "%zu lines, %zu words, %zu bytes\n", lines, words, n);
  fwrite(text, 1, n, out);
  fclose(out);
  printf("read data.txt (%zu bytes), wrote %s\n", n, out_name);
  if (argc > 2) {
    FILE *probe = fopen(argv[2], "w");
    printf("create %s: %s\n", argv[2], probe ? "ok" : strerror(errno));
    if (probe) fclose(probe);
  }
  return 0;
}
