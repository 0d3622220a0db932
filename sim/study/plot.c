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
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phsim_csv.h"
#include "phsim_datadir.h"
#include "phsim_interrupt.h"
#include "phsim_io.h"
#include "phsim_run.h"
#include "phsim_spawn.h"
#include "phsim_summary.h"
#include "phsim_sweepio.h"
#include "phsim_version.h"
#include "plotdata.h"

/* Runs of more neurons draw m^2 head curves: unreadable and slow. */
#define PLOT_MAX_M 64
/* Heat maps side by side in one figure. */
#define PLOT_MAX_FACETS 24
/* Groups of one bar chart. */
#define PLOT_MAX_GROUPS 200

/* Where an installed phsim's scripts are (make install: PREFIX/share/phsim/
 * plots), for a binary copied away from its prefix. */
#ifndef PHSIM_PLOTS_INSTALLED
#define PHSIM_PLOTS_INSTALLED "/usr/local/share/phsim/plots"
#endif

/* $PHSIM_PLOTS; else beside the binary: ../share/phsim/plots (installed),
 * ../plots (bin/phsim of a checkout); else the installed prefix's; else
 * ./plots (a binary built elsewhere, run from the checkout). */
static char plots_dir[PATH_MAX];
static pthread_once_t plots_dir_once = PTHREAD_ONCE_INIT;

static void find_plots_dir(void) {
  static const phsim_datadir plots = {"PHSIM_PLOTS", "../share/phsim/plots", "../plots",
                                      PHSIM_PLOTS_INSTALLED, "style.gp"};
  phsim_datadir_find(&plots, plots_dir, sizeof plots_dir);
}

/* Looked up once per process (pthread_once: safe from any thread). */
const char *phsim_plots_dir(void) {
  pthread_once(&plots_dir_once, find_plots_dir);
  return plots_dir;
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
 * '$', backslash or newline of the datum reaches gnuplot's parser.  The
 * escape has four digits, \0ooo: gnuplot reads up to four digits after a
 * backslash when the first is 0 (three otherwise), so "\053" followed by
 * the digit 0 was read as \0530 ('X': "1e+02" became "1eX2"); after four
 * digits it stops, whatever follows. */
static void gp_literal(FILE *fp, const char *value) {
  fputc('"', fp);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (isalnum(*p) || strchr("/._=, -", *p) != NULL) fputc(*p, fp);
    else fprintf(fp, "\\0%03o", *p);
  }
  fputc('"', fp);
}

/* Variables for gnuplot's -e, built in memory. */
typedef struct {
  char *buf;
  size_t len;
  FILE *fp;
} gp_vars;

static void gp_str(gp_vars *v, const char *name, const char *value) {
  fprintf(v->fp, "%s=", name);
  gp_literal(v->fp, value);
  fputs("; ", v->fp);
}

/* made_by: which phsim made the data (a footnote, style.gp). */
static void gp_made_by(gp_vars *v, const char *version, const char *commit) {
  char note[160];
  snprintf(note, sizeof note, "phsim %s (commit %s)", version, commit);
  gp_str(v, "made_by", note);
}

/* The variables, made_by first: this phsim's, until the data's says more. */
static int gp_begin(gp_vars *v, char err[PHSIM_ERR_MAX]) {
  v->buf = NULL;
  v->len = 0;
  v->fp = open_memstream(&v->buf, &v->len);
  if (v->fp == NULL) snprintf(err, PHSIM_ERR_MAX, "out of memory");
  else gp_made_by(v, phsim_version(), phsim_commit());
  return v->fp != NULL ? PHSIM_OK : PHSIM_ENOMEM;
}


static void gp_num(gp_vars *v, const char *name, double x) {
  if (isfinite(x)) fprintf(v->fp, "%s=%.17g; ", name, x);
  else fprintf(v->fp, "%s=NaN; ", name); /* gnuplot's constant */
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
  FILE *written;             /* where the paths of the figures go, or NULL */
  const char *rule;          /* a verdict's rule for the sweep figures, or NULL */
} plot_job;

/* A job on dir that lists what it writes on written. */
static void job_init(plot_job *j, const char *dir, FILE *written) {
  memset(j, 0, sizeof *j);
  j->written = written;
  j->rule = NULL;
  snprintf(j->dir, sizeof j->dir, "%s", dir);
}

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

/* Rename every file of from (but the input copies) into to, each new path
 * listed on written (unless NULL). */
