// poll_oneoff: a clock timeout returns at once and moves the virtual clock; descriptors are ready.
#include <stdio.h>
#include <time.h>
#include <wasi/api.h>
int main(void) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  struct timespec sleep = {5, 0};
  nanosleep(&sleep, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("slept at least 5 s: %s\n", b.tv_sec - a.tv_sec >= 5 ? "yes" : "no");
  __wasi_subscription_t subs[2] = {0};
  subs[0].userdata = 1;
  subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[0].u.u.fd_read.file_descriptor = 0;
  subs[1].userdata = 2;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 1000000000;
  __wasi_event_t ev[2];
  __wasi_size_t n;
  printf("poll: %d\n", __wasi_poll_oneoff(subs, ev, 2, &n));
  printf("events %lu: userdata %llu type %d nbytes %llu\n", n, (unsigned long long)ev[0].userdata, ev[0].type,
         (unsigned long long)ev[0].fd_readwrite.nbytes);
  printf("empty poll: %d\n", __wasi_poll_oneoff(subs, ev, 0, &n));
  printf("sched_yield: %d\n", __wasi_sched_yield());
  return 0;
}
