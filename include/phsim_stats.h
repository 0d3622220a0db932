/* phsim_stats.h: medians with bootstrap confidence intervals of one CSV
 * column, grouped by another: the per-d (or per-eta) points of the scaling
 * experiments.
 *
 * For each distinct value of the group column (in order of first
 * appearance): n rows, the rows whose y is empty (censored: the event was
 * never reached within the budget), and over all n rows the median of y
 * and a percentile bootstrap interval of the median (B resamples with
 * replacement of all n rows, gsl_rng mt19937 seeded with seed; the
 * interval is [q_(1-level)/2, q_(1+level)/2] of the B medians, interpolated
 * as gsl_stats_quantile_from_sorted_data does).  A censored row counts as
 * +infinity, above every reached value (the convention of scaling.gp and
 * E2): a median or interval end that falls on a censored row (or between
 * one and a reached value) is printed as the literal `censored`, meaning
 * "not reached within the budget", a lower bound, never a number. */
#ifndef PHSIM_STATS_H
#define PHSIM_STATS_H

#include <stddef.h>
#include <stdio.h>

#include "phsim_config.h"

typedef struct {
  const char *by;          /* group column */
  const char *y;           /* value column */
  size_t boot;             /* resamples (>= 100) */
  double level;            /* interval level, e.g. 0.95 */
  unsigned long seed;
  const char *const *where;  /* "COL=VALUE": keep rows whose COL is VALUE */
  size_t nwhere;
  int skip_empty;            /* 1: leave empty rows out of the median (for a
                                value that is undefined, not late, where the
                                event is missing, e.g. |E| at T2); still
                                counted as censored */
} phsim_stats_opts;

/* Read path and print one line per group:
 *   <by>,n,censored,median,lo,hi
 * (%.17g, or `censored` where the statistic falls on a censored row).  PHSIM_EINPUT on
 * a bad file or column, PHSIM_EIO on a write error. */
int phsim_stats_csv(const char *path, const phsim_stats_opts *opts, FILE *out,
                    char err[PHSIM_ERR_MAX]);

#endif
