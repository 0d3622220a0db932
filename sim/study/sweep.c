/* sweep.c: grids of independent runs on a pool of threads. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_sweep.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phsim_interrupt.h"
#include "phsim_io.h"
#include "phsim_outdir.h"
#include "phsim_progress.h"
#include "phsim_run.h"
#include "phsim_summary.h"
#include "phsim_sysmem.h"
#include "phsim_sweepio.h"
#include "phsim_validate.h"

/* ---- grids ------------------------------------------------------------ */

static int grid_error(char err[PHSIM_ERR_MAX], const char *arg, const char *why) {
  snprintf(err, PHSIM_ERR_MAX,
           "--grid '%.200s': %s; allowed: key=a:b:n[:log] or key=v1,v2,... "
           "(alpha_<l> for one component of alpha)",
           arg, why);
  return PHSIM_EINPUT;
}

/* Append a copy of value; refuse a value given twice or too long. */
static int grid_add(phsim_grid *g, const char *value, char err[PHSIM_ERR_MAX]) {
  if (strlen(value) >= PHSIM_PATH_MAX) {
    snprintf(err, PHSIM_ERR_MAX, "grid '%s': a value of %zu characters; allowed: fewer than %d",
             g->key, strlen(value), PHSIM_PATH_MAX);
    return PHSIM_EINPUT;
  }
  g->values[g->n] = strdup(value);
  if (g->values[g->n] == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "out of memory");
    return PHSIM_ENOMEM;
  }
  g->n++;
  return PHSIM_OK;
}

/* alpha_<l> -> l - 1 (checked against K), else -1 for a plain key. */
static int grid_component(const char *key, const phsim_config *base,
                          int *component) {
  *component = -1;
  if (strncmp(key, "alpha_", 6) != 0) return phsim_config_key_is_integer(key) >= 0;
  char *end = NULL;
  long l = strtol(key + 6, &end, 10);
  if (end == key + 6 || *end != '\0' || l < 1 || (size_t)l > base->K) return 0;
  *component = (int)(l - 1);
  return 1;
}

static int set_component(phsim_config *cfg, int l, const char *value,
                         char err[PHSIM_ERR_MAX]);

static int compare_text(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* No value twice (sorted copy: n log n for 10^4 values). */
static int grid_distinct(const phsim_grid *g, char err[PHSIM_ERR_MAX]) {
  char **v = malloc((g->n ? g->n : 1) * sizeof *v);
  if (v == NULL) return PHSIM_ENOMEM;
  memcpy(v, g->values, g->n * sizeof *v);
  qsort(v, g->n, sizeof *v, compare_text);
  int st = PHSIM_OK;
  for (size_t i = 1; i < g->n && st == PHSIM_OK; i++)
    if (strcmp(v[i - 1], v[i]) == 0) {
      snprintf(err, PHSIM_ERR_MAX, "grid '%s': value '%.200s' is given twice; allowed: distinct values",
               g->key, v[i]);
      st = PHSIM_EINPUT;
    }
  free(v);
  return st;
}

/* Every value of g is distinct and applies to the base configuration on
 * its own. */
static int grid_values_apply(const phsim_grid *g, const phsim_config *base,
                             char err[PHSIM_ERR_MAX]) {
  int st = grid_distinct(g, err);
  if (st != PHSIM_OK) return st;
  for (size_t i = 0; i < g->n; i++) {
    phsim_config cfg = *base;
    char msg[PHSIM_ERR_MAX];
    int st = g->component >= 0 ? set_component(&cfg, g->component, g->values[i], msg)
                               : phsim_config_set(&cfg, g->key, g->values[i], msg);
    if (st != PHSIM_OK) {
      snprintf(err, PHSIM_ERR_MAX, "grid '%s': %.400s", g->key, msg);
      return st;
    }
  }
  return PHSIM_OK;
}

/* a:b:n[:log] -> n formatted values (integers rounded for integer keys). */
static int grid_range(const char *arg, const char *spec, int integer,
                      phsim_grid *g, char err[PHSIM_ERR_MAX]) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", spec);
  char *parts[4] = {NULL};
  size_t np = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ":", &save); tok && np < 4;
       tok = strtok_r(NULL, ":", &save))
    parts[np++] = tok;
  int logscale = np == 4 && strcmp(parts[3], "log") == 0;
  if (np < 3 || (np == 4 && !logscale)) return grid_error(err, arg, "malformed range");
  char *e1, *e2, *e3;
  double a = strtod(parts[0], &e1), b = strtod(parts[1], &e2);
  long n = strtol(parts[2], &e3, 10);
  if (*e1 || *e2 || *e3 || !isfinite(a) || !isfinite(b))
    return grid_error(err, arg, "a and b must be numbers and n an integer");
  if (n < 1 || n > PHSIM_MAX_GRID_VALUES)
    return grid_error(err, arg, "n must be from 1 to 10000");
  if (logscale && !(a > 0 && b > 0))
    return grid_error(err, arg, "a log range needs a > 0 and b > 0");
  g->values = calloc((size_t)n, sizeof *g->values);
  if (g->values == NULL) return grid_error(err, arg, "out of memory");
  for (long i = 0; i < n; i++) {
    double t = n == 1 ? 0.0 : (double)i / (double)(n - 1);
    double x = logscale ? a * pow(b / a, t) : a + (b - a) * t;
    char v[64];
    if (integer) snprintf(v, sizeof v, "%.0f", round(x));
    else snprintf(v, sizeof v, "%.17g", x);
    if (grid_add(g, v, err) != PHSIM_OK) return grid_error(err, arg, "a value is too long");
  }
  if (grid_distinct(g, err) != PHSIM_OK)
    return grid_error(err, arg, integer ? "integer rounding gives a value twice (fewer points, or a wider range)"
                                        : "a value repeats");
  return PHSIM_OK;
}

