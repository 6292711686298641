// A writable preopened folder changed and listed again (path_create_directory, path_unlink_file,
// path_remove_directory, fd_readdir), trailing slashes, and path_filestat_set_times (utimensat,
// futimens).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>
#define D "/fs-tests.dir"
static const char *ok(int r) { return r == 0 ? "ok" : strerror(errno); }
static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
/** The names in a folder, sorted (a real filesystem lists them in any order). */
static void list(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) {
    printf("%s: %s\n", path, strerror(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) && n < 64)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  closedir(dir);
  qsort(names, n, sizeof *names, by_name);
  printf("%s:", path);
  for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
}
static void touch(const char *path) { close(open(path, O_WRONLY | O_CREAT, 0644)); }
int main(void) {
  list(D);
  printf("mkdir a: %s\n", ok(mkdir(D "/a", 0755)));
  touch(D "/a/f1");
  touch(D "/a/f2");
  printf("mkdir a/b/: %s\n", ok(mkdir(D "/a/b/", 0755)));
  list(D);
  list(D "/a");
  printf("unlink a/f1: %s\n", ok(unlink(D "/a/f1")));
  printf("rename a/f2 a/g: %s\n", ok(rename(D "/a/f2", D "/a/g")));
  list(D "/a");
  printf("rmdir non-empty: %s\n", ok(rmdir(D "/a")));
  printf("unlink a folder: %s\n", ok(unlink(D "/a/b")));
  printf("rmdir a file: %s\n", ok(rmdir(D "/a/g")));
  printf("unlink a file/: %s\n", ok(unlink(D "/a/g/")));
  printf("open a file/: %s\n", open(D "/a/g/", O_RDONLY) >= 0 ? "ok" : strerror(errno));
  printf("unlink missing: %s\n", ok(unlink(D "/a/nothing")));
  printf("rmdir missing: %s\n", ok(rmdir(D "/a/nothing")));
  printf("rmdir a/b/: %s\n", ok(rmdir(D "/a/b/")));
  printf("unlink a/g: %s\n", ok(unlink(D "/a/g")));
  list(D "/a");
  printf("rmdir a: %s\n", ok(rmdir(D "/a")));
  list(D);

  struct timespec times[2] = {{1000, 500}, {2000, 700}};
  printf("utimensat: %s\n", ok(utimensat(AT_FDCWD, D "/seed.txt", times, 0)));
  struct stat st;
  stat(D "/seed.txt", &st);
  printf("atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  struct timespec omit[2] = {{0, UTIME_OMIT}, {3000, 0}};
  printf("utimensat omit atime: %s\n", ok(utimensat(AT_FDCWD, D "/seed.txt", omit, 0)));
  stat(D "/seed.txt", &st);
  printf("atime %lld mtime %lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
  // path_filestat_set_times itself: "now" for both, and a time given both ways (EINVAL).
  __wasi_fstflags_t now = __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW;
  printf("set times now: %d\n", __wasi_path_filestat_set_times(3, 0, "seed.txt", 0, 0, now));
  stat(D "/seed.txt", &st);
  printf("moved from 3000: %d\n", st.st_mtim.tv_sec != 3000);
  __wasi_fstflags_t both = __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW;
  printf("mtime and now: %d\n", __wasi_path_filestat_set_times(3, 0, "seed.txt", 0, 1, both));
  both = __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW;
  printf("atime and now: %d\n", __wasi_path_filestat_set_times(3, 0, "seed.txt", 1, 0, both));
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  printf("utimensat bad nsec: %s\n", ok(utimensat(AT_FDCWD, D "/seed.txt", bad, 0)));
  printf("utimensat missing: %s\n", ok(utimensat(AT_FDCWD, D "/nothing", times, 0)));
  symlink("seed.txt", D "/l");
  struct timespec link_times[2] = {{4000, 0}, {5000, 0}};
  printf("utimensat nofollow: %s\n", ok(utimensat(AT_FDCWD, D "/l", link_times, AT_SYMLINK_NOFOLLOW)));
  struct stat lst;
  lstat(D "/l", &lst);
  stat(D "/seed.txt", &st);
  printf("link mtime %lld, file mtime not 5000: %d\n", (long long)lst.st_mtim.tv_sec, st.st_mtim.tv_sec != 5000);
  int fd = open(D "/seed.txt", O_RDONLY);
  struct timespec ftimes[2] = {{6000, 0}, {7000, 0}};
  printf("futimens: %s\n", ok(futimens(fd, ftimes)));
  fstat(fd, &st);
  printf("atime %lld mtime %lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
  return 0;
}
