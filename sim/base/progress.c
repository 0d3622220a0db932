/* progress.c: progress on stderr: a bar redrawn in place on a terminal,
 * else (a file, a pipe, a CI log) a plain line now and then. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_progress.h"

#include <math.h>
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
  p->enabled = total > 0;
  p->tty = p->enabled && isatty(STDERR_FILENO); /* (a run in a sweep asks nothing) */
  p->lines = 0;
  p->total = total;
  p->unit = unit;
  p->t0 = p->last = phsim_now_seconds();
  p->next_tenth = 0.0;
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

/* One plain line: how far, how long, how much longer. */
static void line(phsim_progress *p, unsigned long done, double t) {
  double frac = (double)done / (double)p->total, elapsed = t - p->t0;
  fprintf(stderr, "phsim: %lu/%lu %s (%.0f%%), %.0f s", done, p->total, p->unit,
          100.0 * frac, elapsed);
  if (done < p->total && done > 0)
    fprintf(stderr, ", about %.0f s to go", elapsed * (1.0 - frac) / frac);
  fputc('\n', stderr);
  p->lines++;
}

/* Plain lines: after a second, at each further tenth of the total and at
 * least every LINE_SECONDS; a quick job prints none. */
#define LINE_SECONDS 10.0
static int line_due(const phsim_progress *p, unsigned long done, double t) {
  double frac = (double)done / (double)p->total;
  if (t - p->t0 < 1.0 || done >= p->total) return 0;
  return t - p->last >= LINE_SECONDS || frac >= p->next_tenth;
}

void phsim_progress_update(phsim_progress *p, unsigned long done) {
  if (!p->enabled) return;
  double t = phsim_now_seconds();
  if (!p->tty) {
    if (!line_due(p, done, t)) return;
    p->last = t;
    /* The next line at the tenth after the one this line shows (rounded, as
     * printed): a first line at 9.6% reads "10%", the next is at 20%. */
    p->next_tenth = (floor(10.0 * (double)done / (double)p->total + 0.5) + 1.0) / 10.0;
    line(p, done, t);
    return;
  }
  if (t - p->last < 0.2 && done < p->total) return;
  p->last = t;
  draw(p, done, t);
}

void phsim_progress_finish(phsim_progress *p) {
  if (!p->enabled) return;
  if (!p->tty) {
    if (p->lines > 0) line(p, p->total, phsim_now_seconds());
    return;
  }
  draw(p, p->total, phsim_now_seconds());
  fputc('\n', stderr);
}
