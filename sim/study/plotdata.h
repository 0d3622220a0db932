/* plotdata.h: the data behind phsim plot's sweep figures, computed apart
 * from the drawing (plot.c): each run's metrics from sweep.csv
 * (sweeprows.c), the scaling series with medians, bootstrap
 * intervals and log-log fits (scaledata.c), the heat maps' cell means
 * (heatdata.c).  Internal to sim/study. */
#ifndef PHSIM_PLOTDATA_H
#define PHSIM_PLOTDATA_H

#include <stdio.h>

#include "phsim_sweep.h"
#include "phsim_sweepio.h"

/* Per-run metrics of a sweep: sweep.csv columns (the last three |E_{i j*}|
 * at the end of substitution by the pull for kappa = 3, 10, 30,
 * phsim_pullend.h). */
enum { M_T1, M_T3, M_ESUB, M_EPEAK, M_EP3, M_EP10, M_EP30, NMET };

typedef struct {
  size_t idx;
  double features, v[NMET];   /* NAN: empty */
  int faithful;               /* flow_faithful: 1, 0, or -1 (empty) */
  int ok;                     /* status ok */
  double steps;               /* the run's budget (column steps), NAN if absent */
} sweep_row;

typedef struct {
  phsim_sweep s;                   /* from sweep.json */
  size_t key[PHSIM_MAX_GRIDS];     /* grids other than seed, in grid order */
  size_t nkeys;
  sweep_row *rows;
  size_t nrows;
} sweep_data;

/* The metric's name: its sweep.csv column. */
const char *phsim_metric_name(int met);

/* The metrics of the current row of t into r (K features). */
int phsim_sweep_row_read(const phsim_sweep_table *t, size_t K, sweep_row *r,
                         char err[PHSIM_ERR_MAX]);

/* One series: per x value the uncensored values of the faithful runs. */
typedef struct {
  size_t nx;
  double *x, **val;      /* val[k]: nval[k] values: the used ones and, for a
                            step metric, the censored ones as ranks (never:
                            +inf; by the first row: its value) */
  size_t *nval;
  size_t *used, *first, *never, *unfaithful;
  double *med, *lo, *hi;
  int *fit;              /* x enters the fit */
  double slope, intercept, slo, shi;
  int stepterm;          /* x is gradient descent's step eta: the fit adds
                            a first-order term, log y = a + b log x + c x */
  double stepc;          /* c (NAN without the term) */
  size_t nfit;
  int stepm;             /* a step metric: censored values are bounds */
  size_t ns;             /* seeds (values of the seed grid; 0: none) */
  double *byseed;        /* nx x ns: the value (or rank) of seed s at x, or NAN */
  double *seedval;       /* nx x ns: the uncensored value of seed s at x, or NAN */
  double *sslope;        /* ns: each seed's own fitted slope over the fitted
                            x values where it is uncensored (NAN: too few) */
  size_t nseeds;         /* seeds with a slope */
  double ss_med, ss_min, ss_max;
} series;

int phsim_series_alloc(series *S, size_t nx, size_t nrows, size_t ns);
void phsim_series_free(series *S);
/* The runs of metric met by x (the first swept key's values / xdiv); sgrid:
 * the seed grid, or -1. */
void phsim_series_fill(series *S, const sweep_data *d, int met, double xdiv, long sgrid);
/* Medians, bootstrap intervals, the log-log fit and its interval, each
 * seed's own slope. */
int phsim_series_stats(series *S);
/* Is the value v of the run at point idx censored by the first logged row
 * (a step metric reached at or before log_every)? */
int phsim_series_first_row(const series *S, const sweep_data *d, size_t idx, double v);

/* A heat-map metric: the mean per cell of a sweep.csv column (of its log10
 * when logscale, over the faithful runs where it is set). */
typedef struct {
  const char *name, *label;
  int logscale, T3;  /* T3: the T3 column, else features_learned */
  double zmax;       /* colour range [0, zmax]; <= 0: automatic */
} heat_metric;

/* Per cell: the sum and count of the metric, the faithful runs, the
 * runs left out as not flow-faithful. */
typedef struct {
  double *sum, *cnt, *tot, *unf;
} heat_cells;

/* The facet of point idx (the values of the third and later keys), and the
 * number of facets. */
size_t phsim_facet_of(const sweep_data *d, size_t idx, size_t *nf);

/* The cells (nf facets of the first two keys' grid) summed over the rows;
 * PHSIM_ENOMEM. */
int phsim_heat_cells_fill(heat_cells *hc, const sweep_data *d, const heat_metric *hm,
                          size_t nf);
void phsim_heat_cells_free(heat_cells *hc);
/* The colour range: the smallest and largest cell mean (widened by 0.5 when
 * they are equal). */
void phsim_heat_range(const heat_cells *hc, size_t ncells, double *lo, double *hi);

#endif
