/* plot.c: drive gnuplot over runs and sweeps.
 *
 * Inputs are read through the checking readers (summary.json, sweep.json,
 * trajectory.csv, sweep.csv); gnuplot reads only validated copies and
 * writes into a private work directory DIR/.plot.tmp.PID, whose figures are
 * renamed into place once every one of them is drawn.  A failure or a
 * signal removes the work directory: no figure is ever half written. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include "phsim_plot.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phsim_csv.h"
#include "phsim_fit.h"
#include "phsim_interrupt.h"
#include "phsim_io.h"
#include "phsim_run.h"
#include "phsim_spawn.h"
#include "phsim_summary.h"
#include "phsim_sweepio.h"

/* Runs of more neurons draw m^2 head curves: unreadable and slow. */
#define PLOT_MAX_M 64
/* Heat maps side by side in one figure. */
#define PLOT_MAX_FACETS 24
/* Groups of one bar chart. */
#define PLOT_MAX_GROUPS 200

/* $PHSIM_PLOTS, else ../plots beside the binary (bin/phsim of a checkout),
 * else ./plots (a binary built elsewhere, run from the checkout). */
const char *phsim_plots_dir(void) {
  static char dir[PATH_MAX];
  const char *env = getenv("PHSIM_PLOTS");
  if (env != NULL) return env;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return "plots";
  exe[n] = '\0';
  snprintf(dir, sizeof dir, "%s/../plots", dirname(exe));
  struct stat st;
  char probe[PATH_MAX + 16];
  snprintf(probe, sizeof probe, "%s/style.gp", dir);
  if (stat(probe, &st) != 0 && realpath("plots", dir) == NULL) return "plots";
  return dir;
}

static int exists(const char *dir, const char *name) {
  char path[PATH_MAX + 128];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return stat(path, &st) == 0;
}

/* ---- gnuplot ---------------------------------------------------------- */

/* A gnuplot string literal of any bytes: double quotes, every byte other
 * than [A-Za-z0-9/._=, -] as an octal escape.  No quote, backquote, '@',
 * '$', backslash or newline of the datum reaches gnuplot's parser. */
static void gp_literal(FILE *fp, const char *value) {
  fputc('"', fp);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (isalnum(*p) || strchr("/._=, -", *p) != NULL) fputc(*p, fp);
    else fprintf(fp, "\\%03o", *p);
  }
  fputc('"', fp);
}

/* Variables for gnuplot's -e, built in memory. */
typedef struct {
  char *buf;
  size_t len;
  FILE *fp;
} gp_vars;

static int gp_begin(gp_vars *v, char err[PHSIM_ERR_MAX]) {
  v->buf = NULL;
  v->len = 0;
  v->fp = open_memstream(&v->buf, &v->len);
  if (v->fp == NULL) snprintf(err, PHSIM_ERR_MAX, "out of memory");
  return v->fp != NULL ? PHSIM_OK : PHSIM_ENOMEM;
}

static void gp_str(gp_vars *v, const char *name, const char *value) {
  fprintf(v->fp, "%s=", name);
  gp_literal(v->fp, value);
  fputs("; ", v->fp);
}

static void gp_num(gp_vars *v, const char *name, double x) {
  fprintf(v->fp, "%s=%.17g; ", name, x);
}

static void gp_int(gp_vars *v, const char *name, long long x) {
  fprintf(v->fp, "%s=%lld; ", name, x);
}

/* gnuplot -e VARS SCRIPT, run inside plots/ so that scripts find each
 * other; an argument vector, no shell (phsim_spawn).  Frees the
 * variables. */
static int gnuplot(gp_vars *v, const char *script, char err[PHSIM_ERR_MAX]) {
  if (fclose(v->fp) != 0 || v->buf == NULL) {
    free(v->buf);
    snprintf(err, PHSIM_ERR_MAX, "out of memory preparing %s", script);
    return PHSIM_ENOMEM;
  }
  const char *argv[] = {"gnuplot", "-e", v->buf, script, NULL};
  char msg[PHSIM_ERR_MAX];
  int st = phsim_spawn(argv, phsim_plots_dir(), msg);
  free(v->buf);
  if (st == PHSIM_EIO)
    snprintf(err, PHSIM_ERR_MAX, "gnuplot failed on %s: %.300s (is gnuplot installed? plots at '%.100s')",
             script, msg, phsim_plots_dir());
  else if (st != PHSIM_OK)
    snprintf(err, PHSIM_ERR_MAX, "%s", msg);
  return st;
}

