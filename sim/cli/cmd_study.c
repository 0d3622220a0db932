/* cmd_study.c: the commands that study results further: field and pull
 * (forces at a step of a run), fit and stats (of CSV tables). */
#include "cli.h"

#include <math.h>
#include <stdlib.h>

/* DIR/config, read and validated. */
static int load_run_config(const char *dir, phsim_config *cfg) {
  char err[PHSIM_ERR_MAX], path[PHSIM_PATH_MAX + 16];
  phsim_config_default(cfg);
  snprintf(path, sizeof path, "%s/config", dir);
  int st = phsim_config_read_file(cfg, path, err);
  if (st == PHSIM_OK) st = phsim_config_validate(cfg, err);
  return st == PHSIM_OK ? st : cli_fail(st, err);
}

enum { FIELD_AT, FIELD_NEURON, FIELD_FEATURES, FIELD_LIM, FIELD_N };
static const cli_option field_options[] = {
    [FIELD_AT] = {"at", 0, "STEP", CLI_REQUIRED, "the step of the run"},
    [FIELD_NEURON] = {"neuron", 0, "J", 0, "the neuron (default 2)"},
    [FIELD_FEATURES] = {"features", 0, "A,B", 0, "the plane's features (default 1,2)"},
    [FIELD_LIM] = {"lim", 0, "L", 0, "the grid spans [-L, L]^2 (default 2.5)"},
    [FIELD_N] = {"n", 0, "N", 0, "N x N grid points (default 21)"},
    {NULL, 0, NULL, 0, NULL}};

static int field_features(const char *v, size_t K, phsim_field_spec *spec) {
  unsigned fa, fb;
  char extra;
  if (sscanf(v, "%u,%u%c", &fa, &fb, &extra) != 2 || fa < 1 || fb < 1 || fa > K || fb > K) {
    fprintf(stderr, "phsim: option '--features': value '%s'; allowed: A,B in 1..%zu\n", v, K);
    return PHSIM_EINPUT;
  }
  spec->fa = fa - 1;
  spec->fb = fb - 1;
  return PHSIM_OK;
}

/* The options' values into spec, checked against the run's m and K. */
static int field_spec(const cli_args *a, const phsim_config *cfg, phsim_field_spec *spec) {
  int st = PHSIM_OK;
  double x = 0;
  for (size_t i = 0; i < a->n && st == PHSIM_OK; i++) {
    const char *v = a->args[i].value;
    switch (a->args[i].opt) {
    case FIELD_AT:
      st = cli_number("--at", v, 0, 1e12, &x);
      spec->step = (unsigned long)x;
      break;
    case FIELD_NEURON:
      st = cli_number("--neuron", v, 1, (double)cfg->m, &x);
      spec->neuron = (size_t)x - 1;
      break;
    case FIELD_LIM:
      st = cli_number("--lim", v, 1e-6, 1e6, &spec->lim);
      break;
    case FIELD_N:
      st = cli_number("--n", v, 2, 1000, &x);
      spec->n = (size_t)x;
      break;
    case FIELD_FEATURES:
      st = field_features(v, cfg->K, spec);
      break;
    }
  }
  return st;
}

static int field_main(const cli_command *c, const cli_args *a) {
  (void)c;
  phsim_config cfg;
  int st = load_run_config(cli_operand(a, 0), &cfg);
  phsim_field_spec spec = {.step = 0, .neuron = 1, .fa = 0, .fb = 1, .lim = 2.5, .n = 21};
  if (st == PHSIM_OK) st = field_spec(a, &cfg, &spec);
  if (st != PHSIM_OK) return st;
  char err[PHSIM_ERR_MAX];
  st = phsim_field_write(&cfg, &spec, stdout, err);
  return st == PHSIM_OK ? st : cli_fail(st, err);
}

const cli_command cli_field = {
    "field", "DIR", 1, 1, "the force field on one neuron in the (v_A, v_B) plane at a step",
    "Re-run DIR/config to STEP and print CSV x,y,fx,fy,norm: the force\n"
    "-dL/d(a_JA, a_JB) on neuron J with a_JA = x, a_JB = y on an N x N grid\n"
    "over [-L, L]^2, all else at the run's state.\n",
    field_options, 1, field_main, NULL};