static void grid_clear(phsim_grid *g) {
  for (size_t i = 0; i < g->n; i++) free(g->values[i]);
  free(g->values);
  g->values = NULL;
  g->n = 0;
}

static int grid_parse_into(const char *arg, const phsim_config *base, phsim_grid *g,
                           char err[PHSIM_ERR_MAX]);

int phsim_grid_parse(const char *arg, const phsim_config *base, phsim_grid *g,
                     char err[PHSIM_ERR_MAX]) {
  int st = grid_parse_into(arg, base, g, err);
  if (st != PHSIM_OK) grid_clear(g); /* nothing is left to free */
  return st;
}

static int grid_parse_into(const char *arg, const phsim_config *base, phsim_grid *g,
                           char err[PHSIM_ERR_MAX]) {
  memset(g, 0, sizeof *g);
  const char *eq = strchr(arg, '=');
  if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof g->key)
    return grid_error(err, arg, "expected key=...");
  memcpy(g->key, arg, (size_t)(eq - arg));
  g->key[eq - arg] = '\0';
  if (!grid_component(g->key, base, &g->component))
    return grid_error(err, arg, "unknown key or alpha component");
  if (strcmp(g->key, "alpha") == 0 || strcmp(g->key, "pi") == 0)
    return grid_error(err, arg, "a list key cannot be swept whole");
  const char *spec = eq + 1;
  if (strchr(spec, ':') != NULL) {
    int st = grid_range(arg, spec, g->component < 0 && phsim_config_key_is_integer(g->key) == 1,
                        g, err);
    return st == PHSIM_OK ? grid_values_apply(g, base, err) : st;
  }
  size_t count = 1;
  for (const char *p = spec; *p; p++) count += (*p == ',');
  if (count > PHSIM_MAX_GRID_VALUES) return grid_error(err, arg, "too many values");
  g->values = calloc(count, sizeof *g->values);
  char *buf = strdup(spec);
  if (g->values == NULL || buf == NULL) {
    free(buf);
    return grid_error(err, arg, "out of memory");
  }
  char *p = buf;
  int st = PHSIM_OK;
  for (size_t i = 0; i < count && st == PHSIM_OK; i++) {
    char *comma = strchr(p, ',');
    if (comma) *comma = '\0';
    if (*p == '\0') st = grid_error(err, arg, "empty value");
    else st = grid_add(g, p, err);
    p = comma ? comma + 1 : p + strlen(p);
  }
  free(buf);
  if (st == PHSIM_OK) st = grid_values_apply(g, base, err);
  return st;
}

int phsim_grid_set(phsim_grid *g, const char *key, const char *const *values,
                   size_t n, const phsim_config *base, char err[PHSIM_ERR_MAX]) {
  memset(g, 0, sizeof *g);
  if (strlen(key) >= sizeof g->key || !grid_component(key, base, &g->component) ||
      strcmp(key, "alpha") == 0 || strcmp(key, "pi") == 0) {
    snprintf(err, PHSIM_ERR_MAX, "grid key '%.100s'; allowed: a key of 'phsim keys' other than "
             "alpha and pi, or alpha_<l> with l from 1 to K", key);
    return PHSIM_EINPUT;
  }
  strcpy(g->key, key);
  if (n < 1 || n > PHSIM_MAX_GRID_VALUES) {
    snprintf(err, PHSIM_ERR_MAX, "grid '%s': %zu values; allowed: 1 to %d", key, n,
             PHSIM_MAX_GRID_VALUES);
    return PHSIM_EINPUT;
  }
  g->values = calloc(n, sizeof *g->values);
  if (g->values == NULL) return PHSIM_ENOMEM;
  int st = PHSIM_OK;
  for (size_t i = 0; i < n && st == PHSIM_OK; i++) {
    if (values[i][0] == '\0') {
      snprintf(err, PHSIM_ERR_MAX, "grid '%s': value %zu is empty", key, i + 1);
      st = PHSIM_EINPUT;
    } else {
      st = grid_add(g, values[i], err);
    }
  }
  if (st == PHSIM_OK) st = grid_values_apply(g, base, err);
  if (st != PHSIM_OK) grid_clear(g);
  return st;
}

int phsim_sweep_check_grids(phsim_sweep *s, char err[PHSIM_ERR_MAX]) {
  size_t points = 1;
  for (size_t k = 0; k < s->ngrids; k++) {
    for (size_t j = 0; j < k; j++)
      if (strcmp(s->grids[j].key, s->grids[k].key) == 0) {
        snprintf(err, PHSIM_ERR_MAX, "--grid '%s' is given twice; allowed: each key once "
                 "(list every value in one --grid)", s->grids[k].key);
        return PHSIM_EINPUT;
      }
    if (points > PHSIM_MAX_POINTS / s->grids[k].n) {
      snprintf(err, PHSIM_ERR_MAX, "the grids make more than %.0f points (the product of "
               "their sizes); allowed: at most %.0f",
               (double)PHSIM_MAX_POINTS, (double)PHSIM_MAX_POINTS);
      return PHSIM_EINPUT;
    }
    points *= s->grids[k].n;
  }
  s->npoints = points;
  return PHSIM_OK;
}

void phsim_sweep_free(phsim_sweep *s) {
  for (size_t k = 0; k < s->ngrids; k++) {
    for (size_t i = 0; i < s->grids[k].n; i++) free(s->grids[k].values[i]);
    free(s->grids[k].values);
  }
  s->ngrids = 0;
}

/* How far apart two points are whose only difference is one step in grid
 * k's value (last grid fastest). */
static size_t grid_stride(const phsim_sweep *s, size_t k) {
  size_t stride = 1;
  for (size_t j = k + 1; j < s->ngrids; j++) stride *= s->grids[j].n;
  return stride;
}

