// path_open/create_directory/rename/unlink_file/remove_directory/symlink/readlink/link.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define SHOW(what, call) printf("%s: %s\n", what, (call) == 0 ? "ok" : strerror(errno))
int main(void) {
  SHOW("mkdir", mkdir("/tmp/d", 0755));
  SHOW("mkdir again", mkdir("/tmp/d", 0755));
  int fd = open("/tmp/d/a", O_WRONLY | O_CREAT | O_EXCL, 0644);
  printf("create: %s\n", fd >= 0 ? "ok" : strerror(errno));
  write(fd, "abc", 3);
  close(fd);
  printf("create excl again: %s\n", open("/tmp/d/a", O_WRONLY | O_CREAT | O_EXCL, 0644) >= 0 ? "ok" : strerror(errno));
  SHOW("rename", rename("/tmp/d/a", "/tmp/d/b"));
  SHOW("rename missing", rename("/tmp/d/a", "/tmp/d/c"));
  SHOW("symlink", symlink("b", "/tmp/d/l"));
  char buf[32] = {0};
  printf("readlink: %zd %s\n", readlink("/tmp/d/l", buf, sizeof buf), buf);
  fd = open("/tmp/d/l", O_RDONLY);
  memset(buf, 0, sizeof buf);
  read(fd, buf, sizeof buf);
  printf("through link: %s\n", buf);
  close(fd);
  SHOW("link", link("/tmp/d/b", "/tmp/d/h"));
  struct stat st;
  stat("/tmp/d/h", &st);
  printf("nlink: %lld\n", (long long)st.st_nlink);
  SHOW("rmdir non-empty", rmdir("/tmp/d"));
  SHOW("unlink dir", unlink("/tmp/d"));
  SHOW("unlink b", unlink("/tmp/d/b"));
  SHOW("unlink h", unlink("/tmp/d/h"));
  SHOW("unlink l", unlink("/tmp/d/l"));
  SHOW("rmdir", rmdir("/tmp/d"));
  SHOW("rename across mounts", rename("/input/data.txt", "/tmp/x"));
  SHOW("mkdir in /input", mkdir("/input/new", 0755));
  return 0;
}
