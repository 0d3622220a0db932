/* fit.c: slopes from sweep tables. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_fit.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>

#include "phsim_csv.h"
#include "phsim_gslerr.h"

#define MAX_FILTERS 16

/* One --where: column, operator, value. */
typedef struct {
  long col;
  int op;            /* 0: =, 1: >=, 2: <= */
  char value[128];
  double number;     /* op 1, 2 */
} filter;

static int parse_filter(const phsim_csv *c, const char *spec, filter *f,
                        char err[PHSIM_ERR_MAX]) {
  const char *eq = strchr(spec, '=');
  f->op = 0;
  size_t namelen = eq ? (size_t)(eq - spec) : 0;
  if (eq && eq > spec && (eq[-1] == '>' || eq[-1] == '<')) {
    f->op = eq[-1] == '>' ? 1 : 2;
    namelen--;
  }
  char name[128];
  f->col = -1;
  if (eq != NULL && namelen < sizeof name && strlen(eq + 1) < sizeof f->value) {
    snprintf(name, sizeof name, "%.*s", (int)namelen, spec);
    f->col = phsim_csv_col(c, name);
    snprintf(f->value, sizeof f->value, "%s", eq + 1);
  }
  if (f->col < 0) {
    snprintf(err, PHSIM_ERR_MAX,
             "filter '%.100s': expected COL=VALUE, COL>=X or COL<=X with a column of '%.300s'",
             spec, c->name);
    return PHSIM_EINPUT;
  }
  if (f->op != 0 && !phsim_csv_number(f->value, &f->number)) {
    snprintf(err, PHSIM_ERR_MAX, "filter '%.100s': '%.100s' is not a finite number", spec, f->value);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

/* Does the current row pass filter f?  -1: a value that is not a number. */
static int passes(const phsim_csv *c, const filter *f, char err[PHSIM_ERR_MAX]) {
  const char *v = c->field[f->col];
  if (f->op == 0) return strcmp(v, f->value) == 0;
  if (*v == '\0') return 0;
  double x;
  if (!phsim_csv_number(v, &x)) {
    snprintf(err, PHSIM_ERR_MAX, "'%.200s' line %zu: column '%.60s' holds '%.40s'; expected a number or nothing",
             c->name, c->lineno, c->header[f->col], v);
    return -1;
  }
  return f->op == 1 ? x >= f->number : x <= f->number;
}

/* A value to fit, from column col: 1 usable, 0 skipped (empty, not finite,
 * non-positive on log axes), -1 not a number. */
static int value(const phsim_csv *c, long col, int loglog, double *out,
                 char err[PHSIM_ERR_MAX]) {
  const char *v = c->field[col];
  if (*v == '\0') return 0;
  char *end = NULL;
  double x = strtod(v, &end);
  if (end == v || *end != '\0') {
    snprintf(err, PHSIM_ERR_MAX, "'%.200s' line %zu: column '%.60s' holds '%.40s'; expected a number or nothing",
             c->name, c->lineno, c->header[col], v);
    return -1;
  }
  if (!isfinite(x) || (loglog && !(x > 0))) return 0;
  *out = loglog ? log(x) : x;
  return 1;
}

typedef struct {
  double *x, *y;
  size_t n, cap;
} points;

static int push(points *p, double x, double y) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 64;
    double *nx = realloc(p->x, cap * sizeof *nx);
    if (nx == NULL) return 0;
    p->x = nx;
    double *ny = realloc(p->y, cap * sizeof *ny);
    if (ny == NULL) return 0;
    p->y = ny;
    p->cap = cap;
  }
  p->x[p->n] = x;
  p->y[p->n] = y;
  p->n++;
  return 1;
}

/* Read the rows that pass every filter into pts (x as ln x in log-log; with
 * the ln ln x term a row needs ln x > 0). */
