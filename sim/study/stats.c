/* stats.c: grouped medians with bootstrap intervals (phsim_stats.h). */
#define _POSIX_C_SOURCE 200809L
#include "phsim_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "phsim_csv.h"

/* At most this many groups and rows: bounds what a hostile table can make
 * us allocate. */
#define MAX_GROUPS 4096
#define MAX_ROWS 10000000

typedef struct {
  char *key;
  size_t n, censored, cap, skipped; /* skipped: empty rows left out */
  double *v;
} group;

typedef struct {
  group *g;
  size_t n;
} groups;

static group *find_group(groups *gs, const char *key) {
  for (size_t i = 0; i < gs->n; i++)
    if (strcmp(gs->g[i].key, key) == 0) return &gs->g[i];
  if (gs->n == MAX_GROUPS) return NULL;
  group *g = &gs->g[gs->n];
  *g = (group){.key = strdup(key)};
  if (g->key == NULL) return NULL;
  gs->n++;
  return g;
}

/* Append x to g (a censored row as +infinity: it ranks above every
 * reached value). */
static int add_value(group *g, double x) {
  if (g->n == g->cap) {
    size_t cap = g->cap ? 2 * g->cap : 64;
    double *v = realloc(g->v, cap * sizeof *v);
    if (v == NULL) return PHSIM_ENOMEM;
    g->v = v;
    g->cap = cap;
  }
  g->v[g->n++] = x;
  g->censored += isinf(x) != 0;
  return PHSIM_OK;
}

/* The --where filters resolved once against the header: column k of each
 * COL=VALUE and a pointer to its VALUE.  PHSIM_EINPUT on a bad filter. */
static int resolve_filters(const phsim_csv *c, const phsim_stats_opts *o, long *cols,
                           const char **vals, char err[PHSIM_ERR_MAX]) {
  for (size_t i = 0; i < o->nwhere; i++) {
    const char *eq = strchr(o->where[i], '=');
    char col[256];
    if (eq == NULL || (size_t)(eq - o->where[i]) >= sizeof col) {
      snprintf(err, PHSIM_ERR_MAX, "--where '%.100s': expected COL=VALUE", o->where[i]);
      return PHSIM_EINPUT;
    }
    memcpy(col, o->where[i], (size_t)(eq - o->where[i]));
    col[eq - o->where[i]] = '\0';
    cols[i] = phsim_csv_col(c, col);
    vals[i] = eq + 1;
    if (cols[i] < 0) {
      snprintf(err, PHSIM_ERR_MAX, "--where: '%.300s' has no column '%.100s'", c->name, col);
      return PHSIM_EINPUT;
    }
  }
  return PHSIM_OK;
}

/* Does the current row pass every filter? */
static int row_passes(const phsim_csv *c, size_t n, const long *cols, const char **vals) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(c->field[cols[i]], vals[i]) != 0) return 0;
  return 1;
}

static int read_groups(phsim_csv *c, const long *cols, const char **vals,
                       const phsim_stats_opts *o, long cb, long cy, groups *gs,
                       char err[PHSIM_ERR_MAX]) {
  int r;
  size_t rows = 0;
  while ((r = phsim_csv_next(c, err)) == 1) {
    if (!row_passes(c, o->nwhere, cols, vals)) continue;
    if (++rows > MAX_ROWS) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s': more than %d rows", c->name, MAX_ROWS);
      return PHSIM_EINPUT;
    }
    group *g = find_group(gs, c->field[cb]);
    if (g == NULL) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: more than %d groups (or no memory)",
               c->name, c->lineno, MAX_GROUPS);
      return PHSIM_EINPUT;
    }
    double x = INFINITY;
    if (c->field[cy][0] == '\0' && o->skip_empty) {
      g->skipped++;
    } else if (c->field[cy][0] != '\0' && !phsim_csv_number(c->field[cy], &x)) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: value '%.40s' is not a number",
               c->name, c->lineno, c->field[cy]);
      return PHSIM_EINPUT;
    } else if (add_value(g, x) != PHSIM_OK) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s': out of memory", c->name);
      return PHSIM_ENOMEM;
    }
  }
  return r == 0 ? PHSIM_OK : PHSIM_EINPUT;
}

/* The f-quantile of sorted v[0..n) as gsl_stats_quantile_from_sorted_data
 * interpolates it, but +infinity (censored) wherever the interpolation
 * touches a censored value (GSL would give 0 * inf = NaN there). */