/* Index of grid k's value at point idx. */
static size_t grid_index(const phsim_sweep *s, size_t idx, size_t k) {
  return (idx / grid_stride(s, k)) % s->grids[k].n;
}

static int set_component(phsim_config *cfg, int l, const char *value,
                         char err[PHSIM_ERR_MAX]) {
  char *end = NULL;
  double x = strtod(value, &end);
  if (end == value || *end != '\0' || !isfinite(x) || !(x > 0.0)) {
    snprintf(err, PHSIM_ERR_MAX,
             "key 'alpha_%d': value '%s' is not a number > 0; allowed: a "
             "finite number > 0",
             l + 1, value);
    return PHSIM_EINPUT;
  }
  cfg->alpha[l] = x;
  return PHSIM_OK;
}

int phsim_sweep_point(const phsim_sweep *s, size_t idx, phsim_config *cfg,
                      char err[PHSIM_ERR_MAX]) {
  *cfg = s->base;
  for (size_t k = 0; k < s->ngrids; k++) {
    const phsim_grid *g = &s->grids[k];
    const char *v = g->values[grid_index(s, idx, k)];
    int st = g->component >= 0 ? set_component(cfg, g->component, v, err)
                               : phsim_config_set(cfg, g->key, v, err);
    if (st != PHSIM_OK) return st;
  }
  char msg[PHSIM_ERR_MAX];
  /* the init files: read when the sweep plans and by each point's run */
  int st = phsim_config_validate_keys(cfg, msg);
  if (st != PHSIM_OK) snprintf(err, PHSIM_ERR_MAX, "sweep point %zu: %.400s", idx, msg);
  return st;
}

/* ---- init files: read once per sweep ----------------------------------- */

/* One entry per distinct (init_W, init_E, m, d, head) among the points,
 * read and checked when the sweep plans, before any work; the runs start
 * from it (phsim_run_opts.initial, shared read-only) and read no file. */
typedef struct {
  phsim_config key; /* the first point that read it */
  phsim_initial init;
} initial_entry;

static int same_initial(const phsim_config *a, const phsim_config *b) {
  return strcmp(a->init_W, b->init_W) == 0 && strcmp(a->init_E, b->init_E) == 0 &&
         a->m == b->m && a->d == b->d && a->head == b->head;
}

/* ---- the pool --------------------------------------------------------- */

typedef struct {
  phsim_sweep *s;
  size_t *todo, ntodo, done;
  size_t *job_slot, *job_start, njobs, next; /* job j: job_slot[job_start[j] ..
                                                job_start[j + 1]), in order */
  int *status;              /* per todo entry */
  char **rows;              /* per todo entry: its line of the CSV, until written */
  unsigned char *finished;  /* per todo entry: its worker is done with it */
  size_t *repeats;          /* per todo entry: the next entry whose run it is
                               (a chain from the entry that runs), or SIZE_MAX */
  size_t repeat_grid;       /* the eta_E grid points may repeat along, or
                               SIZE_MAX: none (repeats_along) */
  size_t written;           /* entries whose line is in the CSV (or has none) */
  FILE *csv;
  char errmsg[PHSIM_ERR_MAX];
  int failed;               /* an I/O error stops the sweep */
  phsim_progress bar;
  pthread_mutex_t lock;
  const volatile int *watched; /* the caller's stop flag, watched by every worker */
  initial_entry *initial;   /* the init files read, ninitial of them */
  size_t ninitial;
  size_t *initial_at;       /* per todo entry: its entry, or SIZE_MAX (none) */
  int runs_fd;              /* runs/, open: each point's directory made in it */
  size_t *disk, ndisk;      /* the points whose directory was there before */
} pool;

/* Todo entry t's init files: an entry read before, or read now. */
static int plan_initial(pool *p, size_t t, const phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  p->initial_at[t] = SIZE_MAX;
  if (cfg->init_W[0] == '\0' && cfg->init_E[0] == '\0') return PHSIM_OK;
  for (size_t e = 0; e < p->ninitial; e++)
    if (same_initial(&p->initial[e].key, cfg)) {
      p->initial_at[t] = e;
      return PHSIM_OK;
    }
  initial_entry *grown = realloc(p->initial, (p->ninitial + 1) * sizeof *grown);
  if (grown == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "out of memory for the init files of point %zu", p->todo[t]);
    return PHSIM_ENOMEM;
  }
  p->initial = grown;
  char msg[PHSIM_ERR_MAX];
  int st = phsim_config_validate_initial(cfg, &grown[p->ninitial].init, msg);
  if (st != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "sweep point %zu: %.400s", p->todo[t], msg);
    return st;
  }
  grown[p->ninitial].key = *cfg;
  p->initial_at[t] = p->ninitial++;
  return PHSIM_OK;
}

static void free_initial(pool *p) {
  for (size_t e = 0; e < p->ninitial; e++) phsim_initial_free(&p->initial[e].init);
  free(p->initial);
  free(p->initial_at);
}

static void run_dir(const phsim_sweep *s, size_t idx, char *buf, size_t n) {
  snprintf(buf, n, "%s/runs/%06zu", s->out, idx);
}

/* The summary of point idx on disk if it is a run of cfg (checked) with
 * every column of this phsim's table (an older phsim's lacks the end of
 * substitution by the pull: its run is run again). */
static int summary_of(const phsim_sweep *s, size_t idx, const phsim_config *cfg,
                      phsim_summary *sum) {
  char path[PHSIM_PATH_MAX + 64], msg[PHSIM_ERR_MAX];
  snprintf(path, sizeof path, "%s/runs/%06zu/summary.json", s->out, idx);
  if (phsim_summary_read(path, sum, msg) != PHSIM_OK) return 0;
  json_t *want = phsim_config_to_json(cfg), *got = phsim_config_to_json(&sum->cfg);
  const int same = json_equal(got, want) && sum->phases.pull_to_one_step != -2;
  json_decref(want);
  json_decref(got);
  if (!same) phsim_summary_free(sum);
  return same;
}

