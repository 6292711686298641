// fd_readdir: entries sorted by name, fixed inode numbers; many entries need several calls.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  char name[32];
  for (int i = 40; i > 0; i--) {
    snprintf(name, sizeof name, "/tmp/file-%02d", i);
    close(open(name, O_WRONLY | O_CREAT, 0644));
  }
  DIR *d = opendir("/tmp");
  struct dirent *e;
  int count = 0;
  while ((e = readdir(d))) {
    if (count < 5 || e->d_name[0] != 'f') printf("%s ino %llu\n", e->d_name, (unsigned long long)e->d_ino);
    count++;
  }
  closedir(d);
  printf("entries: %d\n", count);
  d = opendir("/input");
  while ((e = readdir(d))) printf("input: %s type %d\n", e->d_name, e->d_type);
  closedir(d);
  return 0;
}