/* ---- the work directory ----------------------------------------------- */

typedef struct {
  char dir[PATH_MAX];        /* the run or sweep (absolute) */
  char work[PATH_MAX + 64];  /* dir/.plot.tmp.PID */
} plot_job;

static int work_open(plot_job *j, const char *dir, char err[PHSIM_ERR_MAX]) {
  snprintf(j->dir, sizeof j->dir, "%s", dir);
  snprintf(j->work, sizeof j->work, "%s/.plot.tmp.%ld", dir, (long)getpid());
  char plots[PATH_MAX + 80];
  snprintf(plots, sizeof plots, "%s/plots", j->work);
  phsim_remove_tree(j->work);
  if (mkdir(j->work, 0700) != 0 || mkdir(plots, 0700) != 0) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write in directory '%.300s': %s", dir, strerror(errno));
    phsim_remove_tree(j->work);
    return PHSIM_EIO;
  }
  return PHSIM_OK;
}

/* Rename every file of from (but the input copies) into to. */
static int move_files(const char *from, const char *to, char err[PHSIM_ERR_MAX]) {
  DIR *d = opendir(from);
  if (d == NULL) return PHSIM_OK;
  int st = PHSIM_OK;
  for (struct dirent *e; st == PHSIM_OK && (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.' || strcmp(e->d_name, "plots") == 0 ||
        strcmp(e->d_name, "trajectory.csv") == 0 || strcmp(e->d_name, "sweep.csv") == 0)
      continue;
    char a[PATH_MAX + 400], b[PATH_MAX + 400];
    snprintf(a, sizeof a, "%s/%s", from, e->d_name);
    snprintf(b, sizeof b, "%s/%s", to, e->d_name);
    if (rename(a, b) != 0) {
      snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", b, strerror(errno));
      st = PHSIM_EIO;
    }
  }
  closedir(d);
  return st;
}

/* Put the figures in place (dir/ and dir/plots/), remove the work
 * directory whatever happened. */
static int work_close(plot_job *j, int st, char err[PHSIM_ERR_MAX]) {
  char from[PATH_MAX + 80], to[PATH_MAX + 16];
  snprintf(from, sizeof from, "%s/plots", j->work);
  snprintf(to, sizeof to, "%s/plots", j->dir);
  DIR *d = st == PHSIM_OK ? opendir(from) : NULL;
  int any = 0;
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) any |= e->d_name[0] != '.';
  if (d != NULL) closedir(d);
  if (st == PHSIM_OK && any && mkdir(to, 0777) != 0 && errno != EEXIST) {
    snprintf(err, PHSIM_ERR_MAX, "cannot create directory '%.400s': %s", to, strerror(errno));
    st = PHSIM_EIO;
  }
  if (st == PHSIM_OK && any) st = move_files(from, to, err);
  if (st == PHSIM_OK) st = move_files(j->work, j->dir, err);
  phsim_remove_tree(j->work);
  return st;
}

/* A file of the work directory written completely or reported. */
static int close_checked(FILE *fp, const char *path, char err[PHSIM_ERR_MAX]) {
  int bad = ferror(fp);
  if (fclose(fp) != 0 || bad) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", path, strerror(errno));
    return PHSIM_EIO;
  }
  return PHSIM_OK;
}

static int interrupted(char err[PHSIM_ERR_MAX]) {
  if (!phsim_interrupted()) return 0;
  snprintf(err, PHSIM_ERR_MAX, "interrupted by signal %d; no figure was written",
           phsim_interrupt_signal());
  return 1;
}

/* ---- a run ------------------------------------------------------------ */

