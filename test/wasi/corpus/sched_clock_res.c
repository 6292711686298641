// sched_yield, and clock_res_get of each clock (and of one that does not exist).
#include <sched.h>
#include <stdio.h>
#include <wasi/api.h>
int main(void) {
  printf("sched_yield: %d\n", sched_yield());
  const char *names[] = {"realtime", "monotonic", "process cputime", "thread cputime"};
  for (int id = 0; id < 4; id++) {
    __wasi_timestamp_t res = 0;
    __wasi_errno_t e = __wasi_clock_res_get(id, &res);
    printf("%s: %d, resolution above 0 and at most 1 s: %d\n", names[id], e, res > 0 && res <= 1000000000);
  }
  __wasi_timestamp_t res = 0;
  printf("clock 4: %d\n", __wasi_clock_res_get(4, &res));
  return 0;
}
