// Closing a preopen: fd_close of it succeeds once, then it is gone (EBADF), and nothing under it
// can be opened any more; a new descriptor may take its number, and is no preopen.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>
int main(void) {
  __wasi_prestat_t pre;
  printf("prestat 3: %d\n", __wasi_fd_prestat_get(3, &pre));
  printf("prestat 4: %d\n", __wasi_fd_prestat_get(4, &pre));
  int fd = open("/fs-tests.dir/seed.txt", O_RDONLY);
  printf("open before: %s\n", fd >= 0 ? "ok" : strerror(errno));
  close(fd);
  printf("close 3: %d\n", __wasi_fd_close(3));
  printf("close 3 again: %d\n", __wasi_fd_close(3));
  printf("prestat 3 after: %d\n", __wasi_fd_prestat_get(3, &pre));
  __wasi_fd_t opened;
  printf("path_open on 3: %d\n",
         __wasi_path_open(3, 0, "seed.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &opened));
  return 0;
}
