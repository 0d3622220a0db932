/* plot.c: drive gnuplot over runs and sweeps. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include "phsim_plot.h"

#include <ctype.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "phsim_fit.h"
#include "phsim_io.h"
#include "phsim_spawn.h"

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

/* Variables for gnuplot's -e, built in memory.  Every string reaches
 * gnuplot as a double-quoted literal in which each byte other than
 * [A-Za-z0-9/._=, -] is an octal escape: no quote, backquote, '@', '$',
 * backslash or newline of a path is ever seen by gnuplot's parser. */
typedef struct {
  char *buf;
  size_t len;
  FILE *fp;
} gp_vars;

static int gp_begin(gp_vars *v) {
  v->buf = NULL;
  v->len = 0;
  v->fp = open_memstream(&v->buf, &v->len);
  return v->fp != NULL;
}

static void gp_str(gp_vars *v, const char *name, const char *value) {
  fprintf(v->fp, "%s=\"", name);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (isalnum(*p) || strchr("/._=, -", *p) != NULL) fputc(*p, v->fp);
    else fprintf(v->fp, "\\%03o", *p);
  }
  fputs("\"; ", v->fp);
}

static void gp_num(gp_vars *v, const char *name, double x) {
  fprintf(v->fp, "%s=%.17g; ", name, x);
}

static void gp_int(gp_vars *v, const char *name, long long x) {
  fprintf(v->fp, "%s=%lld; ", name, x);
}

/* gnuplot -e VARS SCRIPT, run inside plots/ so that scripts find each
 * other; argument vector, no shell (phsim_spawn).  Frees the variables. */
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

/* dir/name as JSON, or NULL with a message. */
static json_t *load_json(const char *dir, const char *name, char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  json_t *v = json_load_file(path, 0, NULL);
  if (v == NULL) snprintf(err, PHSIM_ERR_MAX, "cannot read '%.400s'", path);
  return v;
}