/* A line's first fields: the index and the point's grid values. */
static void csv_point(FILE *fp, const phsim_sweep *s, size_t idx) {
  fprintf(fp, "%zu", idx);
  for (size_t k = 0; k < s->ngrids; k++)
    fprintf(fp, ",%s", s->grids[k].values[grid_index(s, idx, k)]);
}

/* How many characters csv_point writes. */
static size_t csv_point_len(const phsim_sweep *s, size_t idx) {
  size_t n = (size_t)snprintf(NULL, 0, "%zu", idx);
  for (size_t k = 0; k < s->ngrids; k++) n += 1 + strlen(s->grids[k].values[grid_index(s, idx, k)]);
  return n;
}

/* Point idx's line: its fields, then those of sum, or (sum NULL) those of
 * the line `row` of point `from` after its point fields. */
static char *csv_line(const phsim_sweep *s, size_t idx, const phsim_summary *sum,
                      size_t from, const char *row) {
  char *text = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&text, &len);
  if (fp == NULL) return NULL;
  csv_point(fp, s, idx);
  if (sum != NULL) {
    phsim_summary_fields(fp, sum);
    fputc('\n', fp);
  } else {
    fputs(row + csv_point_len(s, from), fp);
  }
  if (fclose(fp) != 0) {
    free(text);
    return NULL;
  }
  return text;
}

static char *csv_row(const phsim_sweep *s, size_t idx, const phsim_summary *sum) {
  return csv_line(s, idx, sum, idx, NULL);
}

/* The line of an entry no worker ran to its end: from its run on disk, if
 * that is a run of this point's configuration (never an older sweep's
 * results under this sweep's values); else none. */
static char *csv_row_on_disk(const phsim_sweep *s, size_t idx) {
  phsim_config cfg;
  phsim_summary sum;
  char msg[PHSIM_ERR_MAX];
  if (phsim_sweep_point(s, idx, &cfg, msg) != PHSIM_OK || !summary_of(s, idx, &cfg, &sum))
    return NULL;
  char *row = csv_row(s, idx, &sum);
  phsim_summary_free(&sum);
  return row;
}

