// What a workflow keeps of a program's run besides its stdout (docs/WORKFLOWS.md): it reads its
// item on stdin, says so on stdout, writes a summary to /out and the item's first bytes to a
// subfolder of /out, and leaves a note on stderr; exit 0. argv[1] names it in each.
#include <stdio.h>
#include <sys/stat.h>

static char item[4096];

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "unnamed";
  size_t n = fread(item, 1, sizeof item, stdin);
  printf("report %s: %zu bytes in\n", name, n);
  FILE *summary = fopen("/out/summary.txt", "w");
  fprintf(summary, "%s read %zu bytes\n", name, n);
  fclose(summary);
  mkdir("/out/parts", 0755);
  FILE *first = fopen("/out/parts/first.txt", "w");
  fwrite(item, 1, n < 8 ? n : 8, first);
  fclose(first);
  fprintf(stderr, "note: %s done\n", name);
  return 0;
}