static int collect(phsim_csv *c, long xi, long yi, int flags, const filter *f,
                   size_t nf, points *pts, size_t *skipped, char err[PHSIM_ERR_MAX]) {
  const int loglog = (flags & PHSIM_FIT_LOGLOG) != 0, lnln = (flags & PHSIM_FIT_LNLN) != 0;
  int got;
  while ((got = phsim_csv_next(c, err)) == 1) {
    int keep = 1;
    for (size_t k = 0; k < nf && keep; k++) {
      keep = passes(c, &f[k], err);
      if (keep < 0) return PHSIM_EINPUT;
    }
    if (!keep) continue;
    double x = 0, y = 0;
    int ux = value(c, xi, loglog, &x, err), uy = ux < 0 ? -1 : value(c, yi, loglog, &y, err);
    if (ux < 0 || uy < 0) return PHSIM_EINPUT;
    if (!ux || !uy || (lnln && !(x > 0))) {
      (*skipped)++;
      continue;
    }
    if (!push(pts, x, y)) {
      snprintf(err, PHSIM_ERR_MAX, "fit: out of memory reading '%.300s'", c->name);
      return PHSIM_ENOMEM;
    }
  }
  return got < 0 ? PHSIM_EINPUT : PHSIM_OK;
}

/* Singular values below this fraction of the largest are dropped
 * (gsl_multifit_linear_tsvd): a rank under 3 means ln x and ln ln x cannot
 * be told apart on these x, whose spread is then at the level of rounding
 * (x a few ulps apart gave c = 2e15 "at 26 SE", the re-audit). */
#define LNLN_RANK_TOL 1e-10

/* ln y = a + b ln x + c ln ln x by least squares (gsl_multifit_linear_tsvd,
 * an SVD: ln x and ln ln x are nearly collinear over a few decades, which
 * shows as large standard errors, not as a failure); p->x holds ln x.
 * PHSIM_EINPUT when the design has rank under 3. */
static int fit_lnln(const points *p, phsim_fit_result *res) {
  gsl_matrix *X = gsl_matrix_alloc(p->n, 3), *cov = gsl_matrix_alloc(3, 3);
  gsl_vector *c = gsl_vector_alloc(3);
  gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(p->n, 3);
  int st = PHSIM_ENOMEM;
  if (X && cov && c && w) {
    for (size_t i = 0; i < p->n; i++) {
      gsl_matrix_set(X, i, 0, 1.0);
      gsl_matrix_set(X, i, 1, p->x[i]);
      gsl_matrix_set(X, i, 2, log(p->x[i]));
    }
    gsl_vector_const_view y = gsl_vector_const_view_array(p->y, p->n);
    double sumsq;
    size_t rank = 0;
    if (gsl_multifit_linear_tsvd(X, &y.vector, LNLN_RANK_TOL, c, cov, &sumsq, &rank, w) != GSL_SUCCESS)
      rank = 0; /* (a failure: refused as a fit without the rank) */
    double var = gsl_stats_variance(p->y, 1, p->n) * (double)(p->n - 1);
    *res = (phsim_fit_result){.intercept = gsl_vector_get(c, 0), .slope = gsl_vector_get(c, 1),
                              .slope_se = sqrt(gsl_matrix_get(cov, 1, 1)),
                              .lnln = gsl_vector_get(c, 2), .lnln_se = sqrt(gsl_matrix_get(cov, 2, 2)),
                              .r2 = var > 0 ? 1.0 - sumsq / var : 1.0, .n = res->n, .skipped = res->skipped};
    st = rank < 3 ? PHSIM_EINPUT : PHSIM_OK;
  }
  gsl_multifit_linear_free(w);
  gsl_vector_free(c), gsl_matrix_free(cov), gsl_matrix_free(X);
  return st;
}