/* Is every field of the row a number (nan and inf too: gnuplot skips
 * them), the step an integer above the previous one and at most steps? */
static int trajectory_row(const phsim_csv *c, long *prev, unsigned long steps,
                          char err[PHSIM_ERR_MAX]) {
  for (size_t i = 0; i < c->ncols; i++) {
    char *end = NULL;
    strtod(c->field[i], &end);
    if (end == c->field[i] || *end != '\0') {
      snprintf(err, PHSIM_ERR_MAX, "'%.250s' line %zu: column '%.40s' holds '%.40s'; expected a number",
               c->name, c->lineno, c->header[i], c->field[i]);
      return PHSIM_EINPUT;
    }
  }
  const char *f = c->field[0];
  size_t len = strlen(f);
  long step = len <= 13 && strspn(f, "0123456789") == len ? atol(f) : -1;
  if (step <= *prev || (unsigned long)step > steps) {
    snprintf(err, PHSIM_ERR_MAX, "'%.250s' line %zu: step '%.40s'; expected an integer above %ld "
             "and at most %lu", c->name, c->lineno, f, *prev, steps);
    return PHSIM_EINPUT;
  }
  *prev = step;
  return PHSIM_OK;
}

static int check_trajectory_header(const phsim_csv *c, size_t m, size_t K,
                                   char err[PHSIM_ERR_MAX]) {
  char *want = NULL, *got = NULL;
  size_t wl = 0, gl = 0;
  FILE *w = open_memstream(&want, &wl), *g = open_memstream(&got, &gl);
  if (w) phsim_trajectory_header(w, m, K);
  for (size_t i = 0; g && i < c->ncols; i++) fprintf(g, "%s%s", i ? "," : "", c->header[i]);
  if (g) fputc('\n', g);
  if (w) fclose(w);
  if (g) fclose(g);
  int same = want && got && strcmp(want, got) == 0;
  free(want);
  free(got);
  if (!same)
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' line 1: not the header of a run with m = %zu, K = %zu "
             "(step, loss, rho_j, a_j_l, cos_j_l, noise_j, force_j_l, E_i_j)", c->name, m, K);
  return same ? PHSIM_OK : PHSIM_EINPUT;
}

/* dir/trajectory.csv checked row by row into work/trajectory.csv. */
static int copy_trajectory(const plot_job *j, const phsim_summary *sum,
                           char err[PHSIM_ERR_MAX]) {
  char in[PATH_MAX + 32], out[PATH_MAX + 96];
  snprintf(in, sizeof in, "%s/trajectory.csv", j->dir);
  snprintf(out, sizeof out, "%s/trajectory.csv", j->work);
  phsim_csv c;
  int st = phsim_csv_open(&c, in, err);
  if (st != PHSIM_OK) return st;
  st = check_trajectory_header(&c, sum->cfg.m, sum->cfg.K, err);
  FILE *fp = st == PHSIM_OK ? fopen(out, "w") : NULL;
  if (st == PHSIM_OK && fp == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", out, strerror(errno));
    st = PHSIM_EIO;
  }
  if (fp) phsim_trajectory_header(fp, sum->cfg.m, sum->cfg.K);
  long prev = -1;
  int got = 0;
  size_t rows = 0;
  while (st == PHSIM_OK && (got = phsim_csv_next(&c, err)) == 1) {
    if (interrupted(err)) st = PHSIM_EINTR;
    if (st == PHSIM_OK) st = trajectory_row(&c, &prev, sum->cfg.steps, err);
    for (size_t i = 0; st == PHSIM_OK && i < c.ncols; i++)
      fprintf(fp, "%s%s", i ? "," : "", c.field[i]);
    if (st == PHSIM_OK) fputc('\n', fp);
    rows++;
  }
  if (st == PHSIM_OK && got < 0) st = PHSIM_EINPUT;
  if (st == PHSIM_OK && rows == 0) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' has no rows to plot", in);
    st = PHSIM_EINPUT;
  }
  if (fp != NULL) {
    char msg[PHSIM_ERR_MAX];
    int cst = close_checked(fp, out, msg);
    if (st == PHSIM_OK && cst != PHSIM_OK) {
      snprintf(err, PHSIM_ERR_MAX, "%s", msg);
      st = cst;
    }
  }
  phsim_csv_close(&c);
  return st;
}