static long phase(json_t *phases, const char *name) {
  json_t *v = json_object_get(phases, name);
  return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static int plot_run(const char *dir, char err[PHSIM_ERR_MAX]) {
  json_t *s = load_json(dir, "summary.json", err);
  if (s == NULL) return PHSIM_EINPUT;
  json_t *cfg = json_object_get(s, "config"), *ph = json_object_get(s, "phases");
  gp_vars v;
  if (!gp_begin(&v)) {
    json_decref(s);
    snprintf(err, PHSIM_ERR_MAX, "out of memory");
    return PHSIM_ENOMEM;
  }
  const char *head = json_string_value(json_object_get(cfg, "head"));
  gp_str(&v, "dir", dir);
  gp_int(&v, "m", (long long)json_integer_value(json_object_get(cfg, "m")));
  gp_int(&v, "K", (long long)json_array_size(json_object_get(cfg, "alpha")));
  gp_int(&v, "steps", (long long)json_integer_value(json_object_get(s, "steps")));
  gp_str(&v, "head", head ? head : "?");
  gp_int(&v, "T1", phase(ph, "T1"));
  gp_int(&v, "T2", phase(ph, "T2"));
  gp_int(&v, "T3", phase(ph, "T3"));
  gp_int(&v, "T4", phase(ph, "T4"));
  json_decref(s);
  return gnuplot(&v, "run.gp", err);
}

/* The sweep's grid keys other than seed, in grid order. */
static size_t swept_keys(json_t *grids, json_t **keys) {
  size_t n = 0;
  for (size_t k = 0; k < json_array_size(grids); k++) {
    json_t *g = json_array_get(grids, k);
    if (strcmp(json_string_value(json_object_get(g, "key")), "seed") != 0) keys[n++] = g;
  }
  return n;
}

static int plot_scaling(const char *dir, const char *xkey, char err[PHSIM_ERR_MAX]) {
  static const char *const metrics[] = {"T1", "T3", "E_substitution", "E_peak"};
  char csv[PATH_MAX + 32];
  snprintf(csv, sizeof csv, "%s/sweep.csv", dir);
  int plotted = 0;
  for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
    phsim_fit_result fit;
    char msg[PHSIM_ERR_MAX];
    if (phsim_fit_csv(csv, xkey, metrics[i], 1, NULL, 0, &fit, msg) != PHSIM_OK) continue;
    if (fit.slope == 0.0 && fit.slope_se == 0.0) continue; /* constant: no axis */
    gp_vars v;
    if (!gp_begin(&v)) return PHSIM_ENOMEM;
    char expect[64];
    snprintf(expect, sizeof expect, "%zu runs", fit.n);
    gp_str(&v, "dir", dir);
    gp_str(&v, "xkey", xkey);
    gp_str(&v, "ykey", metrics[i]);
    gp_num(&v, "slope", fit.slope);
    gp_num(&v, "intercept", fit.intercept);
    gp_num(&v, "slope_se", fit.slope_se);
    gp_str(&v, "expect", expect);
    int st = gnuplot(&v, "scaling.gp", err);
    if (st != PHSIM_OK) return st;
    plotted++;
  }
  if (plotted == 0) {
    snprintf(err, PHSIM_ERR_MAX, "sweep '%.300s': no metric has 3 positive values to fit against '%s'", dir, xkey);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

/* Index of a value in a grid's value list. */
static long value_index(json_t *g, const char *v) {
  json_t *vals = json_object_get(g, "values");
  for (size_t i = 0; i < json_array_size(vals); i++)
    if (strcmp(json_string_value(json_array_get(vals, i)), v) == 0) return (long)i;
  return -1;
}

static void write_tics(FILE *fp, const char *axis, json_t *g) {
  json_t *vals = json_object_get(g, "values");
  size_t n = json_array_size(vals), step = n > 6 ? (n + 5) / 6 : 1;
  fprintf(fp, "set %stics (", axis);
  for (size_t i = 0; i < n; i += step)
    fprintf(fp, "%s\"%.3g\" %zu", i ? ", " : "", atof(json_string_value(json_array_get(vals, i))), i);
  fprintf(fp, ")\nset %srange [-0.5:%zu.5]\n", axis, n - 1);
}

/* A heat-map metric: the mean per cell of a sweep.csv column (of its log10
 * when logscale, over the runs where it is set). */
typedef struct {
  const char *column, *name, *label;
  int logscale;
  double zmax; /* colour range [0, zmax]; <= 0: automatic */
} heat_metric;

/* Mean of the metric per (x, y) cell for each facet (combination of the
 * remaining keys' values), from sweep.csv. */
static int plot_heat(const char *dir, json_t **keys, size_t nkeys,
                     const heat_metric *hm, char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/plots", dir);
  int st = phsim_mkdir_p(path, err);
  if (st != PHSIM_OK) return st;
  const size_t nx = json_array_size(json_object_get(keys[0], "values"));
  const size_t ny = json_array_size(json_object_get(keys[1], "values"));
  size_t nf = 1;
  for (size_t k = 2; k < nkeys; k++) nf *= json_array_size(json_object_get(keys[k], "values"));
  double *sum = calloc(nx * ny * nf, sizeof *sum), *cnt = calloc(nx * ny * nf, sizeof *cnt);
  snprintf(path, sizeof path, "%s/sweep.csv", dir);
  FILE *fp = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  long col[PHSIM_CSV_MAX_COLS] = {0}, fl = -1;
  for (size_t row = 0; fp && getline(&line, &cap, fp) != -1; row++) {
    char *f[PHSIM_CSV_MAX_COLS];
    size_t n = phsim_csv_split(line, f);
    if (row == 0) {
      fl = phsim_csv_column(f, n, hm->column);
      for (size_t k = 0; k < nkeys; k++)
        col[k] = phsim_csv_column(f, n, json_string_value(json_object_get(keys[k], "key")));
      continue;
    }
    int complete = fl >= 0 && (size_t)fl < n && *f[fl] != '\0';
    for (size_t k = 0; k < nkeys; k++) complete &= col[k] >= 0 && (size_t)col[k] < n;
    if (!complete) continue;
    long xi = value_index(keys[0], f[col[0]]), yi = value_index(keys[1], f[col[1]]);
    size_t facet = 0;
    for (size_t k = 2; k < nkeys; k++)
      facet = facet * json_array_size(json_object_get(keys[k], "values")) +
              (size_t)value_index(keys[k], f[col[k]]);
    if (xi < 0 || yi < 0) continue;
    size_t cell = (facet * nx + (size_t)xi) * ny + (size_t)yi;
    double v = atof(f[fl]);
    if (hm->logscale && !(v > 0)) continue;
    sum[cell] += hm->logscale ? log10(v) : v;
    cnt[cell] += 1;
  }
  if (fp) fclose(fp);
  free(line);
  char facets[2048] = "";
  for (size_t fc = 0; fc < nf; fc++) {
    /* facet name: key=value of the remaining keys */
    char name[256] = "", *p = name;
    size_t rem = fc;
    for (size_t k = nkeys; k-- > 2;) {
      size_t nv = json_array_size(json_object_get(keys[k], "values"));
      char part[128];
      snprintf(part, sizeof part, "%s=%s%s", json_string_value(json_object_get(keys[k], "key")),
               json_string_value(json_array_get(json_object_get(keys[k], "values"), rem % nv)),
               p == name ? "" : ",");
      memmove(name + strlen(part), name, strlen(name) + 1);
      memcpy(name, part, strlen(part));
      rem /= nv;
    }
    if (nkeys == 2) snprintf(name, sizeof name, "all");
    strncat(facets, name, sizeof facets - strlen(facets) - 2);
    strcat(facets, " ");
    snprintf(path, sizeof path, "%s/plots/heat-%s-%zu.dat", dir, hm->name, fc + 1);
    FILE *out = fopen(path, "w");
    if (out == NULL) break;
    for (size_t x = 0; x < nx; x++) {
      for (size_t y = 0; y < ny; y++) {
        size_t cell = (fc * nx + x) * ny + y;
        fprintf(out, "%zu %zu %.6g\n", x, y, cnt[cell] > 0 ? sum[cell] / cnt[cell] : NAN);
      }
      fputc('\n', out);
    }
    fclose(out);
  }
  free(sum);
  free(cnt);
  snprintf(path, sizeof path, "%s/plots/heat-tics.gp", dir);
  FILE *tics = fopen(path, "w");
  if (tics == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s'", path);
    return PHSIM_EIO;
  }
  write_tics(tics, "x", keys[0]);
  write_tics(tics, "y", keys[1]);
  fclose(tics);
  gp_vars v;
  if (!gp_begin(&v)) return PHSIM_ENOMEM;
  gp_str(&v, "dir", dir);
  gp_str(&v, "name", hm->name);
  gp_int(&v, "nfacets", (long long)nf);
  gp_str(&v, "facets", facets);
  gp_str(&v, "xlabel_", json_string_value(json_object_get(keys[0], "key")));
  gp_str(&v, "ylabel_", json_string_value(json_object_get(keys[1], "key")));
  gp_str(&v, "zlabel_", hm->label);
  gp_num(&v, "zmax", hm->zmax);
  return gnuplot(&v, "heat.gp", err);
}

/* Runs by features learned (0..K), one group per value of `key` (all runs
 * in one group when key is NULL): dir/plots/outcomes.{png,pdf}. */
static int plot_outcomes(const char *dir, json_t *key, long K,
                         char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/plots", dir);
  int st = phsim_mkdir_p(path, err);
  if (st != PHSIM_OK) return st;
  const size_t ng = key ? json_array_size(json_object_get(key, "values")) : 1;
  long *count = calloc(ng * ((size_t)K + 1), sizeof *count);
  const char *kname = key ? json_string_value(json_object_get(key, "key")) : NULL;
  snprintf(path, sizeof path, "%s/sweep.csv", dir);
  FILE *fp = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  long fcol = -1, kcol = -1;
  for (size_t row = 0; fp && getline(&line, &cap, fp) != -1; row++) {
    char *f[PHSIM_CSV_MAX_COLS];
    size_t n = phsim_csv_split(line, f);
    if (row == 0) {
      fcol = phsim_csv_column(f, n, "features_learned");
      kcol = kname ? phsim_csv_column(f, n, kname) : -1;
      continue;
    }
    if (fcol < 0 || (size_t)fcol >= n || *f[fcol] == '\0') continue;
    const long v = atol(f[fcol]);
    const long g = kname == NULL ? 0 : (kcol >= 0 && (size_t)kcol < n) ? value_index(key, f[kcol]) : -1;
    if (v >= 0 && v <= K && g >= 0) count[(size_t)g * ((size_t)K + 1) + (size_t)v]++;
  }
  if (fp) fclose(fp);
  free(line);
  snprintf(path, sizeof path, "%s/plots/outcomes.txt", dir);
  FILE *out = fopen(path, "w");
  if (out == NULL) {
    free(count);
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s'", path);
    return PHSIM_EIO;
  }
  char ycols[256] = "", names[512] = "";
  fprintf(out, "group");
  for (long k = 0; k <= K; k++) {
    fprintf(out, " learned_%ld", k);
    snprintf(ycols + strlen(ycols), sizeof ycols - strlen(ycols), "%s%ld", k ? " " : "", k + 2);
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%ld-features", k ? " " : "", k);
  }
  fputc('\n', out);
  for (size_t g = 0; g < ng; g++) {
    if (key) fprintf(out, "%s=%s", kname, json_string_value(json_array_get(json_object_get(key, "values"), g)));
    else fprintf(out, "all");
    for (long k = 0; k <= K; k++) fprintf(out, " %ld", count[g * ((size_t)K + 1) + (size_t)k]);
    fputc('\n', out);
  }
  fclose(out);
  free(count);
  gp_vars v;
  if (!gp_begin(&v)) return PHSIM_ENOMEM;
  char stem[PATH_MAX + 32];
  snprintf(stem, sizeof stem, "%s/plots/outcomes", dir);
  gp_str(&v, "out", stem);
  gp_str(&v, "file", path);
  gp_int(&v, "xcol", 1);
  gp_str(&v, "ycols", ycols);
  gp_str(&v, "names", names);
  gp_str(&v, "ylabel_", "runs");
  gp_str(&v, "title_", "runs by features learned");
  gp_int(&v, "ymax", 0);
  return gnuplot(&v, "table.gp", err);
}

static int plot_sweep(const char *dir, char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 128];
  json_t *meta = load_json(dir, "sweep.json", err);
  if (meta == NULL) return PHSIM_EINPUT;
  json_t *keys[PHSIM_PATH_MAX];
  size_t n = swept_keys(json_object_get(meta, "grids"), keys);
  long K = (long)json_array_size(json_object_get(json_object_get(meta, "base"), "alpha"));
  int st;
  if (n == 0) {
    st = plot_outcomes(dir, NULL, K, err);
  } else if (n == 1) {
    /* a numeric key: scaling fits; else (or too few values): outcomes */
    snprintf(path, sizeof path, "%s/plots", dir);
    st = phsim_mkdir_p(path, err);
    if (st == PHSIM_OK) st = plot_scaling(dir, json_string_value(json_object_get(keys[0], "key")), err);
    if (st == PHSIM_EINPUT) st = plot_outcomes(dir, keys[0], K, err);
  } else {
    const heat_metric features = {"features_learned", "features",
                                  "features learned (mean over seeds)", 0, (double)K};
    const heat_metric weak = {"T3", "T3",
                              "log_{10} of the step every feature is learned (mean)", 1, -1};
    st = plot_heat(dir, keys, n, &features, err);
    if (st == PHSIM_OK) st = plot_heat(dir, keys, n, &weak, err);
  }
  json_decref(meta);
  return st;
}

int phsim_plot_dir(const char *dir, char err[PHSIM_ERR_MAX]) {
  char abs[PATH_MAX];
  if (realpath(dir, abs) == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open directory '%.400s'", dir);
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
