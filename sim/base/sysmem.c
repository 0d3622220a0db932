/* sysmem.c: the memory available to this process. */
#define _DEFAULT_SOURCE
#include "phsim_sysmem.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* A number from the first line of a file, or -1. */
static double file_number(const char *path) {
  FILE *fp = fopen(path, "r");
  if (fp == NULL) return -1;
  double x = -1;
  if (fscanf(fp, "%lf", &x) != 1) x = -1;
  fclose(fp);
  return x;
}

/* MemAvailable of /proc/meminfo in bytes, or -1. */
static double meminfo_available(void) {
  FILE *fp = fopen("/proc/meminfo", "r");
  if (fp == NULL) return -1;
  char line[256];
  double kb = -1;
  while (fgets(line, sizeof line, fp) != NULL)
    if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) break;
  fclose(fp);
  return kb >= 0 ? kb * 1024.0 : -1;
}

static double measure(void);
static double measured;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void measure_once(void) { measured = measure(); }

/* Asked once per process (a sweep checks millions of points, from several
 * threads). */
double phsim_memory_available(void) {
  pthread_once(&once, measure_once);
  return measured;
}

static double measure(void) {
  long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  double avail = pages > 0 && size > 0 ? (double)pages * (double)size : 0.0;
  double mi = meminfo_available();
  if (mi > avail) avail = mi;
  double max = file_number("/sys/fs/cgroup/memory.max");
  double cur = file_number("/sys/fs/cgroup/memory.current");
  if (max > 0 && cur >= 0 && max - cur < avail) avail = max - cur;
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      (double)rl.rlim_cur < avail)
    avail = (double)rl.rlim_cur;
  return avail > 0 ? avail : 1.0;
}

int phsim_memory_check(double bytes, const char *what, char err[PHSIM_ERR_MAX]) {
  const double avail = phsim_memory_available(), gib = 1073741824.0;
  if (bytes <= avail) return PHSIM_OK;
  snprintf(err, PHSIM_ERR_MAX,
           "%.300s need %.1f GiB (%.0f bytes); available: %.1f GiB (%.0f bytes, asked of the "
           "system); that is %.1f GiB too much",
           what, bytes / gib, bytes, avail / gib, avail, (bytes - avail) / gib);
  return PHSIM_EINPUT;
}
