/* scaledata.c: the scaling figures' series: per value of the swept key
 * the faithful runs' values, censoring counted, medians with bootstrap
 * intervals and the fit of log median on log x (plotdata.h). */
#include "plotdata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "phsim_csv.h"
#include "phsim_gslerr.h"

#define BOOT 1000

void phsim_series_free(series *S) {
  for (size_t k = 0; S->val && k < S->nx; k++) free(S->val[k]);
  free(S->x), free(S->val), free(S->nval), free(S->used), free(S->first), free(S->never);
  free(S->unfaithful), free(S->med), free(S->lo), free(S->hi), free(S->fit), free(S->byseed);
  free(S->seedval), free(S->sslope);
}

int phsim_series_alloc(series *S, size_t nx, size_t nrows, size_t ns) {
  memset(S, 0, sizeof *S);
  S->nx = nx;
  S->ns = ns;
  S->byseed = malloc((nx * ns + 1) * sizeof *S->byseed);
  S->seedval = malloc((nx * ns + 1) * sizeof *S->seedval);
  S->sslope = malloc((ns + 1) * sizeof *S->sslope);
  for (size_t k = 0; S->byseed && S->seedval && k < nx * ns; k++) S->byseed[k] = S->seedval[k] = NAN;
  S->stepc = S->ss_med = S->ss_min = S->ss_max = NAN;
  S->x = calloc(nx, sizeof *S->x), S->val = calloc(nx, sizeof *S->val);
  S->nval = calloc(nx, sizeof *S->nval);
  S->used = calloc(nx, sizeof *S->used), S->first = calloc(nx, sizeof *S->first);
  S->never = calloc(nx, sizeof *S->never), S->unfaithful = calloc(nx, sizeof *S->unfaithful);
  S->med = calloc(nx, sizeof *S->med), S->lo = calloc(nx, sizeof *S->lo);
  S->hi = calloc(nx, sizeof *S->hi), S->fit = calloc(nx, sizeof *S->fit);
  int ok = S->nval && S->byseed && S->seedval && S->sslope && S->x && S->val && S->used && S->first && S->never && S->unfaithful && S->med &&
           S->lo && S->hi && S->fit;
  for (size_t k = 0; ok && k < nx; k++) ok = (S->val[k] = malloc((nrows + 1) * sizeof(double))) != NULL;
  return ok ? PHSIM_OK : PHSIM_ENOMEM;
}

/* Sort the runs of metric met into S by x: unfaithful runs left out and
 * counted; a step metric reached by the first logged row is censored
 * (first), an empty value never reached (never). */
int phsim_series_first_row(const series *S, const sweep_data *d, size_t idx, double v) {
  phsim_config cfg;
  char msg[PHSIM_ERR_MAX];
  if (!S->stepm || phsim_sweep_point(&d->s, idx, &cfg, msg) != PHSIM_OK) return 0;
  /* the first logged row after the start: step 1 with log_per_decade (rows
   * at ceil(10^(k/n)), log_every unused), else log_every */
  return v <= (cfg.log_per_decade > 0 ? 1.0 : (double)cfg.log_every);
}

void phsim_series_fill(series *S, const sweep_data *d, int met, double xdiv, long sgrid) {
  const phsim_grid *g = &d->s.grids[d->key[0]];
  const int stepm = met == M_T1 || met == M_T3;
  S->stepm = stepm;
  for (size_t k = 0; k < S->nx; k++) {
    phsim_csv_number(g->values[k], &S->x[k]);
    S->x[k] /= xdiv;
  }
  for (size_t r = 0; r < d->nrows; r++) {
    const sweep_row *row = &d->rows[r];
    size_t k = phsim_sweep_value_index(&d->s, row->idx, d->key[0]);
    double v = row->v[met];
    int kind = 0;
    if (!row->ok) continue;
    if (row->faithful == 0) {
      S->unfaithful[k]++;
      continue;
    }
    if (isnan(v) || !(v > 0)) kind = 2, S->never[k]++;
    else if (phsim_series_first_row(S, d, row->idx, v)) kind = 1, S->first[k]++;
    else S->used[k]++;
    if (kind == 2 && !stepm) continue; /* no value, not a bound */
    v = kind == 2 ? INFINITY : v;
    S->val[k][S->nval[k]++] = v;
    if (sgrid >= 0) {
      size_t at = k * S->ns + phsim_sweep_value_index(&d->s, row->idx, (size_t)sgrid);
      S->byseed[at] = v;
      S->seedval[at] = kind == 0 ? v : NAN;
    }
  }
}