enum { PULL_AT };
static const cli_option pull_options[] = {
    [PULL_AT] = {"at", 0, "STEP", CLI_REQUIRED, "the step of the run"}, {NULL, 0, NULL, 0, NULL}};

static int pull_main(const cli_command *c, const cli_args *a) {
  (void)c;
  phsim_config cfg;
  double at = 0;
  int st = load_run_config(cli_operand(a, 0), &cfg);
  if (st == PHSIM_OK) st = cli_number("--at", cli_last(a, PULL_AT), 0, 1e12, &at);
  if (st != PHSIM_OK) return st;
  char err[PHSIM_ERR_MAX];
  st = phsim_pull_write(&cfg, (unsigned long)at, stdout, err);
  return st == PHSIM_OK ? st : cli_fail(st, err);
}

const cli_command cli_pull = {
    "pull", "DIR", 1, 1,
    "every neuron's pull along every feature at a step, with the run's head and with E = I",
    "Re-run DIR/config to STEP; print CSV neuron,feature,pull_head,\n"
    "pull_identity: -dL/da_jl at that state with the run's head E and with\n"
    "E = I, all else equal (closed form, target = online weights).\n",
    pull_options, 1, pull_main, NULL};

/* The values of every option opt, in order (for --where); NULL when out of
 * memory. */
static const char **all_values(const cli_args *a, int opt, size_t *n) {
  const char **v = calloc(a->n + 1, sizeof *v);
  *n = 0;
  for (size_t i = 0; v != NULL && i < a->n; i++)
    if (a->args[i].opt == opt) v[(*n)++] = a->args[i].value;
  return v;
}

enum { FIT_X, FIT_Y, FIT_LOGLOG, FIT_LNLN, FIT_WHERE };
static const cli_option fit_options[] = {
    [FIT_X] = {"x", 0, "COL", CLI_REQUIRED, "the column of x"},
    [FIT_Y] = {"y", 0, "COL", CLI_REQUIRED, "the column of y"},
    [FIT_LOGLOG] = {"loglog", 0, NULL, 0, "fit log y against log x (an exponent)"},
    [FIT_LNLN] = {"lnln", 0, NULL, 0,
                  "with --loglog: add the term c ln ln x (x^b (ln x)^c, a log factor); "
                  "prints c and its standard error (rows with x <= 1 are skipped)"},
    [FIT_WHERE] = {"where", 0, "COL=VALUE", CLI_REPEAT,
                   "use only the rows where COL is VALUE (as text); COL>=X and COL<=X "
                   "compare numbers"},
    {NULL, 0, NULL, 0, NULL}};

static int fit_main(const cli_command *c, const cli_args *a) {
  (void)c;
  size_t nw;
  const char **where = all_values(a, FIT_WHERE, &nw);
  if (where == NULL) return PHSIM_ENOMEM;
  phsim_fit_result r;
  char err[PHSIM_ERR_MAX];
  int st = phsim_fit_csv(cli_operand(a, 0), cli_last(a, FIT_X), cli_last(a, FIT_Y),
                         (cli_count(a, FIT_LOGLOG) > 0 ? PHSIM_FIT_LOGLOG : 0) |
                             (cli_count(a, FIT_LNLN) > 0 ? PHSIM_FIT_LNLN : 0),
                         where, nw, &r, err);
  free(where);
  if (st != PHSIM_OK) return cli_fail(st, err);
  printf("slope=%.6g slope_se=%.3g intercept=%.6g r2=%.4f n=%zu skipped=%zu", r.slope,
         r.slope_se, r.intercept, r.r2, r.n, r.skipped);
  if (!isnan(r.lnln)) printf(" lnln=%.6g lnln_se=%.3g", r.lnln, r.lnln_se);
  printf("\n");
  return PHSIM_OK;
}

