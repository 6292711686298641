// fd_read/fd_write/fd_seek/fd_tell/fd_pread/fd_pwrite on a scratch file, and on stdin.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  char buf[64];
  ssize_t n = read(0, buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = 0;
  printf("stdin %zd: %s\n", n, buf);
  printf("seek stdin: %s\n", lseek(0, 0, SEEK_SET) < 0 ? "refused" : "allowed");
  int fd = open("/tmp/f.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  printf("write: %zd\n", write(fd, "hello world", 11));
  printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("seek: %lld\n", (long long)lseek(fd, 6, SEEK_SET));
  n = read(fd, buf, sizeof buf);
  buf[n] = 0;
  printf("read %zd: %s\n", n, buf);
  printf("pwrite: %zd\n", pwrite(fd, "W", 1, 6));
  n = pread(fd, buf, 5, 6);
  buf[n] = 0;
  printf("pread %zd: %s\n", n, buf);
  printf("seek past end: %lld\n", (long long)lseek(fd, 20, SEEK_SET));
  printf("write there: %zd\n", write(fd, "!", 1));
  printf("size: %lld\n", (long long)lseek(fd, 0, SEEK_END));
  printf("negative seek: %s\n", lseek(fd, -100, SEEK_SET) < 0 ? "refused" : "allowed");
  close(fd);
  printf("write to closed: %s\n", write(fd, "x", 1) < 0 ? "refused" : "allowed");
  return 0;
}
