/* phsim_progress.h: a progress bar with ETA on stderr, shown only when
 * stderr is a terminal (never in files, pipes or CI logs). */
#ifndef PHSIM_PROGRESS_H
#define PHSIM_PROGRESS_H

typedef struct {
  int enabled;
  unsigned long total;
  double t0, last;
  const char *unit;
} phsim_progress;

void phsim_progress_start(phsim_progress *p, unsigned long total,
                          const char *unit);
/* Redraw (at most every 0.2 s) with `done` of `total` units finished. */
void phsim_progress_update(phsim_progress *p, unsigned long done);
void phsim_progress_finish(phsim_progress *p);

/* The monotonic clock, in seconds. */
double phsim_now_seconds(void);

#endif