static double median_of(double *v, size_t n) {
  gsl_sort(v, 1, n);
  return gsl_stats_median_from_sorted_data(v, 1, n);
}

/* Least squares of ly on lx, and with the step term on x as well (the
 * first-order step error of gradient descent: in the flow T = t / eta
 * exactly, at a finite step T eta = t (1 + c eta + O(eta^2)), and a log
 * grid's resolution adds the same order), over n points: the slope of lx,
 * NAN under 3 points (4 with the term); the intercept and c into a0, c. */
static double fit_points(const double *x, const double *lx, const double *ly, size_t n, int step,
                         double *a0, double *c) {
  double c0, c1, c00, c01, c11, ss;
  if (n < (step ? 4u : 3u)) return NAN;
  if (!step) {
    if (gsl_fit_linear(lx, 1, ly, 1, n, &c0, &c1, &c00, &c01, &c11, &ss) != GSL_SUCCESS) return NAN;
    if (a0) *a0 = c0;
    return c1;
  }
  gsl_matrix *X = gsl_matrix_alloc(n, 3), *cov = gsl_matrix_alloc(3, 3);
  gsl_vector *p = gsl_vector_alloc(3);
  gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, 3);
  double b = NAN;
  if (X && cov && p && w) {
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(X, i, 0, 1.0), gsl_matrix_set(X, i, 1, lx[i]), gsl_matrix_set(X, i, 2, x[i]);
    gsl_vector_const_view y = gsl_vector_const_view_array(ly, n);
    if (gsl_multifit_linear(X, &y.vector, p, cov, &ss, w) == GSL_SUCCESS) {
      b = gsl_vector_get(p, 1);
      if (a0) *a0 = gsl_vector_get(p, 0);
      if (c) *c = gsl_vector_get(p, 2);
    }
  }
  if (w) gsl_multifit_linear_free(w);
  gsl_vector_free(p), gsl_matrix_free(cov), gsl_matrix_free(X);
  return b;
}

/* The fit of log y on log x over the x values marked fit (fit_points). */
static double fit_logs(const series *S, const double *y, double *intercept, double *c) {
  double xs[64], lx[64], ly[64];
  size_t n = 0;
  for (size_t k = 0; k < S->nx && n < 64; k++)
    if (S->fit[k] && y[k] > 0 && isfinite(y[k])) xs[n] = S->x[k], lx[n] = log(S->x[k]), ly[n++] = log(y[k]);
  return fit_points(xs, lx, ly, n, S->stepterm, intercept, c);
}

/* Each seed's own slope (the same model as the medians' fit) over the
 * fitted x values where its run is uncensored, and their median and
 * range: how much of the medians' slope every seed shares (tmp: ns
 * doubles of scratch). */
static void seed_slopes(series *S, double *tmp) {
  double xs[64], lx[64], ly[64];
  S->nseeds = 0;
  for (size_t i = 0; i < S->ns; i++) {
    size_t n = 0;
    for (size_t k = 0; k < S->nx && n < 64; k++) {
      double v = S->seedval[k * S->ns + i];
      if (S->fit[k] && v > 0 && isfinite(v)) xs[n] = S->x[k], lx[n] = log(S->x[k]), ly[n++] = log(v);
    }
    S->sslope[i] = fit_points(xs, lx, ly, n, S->stepterm, NULL, NULL);
    if (!isnan(S->sslope[i])) tmp[S->nseeds++] = S->sslope[i];
  }
  if (S->nseeds == 0) return;
  gsl_sort(tmp, 1, S->nseeds);
  S->ss_med = gsl_stats_median_from_sorted_data(tmp, 1, S->nseeds);
  S->ss_min = tmp[0], S->ss_max = tmp[S->nseeds - 1];
}

/* One bootstrap replicate of the medians into bmed: seeds resampled with
 * replacement and the same draw used at every x (the runs of one seed are
 * paired across x), or, without a seed grid, runs resampled within each
 * x. */
