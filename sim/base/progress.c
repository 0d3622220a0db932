/* progress.c: a throttled one-line progress bar. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double phsim_now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void phsim_progress_start(phsim_progress *p, unsigned long total,
                          const char *unit) {
  p->enabled = isatty(STDERR_FILENO) && total > 0;
  p->total = total;
  p->unit = unit;
  p->t0 = p->last = phsim_now_seconds();
}

static void draw(const phsim_progress *p, unsigned long done, double t) {
  enum { WIDTH = 30 };
  double frac = (double)done / (double)p->total;
  int fill = (int)(frac * WIDTH);
  char bar[WIDTH + 1];
  for (int i = 0; i < WIDTH; i++) bar[i] = i < fill ? '=' : ' ';
  bar[WIDTH] = '\0';
  double elapsed = t - p->t0;
  double eta = done > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
  fprintf(stderr, "\r[%s] %lu/%lu %s  %.0f s  ETA %.0f s ", bar, done,
          p->total, p->unit, elapsed, eta);
  fflush(stderr);
}

void phsim_progress_update(phsim_progress *p, unsigned long done) {
  if (!p->enabled) return;
  double t = phsim_now_seconds();
  if (t - p->last < 0.2 && done < p->total) return;
  p->last = t;
  draw(p, done, t);
}

void phsim_progress_finish(phsim_progress *p) {
  if (!p->enabled) return;
  draw(p, p->total, phsim_now_seconds());
  fputc('\n', stderr);
}