static long phase(json_t *phases, const char *name) {
  json_t *v = json_object_get(phases, name);
  return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static int plot_run(const char *dir, char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/summary.json", dir);
  phsim_summary sum;
  int st = phsim_summary_read(path, &sum, err);
  if (st != PHSIM_OK) return st;
  if (sum.cfg.m > PLOT_MAX_M) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s': m = %zu neurons; plot draws runs of at most %d",
             dir, sum.cfg.m, PLOT_MAX_M);
    phsim_summary_free(&sum);
    return PHSIM_EINPUT;
  }
  plot_job j;
  st = work_open(&j, dir, err);
  if (st != PHSIM_OK) {
    phsim_summary_free(&sum);
    return st;
  }
  st = copy_trajectory(&j, &sum, err);
  gp_vars v;
  if (st == PHSIM_OK) st = gp_begin(&v, err);
  if (st == PHSIM_OK) {
    json_t *ph = json_object_get(sum.root, "phases");
    gp_str(&v, "dir", j.work);
    gp_int(&v, "m", (long long)sum.cfg.m);
    gp_int(&v, "K", (long long)sum.cfg.K);
    gp_int(&v, "steps", (long long)json_integer_value(json_object_get(sum.root, "steps")));
    gp_str(&v, "head", phsim_head_name(sum.cfg.head));
    gp_int(&v, "T1", phase(ph, "T1"));
    gp_int(&v, "T2", phase(ph, "T2"));
    gp_int(&v, "T3", phase(ph, "T3"));
    gp_int(&v, "T4", phase(ph, "T4"));
    st = gnuplot(&v, "run.gp", err);
  }
  phsim_summary_free(&sum);
  return work_close(&j, st, err);
}

/* ---- a sweep ---------------------------------------------------------- */

typedef struct {
  size_t idx;
  double features, T3;   /* NAN: empty */
} sweep_row;

typedef struct {
  phsim_sweep s;                   /* from sweep.json */
  size_t key[PHSIM_MAX_GRIDS];     /* grids other than seed, in grid order */
  size_t nkeys;
  sweep_row *rows;
  size_t nrows;
} sweep_data;

/* features_learned (an integer 0..K or empty) and T3 of the current row. */
static int row_metrics(const phsim_sweep_table *t, size_t K, sweep_row *r,
                       char err[PHSIM_ERR_MAX]) {
  long fc = phsim_csv_col(&t->csv, "features_learned"), tc = phsim_csv_col(&t->csv, "T3");
  const char *f = fc >= 0 ? t->csv.field[fc] : "", *t3 = tc >= 0 ? t->csv.field[tc] : "";
  r->idx = t->index;
  r->features = r->T3 = NAN;
  double x;
  if (*f != '\0') {
    if (!phsim_csv_number(f, &x) || x < 0 || x > (double)K || x != floor(x)) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: features_learned '%.40s'; expected an "
               "integer from 0 to %zu", t->csv.name, t->csv.lineno, f, K);
      return PHSIM_EINPUT;
    }
    r->features = x;
  }
  if (*t3 != '\0' && phsim_csv_number(t3, &x)) r->T3 = x;
  return PHSIM_OK;
}

/* dir/sweep.csv checked row by row (phsim_sweep_table) into
 * work/sweep.csv and d->rows. */
