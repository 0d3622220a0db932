/* fit.c: slopes from sweep tables. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

#include "phsim_io.h"

int phsim_fit_csv(const char *path, const char *xcol, const char *ycol,
                  int loglog, const char *const *filters, size_t nfilters,
                  phsim_fit_result *res, char err[PHSIM_ERR_MAX]) {
  FILE *fp = fopen(path, "r");
  if (fp == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open '%.400s'", path);
    return PHSIM_EINPUT;
  }
  char *line = NULL, *hdrline = NULL;
  size_t cap = 0, hcap = 0;
  char *hdr[PHSIM_CSV_MAX_COLS], *f[PHSIM_CSV_MAX_COLS];
  if (getline(&hdrline, &hcap, fp) == -1) {
    fclose(fp);
    free(hdrline);
    snprintf(err, PHSIM_ERR_MAX, "'%.400s' is empty", path);
    return PHSIM_EINPUT;
  }
  size_t nh = phsim_csv_split(hdrline, hdr);
  long xi = phsim_csv_column(hdr, nh, xcol), yi = phsim_csv_column(hdr, nh, ycol);
  long fi[16];
  char fval[16][128];
  int fop[16]; /* 0: =, 1: >=, 2: <= */
  int st = PHSIM_OK;
  if (xi < 0 || yi < 0) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' has no column '%s'", path, xi < 0 ? xcol : ycol);
    st = PHSIM_EINPUT;
  }
  for (size_t k = 0; k < nfilters && k < 16 && st == PHSIM_OK; k++) {
    const char *eq = strchr(filters[k], '=');
    fop[k] = 0;
    size_t namelen = eq ? (size_t)(eq - filters[k]) : 0;
    if (eq && eq > filters[k] && (eq[-1] == '>' || eq[-1] == '<')) {
      fop[k] = eq[-1] == '>' ? 1 : 2;
      namelen--;
    }
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)namelen, filters[k]);
    fi[k] = eq ? phsim_csv_column(hdr, nh, name) : -1;
    if (fi[k] < 0) {
      snprintf(err, PHSIM_ERR_MAX, "filter '%.100s': expected col=value with a column of '%.300s'", filters[k], path);
      st = PHSIM_EINPUT;
    } else {
      snprintf(fval[k], sizeof fval[k], "%s", eq + 1);
    }
  }
  size_t n = 0, capxy = 64;
  double *x = malloc(capxy * sizeof *x), *y = malloc(capxy * sizeof *y);
  res->skipped = 0;
  while (st == PHSIM_OK && getline(&line, &cap, fp) != -1) {
    size_t nf = phsim_csv_split(line, f);
    if (nf != nh) continue;
    int keep = 1;
    for (size_t k = 0; k < nfilters; k++) {
      if (fop[k] == 0) {
        keep &= strcmp(f[fi[k]], fval[k]) == 0;
        continue;
      }
      double a = atof(f[fi[k]]), b = atof(fval[k]);
      keep &= *f[fi[k]] != '\0' && (fop[k] == 1 ? a >= b : a <= b);
    }
    if (!keep) continue;
    char *e1, *e2;
    double xv = strtod(f[xi], &e1), yv = strtod(f[yi], &e2);
    int ok = *f[xi] && *f[yi] && !*e1 && !*e2 && isfinite(xv) && isfinite(yv) &&
             (!loglog || (xv > 0 && yv > 0));
    if (!ok) {
      res->skipped++;
      continue;
    }
    if (n == capxy) {
      double *nx = realloc(x, 2 * capxy * sizeof *x);
      if (nx != NULL) x = nx;
      double *ny = nx ? realloc(y, 2 * capxy * sizeof *y) : NULL;
      if (ny != NULL) y = ny;
      if (nx == NULL || ny == NULL) {
        snprintf(err, PHSIM_ERR_MAX, "fit: out of memory reading '%.300s'", path);
        st = PHSIM_ENOMEM;
        break;
      }
      capxy *= 2;
    }
    x[n] = loglog ? log(xv) : xv;
    y[n] = loglog ? log(yv) : yv;
    n++;
  }
  res->n = n;
  if (st == PHSIM_OK && n < 3) {
    snprintf(err, PHSIM_ERR_MAX, "fit: %zu usable rows in '%.300s'; at least 3 needed", n, path);
    st = PHSIM_EINPUT;
  }
  if (st == PHSIM_OK) {
    double c0, c1, cov00, cov01, cov11, sumsq;
    gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    double var = gsl_stats_variance(y, 1, n) * (double)(n - 1);
    res->intercept = c0;
    res->slope = c1;
    res->slope_se = sqrt(cov11);
    res->r2 = var > 0 ? 1.0 - sumsq / var : 1.0;
  }
  free(x);
  free(y);
  free(line);
  free(hdrline);
  fclose(fp);
  return st;
}
