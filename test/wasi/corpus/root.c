// A folder preopened as the root (`/`, which wasi-libc also takes for `.`): relative and absolute
// paths find its files, a new file lands in it, and `..` above it is refused.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
int main(void) {
  char line[64] = {0};
  FILE *f = fopen("hello.txt", "r");
  printf("relative: %s", f && fgets(line, sizeof line, f) ? line : "none\n");
  if (f) fclose(f);
  f = fopen("/hello.txt", "r");
  memset(line, 0, sizeof line);
  printf("absolute: %s", f && fgets(line, sizeof line, f) ? line : "none\n");
  if (f) fclose(f);
  f = fopen("made.txt", "w");
  fputs("made here\n", f);
  fclose(f);
  struct stat st;
  printf("made: %lld\n", stat("/made.txt", &st) == 0 ? (long long)st.st_size : -1LL);
  f = fopen("../hello.txt", "r");
  printf("above the root: %s\n", f ? "opened" : strerror(errno));
  return 0;
}
