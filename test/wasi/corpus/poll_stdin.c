// poll() on stdin until it hangs up, as a program reading a pipe does: each poll says it is
// readable, each read takes what is there, and once it is read to its end the poll says POLLHUP
// (the event's hangup flag). A poll of a descriptor not open says POLLNVAL, for reading and writing.
#include <poll.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  char all[64] = {0};
  size_t got = 0;
  int polls = 0;
  for (; polls < 100; polls++) {
    struct pollfd p = {0, POLLIN, 0};
    if (poll(&p, 1, -1) != 1) break;
    if (p.revents & POLLIN) {
      ssize_t n = read(0, all + got, 4 < sizeof all - 1 - got ? 4 : sizeof all - 1 - got);
      if (n > 0) got += n;
    }
    if (p.revents & POLLHUP) break;
  }
  printf("read %zu bytes: %s\n", got, all);
  printf("hung up: %s\n", polls < 100 ? "yes" : "no, after 100 polls");
  struct pollfd bad[2] = {{99, POLLIN, 0}, {98, POLLOUT, 0}};
  printf("poll bad fds: %d, POLLNVAL: %d %d\n", poll(bad, 2, 0), (bad[0].revents & POLLNVAL) != 0,
         (bad[1].revents & POLLNVAL) != 0);
  struct pollfd out = {1, POLLOUT, 0};
  printf("stdout writable: %d\n", poll(&out, 1, 0) == 1 && (out.revents & POLLOUT) != 0);
  return 0;
}
