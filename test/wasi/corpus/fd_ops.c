// Descriptor operations: fd_renumber (wasi-libc has no dup2), fd_fdstat_set_flags (fcntl
// F_SETFL O_APPEND), fd_fdstat_get's flags (F_GETFL), isatty on stdio and on a file, fd_sync and
// fd_datasync, fd_advise and fd_allocate (posix_fadvise, posix_fallocate), renumbering over a preopen.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>
#define D "/fs-tests.dir"
static const char *mode(int flags) {
  switch (flags & O_ACCMODE) {
  case O_RDONLY: return "O_RDONLY";
  case O_WRONLY: return "O_WRONLY";
  case O_RDWR: return "O_RDWR";
  default: return "other";
  }
}
static long long size_of(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? (long long)st.st_size : -errno;
}
int main(void) {
  for (int fd = 0; fd < 3; fd++) {
    errno = 0;
    int tty = isatty(fd);
    printf("isatty(%d): %d %s\n", fd, tty, strerror(errno));
  }
  int fd = open(D "/seed.txt", O_RDWR);
  errno = 0;
  int tty = isatty(fd);
  printf("isatty(file): %d %s\n", tty, strerror(errno));
  errno = 0;
  tty = isatty(99);
  printf("isatty(99): %d %s\n", tty, strerror(errno));
  int ro = open(D "/seed.txt", O_RDONLY);
  int wo = open(D "/seed.txt", O_WRONLY);
  printf("F_GETFL: %s %s %s\n", mode(fcntl(fd, F_GETFL)), mode(fcntl(ro, F_GETFL)), mode(fcntl(wo, F_GETFL)));
  printf("O_APPEND before: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  printf("F_SETFL O_APPEND: %d\n", fcntl(fd, F_SETFL, O_APPEND));
  printf("O_APPEND after: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  lseek(fd, 0, SEEK_SET);
  write(fd, "AB", 2);
  printf("appended: size %lld\n", size_of(fd));
  printf("F_SETFL 0: %d\n", fcntl(fd, F_SETFL, 0));
  lseek(fd, 0, SEEK_SET);
  write(fd, "x", 1);
  char buf[16] = {0};
  pread(fd, buf, 12, 0);
  printf("contents: %s\n", buf);
  printf("F_SETFL O_NONBLOCK on stdin: %d\n", fcntl(0, F_SETFL, O_NONBLOCK));
  printf("O_NONBLOCK after: %d\n", (fcntl(0, F_GETFL) & O_NONBLOCK) != 0);
  printf("O_SYNC at open: %d\n", (fcntl(wo, F_GETFL) & O_SYNC) != 0);
  int synced = open(D "/seed.txt", O_WRONLY | O_SYNC);
  printf("O_SYNC given at open: %d\n", (fcntl(synced, F_GETFL) & O_SYNC) == O_SYNC);
  close(synced);
  printf("fd_fdstat_set_flags unknown flag: %d\n", __wasi_fd_fdstat_set_flags(fd, 0x100));
  printf("fsync: %d\n", fsync(fd));
  printf("fdatasync: %d\n", fdatasync(fd));
  printf("fsync bad fd: %d %s\n", fsync(99), strerror(errno));
  printf("fadvise sequential: %d\n", posix_fadvise(fd, 0, 12, POSIX_FADV_SEQUENTIAL));
  printf("fadvise bad advice: %d\n", posix_fadvise(fd, 0, 12, 99));
  printf("fadvise bad fd: %d\n", posix_fadvise(99, 0, 12, POSIX_FADV_NORMAL));
  int grow = open(D "/grown.bin", O_RDWR | O_CREAT, 0644);
  printf("fallocate 0+100: %d size %lld\n", posix_fallocate(grow, 0, 100), size_of(grow));
  printf("fallocate 10+20: %d size %lld\n", posix_fallocate(grow, 10, 20), size_of(grow));
  printf("fallocate read-only: %d\n", posix_fallocate(ro, 0, 1000));
  printf("fallocate bad fd: %d\n", posix_fallocate(99, 0, 1));

  // fd_renumber: `to` takes `from`'s open file, `from` is closed.
  int a = open(D "/a.txt", O_RDWR | O_CREAT, 0644);
  write(a, "file a", 6);
  int b = open(D "/b.txt", O_RDWR | O_CREAT, 0644);
  write(b, "file b", 6);
  printf("renumber a to b: %d\n", __wasi_fd_renumber(a, b));
  memset(buf, 0, sizeof buf);
  pread(b, buf, 6, 0);
  printf("b reads: %s\n", buf);
  printf("a is closed: %d\n", __wasi_fd_close(a));
  printf("renumber to itself: %d\n", __wasi_fd_renumber(b, b));
  printf("renumber from a closed fd: %d\n", __wasi_fd_renumber(a, b));
  printf("renumber to a closed fd: %d\n", __wasi_fd_renumber(b, 99));

  // Over the preopen (fd 3): it is a preopen no more, and reads the file.
  __wasi_prestat_t pre;
  printf("prestat 3: %d\n", __wasi_fd_prestat_get(3, &pre));
  printf("renumber b to 3: %d\n", __wasi_fd_renumber(b, 3));
  printf("prestat 3 after: %d\n", __wasi_fd_prestat_get(3, &pre));
  memset(buf, 0, sizeof buf);
  pread(3, buf, 6, 0);
  printf("3 reads: %s\n", buf);
  __wasi_fdstat_t st;
  __wasi_fd_fdstat_get(3, &st);
  printf("3 is a file: %d\n", st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  return 0;
}