static double quantile_censored(const double *v, size_t n, double f) {
  const double index = f * (double)(n - 1);
  const size_t lhs = (size_t)index;
  const double delta = index - (double)lhs;
  if (lhs + 1 >= n || delta == 0.0) return v[lhs];
  if (isinf(v[lhs]) || isinf(v[lhs + 1])) return INFINITY;
  return (1.0 - delta) * v[lhs] + delta * v[lhs + 1];
}

/* Median of v (sorted in place; censored rows are +infinity, so the median
 * is +infinity when it falls on one) and its percentile bootstrap
 * interval. */
static void median_interval(double *v, size_t n, const phsim_stats_opts *o, gsl_rng *r,
                            double *work, double *boot, double out[3]) {
  gsl_sort(v, 1, n);
  out[0] = quantile_censored(v, n, 0.5);
  for (size_t b = 0; b < o->boot; b++) {
    for (size_t i = 0; i < n; i++) work[i] = v[gsl_rng_uniform_int(r, n)];
    gsl_sort(work, 1, n);
    boot[b] = quantile_censored(work, n, 0.5);
  }
  gsl_sort(boot, 1, o->boot);
  out[1] = quantile_censored(boot, o->boot, (1.0 - o->level) / 2.0);
  out[2] = quantile_censored(boot, o->boot, (1.0 + o->level) / 2.0);
}

/* One statistic: the number, or "censored" (+infinity: it falls on a run
 * that never reached the event). */
static void print_value(FILE *out, double x) {
  if (isinf(x))
    fputs(",censored", out);
  else
    fprintf(out, ",%.17g", x);
}

static int print_groups(groups *gs, const phsim_stats_opts *o, FILE *out) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, o->seed + 1);
  double *boot = malloc(o->boot * sizeof *boot);
  fprintf(out, "%s,n,censored,median,lo,hi\n", o->by);
  for (size_t i = 0; i < gs->n && boot != NULL; i++) {
    group *g = &gs->g[i];
    const size_t k = g->n;
    fprintf(out, "%s,%zu,%zu", g->key, g->n + g->skipped, g->censored + g->skipped);
    double *work = k ? malloc(k * sizeof *work) : NULL;
    if (k > 0 && work != NULL) {
      double m[3];
      median_interval(g->v, k, o, r, work, boot, m);
      for (int j = 0; j < 3; j++) print_value(out, m[j]);
      fputc('\n', out);
    } else {
      fputs(",,,\n", out);
    }
    free(work);
  }
  int st = boot == NULL ? PHSIM_ENOMEM : PHSIM_OK;
  free(boot);
  gsl_rng_free(r);
  return st;
}

int phsim_stats_csv(const char *path, const phsim_stats_opts *o, FILE *out,
                    char err[PHSIM_ERR_MAX]) {
  if (o->boot < 100 || o->boot > 1000000 || !(o->level > 0.0 && o->level < 1.0)) {
    snprintf(err, PHSIM_ERR_MAX, "--boot must be 100..1000000 and --level in (0, 1)");
    return PHSIM_EINPUT;
  }
  phsim_csv c;
  int st = phsim_csv_open(&c, path, err);
  if (st != PHSIM_OK) return st;
  const long cb = phsim_csv_col(&c, o->by), cy = phsim_csv_col(&c, o->y);
  if (cb < 0 || cy < 0) {
    snprintf(err, PHSIM_ERR_MAX, "'%s' has no column '%s'", path, cb < 0 ? o->by : o->y);
    phsim_csv_close(&c);
    return PHSIM_EINPUT;
  }
  groups gs = {.g = calloc(MAX_GROUPS, sizeof(group)), .n = 0};
  long *cols = calloc(o->nwhere + 1, sizeof *cols);
  const char **vals = calloc(o->nwhere + 1, sizeof *vals);
  st = gs.g == NULL || cols == NULL || vals == NULL ? PHSIM_ENOMEM
                                                    : resolve_filters(&c, o, cols, vals, err);
  if (st == PHSIM_OK) st = read_groups(&c, cols, vals, o, cb, cy, &gs, err);
  free(cols);
  free(vals);
  phsim_csv_close(&c);
  if (st == PHSIM_OK) st = print_groups(&gs, o, out);
  for (size_t i = 0; i < gs.n; i++) {
    free(gs.g[i].key);
    free(gs.g[i].v);
  }
  free(gs.g);
  if (st == PHSIM_OK && (fflush(out) != 0 || ferror(out))) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write the statistics");
    return PHSIM_EIO;
  }
  return st;
}