static int by_index(const void *a, const void *b) {
  const size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

/* The points that have a run directory (runs/NNNNNN), sorted; *n of them.
 * One readdir instead of a failed open per point: an interrupted sweep of
 * 10^6 points stops in milliseconds, not seconds. */
static size_t *runs_on_disk(const phsim_sweep *s, size_t *n) {
  char path[PHSIM_PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/runs", s->out);
  *n = 0;
  DIR *d = opendir(path);
  size_t cap = 0, *idx = NULL;
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
    char *end, name[32];
    unsigned long long v = strtoull(e->d_name, &end, 10);
    snprintf(name, sizeof name, "%06llu", v); /* run_dir's name for v, 7 digits from 10^6 */
    if (!isdigit((unsigned char)e->d_name[0]) || *end != '\0' || strcmp(name, e->d_name) != 0 ||
        v >= s->npoints)
      continue;
    if (*n == cap) {
      size_t *grown = realloc(idx, (cap = 2 * cap + 64) * sizeof *idx);
      if (grown == NULL) break;
      idx = grown;
    }
    idx[(*n)++] = (size_t)v;
  }
  if (d != NULL) closedir(d);
  if (idx != NULL) qsort(idx, *n, sizeof *idx, by_index);
  return idx;
}

/* Write the lines of the entries finished in order (all: every entry; the
 * ones no worker ran come from their runs on disk, if any). */
static void write_rows(pool *p, int all) {
  size_t ndisk = 0, *disk = all && p->written < p->ntodo ? runs_on_disk(p->s, &ndisk) : NULL;
  for (; p->written < p->ntodo && (all || p->finished[p->written]); p->written++) {
    const size_t idx = p->todo[p->written];
    char *row = p->rows[p->written];
    /* (bsearch only on an array: NULL with 0 members is undefined) */
    if (row == NULL &&
        (!all || (ndisk > 0 && bsearch(&idx, disk, ndisk, sizeof *disk, by_index) != NULL)))
      row = csv_row_on_disk(p->s, idx);
    if (row != NULL && p->csv != NULL) fputs(row, p->csv);
    free(row);
    p->rows[p->written] = NULL;
  }
  free(disk);
}

/* The init files todo entry t starts from (NULL: none). */
static const phsim_initial *initial_for(const pool *p, size_t t) {
  return p->initial_at[t] == SIZE_MAX ? NULL : &p->initial[p->initial_at[t]].init;
}

/* Whether point idx's directory was there when the sweep began. */
static int on_disk(const pool *p, size_t idx) {
  return p->ndisk > 0 && bsearch(&idx, p->disk, p->ndisk, sizeof *p->disk, by_index) != NULL;
}

/* Point idx's directory (its path in dir) as its run makes it: in runs/,
 * open once.  One there before is cleaned of what a killed sweep left.
 * NULL for a table-only sweep (no directory). */
static const char *point_dir(const pool *p, size_t idx, char *dir, size_t n, phsim_at *at) {
  if (p->s->table_only) return NULL;
  run_dir(p->s, idx, dir, n);
  if (on_disk(p, idx)) phsim_outdir_clean_tmp(dir, "");
  *at = (phsim_at){.fd = p->runs_fd, .name = strrchr(dir, '/') + 1};
  return dir;
}

/* Run todo entry t (or, with --resume, take its complete run); its line. */
static int run_point(const pool *p, size_t t, char **row, char err[PHSIM_ERR_MAX]) {
  const size_t idx = p->todo[t];
  char dir[PHSIM_PATH_MAX + 32];
  phsim_at at;
  const char *where = point_dir(p, idx, dir, sizeof dir, &at);
  phsim_run_opts opts = {.trajectory = p->s->keep_trajectories, .timing = 0, .progress = 0,
                         .initial = initial_for(p, t), .at = where != NULL ? &at : NULL};
  phsim_config cfg;
  phsim_summary sum;
  int st = phsim_sweep_point(p->s, idx, &cfg, err);
  if (st != PHSIM_OK) return st;
  if (p->s->resume && on_disk(p, idx) && summary_of(p->s, idx, &cfg, &sum)) {
    if (sum.status != PHSIM_EINTR) {
      *row = csv_row(p->s, idx, &sum);
      phsim_summary_free(&sum);
      return PHSIM_OK;
    }
    phsim_summary_free(&sum);
  }
  opts.summary = &sum;
  st = phsim_run_execute(&cfg, where, opts, err);
  if (st == PHSIM_OK || st == PHSIM_ENUM || st == PHSIM_EINTR) {
    *row = csv_row(p->s, idx, &sum);
    phsim_summary_free(&sum);
  }
  return st;
}

/* The slots of a job of batched points: each taken from disk with --resume
 * when complete, the others run in one batch (phsim_run_batch_execute);
 * their lines and statuses. */
static void run_batch_job(const pool *p, const size_t *slots, size_t n, char **rows,
                          int *status, char (*err)[PHSIM_ERR_MAX]) {
  phsim_config *cfg = calloc(n, sizeof *cfg);
  const phsim_config **cfgs = calloc(n, sizeof *cfgs);
  const char **dirs = calloc(n, sizeof *dirs);
  phsim_run_opts *opts = calloc(n, sizeof *opts);
  phsim_summary *sum = calloc(n, sizeof *sum);
  char (*dir)[PHSIM_PATH_MAX + 32] = calloc(n, sizeof *dir);
  phsim_at *at = calloc(n, sizeof *at);
  size_t *lane = calloc(n, sizeof *lane), nb = 0;
  for (size_t i = 0; i < n && lane != NULL && dir != NULL && sum != NULL && opts != NULL &&
                     dirs != NULL && cfgs != NULL && cfg != NULL && at != NULL; i++) {
    const size_t idx = p->todo[slots[i]];
    status[i] = phsim_sweep_point(p->s, idx, &cfg[nb], err[i]);
    const char *where = point_dir(p, idx, dir[nb], sizeof dir[nb], &at[nb]);
    if (status[i] != PHSIM_OK) continue;
    if (p->s->resume && on_disk(p, idx) && summary_of(p->s, idx, &cfg[nb], &sum[nb])) {
      const int stopped = sum[nb].status == PHSIM_EINTR;
      if (!stopped) rows[i] = csv_row(p->s, idx, &sum[nb]);
      phsim_summary_free(&sum[nb]);
      if (!stopped) continue;
    }
    opts[nb] = (phsim_run_opts){.trajectory = p->s->keep_trajectories, .summary = &sum[nb],
                                .initial = initial_for(p, slots[i]),
                                .at = where != NULL ? &at[nb] : NULL};
    cfgs[nb] = &cfg[nb], dirs[nb] = where, lane[nb++] = i;
  }
  int *st = calloc(nb ? nb : 1, sizeof *st);
  char (*msg)[PHSIM_ERR_MAX] = calloc(nb ? nb : 1, sizeof *msg);
  if (st != NULL && msg != NULL && nb > 0) phsim_run_batch_execute(cfgs, dirs, opts, nb, st, msg);
  for (size_t b = 0; b < nb; b++) {
    const size_t i = lane[b];
    status[i] = st != NULL && msg != NULL ? st[b] : PHSIM_ENOMEM;
    if (msg != NULL) snprintf(err[i], PHSIM_ERR_MAX, "%s", msg[b]);
    if (status[i] == PHSIM_OK || status[i] == PHSIM_ENUM || status[i] == PHSIM_EINTR) {
      rows[i] = csv_row(p->s, p->todo[slots[i]], &sum[b]);
      phsim_summary_free(&sum[b]);
    }
  }
  free(st), free(msg), free(cfg), free(cfgs), free(dirs), free(opts), free(sum), free(dir), free(at), free(lane);
}

/* Job j's slots run: one point alone, or a batch. */
static void run_job(const pool *p, const size_t *slots, size_t n, char **rows,
                    int *status, char (*err)[PHSIM_ERR_MAX]) {
  if (n == 1) status[0] = run_point(p, slots[0], &rows[0], err[0]);
  else run_batch_job(p, slots, n, rows, status, err);
}

/* The entries whose run is todo entry t's (its chain in p->repeats):
 * finished with t's status and t's line after their own point fields, if
 * t's run has a line (ok, diverged, or interrupted: a repeat would have
 * stopped where t did); how many. */
static size_t finish_repeats(pool *p, size_t t) {
  if (p->rows[t] == NULL) return 0;
  const int st = p->status[t];
  size_t n = 0;
  for (size_t u = p->repeats[t]; u != SIZE_MAX; u = p->repeats[u], n++) {
    p->rows[u] = csv_line(p->s, p->todo[u], NULL, p->todo[t], p->rows[t]);
    p->status[u] = st;
    p->finished[u] = 1;
  }
  return n;
}

static void *worker(void *arg) {
  pool *p = arg;
  phsim_interrupt_watch(p->watched);
  for (;;) {
    pthread_mutex_lock(&p->lock);
    if (p->next == p->njobs || p->failed || phsim_interrupted()) {
      pthread_mutex_unlock(&p->lock);
      return NULL;
    }
    const size_t j = p->next++;
    pthread_mutex_unlock(&p->lock);
    const size_t *slots = p->job_slot + p->job_start[j], n = p->job_start[j + 1] - p->job_start[j];
    char (*err)[PHSIM_ERR_MAX] = calloc(n, sizeof *err), **rows = calloc(n, sizeof *rows);
    int *status = calloc(n, sizeof *status);
    if (err != NULL && rows != NULL && status != NULL) run_job(p, slots, n, rows, status, err);
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < n; i++) {
      const int st = status == NULL || rows == NULL || err == NULL ? PHSIM_ENOMEM : status[i];
      p->status[slots[i]] = st;
      p->rows[slots[i]] = rows != NULL ? rows[i] : NULL;
      p->finished[slots[i]] = 1;
      p->done += 1 + finish_repeats(p, slots[i]);
      if (st != PHSIM_OK && st != PHSIM_ENUM && st != PHSIM_EINTR && !p->failed) {
        p->failed = st;
        snprintf(p->errmsg, sizeof p->errmsg, "sweep point %zu: %.400s", p->todo[slots[i]],
                 err != NULL ? err[i] : "out of memory");
      }
    }
    write_rows(p, 0);
    phsim_progress_update(&p->bar, p->done);
    pthread_mutex_unlock(&p->lock);
    free(err), free(rows), free(status);
  }
}

