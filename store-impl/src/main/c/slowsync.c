/*
 * RaftBench's slow disk, preloaded into node processes (LD_PRELOAD): every fsync, fdatasync and
 * msync of the process first waits for the number of microseconds written in the file that the
 * environment variable RAFTBENCH_SLOW_DISK names. No such variable, no such file, or 0: no wait,
 * at the cost of one open() per sync. The harness' slow-disk fault writes the file (see
 * dev.raftbench.store.engine.SlowSync). Built by store-impl's pom where gcc is found.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long delay_micros(void) {
  const char *path = getenv("RAFTBENCH_SLOW_DISK");
  if (path == NULL) {
    return 0;
  }
  long micros = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[32];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0) {
      buf[n] = '\0';
      micros = strtol(buf, NULL, 10);
    }
    close(fd);
  }
  return micros > 0 ? micros : 0;
}

static void wait_if_slow(void) {
  int saved = errno;
  long micros = delay_micros();
  if (micros > 0) {
    struct timespec t = {micros / 1000000, (micros % 1000000) * 1000};
    while (nanosleep(&t, &t) == -1 && errno == EINTR) {
    }
  }
  errno = saved;
}

int fsync(int fd) {
  static int (*real)(int);
  if (real == NULL) {
    real = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");
  }
  wait_if_slow();
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (real == NULL) {
    real = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
  }
  wait_if_slow();
  return real(fd);
}

int msync(void *addr, size_t length, int flags) {
  static int (*real)(void *, size_t, int);
  if (real == NULL) {
    real = (int (*)(void *, size_t, int)) dlsym(RTLD_NEXT, "msync");
  }
  wait_if_slow();
  return real(addr, length, flags);
}
