// Hostile: waits for the clock forever. Each read costs fuel, so it ends as OutOfFuel.
#include <time.h>
int main(void) {
  struct timespec ts;
  for (;;) clock_gettime(CLOCK_MONOTONIC, &ts);
}