/* ---- outputs ---------------------------------------------------------- */

static void csv_header(FILE *fp, const phsim_sweep *s) {
  fputs("index", fp);
  for (size_t k = 0; k < s->ngrids; k++) fprintf(fp, ",%s", s->grids[k].key);
  phsim_summary_columns(fp, s->base.K);
  fputc('\n', fp);
}

static int open_csv(const phsim_sweep *s, phsim_outfile *f, char err[PHSIM_ERR_MAX]) {
  char name[96];
  if (s->shard_n > 1) snprintf(name, sizeof name, "sweep-shard-%u-of-%u.csv", s->shard_i, s->shard_n);
  else snprintf(name, sizeof name, "sweep.csv");
  int st = phsim_outfile_open(f, s->out, name, err);
  if (st == PHSIM_OK) setvbuf(f->fp, NULL, _IOFBF, 1 << 16); /* rows by 64 KB writes */
  if (st == PHSIM_OK) csv_header(f->fp, s);
  return st;
}

/* --jobs runs at once must fit in memory together. */
static int check_jobs_memory(const phsim_sweep *s, size_t ntodo, double most,
                             char err[PHSIM_ERR_MAX]) {
  size_t jobs = s->jobs < 1 ? 1 : s->jobs;
  if (jobs > ntodo) jobs = ntodo;
  if (jobs <= 1) return PHSIM_OK;
  char what[160], msg[PHSIM_ERR_MAX];
  snprintf(what, sizeof what, "--jobs %zu: %zu runs at once", jobs, jobs);
  if (phsim_memory_check(most * (double)jobs, what, msg) == PHSIM_OK) return PHSIM_OK;
  double fit = floor(phsim_memory_available() / most);
  snprintf(err, PHSIM_ERR_MAX, "%.380s; allowed: --jobs at most %.0f", msg, fit < 1 ? 1 : fit);
  return PHSIM_EINPUT;
}

/* ---- points that repeat a run ------------------------------------------ */

#define REPEAT (-2L) /* a slot's class: its run is an earlier slot's */

/* The grid along which points may repeat a run (see repeat_of): eta_E's
 * in a table-only sweep unless PHSIM_SWEEP_REPEATS=0; SIZE_MAX: none. */
static size_t repeats_along(const phsim_sweep *s) {
  const char *env = getenv("PHSIM_SWEEP_REPEATS");
  if (!s->table_only || (env != NULL && strcmp(env, "0") == 0)) return SIZE_MAX;
  for (size_t k = 0; k < s->ngrids; k++)
    if (strcmp(s->grids[k].key, "eta_E") == 0) return k;
  return SIZE_MAX;
}

/* Whether todo entry t (configuration cfg) repeats the run of an earlier
 * entry of this shard, and if so, t joins that entry's chain in p->repeats.
 * A point repeats one that differs from it only in eta_E when its head
 * trains no entry of E (head = fixed): eta_E scales only the steps of
 * trained entries (phsim_head_step, the batch's step, the flow's field,
 * the fidelity's Phi), so no engine, measure or summary field reads it
 * there, and the two runs are the same bits.  Only table-only sweeps: a
 * run directory is its own run's; PHSIM_SWEEP_REPEATS=0 runs every point
 * (to check that claim).  The earlier entry is the first in this shard
 * with the same other grid values, itself no repeat. */
static int repeat_of(pool *p, size_t t, const phsim_config *cfg) {
  const phsim_sweep *s = p->s;
  const size_t k = p->repeat_grid;
  if (k == SIZE_MAX || cfg->head != PHSIM_HEAD_FIXED) return 0;
  const size_t stride = grid_stride(s, k), idx = p->todo[t], e = grid_index(s, idx, k);
  for (size_t f = 0; f < e; f++) {
    const size_t other = idx - (e - f) * stride;
    if (other % s->shard_n != s->shard_i - 1) continue;
    const size_t r = (other - (s->shard_i - 1)) / s->shard_n;
    p->repeats[t] = p->repeats[r];
    p->repeats[r] = t;
    p->s->repeated++;
    return 1;
  }
  return 0;
}

/* ---- jobs: a point alone, or points advancing in one batch ------------ */

#define BATCH_LANES_MAX 64  /* runs in one batch job */
#define BATCH_CLASSES 64    /* batch shapes told apart; points of others run alone */
#define BATCH_BYTES_MAX 4e6 /* a run's memory: larger ones run alone (a batch
                               holds BATCH_LANES_MAX of them at once) */