const cli_command cli_fit = {
    "fit", "CSV", 1, 1, "least-squares slope of one column against another",
    "Least-squares line y = intercept + slope x (gsl_fit_linear) over the\n"
    "rows matching every --where.  Prints slope, its standard error,\n"
    "intercept, r2, rows used and rows skipped (empty or non-positive values).\n"
    "With --loglog --lnln: ln y = intercept + slope ln x + lnln ln ln x\n"
    "(gsl_multifit_linear_tsvd), and lnln with its standard error: an interval\n"
    "lnln +- 1.96 lnln_se that excludes 0 says the data ask for a log factor.\n",
    fit_options, 0, fit_main, NULL};

enum { ST_BY, ST_Y, ST_WHERE, ST_BOOT, ST_LEVEL, ST_SEED, ST_SKIP };
static const cli_option stats_options[] = {
    [ST_BY] = {"by", 0, "COL", CLI_REQUIRED, "the column that groups the rows"},
    [ST_Y] = {"y", 0, "COL", CLI_REQUIRED, "the column of the values"},
    [ST_WHERE] = {"where", 0, "COL=VALUE", CLI_REPEAT, "use only the rows where COL is VALUE"},
    [ST_BOOT] = {"boot", 0, "B", 0, "bootstrap resamples (default 2000)"},
    [ST_LEVEL] = {"level", 0, "L", 0, "the interval's level (default 0.95)"},
    [ST_SEED] = {"seed", 0, "S", 0, "seed of GSL's mt19937 (default 1)"},
    [ST_SKIP] = {"skip-empty", 0, NULL, 0,
                 "leave empty rows out of the median (a value undefined where the event "
                 "is missing, not a late time); still counted as censored"},
    {NULL, 0, NULL, 0, NULL}};

/* --boot, --level, --seed into o. */
static int stats_numbers(const cli_args *a, phsim_stats_opts *o) {
  double x;
  const char *v;
  int st = PHSIM_OK;
  if ((v = cli_last(a, ST_BOOT)) != NULL && (st = cli_number("--boot", v, 100, 1e6, &x)) == 0)
    o->boot = (size_t)x;
  if (st == PHSIM_OK && (v = cli_last(a, ST_LEVEL)) != NULL)
    st = cli_number("--level", v, 1e-9, 1 - 1e-9, &o->level);
  if (st == PHSIM_OK && (v = cli_last(a, ST_SEED)) != NULL &&
      (st = cli_number("--seed", v, 0, 4294967295.0, &x)) == 0)
    o->seed = (unsigned long)x;
  return st;
}

static int stats_main(const cli_command *c, const cli_args *a) {
  (void)c;
  phsim_stats_opts o = {.boot = 2000, .level = 0.95, .seed = 1};
  o.by = cli_last(a, ST_BY);
  o.y = cli_last(a, ST_Y);
  o.skip_empty = cli_count(a, ST_SKIP) > 0;
  int st = stats_numbers(a, &o);
  if (st != PHSIM_OK) return st;
  const char **where = all_values(a, ST_WHERE, &o.nwhere);
  if (where == NULL) return PHSIM_ENOMEM;
  o.where = where;
  char err[PHSIM_ERR_MAX];
  st = phsim_stats_csv(cli_operand(a, 0), &o, stdout, err);
  free(where);
  return st == PHSIM_OK ? st : cli_fail(st, err);
}

const cli_command cli_stats = {
    "stats", "CSV", 1, 1, "medians of a column per group, with bootstrap intervals",
    "Per value of --by (in order of first appearance): rows, censored rows\n"
    "(empty y: never reached), the median of y over all rows and its\n"
    "percentile bootstrap interval, a censored row counting as +infinity\n"
    "(above every reached value).  A median or interval end that falls on\n"
    "a censored row is printed as the word 'censored' (not reached within\n"
    "the budget: a lower bound), never as a number.  --skip-empty leaves\n"
    "them out instead.  CSV on stdout:\n"
    "<by>,n,censored,median,lo,hi.\n",
    stats_options, 0, stats_main, NULL};