/* The straight line y = a + b x (gsl_fit_linear). */
static void fit_line(const points *p, phsim_fit_result *res) {
  double c0, c1, cov00, cov01, cov11, sumsq;
  if (gsl_fit_linear(p->x, 1, p->y, 1, p->n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != GSL_SUCCESS)
    c0 = c1 = cov11 = NAN; /* (a failure: refused as not finite) */
  double var = gsl_stats_variance(p->y, 1, p->n) * (double)(p->n - 1);
  res->intercept = c0;
  res->slope = c1;
  res->slope_se = sqrt(cov11);
  res->r2 = var > 0 ? 1.0 - sumsq / var : 1.0;
  res->lnln = res->lnln_se = NAN;
}

/* How many distinct values x[0..n) takes, counting up to `enough` (a
 * sorted copy; SIZE_MAX when out of memory). */
static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static size_t distinct_values(const double *x, size_t n, size_t enough) {
  double *c = malloc(n * sizeof *c);
  if (c == NULL) return SIZE_MAX;
  memcpy(c, x, n * sizeof *c);
  qsort(c, n, sizeof *c, cmp_double);
  size_t k = n > 0;
  for (size_t i = 1; i < n && k < enough; i++) k += c[i] != c[i - 1];
  free(c);
  return k;
}

static int fit_points(const points *p, int flags, const char *xcol, const char *path,
                      phsim_fit_result *res, char err[PHSIM_ERR_MAX]) {
  const int lnln = (flags & PHSIM_FIT_LNLN) != 0;
  const size_t need = lnln ? 4 : 3, values = lnln ? 3 : 2;
  if (p->n < need) {
    snprintf(err, PHSIM_ERR_MAX, "fit: %zu usable rows in '%.300s'; at least %zu needed%s", p->n, path, need,
             lnln ? " (with --lnln a row needs x > 1)" : "");
    return PHSIM_EINPUT;
  }
  /* a slope needs two values of x; with the ln ln x term, three (ln x and
   * ln ln x are then not collinear on the data) */
  const size_t distinct = distinct_values(p->x, p->n, values);
  if (distinct == SIZE_MAX) {
    snprintf(err, PHSIM_ERR_MAX, "fit: out of memory fitting '%.300s'", path);
    return PHSIM_ENOMEM;
  }
  if (distinct < values) {
    snprintf(err, PHSIM_ERR_MAX,
             "fit: column '%.100s' of '%.300s' takes %zu value%s in the %zu rows used; %s needs at least %zu",
             xcol, path, distinct, distinct == 1 ? "" : "s", p->n, lnln ? "a slope with the ln ln x term" : "a slope",
             values);
    return PHSIM_EINPUT;
  }
  if (lnln) {
    const int st = fit_lnln(p, res);
    if (st == PHSIM_EINPUT)
      snprintf(err, PHSIM_ERR_MAX,
               "fit: column '%.60s' of '%.200s' spans too little for the ln ln x term (rank under 3 at a "
               "relative singular value of 1e-10): ln x and ln ln x cannot be told apart",
               xcol, path);
    if (st == PHSIM_ENOMEM) snprintf(err, PHSIM_ERR_MAX, "fit: out of memory fitting '%.300s'", path);
    if (st != PHSIM_OK) return st;
  } else {
    fit_line(p, res);
  }
  if (!isfinite(res->intercept) || !isfinite(res->slope) || !isfinite(res->slope_se) ||
      (lnln && !isfinite(res->lnln_se))) {
    snprintf(err, PHSIM_ERR_MAX, "fit: the least-squares fit of '%.300s' is not finite (values too large?)", path);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

int phsim_fit_csv(const char *path, const char *xcol, const char *ycol,
                  int flags, const char *const *filters, size_t nfilters,
                  phsim_fit_result *res, char err[PHSIM_ERR_MAX]) {
  phsim_gsl_errors_off(); /* a least-squares failure: refused, not an abort */
  res->n = res->skipped = 0;
  if ((flags & PHSIM_FIT_LNLN) && !(flags & PHSIM_FIT_LOGLOG)) {
    snprintf(err, PHSIM_ERR_MAX, "fit: the ln ln x term needs the log-log fit (--loglog)");
    return PHSIM_EINPUT;
  }
  if (nfilters > MAX_FILTERS) {
    snprintf(err, PHSIM_ERR_MAX, "fit: %zu filters; allowed: at most %d", nfilters, MAX_FILTERS);
    return PHSIM_EINPUT;
  }
  phsim_csv c;
  int st = phsim_csv_open(&c, path, err);
  if (st != PHSIM_OK) return st;
  long xi = phsim_csv_col(&c, xcol), yi = phsim_csv_col(&c, ycol);
  if (xi < 0 || yi < 0) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' has no column '%.100s'", path, xi < 0 ? xcol : ycol);
    st = PHSIM_EINPUT;
  }
  filter f[MAX_FILTERS];
  for (size_t k = 0; k < nfilters && st == PHSIM_OK; k++) st = parse_filter(&c, filters[k], &f[k], err);
  points pts = {NULL, NULL, 0, 0};
  if (st == PHSIM_OK) st = collect(&c, xi, yi, flags, f, nfilters, &pts, &res->skipped, err);
  res->n = pts.n;
  if (st == PHSIM_OK) st = fit_points(&pts, flags, xcol, path, res, err);
  free(pts.x);
  free(pts.y);
  phsim_csv_close(&c);
  return st;
}
