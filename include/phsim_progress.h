/* phsim_progress.h: progress with ETA on stderr: a bar redrawn in place
 * when stderr is a terminal, else plain lines (about every tenth of the
 * work, at least every 10 s; none for a job done within a second). */
#ifndef PHSIM_PROGRESS_H
#define PHSIM_PROGRESS_H

typedef struct {
  int enabled;
  int tty;            /* a bar; else plain lines */
  int lines;          /* plain lines printed */
  double next_tenth;  /* the fraction done due for the next line */
  unsigned long total;
  double t0, last;
  const char *unit;
} phsim_progress;

void phsim_progress_start(phsim_progress *p, unsigned long total,
                          const char *unit);
/* Redraw (at most every 0.2 s) or print a line, with `done` of `total`
 * units finished. */
void phsim_progress_update(phsim_progress *p, unsigned long done);
void phsim_progress_finish(phsim_progress *p);

/* The monotonic clock, in seconds. */
double phsim_now_seconds(void);

#endif
