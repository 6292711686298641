// Symbolic links in a writable preopened folder (path_symlink, path_readlink, following and not
// following them), and links that would lead out of the preopen, which are refused when followed.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define D "/fs-tests.dir"
static const char *ok(int r) { return r == 0 ? "ok" : strerror(errno); }
static const char *opens(const char *path, int flags) {
  int fd = open(path, flags, 0644);
  if (fd < 0) return strerror(errno);
  close(fd);
  return "ok";
}
static const char *kind(const char *path, int follow) {
  struct stat st;
  if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) return strerror(errno);
  return S_ISLNK(st.st_mode) ? "link" : S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other";
}
int main(void) {
  printf("symlink: %s\n", ok(symlink("seed.txt", D "/l1")));
  printf("symlink again: %s\n", ok(symlink("seed.txt", D "/l1")));
  char buf[32] = {0};
  printf("readlink: %zd %s\n", readlink(D "/l1", buf, sizeof buf), buf);
  memset(buf, 0, sizeof buf);
  printf("readlink short: %zd %s\n", readlink(D "/l1", buf, 4), buf);
  printf("symlink l2/: %s\n", ok(symlink("seed.txt", D "/l2/")));
  printf("open l1/: %s\n", opens(D "/l1/", O_RDONLY));
  printf("readlink a file: %zd %s\n", readlink(D "/seed.txt", buf, sizeof buf), strerror(errno));
  printf("lstat l1: %s, stat l1: %s\n", kind(D "/l1", 0), kind(D "/l1", 1));
  int fd = open(D "/l1", O_RDONLY);
  memset(buf, 0, sizeof buf);
  read(fd, buf, sizeof buf - 1);
  close(fd);
  printf("through l1: %s\n", buf);
  printf("O_NOFOLLOW: %s\n", opens(D "/l1", O_RDONLY | O_NOFOLLOW));
  printf("dangling: %s\n", ok(symlink("missing", D "/dangling")));
  printf("open dangling: %s\n", opens(D "/dangling", O_RDONLY));
  printf("lstat dangling: %s, stat dangling: %s\n", kind(D "/dangling", 0), kind(D "/dangling", 1));
  printf("loop: %s\n", ok(symlink("loop", D "/loop")));
  printf("open loop: %s\n", opens(D "/loop", O_RDONLY));
  printf("mkdir sub: %s\n", ok(mkdir(D "/sub", 0755)));
  printf("link to a folder: %s\n", ok(symlink("sub", D "/to-sub")));
  printf("create through it: %s\n", opens(D "/to-sub/x.txt", O_WRONLY | O_CREAT));
  printf("sub/x.txt: %s\n", kind(D "/sub/x.txt", 0));
  printf("up and back: %s\n", ok(symlink("../seed.txt", D "/sub/up")));
  printf("open up and back: %s\n", opens(D "/sub/up", O_RDONLY));
  printf("out by ..: %s\n", ok(symlink("../../etc/passwd", D "/sub/out")));
  printf("open out by ..: %s\n", opens(D "/sub/out", O_RDONLY));
  printf("stat out by ..: %s\n", kind(D "/sub/out", 1));
  printf("out by /: %s\n", ok(symlink("/etc/passwd", D "/abs")));
  printf("open out by /: %s\n", opens(D "/abs", O_RDONLY));
  printf("lstat out by /: %s\n", kind(D "/abs", 0));
  printf("rmdir a link to a folder: %s\n", ok(rmdir(D "/to-sub")));
  printf("unlink a link to a folder: %s\n", ok(unlink(D "/to-sub")));
  printf("sub still: %s\n", kind(D "/sub", 0));
  printf("unlink l1: %s\n", ok(unlink(D "/l1")));
  printf("seed.txt still: %s\n", kind(D "/seed.txt", 0));
  printf("rename a link: %s\n", ok(rename(D "/dangling", D "/dangling2")));
  memset(buf, 0, sizeof buf);
  printf("readlink renamed: %zd %s\n", readlink(D "/dangling2", buf, sizeof buf), buf);
  return 0;
}