/* The batch class of cfg: the index of the first configuration in classes
 * it can share a batch with (phsim_run_batch_fits), added if none; -1 to
 * run alone (not batchable, too large, no room, or PHSIM_SWEEP_BATCH=0). */
static long batch_class(phsim_config *classes, size_t *n, const phsim_config *cfg) {
  const char *env = getenv("PHSIM_SWEEP_BATCH");
  if ((env != NULL && strcmp(env, "0") == 0) || !phsim_run_batch_fits(cfg, cfg) ||
      phsim_config_memory_bytes(cfg) > BATCH_BYTES_MAX)
    return -1;
  for (size_t c = 0; c < *n; c++)
    if (phsim_run_batch_fits(&classes[c], cfg)) return (long)c;
  if (*n == BATCH_CLASSES) return -1;
  classes[*n] = *cfg;
  return (long)(*n)++;
}

/* Batches of a class of c points: at most BATCH_LANES_MAX runs each, and at
 * least one per thread while each keeps 8 runs (a block of lanes). */
static size_t class_chunks(size_t c, size_t jobs) {
  size_t k = (c + BATCH_LANES_MAX - 1) / BATCH_LANES_MAX, fill = (c + 7) / 8;
  if (k < jobs) k = jobs < fill ? jobs : fill;
  return k;
}

/* The jobs from each slot's class (cls[t], -1: alone, REPEAT: none): a class's slots split
 * in order into class_chunks near-equal batches; jobs numbered by their
 * first slot.  The runs' bits do not depend on the split. */
static int plan_jobs(pool *p, const long *cls, size_t nclasses) {
  size_t count[BATCH_CLASSES] = {0}, chunks[BATCH_CLASSES], seen[BATCH_CLASSES] = {0};
  size_t base[BATCH_CLASSES], total = 0;
  for (size_t t = 0; t < p->ntodo; t++)
    if (cls[t] >= 0) count[cls[t]]++;
  for (size_t c = 0; c < nclasses; c++) {
    chunks[c] = class_chunks(count[c], p->s->jobs < 1 ? 1 : p->s->jobs);
    base[c] = total;
    total += chunks[c];
  }
  size_t *chunk_job = malloc((total ? total : 1) * sizeof *chunk_job);
  size_t *job_of = malloc((p->ntodo ? p->ntodo : 1) * sizeof *job_of);
  p->job_slot = malloc((p->ntodo ? p->ntodo : 1) * sizeof *p->job_slot);
  p->job_start = calloc(p->ntodo + 2, sizeof *p->job_start);
  if (chunk_job == NULL || job_of == NULL || p->job_slot == NULL || p->job_start == NULL) {
    free(chunk_job), free(job_of);
    return PHSIM_ENOMEM;
  }
  for (size_t k = 0; k < total; k++) chunk_job[k] = SIZE_MAX;
  for (size_t t = 0; t < p->ntodo; t++) {
    const long c = cls[t];
    size_t *id = &job_of[t], chunk = 0;
    if (c == REPEAT) {
      *id = SIZE_MAX;
      continue;
    }
    if (c >= 0) {
      chunk = base[c] + seen[c]++ * chunks[c] / count[c];
      if (chunk_job[chunk] != SIZE_MAX) *id = chunk_job[chunk];
    }
    if (c < 0 || chunk_job[chunk] == SIZE_MAX) *id = p->njobs++;
    if (c >= 0) chunk_job[chunk] = *id;
    p->job_start[*id + 1]++;
  }
  for (size_t j = 0; j < p->njobs; j++) p->job_start[j + 1] += p->job_start[j];
  for (size_t t = 0; t < p->ntodo; t++)
    if (job_of[t] != SIZE_MAX) p->job_slot[p->job_start[job_of[t]]++] = t;
  for (size_t j = p->njobs; j > 0; j--) p->job_start[j] = p->job_start[j - 1];
  p->job_start[0] = 0;
  free(chunk_job), free(job_of);
  return PHSIM_OK;
}

/* This shard's points, each validated, before any work; polls the stop
 * flag (validation can take long: 10^7 points, init files). */
static int plan(phsim_sweep *s, pool *p, char err[PHSIM_ERR_MAX]) {
  int st = phsim_sweep_check_grids(s, err);
  if (st != PHSIM_OK) return st;
  const size_t most_todo = s->npoints / s->shard_n + 1;
  p->todo = malloc(most_todo * sizeof *p->todo);
  p->status = calloc(most_todo, sizeof *p->status);
  p->rows = calloc(most_todo, sizeof *p->rows);
  p->finished = calloc(most_todo, sizeof *p->finished);
  p->initial_at = calloc(most_todo, sizeof *p->initial_at);
  p->repeats = malloc(most_todo * sizeof *p->repeats);
  if (p->todo == NULL || p->status == NULL || p->rows == NULL || p->finished == NULL ||
      p->initial_at == NULL || p->repeats == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "out of memory planning %zu points", s->npoints);
    return PHSIM_ENOMEM;
  }
  for (size_t idx = s->shard_i - 1; idx < s->npoints; idx += s->shard_n) p->todo[p->ntodo++] = idx;
  for (size_t t = 0; t < p->ntodo; t++) p->repeats[t] = SIZE_MAX;
  p->repeat_grid = repeats_along(s);
  s->repeated = 0;
  double most = 0.0; /* bytes of the largest run */
  long *cls = malloc((p->ntodo ? p->ntodo : 1) * sizeof *cls);
  phsim_config *classes = malloc(BATCH_CLASSES * sizeof *classes);
  size_t nclasses = 0;
  if (cls == NULL || classes == NULL) st = PHSIM_ENOMEM;
  for (size_t t = 0; t < p->ntodo && st == PHSIM_OK; t++) {
    phsim_config cfg;
    st = phsim_sweep_point(s, p->todo[t], &cfg, err);
    if (st == PHSIM_OK) st = plan_initial(p, t, &cfg, err);
    if (st == PHSIM_OK && phsim_interrupted()) {
      snprintf(err, PHSIM_ERR_MAX, "interrupted by %s while checking the points; nothing "
               "was written", phsim_interrupt_cause());
      st = PHSIM_EINTR;
    }
    double bytes = st == PHSIM_OK ? phsim_config_memory_bytes(&cfg) : 0.0;
    if (bytes > most) most = bytes;
    if (st == PHSIM_OK) cls[t] = repeat_of(p, t, &cfg) ? REPEAT : batch_class(classes, &nclasses, &cfg);
  }
  if (st == PHSIM_OK && plan_jobs(p, cls, nclasses) != PHSIM_OK) st = PHSIM_ENOMEM;
  if (st == PHSIM_ENOMEM) snprintf(err, PHSIM_ERR_MAX, "out of memory planning %zu points", s->npoints);
  free(cls);
  free(classes);
  return st == PHSIM_OK ? check_jobs_memory(s, p->ntodo, most, err) : st;
}

