// Open files as POSIX has them: several descriptors of one file see each other's writes, a file
// unlinked or renamed over while open is still read through its descriptor, hard links share an
// inode (stat's st_dev and st_ino), scatter and gather I/O (readv, writev), streams that cannot
// seek (ESPIPE), and a folder listed again after a rewind.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#define D "/fs-tests.dir"
static const char *ok(int r) { return r == 0 ? "ok" : strerror(errno); }
static const char *opens(const char *path, int flags) {
  int fd = open(path, flags, 0644);
  if (fd < 0) return strerror(errno);
  close(fd);
  return "ok";
}
/** The names in a folder besides `.` and `..` (which node:wasi leaves out). */
static int count_entries(DIR *dir) {
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  return n;
}
int main(void) {
  int w = open(D "/shared.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int r = open(D "/shared.txt", O_RDONLY);
  write(w, "one", 3);
  char buf[32] = {0};
  printf("the other sees: %zd %s\n", read(r, buf, sizeof buf - 1), buf);
  write(w, "two", 3);
  memset(buf, 0, sizeof buf);
  printf("and reads on: %zd %s\n", read(r, buf, sizeof buf - 1), buf);

  struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
  lseek(w, 0, SEEK_SET);
  printf("writev: %zd\n", writev(w, out, 3));
  char x[3] = {0}, y[5] = {0};
  struct iovec in[2] = {{x, 2}, {y, 4}};
  printf("readv: %zd %s %s\n", preadv(r, in, 2, 0), x, y);

  printf("unlink while open: %s\n", ok(unlink(D "/shared.txt")));
  memset(buf, 0, sizeof buf);
  printf("still reads: %zd %s\n", pread(r, buf, sizeof buf - 1, 0), buf);
  struct stat st;
  fstat(r, &st);
  printf("nlink: %lld\n", (long long)st.st_nlink);
  printf("reopen: %s\n", opens(D "/shared.txt", O_RDONLY));
  close(w);
  close(r);

  int old = open(D "/seed.txt", O_RDONLY);
  w = open(D "/other.txt", O_WRONLY | O_CREAT, 0644);
  write(w, "other", 5);
  close(w);
  printf("rename over an open file: %s\n", ok(rename(D "/other.txt", D "/seed.txt")));
  memset(buf, 0, sizeof buf);
  pread(old, buf, sizeof buf - 1, 0);
  printf("its descriptor reads: %s\n", buf);
  close(old);
  memset(buf, 0, sizeof buf);
  old = open(D "/seed.txt", O_RDONLY);
  read(old, buf, sizeof buf - 1);
  printf("the path reads: %s\n", buf);
  close(old);

  printf("link: %s\n", ok(link(D "/seed.txt", D "/hard.txt")));
  struct stat a, b, c;
  stat(D "/seed.txt", &a);
  stat(D "/hard.txt", &b);
  mkdir(D "/dir", 0755);
  stat(D "/dir", &c);
  printf("same inode: %d, same device: %d, nlink %lld\n", a.st_ino == b.st_ino, a.st_dev == b.st_dev,
         (long long)a.st_nlink);
  printf("another inode: %d\n", a.st_ino != c.st_ino);
  printf("link a folder: %s\n", ok(link(D "/dir", D "/dir2")));
  printf("open a folder to write: %s\n", opens(D "/dir", O_WRONLY));
  printf("O_DIRECTORY on a file: %s\n", opens(D "/seed.txt", O_RDONLY | O_DIRECTORY));
  printf("O_CREAT|O_EXCL on a folder: %s\n", opens(D "/dir", O_WRONLY | O_CREAT | O_EXCL));

  errno = 0;
  printf("lseek stdout: %lld %s\n", (long long)lseek(1, 0, SEEK_CUR), strerror(errno));
  errno = 0;
  printf("pwrite stdout: %zd %s\n", pwrite(1, "x", 1, 0), strerror(errno));
  errno = 0;
  printf("pread stdin: %zd %s\n", pread(0, buf, 1, 0), strerror(errno));
  errno = 0;
  int folder = open(D "/dir", O_RDONLY | O_DIRECTORY);
  printf("read a folder: %zd %s\n", read(folder, buf, 1), strerror(errno));
  errno = 0;
  printf("write a folder: %zd %s\n", write(folder, "x", 1), strerror(errno));
  close(folder);

  DIR *dir = opendir(D "/dir");
  printf("entries: %d\n", count_entries(dir));
  close(open(D "/dir/new", O_WRONLY | O_CREAT, 0644));
  rewinddir(dir);
  printf("after a create and a rewind: %d\n", count_entries(dir));
  unlink(D "/dir/new");
  rewinddir(dir);
  printf("after an unlink and a rewind: %d\n", count_entries(dir));
  closedir(dir);
  return 0;
}
