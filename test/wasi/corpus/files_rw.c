// Writing, seeking, truncating, appending and renaming files in a writable preopened folder
// (fd_write, fd_seek, fd_tell, fd_pread, fd_pwrite, fd_filestat_set_size, path_rename).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define D "/fs-tests.dir"
static const char *ok(int r) { return r == 0 ? "ok" : strerror(errno); }
static long long size_of(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long long)st.st_size : -errno;
}
static void show(int fd, const char *what) {
  char buf[64];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  printf("%s: %zd [", what, n);
  for (ssize_t i = 0; i < n; i++) putchar(buf[i] ? buf[i] : '.');
  printf("]\n");
}
int main(void) {
  int fd = open(D "/new.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  printf("create: %s\n", fd >= 0 ? "ok" : strerror(errno));
  printf("write: %zd\n", write(fd, "hello, world", 12));
  printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("seek set 7: %lld\n", (long long)lseek(fd, 7, SEEK_SET));
  char buf[32] = {0};
  printf("read: %zd %s\n", read(fd, buf, 5), buf);
  printf("seek end -5: %lld\n", (long long)lseek(fd, -5, SEEK_END));
  printf("seek cur +2: %lld\n", (long long)lseek(fd, 2, SEEK_CUR));
  errno = 0;
  printf("seek before start: %lld %s\n", (long long)lseek(fd, -100, SEEK_CUR), strerror(errno));
  printf("tell after: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("ftruncate 5: %s\n", ok(ftruncate(fd, 5)));
  printf("size: %lld\n", size_of(D "/new.txt"));
  printf("tell after truncate: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("ftruncate 8: %s\n", ok(ftruncate(fd, 8)));
  show(fd, "grown");
  lseek(fd, 1, SEEK_SET);
  printf("pwrite at 10: %zd\n", pwrite(fd, "ZZ", 2, 10));
  printf("tell after pwrite: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  show(fd, "with a hole");
  printf("seek end +3: %lld\n", (long long)lseek(fd, 3, SEEK_END));
  printf("write past end: %zd\n", write(fd, "!", 1));
  printf("size: %lld\n", size_of(D "/new.txt"));
  printf("ftruncate -1: %s\n", ok(ftruncate(fd, -1)));
  close(fd);
  fd = open(D "/new.txt", O_WRONLY | O_APPEND);
  printf("append: %zd\n", write(fd, "END", 3));
  lseek(fd, 0, SEEK_SET);
  printf("append after seek 0: %zd\n", write(fd, "+", 1));
  printf("size: %lld\n", size_of(D "/new.txt"));
  errno = 0;
  printf("read write-only: %zd %s\n", read(fd, buf, 1), strerror(errno));
  close(fd);
  fd = open(D "/new.txt", O_RDONLY);
  show(fd, "after appends");
  errno = 0;
  printf("write read-only: %zd %s\n", write(fd, "x", 1), strerror(errno));
  close(fd);
  fd = open(D "/new.txt", O_WRONLY | O_TRUNC);
  printf("O_TRUNC: %lld\n", size_of(D "/new.txt"));
  write(fd, "renamed", 7);
  close(fd);
  printf("rename over a file: %s\n", ok(rename(D "/new.txt", D "/seed.txt")));
  printf("seed.txt: %lld\n", size_of(D "/seed.txt"));
  printf("new.txt: %lld\n", size_of(D "/new.txt"));
  printf("rename to itself: %s\n", ok(rename(D "/seed.txt", D "/seed.txt")));
  printf("mkdir d: %s\n", ok(mkdir(D "/d", 0755)));
  printf("rename a folder: %s\n", ok(rename(D "/d", D "/e")));
  printf("rename a file onto a folder: %s\n", ok(rename(D "/seed.txt", D "/e")));
  printf("rename a folder onto a file: %s\n", ok(rename(D "/e", D "/seed.txt")));
  printf("rename a folder into itself: %s\n", ok(rename(D "/e", D "/e/f")));
  printf("move into a folder: %s\n", ok(rename(D "/seed.txt", D "/e/moved.txt")));
  printf("moved: %lld\n", size_of(D "/e/moved.txt"));
  printf("truncate by path: %s\n", ok(truncate(D "/e/moved.txt", 3)));
  printf("moved: %lld\n", size_of(D "/e/moved.txt"));
  return 0;
}
