// clock_time_get and clock_res_get: a virtual clock, 1 ms a read, realtime from 2024-01-01.
#include <stdio.h>
#include <time.h>
#include <wasi/api.h>
int main(void) {
  __wasi_timestamp_t res, a, b, r;
  printf("res_get monotonic: %d\n", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
  printf("resolution ns: %llu\n", (unsigned long long)res);
  __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &a);
  __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &b);
  printf("monotonic step ns: %llu\n", (unsigned long long)(b - a));
  __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &r);
  printf("realtime s: %llu\n", (unsigned long long)(r / 1000000000ull));
  printf("bad clock: %d\n", __wasi_clock_time_get(99, 1, &r));
  time_t t = time(NULL);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d", gmtime(&t));
  printf("date: %s\n", buf);
  return 0;
}
