// fd_fdstat_get, fd_filestat_get, path_filestat_get, fd_filestat_set_size: types, sizes, fixed times.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
static const char *kind(mode_t m) {
  return S_ISDIR(m) ? "dir" : S_ISREG(m) ? "file" : S_ISLNK(m) ? "link" : S_ISCHR(m) ? "chr" : "other";
}
int main(void) {
  struct stat st;
  stat("/input/data.txt", &st);
  printf("data.txt: %s size %lld mtime %lld\n", kind(st.st_mode), (long long)st.st_size, (long long)st.st_mtime);
  stat("/input", &st);
  printf("/input: %s\n", kind(st.st_mode));
  fstat(1, &st);
  printf("stdout: %s\n", kind(st.st_mode));
  int fd = open("/tmp/g", O_RDWR | O_CREAT, 0644);
  ftruncate(fd, 1000);
  fstat(fd, &st);
  printf("after ftruncate: %lld\n", (long long)st.st_size);
  printf("missing: %s\n", stat("/input/nope", &st) < 0 ? "ENOENT" : "found");
  int fl = fcntl(fd, F_GETFL);
  printf("O_RDWR: %s\n", (fl & O_ACCMODE) == O_RDWR ? "yes" : "no");
  return 0;
}
