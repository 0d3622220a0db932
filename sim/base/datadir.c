/* datadir.c: find phsim's data files beside the program. */
#define _XOPEN_SOURCE 700
#include "phsim_datadir.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int holds(const char *dir, const char *probe) {
  char path[PATH_MAX + 64];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, probe);
  return stat(path, &st) == 0;
}

const char *phsim_datadir_find(const phsim_datadir *where, char *dir, size_t size) {
  const char *env = getenv(where->env);
  if (env != NULL) {
    snprintf(dir, size, "%s", env);
    return dir;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) exe[n] = '\0';
  const char *bindir = n > 0 ? dirname(exe) : NULL;
  const char *const beside[] = {where->installed, where->checkout};
  for (size_t i = 0; bindir != NULL && i < 2; i++) {
    snprintf(dir, size, "%s/%s", bindir, beside[i]);
    if (holds(dir, where->probe)) return dir;
  }
  if (holds(where->prefix, where->probe)) {
    snprintf(dir, size, "%s", where->prefix);
    return dir;
  }
  /* a program built elsewhere, run from the checkout: "../plots" -> "plots" */
  const char *rel = strncmp(where->checkout, "../", 3) == 0 ? where->checkout + 3 : where->checkout;
  char real[PATH_MAX];
  snprintf(dir, size, "%s", realpath(rel, real) != NULL ? real : rel);
  return dir;
}
