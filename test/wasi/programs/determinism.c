// What differs between machines on a real host, printed: the clock, random numbers, a directory
// listing, NaNs and floats, and many files written to /out. Under the unit host every run is the same.
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("now %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
  unsigned r;
  arc4random_buf(&r, sizeof r);
  printf("arc4random %u\n", r);
  volatile double zero = 0.0;
  double nan = zero / zero;
  printf("nan %f %f, inf %f, 1/3 %.17g, sqrt2 %.17g, exp1 %.17g\n", nan, -nan, 1 / zero, 1.0 / 3, sqrt(2.0), exp(1.0));
  unsigned long long bits;
  __builtin_memcpy(&bits, &nan, 8);
  printf("nan bits %016llx\n", bits);
  char path[64];
  for (int i = 0; i < 200; i++) {
    snprintf(path, sizeof path, "/out/f%03d.txt", (i * 37) % 200);
    FILE *f = fopen(path, "w");
    fprintf(f, "file %d %.3f\n", i, sin(i));
    fclose(f);
  }
  DIR *d = opendir("/out");
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d))) if (n++ < 4) printf("listing %s %llu\n", e->d_name, (unsigned long long)e->d_ino);
  closedir(d);
  return 0;
}