/* Run the pool on s->jobs threads. */
static int run_pool(pool *p, char err[PHSIM_ERR_MAX]) {
  unsigned jobs = p->s->jobs < 1 ? 1 : p->s->jobs;
  if (jobs > p->ntodo) jobs = p->ntodo ? (unsigned)p->ntodo : 1;
  pthread_t *th = malloc(jobs * sizeof *th);
  if (th == NULL) return PHSIM_ENOMEM;
  pthread_mutex_init(&p->lock, NULL);
  p->watched = phsim_interrupt_watched();
  phsim_progress_start(&p->bar, p->ntodo, "runs");
  unsigned started = 0;
  for (unsigned j = 0; j < jobs; j++) started += pthread_create(&th[started], NULL, worker, p) == 0;
  for (unsigned j = 0; j < started; j++) pthread_join(th[j], NULL);
  free(th);
  phsim_progress_finish(&p->bar);
  pthread_mutex_destroy(&p->lock);
  if (started == 0) {
    snprintf(err, PHSIM_ERR_MAX, "cannot start a thread");
    return PHSIM_ENOMEM;
  }
  if (p->failed != PHSIM_OK) snprintf(err, PHSIM_ERR_MAX, "%s", p->errmsg);
  return p->failed;
}

/* Runs of this shard that ran to their end (ok or diverged). */
static size_t complete_runs(const pool *p) {
  size_t n = 0;
  for (size_t t = 0; t < p->ntodo; t++)
    n += p->finished[t] && (p->status[t] == PHSIM_OK || p->status[t] == PHSIM_ENUM);
  return n;
}

/* runs/, made if missing and opened once; the points already there.  A
 * table-only sweep has none (and neither resumes nor keeps trajectories). */
static int open_runs(pool *p, char err[PHSIM_ERR_MAX]) {
  if (p->s->table_only) return PHSIM_OK;
  char runs[PHSIM_PATH_MAX + 16];
  snprintf(runs, sizeof runs, "%s/runs", p->s->out);
  int st = phsim_mkdir_p(runs, err);
  if (st != PHSIM_OK) return st;
  p->runs_fd = open(runs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (p->runs_fd < 0) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open directory '%.400s': %s", runs, strerror(errno));
    return PHSIM_EIO;
  }
  p->disk = runs_on_disk(p->s, &p->ndisk);
  return PHSIM_OK;
}

int phsim_sweep_execute(phsim_sweep *s, char err[PHSIM_ERR_MAX]) {
  pool p = {.s = s, .runs_fd = -1};
  phsim_outdir od = {-1, -1};
  phsim_outfile csv = {.fp = NULL};
  int st = PHSIM_OK;
  if (s->table_only && (s->resume || s->keep_trajectories)) {
    snprintf(err, PHSIM_ERR_MAX, "a table-only sweep keeps no runs: allowed without "
             "--resume and --keep-trajectories");
    st = PHSIM_EINPUT;
  }
  if (st == PHSIM_OK) st = plan(s, &p, err);
  if (st == PHSIM_OK) st = phsim_outdir_claim_sweep(&od, s, s->force, err);
  if (st == PHSIM_OK) st = open_runs(&p, err);
  if (st == PHSIM_OK) st = open_csv(s, &csv, err);
  if (st == PHSIM_OK) {
    p.csv = csv.fp;
    st = run_pool(&p, err);
    write_rows(&p, 1); /* and those of the points no worker reached */
    int wst = phsim_outfile_commit(&csv, err);
    if (st == PHSIM_OK) st = wst;
    if (st == PHSIM_OK && phsim_interrupted()) {
      snprintf(err, PHSIM_ERR_MAX,
               "interrupted: %zu of %zu runs complete; the CSV lists them (the stopped ones "
               "as interrupted)%s",
               complete_runs(&p), p.ntodo,
               s->table_only ? "; a table-only sweep cannot resume: run it again" : "; --resume continues");
      st = PHSIM_EINTR;
    }
  }
  if (p.runs_fd >= 0) close(p.runs_fd);
  phsim_outdir_release(&od);
  for (size_t t = p.written; p.rows != NULL && t < p.ntodo; t++) free(p.rows[t]);
  free(p.disk);
  free(p.todo);
  free(p.job_slot);
  free(p.job_start);
  free(p.status);
  free(p.rows);
  free(p.finished);
  free(p.repeats);
  free_initial(&p);
  return st;
}

/* ---- for the readers (sweepio.c) ---------------------------------------- */

void phsim_sweep_csv_header(FILE *fp, const phsim_sweep *s) { csv_header(fp, s); }

size_t phsim_sweep_value_index(const phsim_sweep *s, size_t idx, size_t k) {
  return grid_index(s, idx, k);
}