static int move_files(const char *from, const char *to, FILE *written,
                      char err[PHSIM_ERR_MAX]) {
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
    } else if (written != NULL) {
      fprintf(written, "%s\n", b);
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
  if (st == PHSIM_OK && any) st = move_files(from, to, j->written, err);
  if (st == PHSIM_OK) st = move_files(j->work, j->dir, j->written, err);
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
  snprintf(err, PHSIM_ERR_MAX, "interrupted by %s; no figure was written",
           phsim_interrupt_cause());
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

/* dir/trajectory.csv checked row by row, into work/trajectory.csv when
 * copy (a first pass checks without writing anything). */
static int copy_trajectory(const plot_job *j, const phsim_summary *sum, int copy,
                           char err[PHSIM_ERR_MAX]) {
  char in[PATH_MAX + 32], out[PATH_MAX + 96];
  snprintf(in, sizeof in, "%s/trajectory.csv", j->dir);
  snprintf(out, sizeof out, "%s/trajectory.csv", j->work);
  phsim_csv c;
  int st = phsim_csv_open(&c, in, err);
  if (st != PHSIM_OK) return st;
  st = check_trajectory_header(&c, sum->cfg.m, sum->cfg.K, err);
  FILE *fp = st == PHSIM_OK && copy ? fopen(out, "w") : NULL;
  if (st == PHSIM_OK && copy && fp == NULL) {
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
    for (size_t i = 0; fp && st == PHSIM_OK && i < c.ncols; i++)
      fprintf(fp, "%s%s", i ? "," : "", c.field[i]);
    if (fp && st == PHSIM_OK) fputc('\n', fp);
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

static int plot_run(const char *dir, FILE *written, char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/summary.json", dir);
  phsim_summary sum;
  int st = phsim_summary_read(path, &sum, err);
  if (st != PHSIM_OK) return st;
  const unsigned long steps = sum.steps;
  if (sum.cfg.m > PLOT_MAX_M || steps <= 10) {
    if (steps <= 10)
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' ran %lld steps; plot draws runs of more than 10 "
               "(the step axis is logarithmic from step 10)", dir, (long long)steps);
    else
      snprintf(err, PHSIM_ERR_MAX, "'%.300s': m = %zu neurons; plot draws runs of at most %d",
               dir, sum.cfg.m, PLOT_MAX_M);
    phsim_summary_free(&sum);
    return PHSIM_EINPUT;
  }
  plot_job j;
  job_init(&j, dir, written);
  st = copy_trajectory(&j, &sum, 0, err); /* nothing is created for bad input */
  if (st == PHSIM_OK) st = work_open(&j, dir, err);
  if (st != PHSIM_OK) {
    phsim_summary_free(&sum);
    return st;
  }
  st = copy_trajectory(&j, &sum, 1, err);
  gp_vars v;
  if (st == PHSIM_OK) st = gp_begin(&v, err);
  if (st == PHSIM_OK) {
    gp_str(&v, "dir", j.work);
    if (sum.provenance.known) gp_made_by(&v, sum.provenance.version, sum.provenance.commit);
    gp_int(&v, "m", (long long)sum.cfg.m);
    gp_int(&v, "K", (long long)sum.cfg.K);
    gp_int(&v, "steps", (long long)sum.steps);
    gp_str(&v, "head", phsim_config_choice(&sum.cfg, "head"));
    gp_int(&v, "T1", sum.phases.T1);
    gp_int(&v, "T2", sum.phases.T2);
    gp_int(&v, "T3", sum.phases.T3);
    gp_int(&v, "T4", sum.phases.T4);
    st = gnuplot(&v, "run.gp", err);
  }
  phsim_summary_free(&sum);
  return work_close(&j, st, err);
}

/* ---- a sweep ---------------------------------------------------------- */

/* dir/sweep.csv checked row by row (phsim_sweep_table) into d->rows, and
 * into work/sweep.csv when copy (a first pass checks without writing). */
static int load_rows(const plot_job *j, sweep_data *d, int copy, char err[PHSIM_ERR_MAX]) {
  char in[PATH_MAX + 32], out[PATH_MAX + 96];
  snprintf(in, sizeof in, "%s/sweep.csv", j->dir);
  snprintf(out, sizeof out, "%s/sweep.csv", j->work);
  phsim_sweep_table t;
  int st = phsim_sweep_table_open(&t, in, &d->s, 1, 1, err), got = 0;
  if (st != PHSIM_OK) return st;
  FILE *fp = copy ? fopen(out, "w") : NULL;
  if (d->rows == NULL) d->rows = malloc((d->s.npoints ? d->s.npoints : 1) * sizeof *d->rows);
  d->nrows = 0;
  if ((copy && fp == NULL) || d->rows == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s'", out);
    st = PHSIM_EIO;
  }
  if (fp != NULL) phsim_sweep_csv_header(fp, &d->s);
  while (st == PHSIM_OK && (got = phsim_sweep_table_next(&t, err)) == 1) {
    if (interrupted(err)) st = PHSIM_EINTR;
    if (st == PHSIM_OK) st = phsim_sweep_row_read(&t, d->s.base.K, &d->rows[d->nrows++], err);
    for (size_t c = 0; fp && st == PHSIM_OK && c < t.csv.ncols; c++)
      fprintf(fp, "%s%s", c ? "," : "", t.csv.field[c]);
    if (fp && st == PHSIM_OK) fputc('\n', fp);
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

/* ---- scaling: medians, bootstrap intervals, censoring, fits ----------- */

/* A figure of one metric against the swept key: 1 to 3 series. */
typedef struct {
  const char *name, *ylabel;
  int nser, met[3];
  const char *label[3];
  double ref;        /* the paper's exponent for this x, 0: none */
} scale_fig;

/* How a swept key is drawn: as a ratio to its reference where the paper
 * states it so (eta_E / eta, alpha_l / alpha_1); its axis label into
 * label (the caller's: the library keeps no static buffers). */
#define AXIS_LABEL_MAX 64
static double axis_ratio(const sweep_data *d, const phsim_grid *g, char label[AXIS_LABEL_MAX]) {
  double div = 1.0;
  const char *name = g->key;
  if (strcmp(g->key, "eta_E") == 0) {
    name = "η_E / η";
    div = d->s.base.eta;
  } else if (strcmp(g->key, "eta") == 0) {
    name = "η";
  }
  if (g->component > 0) {
    snprintf(label, AXIS_LABEL_MAX, "α_%d / α_1", g->component + 1);
    return d->s.base.alpha[0];
  }
  snprintf(label, AXIS_LABEL_MAX, "%s", name);
  return div;
}

/* The paper's exponent of metric name against key: T1 ~ d^2 / eta,
 * |E| at the end of substitution ~ (eta_E / eta)^(1/2). */
static double paper_exponent(const char *key, const char *name) {
  if (strcmp(name, "T1") == 0 && strcmp(key, "d") == 0) return 2;
  if (strcmp(name, "T1") == 0 && strcmp(key, "eta") == 0) return -1;
  if (strncmp(name, "E_", 2) == 0 && strcmp(key, "eta_E") == 0) return 0.5;
  return 0;
}

/* work/plots/scaling-NAME-k-seeds.dat: each seed with any uncensored value
 * as one block ("x value" at every x where it has one, a blank line after:
 * readers such as experiments/common.sh select for themselves), and
 * -k-slopes.dat: seed number (1-based) and its slope, for the seeds with a
 * slope of their own (over the fitted x). */
static int seeds_write(const plot_job *j, const scale_fig *F, int k, const series *S,
                       char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 160], spath[PATH_MAX + 160];
  snprintf(path, sizeof path, "%s/plots/scaling-%s-%d-seeds.dat", j->work, F->name, k + 1);
  snprintf(spath, sizeof spath, "%s/plots/scaling-%s-%d-slopes.dat", j->work, F->name, k + 1);
  FILE *out = fopen(path, "w"), *sl = fopen(spath, "w");
  for (size_t i = 0; out && sl && i < S->ns; i++) {
    if (!isnan(S->sslope[i])) fprintf(sl, "%zu %.6g\n", i + 1, S->sslope[i]);
    int any = 0;
    for (size_t x = 0; x < S->nx; x++) {
      double v = S->seedval[x * S->ns + i];
      if (v > 0 && isfinite(v)) fprintf(out, "%.9g %.9g\n", S->x[x], v), any = 1;
    }
    if (any) fputc('\n', out);
  }
  if (out == NULL || sl == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", out ? spath : path, strerror(errno));
    if (out) fclose(out);
    if (sl) fclose(sl);
    return PHSIM_EIO;
  }
  int st = close_checked(out, path, err);
  if (close_checked(sl, spath, err) != PHSIM_OK) st = PHSIM_EIO;
  return st;
}

/* work/plots/scaling-NAME-k.dat (x median lo hi used first never
 * unfaithful fit) and -k-runs.dat (x value kind: 0 used, 1 reached by the
 * first logged row, 2 never), and one line of scaling-NAME.fit. */
static int series_write(const plot_job *j, const scale_fig *F, int k, series *S,
                        const sweep_data *d, FILE *fitf, char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 160], rpath[PATH_MAX + 160];
  snprintf(path, sizeof path, "%s/plots/scaling-%s-%d.dat", j->work, F->name, k + 1);
  snprintf(rpath, sizeof rpath, "%s/plots/scaling-%s-%d-runs.dat", j->work, F->name, k + 1);
  FILE *out = fopen(path, "w"), *runs = fopen(rpath, "w");
  size_t tot[4] = {0, 0, 0, 0};
  for (size_t x = 0; out && runs && x < S->nx; x++) {
    fprintf(out, "%.9g %.9g %.9g %.9g %zu %zu %zu %zu %d\n", S->x[x], S->med[x], S->lo[x], S->hi[x],
            S->used[x], S->first[x], S->never[x], S->unfaithful[x], S->fit[x]);
    tot[0] += S->used[x], tot[1] += S->first[x], tot[2] += S->never[x], tot[3] += S->unfaithful[x];
  }
  /* every faithful run: its x, value and kind */
  for (size_t r = 0; out && runs && r < d->nrows; r++) {
    const sweep_row *row = &d->rows[r];
    size_t x = phsim_sweep_value_index(&d->s, row->idx, d->key[0]);
    double v = row->v[F->met[k]];
    if (!row->ok || row->faithful == 0) continue;
    if (isnan(v) || !(v > 0)) fprintf(runs, "%.9g NaN 2\n", S->x[x]);
    else if (phsim_series_first_row(S, d, row->idx, v))
      fprintf(runs, "%.9g %.9g 1\n", S->x[x], v);
    else fprintf(runs, "%.9g %.9g 0\n", S->x[x], v);
  }
  fprintf(fitf, "series=%d metric=%s slope=%.6g lo=%.6g hi=%.6g intercept=%.6g step_c=%.6g points=%zu used=%zu "
          "first=%zu never=%zu unfaithful=%zu ref=%g seeds=%zu seed_median=%.6g seed_min=%.6g seed_max=%.6g\n",
          k + 1, phsim_metric_name(F->met[k]), S->slope, S->slo, S->shi, S->intercept, S->stepc, S->nfit, tot[0],
          tot[1], tot[2], tot[3], F->ref, S->nseeds, S->ss_med, S->ss_min, S->ss_max);
  int st = seeds_write(j, F, k, S, err);
  if (out == NULL || runs == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", path, strerror(errno));
    st = PHSIM_EIO;
    if (out) fclose(out);
    if (runs) fclose(runs);
    return st;
  }
  if (close_checked(out, path, err) != PHSIM_OK) st = PHSIM_EIO;
  if (close_checked(runs, rpath, err) != PHSIM_OK) st = PHSIM_EIO;
  return st;
}

/* Is key one of the sweep's grids? */
static int swept(const sweep_data *d, const char *key) {
  for (size_t k = 0; k < d->s.ngrids; k++)
    if (strcmp(d->s.grids[k].key, key) == 0) return 1;
  return 0;
}

/* The budget for a caption: each point's configured steps (not the steps
 * a run took: a run stopped at a phase took fewer), one number when every
 * point has the same, else the rule (preset paper: it follows d and eta)
 * and its range. */
static void budget_text(const sweep_data *d, char *buf, size_t n) {
  double lo = (double)d->s.base.steps, hi = lo;
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  for (size_t r = 0, first = 1; r < d->nrows; r++) {
    if (phsim_sweep_point(&d->s, d->rows[r].idx, &cfg, err) != PHSIM_OK) continue;
    const double x = (double)cfg.steps;
    if (first || x < lo) lo = x;
    if (first || x > hi) hi = x;
    first = 0;
  }
  if (lo == hi && !swept(d, "eta"))
    snprintf(buf, n, "budget %.3g steps (t = η·steps = %.3g)", lo, lo * d->s.base.eta);
  else if (lo == hi)
    snprintf(buf, n, "budget %.3g steps", lo);
  else if (d->s.base.preset == PHSIM_PRESET_PAPER && !swept(d, "steps"))
    snprintf(buf, n, "budget (5 d^2 + 10^{10})/η steps per point, %.2g to %.2g", lo, hi);
  else
    snprintf(buf, n, "budget %.2g to %.2g steps per point", lo, hi);
}

/* The caption: runs per point, what the bars and markers are. */
static void scale_caption(gp_vars *v, const sweep_data *d, size_t unfaithful, int stepterm) {
  char *buf = NULL;
  size_t len = 0, seeds = 1;
  for (size_t k = 0; k < d->s.ngrids; k++)
    if (strcmp(d->s.grids[k].key, "seed") == 0) seeds = d->s.grids[k].n;
  FILE *fp = open_memstream(&buf, &len);
  if (fp == NULL) return;
  char budget[160];
  budget_text(d, budget, sizeof budget);
  fprintf(fp, "%zu seeds per point, %s; medians with 95%% bootstrap intervals; "
          "line: fit of log median (filled points only)", seeds, budget);
  if (stepterm) fprintf(fp, " + c η (step error)");
  if (unfaithful) fprintf(fp, "; %zu runs not flow-faithful left out", unfaithful);
  if (fclose(fp) == 0) gp_str(v, "caption", buf);
  free(buf);
}

/* One scaling figure: its series computed, written and drawn. */
static int scale_one(const plot_job *j, const sweep_data *d, const scale_fig *F, FILE *fitf,
                     double xdiv, const char *xlabel, int *drawn, char err[PHSIM_ERR_MAX]) {
  series S[3];
  size_t unf = 0, any = 0;
  int st = PHSIM_OK, n = 0;
  const size_t nx = d->s.grids[d->key[0]].n;
  long sg = -1;
  for (size_t k = 0; k < d->s.ngrids; k++)
    if (strcmp(d->s.grids[k].key, "seed") == 0) sg = (long)k;
  for (; st == PHSIM_OK && n < F->nser; n++) {
    st = phsim_series_alloc(&S[n], nx, d->nrows, sg >= 0 ? d->s.grids[sg].n : 0);
    if (st == PHSIM_OK) phsim_series_fill(&S[n], d, F->met[n], xdiv, sg);
    S[n].stepterm = strcmp(d->s.grids[d->key[0]].key, "eta") == 0;
    if (st == PHSIM_OK) st = phsim_series_stats(&S[n]);
    for (size_t k = 0; st == PHSIM_OK && k < nx; k++) {
      unf += S[n].unfaithful[k];
      for (size_t i = 0; i < S[n].nval[k]; i++)
        any += isfinite(S[n].val[k][i]) && S[n].val[k][i] != S[n].val[0][0] ? 3 : 0;
    }
    if (st == PHSIM_OK) st = series_write(j, F, n, &S[n], d, fitf, err);
  }
  gp_vars v;
  if (st == PHSIM_OK && any >= 3) {
    st = gp_begin(&v, err);
    if (st == PHSIM_OK) {
      char nm[32];
      gp_str(&v, "dir", j->work), gp_str(&v, "name", F->name);
      gp_str(&v, "xlabel_", xlabel), gp_str(&v, "ylabel_", F->ylabel);
      gp_int(&v, "nser", F->nser), gp_num(&v, "ref", F->ref), gp_int(&v, "stepterm", S[0].stepterm);
      char *tics = NULL;
      size_t tl = 0;
      FILE *tf = open_memstream(&tics, &tl);
      /* %#.6g: always a decimal point; gnuplot's real() rejects "1e+06" */
      for (size_t k = 0; tf && k < nx; k++) fprintf(tf, "%s%#.6g", k ? " " : "", S[0].x[k]);
      if (tf && fclose(tf) == 0) gp_str(&v, "xtics_", tics);
      free(tics);
      gp_str(&v, "nevertxt", S[0].stepm ? "never reached within the budget (drawn above the data)" : "no such event within the budget");
      for (int k = 0; k < F->nser; k++) {
        snprintf(nm, sizeof nm, "label%d", k + 1), gp_str(&v, nm, F->label[k] ? F->label[k] : "");
        snprintf(nm, sizeof nm, "slope%d", k + 1), gp_num(&v, nm, S[k].slope);
        snprintf(nm, sizeof nm, "icpt%d", k + 1), gp_num(&v, nm, S[k].intercept);
        snprintf(nm, sizeof nm, "slo%d", k + 1), gp_num(&v, nm, S[k].slo);
        snprintf(nm, sizeof nm, "shi%d", k + 1), gp_num(&v, nm, S[k].shi);
        snprintf(nm, sizeof nm, "stepc%d", k + 1), gp_num(&v, nm, S[k].stepterm ? S[k].stepc : 0.0);
        snprintf(nm, sizeof nm, "ssmed%d", k + 1), gp_num(&v, nm, S[k].ss_med);
        snprintf(nm, sizeof nm, "ssmin%d", k + 1), gp_num(&v, nm, S[k].ss_min);
        snprintf(nm, sizeof nm, "ssmax%d", k + 1), gp_num(&v, nm, S[k].ss_max);
      }
      scale_caption(&v, d, unf / (size_t)F->nser, S[0].stepterm);
      if (j->rule != NULL) gp_str(&v, "rule", j->rule);
      st = gnuplot(&v, "scaling.gp", err);
      *drawn += st == PHSIM_OK;
    }
  }
  for (int k = 0; k < n; k++) phsim_series_free(&S[k]);
  return st;
}

static int plot_scaling(const plot_job *j, sweep_data *d, char err[PHSIM_ERR_MAX]) {
  const phsim_grid *g = &d->s.grids[d->key[0]];
  double x;
  for (size_t k = 0; k < g->n; k++)
    if (!phsim_csv_number(g->values[k], &x) || !(x > 0)) {
      snprintf(err, PHSIM_ERR_MAX, "sweep '%.300s': key '%s' is not a positive number", j->dir, g->key);
      return PHSIM_EINPUT;
    }
  int st = PHSIM_OK, drawn = 0;
  char xl[AXIS_LABEL_MAX];
  double xdiv = axis_ratio(d, g, xl);
  const scale_fig figs[] = {
      {"T1", "T_1 (steps): a neuron learns v_1", 1, {M_T1, 0, 0}, {"T_1"}, paper_exponent(g->key, "T1")},
      {"T3", "T_3 (steps): every feature learned", 1, {M_T3, 0, 0}, {"T_3"}, 0},
      {"E_substitution", "|E_{ij*}| at T_2 (phsim's rule)", 1, {M_ESUB, 0, 0}, {"|E_{ij*}|"},
       paper_exponent(g->key, "E_")},
      {"E_peak", "largest |E_{ij} − δ_{ij}|", 1, {M_EPEAK, 0, 0}, {"peak |E|"}, paper_exponent(g->key, "E_")},
      {"E_pull", "|E_{ij*}| when w_i's v_1 pull has fallen κ-fold", 3, {M_EP3, M_EP10, M_EP30},
       {"κ = 3", "κ = 10", "κ = 30"}, paper_exponent(g->key, "E_")},
  };
  for (size_t f = 0; st == PHSIM_OK && f < sizeof figs / sizeof figs[0]; f++) {
    char path[PATH_MAX + 160];
    snprintf(path, sizeof path, "%s/plots/scaling-%s.fit", j->work, figs[f].name);
    FILE *fitf = fopen(path, "w");
    if (fitf == NULL) {
      snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", path, strerror(errno));
      return PHSIM_EIO;
    }
    st = scale_one(j, d, &figs[f], fitf, xdiv, xl, &drawn, err);
    if (close_checked(fitf, path, st == PHSIM_OK ? err : (char[PHSIM_ERR_MAX]){0}) != PHSIM_OK) st = PHSIM_EIO;
  }
  if (st == PHSIM_OK && drawn == 0) {
    snprintf(err, PHSIM_ERR_MAX, "sweep '%.300s': no metric has 3 values to draw against '%s'",
             j->dir, g->key);
    return PHSIM_EINPUT;
  }
  return st;
}

/* A value as a label: white space (a path's) as '_' so that gnuplot's
 * word() and whitespace tables keep it one word. */
static void put_label(FILE *fp, const char *v) {
  for (; *v; v++) fputc(isspace((unsigned char)*v) ? '_' : *v, fp);
}

/* Is y a power of ten other than 1? */
static int power_of_ten(double y) {
  double k = y > 0 ? round(log10(y)) : 0;
  return y > 0 && k != 0 && fabs(k) < 300 && fabs(y / pow(10, k) - 1) < 1e-9;
}

/* A tic's text for the number y: on an axis of powers of ten, enhanced
 * text's 10^{k} (100 was "1e+02"; scaling.gp's xtic_text does the same),
 * any other number as %.2g. */
static void tic_text(char *buf, size_t n, double y, int powers) {
  if (powers && power_of_ten(y))
    snprintf(buf, n, "10^{%d}", (int)round(log10(y)));
  else
    snprintf(buf, n, "%.2g", y);
}

/* Is every value of g, divided by div, a power of ten other than 1 (then
 * the tics read 10^{k}; a mixed axis reads plain numbers throughout)? */
static int all_powers(const phsim_grid *g, double div) {
  double x;
  for (size_t i = 0; i < g->n; i++)
    if (!phsim_csv_number(g->values[i], &x) || !power_of_ten(x / div)) return 0;
  return 1;
}

/* set xtics ("label" i, ...): numbers divided by div by tic_text, other
 * values as they are (as escaped literals: this file is gnuplot code);
 * every value up to 10, else about 8 of them. */
static void write_tics(FILE *fp, const char *axis, const phsim_grid *g, double div) {
  size_t n = g->n, step = n > 10 ? (n + 7) / 8 : 1;
  const int powers = all_powers(g, div);
  fprintf(fp, "set %stics (", axis);
  for (size_t i = 0; i < n; i += step) {
    double x;
    char num[32];
    if (i) fputs(", ", fp);
    if (phsim_csv_number(g->values[i], &x)) {
      tic_text(num, sizeof num, x / div, powers);
      gp_literal(fp, num);
    } else {
      gp_literal(fp, g->values[i]);
    }
    fprintf(fp, " %zu", i);
  }
  fprintf(fp, ")\nset %srange [-0.5:%zu.5]\n", axis, n - 1);
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

#define HEAT_PATH (PATH_MAX + 400)
static FILE *open_in(const plot_job *j, char path[HEAT_PATH], const char *fmt, const char *name,
                     size_t k, char err[PHSIM_ERR_MAX]) {
  char rel[256];
  snprintf(rel, sizeof rel, fmt, name, k);
  snprintf(path, HEAT_PATH, "%s/plots/%s", j->work, rel);
  FILE *fp = fopen(path, "w");
  if (fp == NULL) snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", path, strerror(errno));
  return fp;
}

/* work/plots/heat-NAME-k.dat ("xi yi mean"), heat-NAME-k-never.dat (cells
 * where no faithful run has a value: "never" within the budget),
 * heat-NAME-k-part.dat (cells where some have: "xi yi reached/runs") and
 * heat-NAME-k-unf.dat (cells without a faithful run). */
static int heat_facet(const plot_job *j, const sweep_data *d, const heat_metric *hm,
                      const heat_cells *hc, size_t fc, char err[PHSIM_ERR_MAX]) {
  const size_t nx = d->s.grids[d->key[0]].n, ny = d->s.grids[d->key[1]].n;
  char p[4][HEAT_PATH];
  FILE *f[4] = {open_in(j, p[0], "heat-%s-%zu.dat", hm->name, fc + 1, err),
                open_in(j, p[1], "heat-%s-%zu-never.dat", hm->name, fc + 1, err),
                open_in(j, p[2], "heat-%s-%zu-part.dat", hm->name, fc + 1, err),
                open_in(j, p[3], "heat-%s-%zu-unf.dat", hm->name, fc + 1, err)};
  int st = f[0] && f[1] && f[2] && f[3] ? PHSIM_OK : PHSIM_EIO;
  for (size_t x = 0; st == PHSIM_OK && x < nx; x++) {
    for (size_t y = 0; y < ny; y++) {
      size_t c = (fc * nx + x) * ny + y;
      fprintf(f[0], "%zu %zu %.6g\n", x, y, hc->cnt[c] > 0 ? hc->sum[c] / hc->cnt[c] : NAN);
      if (hc->tot[c] > 0 && hc->cnt[c] == 0) fprintf(f[1], "%zu %zu\n", x, y);
      if (hm->T3 && hc->cnt[c] > 0 && hc->cnt[c] < hc->tot[c])
        fprintf(f[2], "%zu %zu %.0f/%.0f\n", x, y, hc->cnt[c], hc->tot[c]);
      if (hc->tot[c] == 0) fprintf(f[3], "%zu %zu\n", x, y);
    }
    fputc('\n', f[0]);
  }
  /* gnuplot refuses empty data files: a point off the axes */
  for (int k = 1; st == PHSIM_OK && k < 4; k++) fputs(k == 2 ? "-9 -9 x\n" : "-9 -9\n", f[k]);
  for (int k = 0; k < 4; k++)
    if (f[k] && close_checked(f[k], p[k], err) != PHSIM_OK) st = PHSIM_EIO;
  return st;
}

static int heat_files(const plot_job *j, const sweep_data *d, const heat_metric *hm,
                      const heat_cells *hc, size_t nf, char err[PHSIM_ERR_MAX]) {
  const phsim_grid *gx = &d->s.grids[d->key[0]], *gy = &d->s.grids[d->key[1]];
  char path[PATH_MAX + 160];
  char lab[AXIS_LABEL_MAX];
  for (size_t fc = 0; fc < nf; fc++)
    if (heat_facet(j, d, hm, hc, fc, err) != PHSIM_OK) return PHSIM_EIO;
  snprintf(path, sizeof path, "%s/plots/heat-tics.gp", j->work);
  FILE *tics = fopen(path, "w");
  if (tics == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", path, strerror(errno));
    return PHSIM_EIO;
  }
  write_tics(tics, "x", gx, axis_ratio(d, gx, lab));
  write_tics(tics, "y", gy, axis_ratio(d, gy, lab));
  return close_checked(tics, path, err);
}

/* Runs per cell (the seed grid), the budget, what was left out. */
static void heat_vars(gp_vars *v, const sweep_data *d, const heat_cells *hc, size_t ncells) {
  size_t seeds = 1;
  double unf = 0;
  char lx[AXIS_LABEL_MAX], ly[AXIS_LABEL_MAX];
  for (size_t k = 0; k < d->s.ngrids; k++)
    if (strcmp(d->s.grids[k].key, "seed") == 0) seeds = d->s.grids[k].n;
  for (size_t c = 0; c < ncells; c++) unf += hc->unf[c];
  axis_ratio(d, &d->s.grids[d->key[0]], lx);
  gp_str(v, "xlabel_", lx);
  axis_ratio(d, &d->s.grids[d->key[1]], ly);
  gp_str(v, "ylabel_", ly);
  gp_int(v, "nseeds", (long long)seeds);
  char budget[160];
  budget_text(d, budget, sizeof budget);
  gp_str(v, "budget_", budget);
  gp_int(v, "unfaithful", (long long)unf);
}

/* Mean of the metric per (x, y) cell for each facet, over the runs that
 * are not marked flow-unfaithful. */
static int plot_heat(const plot_job *j, const sweep_data *d, const heat_metric *hm,
                     char err[PHSIM_ERR_MAX]) {
  const phsim_grid *gx = &d->s.grids[d->key[0]], *gy = &d->s.grids[d->key[1]];
  size_t nf;
  phsim_facet_of(d, 0, &nf);
  if (nf > PLOT_MAX_FACETS) {
    snprintf(err, PHSIM_ERR_MAX, "sweep '%.300s': the third and later swept keys make %zu maps; "
             "plot draws at most %d side by side", j->dir, nf, PLOT_MAX_FACETS);
    return PHSIM_EINPUT;
  }
  const size_t ncells = gx->n * gy->n * nf;
  heat_cells hc;
  char *facets = facet_names(d, nf);
  int st = phsim_heat_cells_fill(&hc, d, hm, nf);
  if (facets == NULL) st = PHSIM_ENOMEM;
  if (st == PHSIM_OK) st = heat_files(j, d, hm, &hc, nf, err);
  gp_vars v;
  if (st == PHSIM_OK) st = gp_begin(&v, err);
  if (st == PHSIM_OK) {
    gp_str(&v, "dir", j->work);
    gp_str(&v, "name", hm->name);
    gp_int(&v, "nfacets", (long long)nf);
    gp_str(&v, "facets", facets);
    gp_str(&v, "zlabel_", hm->label);
    gp_num(&v, "zmax", hm->zmax);
    double lo, hi; /* one colour scale for every facet */
    phsim_heat_range(&hc, ncells, &lo, &hi);
    gp_num(&v, "zlo", lo);
    gp_num(&v, "zhi", hi);
    heat_vars(&v, d, &hc, ncells);
    if (j->rule != NULL) gp_str(&v, "rule", j->rule);
    st = gnuplot(&v, "heat.gp", err);
  }
  phsim_heat_cells_free(&hc);
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
    fprintf(fn, "%s%zu_feature%s", k ? " " : "", k, k == 1 ? "" : "s"); /* _: a space */
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
  const heat_metric weak = {"T3", "log_{10} T_3 (steps until every feature is learned; mean)", 1, 1, -1};
  int st = plot_heat(j, d, &features, err);
  return st == PHSIM_OK ? plot_heat(j, d, &weak, err) : st;
}

static int plot_sweep(const char *dir, const char *rule, FILE *written,
                      char err[PHSIM_ERR_MAX]) {
  sweep_data d;
  memset(&d, 0, sizeof d);
  int st = phsim_sweep_meta_read(dir, &d.s, err);
  if (st != PHSIM_OK) return st;
  plot_job j;
  job_init(&j, dir, written);
  j.rule = rule;
  st = load_rows(&j, &d, 0, err); /* nothing is created for bad input */
  if (st == PHSIM_OK) st = work_open(&j, dir, err);
  if (st == PHSIM_OK) {
    st = load_rows(&j, &d, 1, err);
    if (st == PHSIM_OK) st = draw_sweep(&j, &d, err);
    st = work_close(&j, st, err);
  }
  free(d.rows);
  phsim_sweep_free(&d.s);
  return st;
}

int phsim_plot_dir(const char *dir, FILE *written, char err[PHSIM_ERR_MAX]) {
  return phsim_plot_dir_rule(dir, NULL, written, err);
}

int phsim_plot_dir_rule(const char *dir, const char *rule, FILE *written,
                        char err[PHSIM_ERR_MAX]) {
  if (rule != NULL && strlen(rule) > PHSIM_PLOT_RULE_MAX) {
    snprintf(err, PHSIM_ERR_MAX, "--rule has %zu bytes; allowed: at most %d",
             strlen(rule), PHSIM_PLOT_RULE_MAX);
    return PHSIM_EINPUT;
  }
  char abs[PATH_MAX];
  if (realpath(dir, abs) == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open directory '%.400s': %s", dir, strerror(errno));
    return PHSIM_EINPUT;
  }
  if (strlen(abs) > PHSIM_PATH_MAX - 64) {
    snprintf(err, PHSIM_ERR_MAX, "directory '%.300s...' is too long to plot", abs);
    return PHSIM_EINPUT;
  }
  if (exists(abs, "trajectory.csv") && exists(abs, "summary.json")) return plot_run(abs, written, err);
  if (exists(abs, "sweep.csv") && exists(abs, "sweep.json")) return plot_sweep(abs, rule, written, err);
  snprintf(err, PHSIM_ERR_MAX,
           "'%.300s' is neither a run (trajectory.csv, summary.json) nor a sweep "
           "(sweep.csv, sweep.json)",
           dir);
  return PHSIM_EINPUT;
}