static void boot_medians(const series *S, gsl_rng *rng, double *samp, size_t *pick, double *bmed) {
  for (size_t i = 0; i < S->ns; i++) pick[i] = gsl_rng_uniform_int(rng, S->ns);
  for (size_t k = 0; k < S->nx; k++) {
    size_t n = S->nval[k], m = 0;
    if (S->ns > 1) {
      for (size_t i = 0; i < S->ns; i++) {
        double v = S->byseed[k * S->ns + pick[i]];
        if (!isnan(v)) samp[m++] = v;
      }
    } else {
      for (size_t i = 0; i < n; i++) samp[m++] = S->val[k][gsl_rng_uniform_int(rng, n)];
    }
    bmed[k] = m ? median_of(samp, m) : NAN;
  }
}

/* Medians, their bootstrap percentile intervals (boot_medians, BOOT
 * times, GSL's mt19937 seeded 1), the fit of log median on log x and the
 * bootstrap interval of its slope.  An x enters the fit when its median
 * means something: for a step metric, most faithful runs uncensored (a
 * run that never got there bounds the step from below); for a head
 * entry, at least 2 runs have one (a run without substitution has no
 * value, not a bound). */
int phsim_series_stats(series *S) {
  phsim_gsl_errors_off(); /* a least-squares failure: no slope (NaN), not an abort */
  double *tmp = malloc(sizeof(double) * (BOOT + 1) * (S->nx + 1)), *bmed = malloc(sizeof(double) * (S->nx + 1));
  double *bslope = malloc(sizeof(double) * BOOT), *samp = NULL;
  size_t maxn = S->ns + 1, *pick = malloc(sizeof(size_t) * (S->ns + 1));
  for (size_t k = 0; k < S->nx; k++) maxn = S->nval[k] > maxn ? S->nval[k] : maxn;
  samp = malloc(sizeof(double) * maxn);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!tmp || !bmed || !bslope || !samp || !rng || !pick) {
    free(tmp), free(bmed), free(bslope), free(samp), free(pick);
    if (rng) gsl_rng_free(rng);
    return PHSIM_ENOMEM;
  }
  gsl_rng_set(rng, 1);
  for (size_t k = 0; k < S->nx; k++) {
    size_t n = S->used[k], cens = S->first[k] + S->never[k];
    S->med[k] = S->nval[k] ? median_of(S->val[k], S->nval[k]) : NAN;
    if (!isfinite(S->med[k])) S->med[k] = NAN;
    S->fit[k] = (S->stepm ? n > cens : n >= 2) && n > 0 && S->x[k] > 0 && S->med[k] > 0 && S->nfit < 64;
    S->nfit += (size_t)S->fit[k];
  }
  size_t nb = 0;
  for (size_t b = 0; b < BOOT; b++) {
    boot_medians(S, rng, samp, pick, bmed);
    for (size_t k = 0; k < S->nx; k++) tmp[k * BOOT + b] = isnan(bmed[k]) ? HUGE_VAL : bmed[k];
    double sl = fit_logs(S, bmed, NULL, NULL);
    if (!isnan(sl)) bslope[nb++] = sl;
  }
  for (size_t k = 0; k < S->nx; k++) {
    double *t = tmp + k * BOOT;
    if (isnan(S->med[k])) { S->lo[k] = S->hi[k] = NAN; continue; }
    gsl_sort(t, 1, BOOT);
    S->lo[k] = gsl_stats_quantile_from_sorted_data(t, 1, BOOT, 0.025);
    S->hi[k] = gsl_stats_quantile_from_sorted_data(t, 1, BOOT, 0.975);
  }
  S->intercept = NAN;
  S->slope = fit_logs(S, S->med, &S->intercept, &S->stepc);
  seed_slopes(S, samp);
  S->slo = S->shi = NAN;
  if (nb > 0) {
    gsl_sort(bslope, 1, nb);
    S->slo = gsl_stats_quantile_from_sorted_data(bslope, 1, nb, 0.025);
    S->shi = gsl_stats_quantile_from_sorted_data(bslope, 1, nb, 0.975);
  }
  free(tmp), free(bmed), free(bslope), free(samp), free(pick);
  gsl_rng_free(rng);
  return PHSIM_OK;
}

