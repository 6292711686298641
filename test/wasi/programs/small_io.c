// Many small reads and writes, for `npm run bench -- wasi` (wasi_io_ratio): stdin read 16 bytes a
// call and echoed to stdout 16 bytes a call, then a file of /tmp written and read back 4 bytes a
// call, argv[1] times (default 20,000), each a host call of its own.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 20000;
  char buf[16];
  ssize_t n;
  long echoed = 0;
  while ((n = read(0, buf, sizeof buf)) > 0) echoed += write(1, buf, (size_t)n);
  int fd = open("/tmp/small.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
  if (fd < 0) return 2;
  for (long i = 0; i < rounds; i++) write(fd, &i, 4);
  lseek(fd, 0, SEEK_SET);
  long sum = 0;
  int v;
  for (long i = 0; i < rounds; i++) {
    read(fd, &v, 4);
    sum += v;
  }
  close(fd);
  char line[64];
  int len = snprintf(line, sizeof line, "\necho %ld sum %ld\n", echoed, sum);
  write(1, line, (size_t)len);
  return 0;
}
