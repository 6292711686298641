// Error cases: a bad descriptor, a path outside the root, a read-only file, sockets, bad memory.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
int main(void) {
  __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  printf("fd_write bad fd: %d\n", __wasi_fd_write(99, &iov, 1, &n));
  printf("fd_close bad fd: %d\n", __wasi_fd_close(99));
  __wasi_fd_t fd;
  printf("open ../etc/passwd: %d\n", __wasi_path_open(3, 0, "../etc/passwd", 0, 0, 0, 0, &fd));
  printf("open /etc/passwd: %d\n", __wasi_path_open(3, 0, "/etc/passwd", 0, 0, 0, 0, &fd));
  printf("open data.txt to write: %d\n", __wasi_path_open(3, 0, "data.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
  printf("create in /input: %d\n", __wasi_path_open(3, 0, "new.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
  printf("open missing: %d\n", __wasi_path_open(3, 0, "missing.txt", 0, 0, 0, 0, &fd));
  printf("open file as dir: %d\n", __wasi_path_open(3, 0, "data.txt", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd));
  printf("readdir on a file fd: %d\n", __wasi_fd_readdir(1, (uint8_t *)&n, 4, 0, &n));
  printf("sock_shutdown stdout: %d\n", __wasi_sock_shutdown(1, __WASI_SDFLAGS_WR));
  printf("sock_shutdown bad fd: %d\n", __wasi_sock_shutdown(99, __WASI_SDFLAGS_WR));
  printf("fd_write bad iovec: %d\n", __wasi_fd_write(1, (const __wasi_ciovec_t *)0xfffffff8, 1, &n));
  printf("fopen ../../etc: %s\n", fopen("/input/../../etc/passwd", "r") ? "opened" : strerror(errno));
  __wasi_path_symlink("loop-b", 4, "loop-a");
  __wasi_path_symlink("loop-a", 4, "loop-b");
  printf("open a symlink loop: %d\n", __wasi_path_open(4, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "loop-a", 0, 0, 0, 0, &fd));
  printf("symlink out of the root: %d\n", __wasi_path_symlink("../../etc", 4, "up"));
  printf("follow it: %d\n", __wasi_path_open(4, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "up/passwd", 0, 0, 0, 0, &fd));
  return 0;
}