static int load_rows(const plot_job *j, sweep_data *d, char err[PHSIM_ERR_MAX]) {
  char in[PATH_MAX + 32], out[PATH_MAX + 96];
  snprintf(in, sizeof in, "%s/sweep.csv", j->dir);
  snprintf(out, sizeof out, "%s/sweep.csv", j->work);
  phsim_sweep_table t;
  int st = phsim_sweep_table_open(&t, in, &d->s, 1, 1, err), got = 0;
  if (st != PHSIM_OK) return st;
  FILE *fp = fopen(out, "w");
  d->rows = malloc((d->s.npoints ? d->s.npoints : 1) * sizeof *d->rows);
  if (fp == NULL || d->rows == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s'", out);
    st = PHSIM_EIO;
  }
  if (fp != NULL) phsim_sweep_csv_header(fp, &d->s);
  while (st == PHSIM_OK && (got = phsim_sweep_table_next(&t, err)) == 1) {
    if (interrupted(err)) st = PHSIM_EINTR;
    if (st == PHSIM_OK) st = row_metrics(&t, d->s.base.K, &d->rows[d->nrows++], err);
    for (size_t c = 0; st == PHSIM_OK && c < t.csv.ncols; c++)
      fprintf(fp, "%s%s", c ? "," : "", t.csv.field[c]);
    if (st == PHSIM_OK) fputc('\n', fp);
  }
  if (st == PHSIM_OK && got < 0) st = PHSIM_EINPUT;
  if (fp != NULL) {
    char msg[PHSIM_ERR_MAX];
    if (close_checked(fp, out, msg) != PHSIM_OK && st == PHSIM_OK) {
      snprintf(err, PHSIM_ERR_MAX, "%s", msg);
      st = PHSIM_EIO;
    }
  }
  phsim_sweep_table_close(&t);
  return st;
}

