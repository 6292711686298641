// A folder found by its preopen's exact name, as the wasi-testsuite's Rust tests find their scratch
// folder (`open_scratch_directory`: every descriptor from 3, fd_prestat_dir_name compared with the
// name given as an argument): a runtime must tell the program the name it was given, as written.
// Then the file in it read through that descriptor alone.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *wanted = argv[1];
  for (__wasi_fd_t fd = 3;; fd++) {
    __wasi_prestat_t pre;
    if (__wasi_fd_prestat_get(fd, &pre) != 0) break;
    char name[256];
    size_t len = pre.u.dir.pr_name_len;
    if (len >= sizeof name || __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != 0) continue;
    name[len] = 0;
    printf("preopen %u: %s\n", (unsigned)fd, name);
    if (strcmp(name, wanted) != 0) continue;
    __wasi_fd_t file;
    __wasi_errno_t opened = __wasi_path_open(fd, 0, "seed.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &file);
    if (opened != 0) return printf("open seed.txt: %d\n", opened), 1;
    char bytes[64];
    __wasi_iovec_t iov = {(uint8_t *)bytes, sizeof bytes};
    size_t read = 0;
    if (__wasi_fd_read(file, &iov, 1, &read) != 0) return 1;
    printf("found %s: %zu bytes\n", wanted, read);
    return 0;
  }
  printf("no preopen named %s\n", wanted);
  return 1;
}