static int plot_scaling(const plot_job *j, const sweep_data *d, char err[PHSIM_ERR_MAX]) {
  static const char *const metrics[] = {"T1", "T3", "E_substitution", "E_peak"};
  const char *xkey = d->s.grids[d->key[0]].key;
  char csv[PATH_MAX + 96];
  snprintf(csv, sizeof csv, "%s/sweep.csv", j->work);
  int plotted = 0;
  for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
    phsim_fit_result fit;
    char msg[PHSIM_ERR_MAX], expect[64];
    if (phsim_fit_csv(csv, xkey, metrics[i], 1, NULL, 0, &fit, msg) != PHSIM_OK) continue;
    if (fit.slope == 0.0 && fit.slope_se == 0.0) continue; /* constant: no axis */
    gp_vars v;
    int st = gp_begin(&v, err);
    if (st != PHSIM_OK) return st;
    snprintf(expect, sizeof expect, "%zu runs", fit.n);
    gp_str(&v, "dir", j->work);
    gp_str(&v, "xkey", xkey);
    gp_str(&v, "ykey", metrics[i]);
    gp_num(&v, "slope", fit.slope);
    gp_num(&v, "intercept", fit.intercept);
    gp_num(&v, "slope_se", fit.slope_se);
    gp_str(&v, "expect", expect);
    st = gnuplot(&v, "scaling.gp", err);
    if (st != PHSIM_OK) return st;
    plotted++;
  }
  if (plotted == 0) {
    snprintf(err, PHSIM_ERR_MAX, "sweep '%.300s': no metric has 3 positive values to fit against '%s'",
             j->dir, xkey);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

/* A value as a label: white space (a path's) as '_' so that gnuplot's
 * word() and whitespace tables keep it one word. */
static void put_label(FILE *fp, const char *v) {
  for (; *v; v++) fputc(isspace((unsigned char)*v) ? '_' : *v, fp);
}

/* set xtics ("label" i, ...): numbers as %.3g, other values as they are
 * (as escaped literals: this file is gnuplot code). */
static void write_tics(FILE *fp, const char *axis, const phsim_grid *g) {
  size_t n = g->n, step = n > 6 ? (n + 5) / 6 : 1;
  fprintf(fp, "set %stics (", axis);
  for (size_t i = 0; i < n; i += step) {
    double x;
    char num[32];
    if (i) fputs(", ", fp);
    if (phsim_csv_number(g->values[i], &x)) {
      snprintf(num, sizeof num, "%.3g", x);
      gp_literal(fp, num);
    } else {
      gp_literal(fp, g->values[i]);
    }
    fprintf(fp, " %zu", i);
  }
  fprintf(fp, ")\nset %srange [-0.5:%zu.5]\n", axis, n - 1);
}

/* A heat-map metric: the mean per cell of a sweep.csv column (of its log10
 * when logscale, over the runs where it is set). */
typedef struct {
  const char *name, *label;
  int logscale, T3;  /* T3: the T3 column, else features_learned */
  double zmax;       /* colour range [0, zmax]; <= 0: automatic */
} heat_metric;

/* The facet (combination of the values of the third and later keys) of
 * point idx, and the number of facets. */
static size_t facet_of(const sweep_data *d, size_t idx, size_t *nf) {
  size_t facet = 0;
  *nf = 1;
  for (size_t k = 2; k < d->nkeys; k++) {
    const phsim_grid *g = &d->s.grids[d->key[k]];
    facet = facet * g->n + phsim_sweep_value_index(&d->s, idx, d->key[k]);
    *nf *= g->n;
  }
  return facet;
}

/* Facet names "key=value,key=value" separated by spaces ("all" for one). */
static char *facet_names(const sweep_data *d, size_t nf) {
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  if (fp == NULL) return NULL;
  for (size_t fc = 0; fc < nf; fc++) {
    if (fc) fputc(' ', fp);
    if (d->nkeys == 2) fputs("all", fp);
    size_t rem = fc, div = nf;
    for (size_t k = 2; k < d->nkeys; k++) {
      const phsim_grid *g = &d->s.grids[d->key[k]];
      div /= g->n;
      fprintf(fp, "%s%s=", k > 2 ? "," : "", g->key);
      put_label(fp, g->values[rem / div]);
      rem %= div;
    }
  }
  return fclose(fp) == 0 ? buf : NULL;
}

/* work/plots/heat-NAME-k.dat ("xi yi mean") and heat-tics.gp. */
static int heat_files(const plot_job *j, const sweep_data *d, const heat_metric *hm,
                      const double *sum, const double *cnt, size_t nf, char err[PHSIM_ERR_MAX]) {
  const phsim_grid *gx = &d->s.grids[d->key[0]], *gy = &d->s.grids[d->key[1]];
  char path[PATH_MAX + 160];
  for (size_t fc = 0; fc < nf; fc++) {
    snprintf(path, sizeof path, "%s/plots/heat-%s-%zu.dat", j->work, hm->name, fc + 1);
    FILE *out = fopen(path, "w");
    if (out == NULL) {
      snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", path, strerror(errno));
      return PHSIM_EIO;
    }
    for (size_t x = 0; x < gx->n; x++) {
      for (size_t y = 0; y < gy->n; y++) {
        size_t cell = (fc * gx->n + x) * gy->n + y;
        fprintf(out, "%zu %zu %.6g\n", x, y, cnt[cell] > 0 ? sum[cell] / cnt[cell] : NAN);
      }
      fputc('\n', out);
    }
    if (close_checked(out, path, err) != PHSIM_OK) return PHSIM_EIO;
  }
  snprintf(path, sizeof path, "%s/plots/heat-tics.gp", j->work);
  FILE *tics = fopen(path, "w");
  if (tics == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", path, strerror(errno));
    return PHSIM_EIO;
  }
  write_tics(tics, "x", gx);
  write_tics(tics, "y", gy);
  return close_checked(tics, path, err);
}

/* Mean of the metric per (x, y) cell for each facet. */
static int plot_heat(const plot_job *j, const sweep_data *d, const heat_metric *hm,
                     char err[PHSIM_ERR_MAX]) {
  const phsim_grid *gx = &d->s.grids[d->key[0]], *gy = &d->s.grids[d->key[1]];
  size_t nf;
  facet_of(d, 0, &nf);
  if (nf > PLOT_MAX_FACETS) {
    snprintf(err, PHSIM_ERR_MAX, "sweep '%.300s': the third and later swept keys make %zu maps; "
             "plot draws at most %d side by side", j->dir, nf, PLOT_MAX_FACETS);
    return PHSIM_EINPUT;
  }
  double *sum = calloc(gx->n * gy->n * nf, sizeof *sum), *cnt = calloc(gx->n * gy->n * nf, sizeof *cnt);
  char *facets = facet_names(d, nf);
  int st = sum && cnt && facets ? PHSIM_OK : PHSIM_ENOMEM;
  for (size_t r = 0; st == PHSIM_OK && r < d->nrows; r++) {
    const sweep_row *row = &d->rows[r];
    double v = hm->T3 ? row->T3 : row->features;
    if (isnan(v) || (hm->logscale && !(v > 0))) continue;
    size_t f, cell;
    f = facet_of(d, row->idx, &nf);
    cell = (f * gx->n + phsim_sweep_value_index(&d->s, row->idx, d->key[0])) * gy->n +
           phsim_sweep_value_index(&d->s, row->idx, d->key[1]);
    sum[cell] += hm->logscale ? log10(v) : v;
    cnt[cell] += 1;
  }
  if (st == PHSIM_OK) st = heat_files(j, d, hm, sum, cnt, nf, err);
  gp_vars v;
  if (st == PHSIM_OK) st = gp_begin(&v, err);
  if (st == PHSIM_OK) {
    gp_str(&v, "dir", j->work);
    gp_str(&v, "name", hm->name);
    gp_int(&v, "nfacets", (long long)nf);
    gp_str(&v, "facets", facets);
    gp_str(&v, "xlabel_", gx->key);
    gp_str(&v, "ylabel_", gy->key);
    gp_str(&v, "zlabel_", hm->label);
    gp_num(&v, "zmax", hm->zmax);
    st = gnuplot(&v, "heat.gp", err);
  }
  free(sum);
  free(cnt);
  free(facets);
  return st;
}

/* work/plots/outcomes.txt: runs by features learned (0..K) per value of
 * grid g (all runs in one group when g is NULL). */
static int outcomes_table(const plot_job *j, const sweep_data *d, const phsim_grid *g,
                          size_t gk, const char *path, char err[PHSIM_ERR_MAX]) {
  const size_t K = d->s.base.K, ng = g ? g->n : 1;
  long *count = calloc(ng * (K + 1), sizeof *count);
  if (count == NULL) return PHSIM_ENOMEM;
  for (size_t r = 0; r < d->nrows; r++) {
    if (isnan(d->rows[r].features)) continue;
    size_t grp = g ? phsim_sweep_value_index(&d->s, d->rows[r].idx, gk) : 0;
    count[grp * (K + 1) + (size_t)d->rows[r].features]++;
  }
  FILE *out = fopen(path, "w");
  if (out == NULL) {
    free(count);
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", path, strerror(errno));
    return PHSIM_EIO;
  }
  fprintf(out, "group");
  for (size_t k = 0; k <= K; k++) fprintf(out, " learned_%zu", k);
  fputc('\n', out);
  for (size_t grp = 0; grp < ng; grp++) {
    if (g) {
      fprintf(out, "%s=", g->key);
      put_label(out, g->values[grp]);
    } else {
      fputs("all", out);
    }
    for (size_t k = 0; k <= K; k++) fprintf(out, " %ld", count[grp * (K + 1) + k]);
    fputc('\n', out);
  }
  free(count);
  (void)j;
  return close_checked(out, path, err);
}

/* Runs by features learned, one group per value of grid gk (all runs in
 * one group when gk < 0): plots/outcomes.{png,pdf}. */
static int plot_outcomes(const plot_job *j, const sweep_data *d, long gk,
                         char err[PHSIM_ERR_MAX]) {
  const phsim_grid *g = gk >= 0 ? &d->s.grids[gk] : NULL;
  if (g != NULL && g->n > PLOT_MAX_GROUPS) {
    snprintf(err, PHSIM_ERR_MAX, "sweep '%.300s': key '%s' has %zu values; a bar chart shows at most %d",
             j->dir, g->key, g->n, PLOT_MAX_GROUPS);
    return PHSIM_EINPUT;
  }
  char path[PATH_MAX + 96], stem[PATH_MAX + 96];
  snprintf(path, sizeof path, "%s/plots/outcomes.txt", j->work);
  snprintf(stem, sizeof stem, "%s/plots/outcomes", j->work);
  int st = outcomes_table(j, d, g, gk >= 0 ? (size_t)gk : 0, path, err);
  char *ycols = NULL, *names = NULL;
  size_t l1 = 0, l2 = 0;
  FILE *fy = open_memstream(&ycols, &l1), *fn = open_memstream(&names, &l2);
  for (size_t k = 0; fy && fn && k <= d->s.base.K; k++) {
    fprintf(fy, "%s%zu", k ? " " : "", k + 2);
    fprintf(fn, "%s%zu-features", k ? " " : "", k);
  }
  if (fy) fclose(fy);
  if (fn) fclose(fn);
  gp_vars v;
  if (st == PHSIM_OK && (ycols == NULL || names == NULL)) st = PHSIM_ENOMEM;
  if (st == PHSIM_OK) st = gp_begin(&v, err);
  if (st == PHSIM_OK) {
    gp_str(&v, "out", stem);
    gp_str(&v, "file", path);
    gp_int(&v, "xcol", 1);
    gp_str(&v, "ycols", ycols);
    gp_str(&v, "names", names);
    gp_str(&v, "ylabel_", "runs");
    gp_str(&v, "title_", "runs by features learned");
    gp_int(&v, "ymax", 0);
    st = gnuplot(&v, "table.gp", err);
  }
  free(ycols);
  free(names);
  return st;
}

static int draw_sweep(const plot_job *j, sweep_data *d, char err[PHSIM_ERR_MAX]) {
  for (size_t k = 0; k < d->s.ngrids; k++)
    if (strcmp(d->s.grids[k].key, "seed") != 0) d->key[d->nkeys++] = k;
  if (d->nkeys == 0) return plot_outcomes(j, d, -1, err);
  if (d->nkeys == 1) {
    /* a numeric key: scaling fits; else (or too few values): outcomes */
    int st = plot_scaling(j, d, err);
    return st == PHSIM_EINPUT ? plot_outcomes(j, d, (long)d->key[0], err) : st;
  }
  const heat_metric features = {"features", "features learned (mean over seeds)", 0, 0,
                                (double)d->s.base.K};
  const heat_metric weak = {"T3", "log_{10} of the step every feature is learned (mean)", 1, 1, -1};
  int st = plot_heat(j, d, &features, err);
  return st == PHSIM_OK ? plot_heat(j, d, &weak, err) : st;
}

static int plot_sweep(const char *dir, char err[PHSIM_ERR_MAX]) {
  sweep_data d;
  memset(&d, 0, sizeof d);
  int st = phsim_sweep_meta_read(dir, &d.s, err);
  if (st != PHSIM_OK) return st;
  plot_job j;
  st = work_open(&j, dir, err);
  if (st == PHSIM_OK) {
    st = load_rows(&j, &d, err);
    if (st == PHSIM_OK) st = draw_sweep(&j, &d, err);
    st = work_close(&j, st, err);
  }
  free(d.rows);
  phsim_sweep_free(&d.s);
  return st;
}

int phsim_plot_dir(const char *dir, char err[PHSIM_ERR_MAX]) {
  char abs[PATH_MAX];
  if (realpath(dir, abs) == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open directory '%.400s': %s", dir, strerror(errno));
    return PHSIM_EINPUT;
  }
  if (strlen(abs) > PHSIM_PATH_MAX - 64) {
    snprintf(err, PHSIM_ERR_MAX, "directory '%.300s...' is too long to plot", abs);
    return PHSIM_EINPUT;
  }
  if (exists(abs, "trajectory.csv") && exists(abs, "summary.json")) return plot_run(abs, err);
  if (exists(abs, "sweep.csv") && exists(abs, "sweep.json")) return plot_sweep(abs, err);
  snprintf(err, PHSIM_ERR_MAX,
           "'%.300s' is neither a run (trajectory.csv, summary.json) nor a sweep "
           "(sweep.csv, sweep.json)",
           dir);
  return PHSIM_EINPUT;
}
