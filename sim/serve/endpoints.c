/* endpoints.c: run, field, keys and version as JSON (endpoints.h). */
#define _POSIX_C_SOURCE 200809L
#include "endpoints.h"

#include <stdlib.h>
#include <string.h>

#include "phsim.h"
#include "phsim_field.h"
#include "phsim_io.h"
#include "phsim_run.h"
#include "phsim_validate.h"
#include "table.h"

/* Numbers one trajectory may hold (about 20 bytes each). */
#define SERVE_MAX_NUMBERS 1000000
/* Points of a field's side, and the cost of one (a population gradient). */
#define SERVE_FIELD_MAX_N 101
#define FIELD_POINT_COST 1e4

/* The field's own parameters, besides the configuration keys. */
static const char *const field_params[] = {"at", "neuron", "n", "lim", "features", NULL};

static int listed(const char *key, const char *const *list) {
  for (size_t i = 0; list != NULL && list[i] != NULL; i++)
    if (strcmp(key, list[i]) == 0) return 1;
  return 0;
}

serve_reply serve_error(int status, const char *msg) {
  json_t *v = json_pack("{s:s}", "error", msg);
  serve_reply r = {status, v != NULL ? json_dumps(v, JSON_COMPACT) : NULL};
  json_decref(v);
  return r;
}

/* The defaults, then every parameter but those in skip as --set key=value
 * in order, then the cross-key checks: the command line's messages. */
static int config_from(const serve_param *p, size_t n, const char *const *skip,
                       phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  phsim_config_default(cfg);
  for (size_t i = 0; i < n; i++) {
    if (listed(p[i].key, skip)) continue;
    if (strcmp(p[i].key, "init_W") == 0 || strcmp(p[i].key, "init_E") == 0) {
      snprintf(err, PHSIM_ERR_MAX, "key '%s': names a file; allowed: the keys that do not "
               "(the server reads no file)", p[i].key);
      return PHSIM_EINPUT;
    }
    int st = phsim_config_set(cfg, p[i].key, p[i].value, err);
    if (st != PHSIM_OK) return st;
  }
  return phsim_config_validate(cfg, err);
}

/* Refuse a trajectory of more numbers than an answer may hold. */
static int within_numbers(const phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  double numbers = phsim_serve_numbers(cfg);
  if (numbers <= SERVE_MAX_NUMBERS) return PHSIM_OK;
  snprintf(err, PHSIM_ERR_MAX, "the trajectory would hold %.3g numbers; allowed: at most "
           "%.3g (a larger log_every, a smaller log_per_decade or m)", numbers,
           (double)SERVE_MAX_NUMBERS);
  return PHSIM_EINPUT;
}

/* Refuse a computation of cfg's engine costing more than the budget. */
static int within_budget(const serve_client *c, const phsim_config *cfg, double cost,
                         char err[PHSIM_ERR_MAX]) {
  if (cost <= c->opts->budget) return PHSIM_OK;
  snprintf(err, PHSIM_ERR_MAX, "the computation would cost %.3g units (engine %s, %lu steps); "
           "allowed: at most %.3g (fewer steps, engine=flow or order, or a smaller d, m, N)",
           cost, phsim_engine_name(cfg->engine), cfg->steps, c->opts->budget);
  return PHSIM_EINPUT;
}

/* The reply to a computation that ended with st. */
static serve_reply stopped(const serve_client *c, int st, int why, const char *err) {
  char msg[PHSIM_ERR_MAX + 64];
  if (st == PHSIM_EINTR && why == SLOT_TIME_UP)
    snprintf(msg, sizeof msg, "the computation took longer than the time limit of %g s; "
             "allowed: fewer steps or a cheaper engine", c->opts->time_limit);
  else if (st == PHSIM_EINTR)
    snprintf(msg, sizeof msg, "the computation was stopped (%s)",
             why == SLOT_CLIENT_GONE ? "the client went away" : "the server is stopping");
  else if (st == PHSIM_OK) /* no body although the computation ended */
    snprintf(msg, sizeof msg, "out of memory for the answer");
  else
    snprintf(msg, sizeof msg, "%s", err);
  return serve_error(st == PHSIM_EINPUT ? 400 : st == PHSIM_EINTR ? 503 : 500, msg);
}

/* The rows as trajectory.csv holds them. */
static void write_row(void *ctx, const phsim_row *row) { phsim_trajectory_write(ctx, row); }

/* {"config", "summary", "trajectory"} of cfg's run, or NULL with *st. */
static char *run_json(const phsim_config *cfg, int *st, char err[PHSIM_ERR_MAX]) {
  char *csv = NULL, *body = NULL;
  size_t len = 0, blen = 0;
  FILE *traj = open_memstream(&csv, &len), *out = open_memstream(&body, &blen);
  phsim_summary sum;
  memset(&sum, 0, sizeof sum);
  *st = PHSIM_ENOMEM;
  snprintf(err, PHSIM_ERR_MAX, "out of memory for the run's answer");
  if (traj != NULL && out != NULL) {
    phsim_trajectory_header(traj, cfg->m, cfg->K);
    phsim_run_opts o = {.on_row = write_row, .row_ctx = traj, .summary = &sum};
    *st = phsim_run_execute(cfg, NULL, o, err);
  }
  if (traj != NULL) fclose(traj);
  if (*st == PHSIM_OK || *st == PHSIM_ENUM) { /* a diverged run is an answer too */
    json_t *cj = phsim_config_to_json(cfg);
    char *config = cj != NULL ? json_dumps(cj, JSON_COMPACT) : NULL;
    json_decref(cj);
    char *summary = phsim_summary_text(&sum);
    if (config == NULL || summary == NULL || csv == NULL) {
      *st = PHSIM_ENOMEM;
    } else {
      fprintf(out, "{\"config\": %s,\n\"summary\": %s,\n\"trajectory\": ", config, summary);
      if (serve_table_json(csv, out) != 0) *st = PHSIM_ENOMEM;
      fputs("}\n", out);
    }
    free(config);
    free(summary);
  }
  phsim_summary_free(&sum);
  free(csv);
  if (out != NULL) fclose(out);
  if (*st == PHSIM_OK || *st == PHSIM_ENUM) return body;
  free(body);
  return NULL;
}

/* {"columns", "rows"} of `phsim field`'s CSV at spec, or NULL with *st. */
static char *field_json(const phsim_config *cfg, const phsim_field_spec *spec, int *st,
                        char err[PHSIM_ERR_MAX]) {
  char *csv = NULL, *body = NULL;
  size_t len = 0, blen = 0;
  FILE *mem = open_memstream(&csv, &len);
  *st = PHSIM_ENOMEM;
  snprintf(err, PHSIM_ERR_MAX, "out of memory for the field's answer");
  if (mem != NULL) {
    *st = phsim_field_write(cfg, spec, mem, err);
    fclose(mem);
  }
  FILE *out = *st == PHSIM_OK ? open_memstream(&body, &blen) : NULL;
  if (out != NULL) {
    if (serve_table_json(csv, out) != 0) *st = PHSIM_ENOMEM;
    fputc('\n', out);
    fclose(out);
  }
  free(csv);
  if (*st == PHSIM_OK && body != NULL) return body;
  free(body);
  return NULL;
}

/* Compute into a free slot: *body and the reply's status. */
static serve_reply compute(const serve_client *c, const phsim_config *cfg,
                           const phsim_field_spec *field) {
  serve_slot *slot = serve_slot_take(c->slots, c->fd, c->opts->time_limit);
  if (slot == NULL) {
    char msg[128];
    snprintf(msg, sizeof msg, "the server is busy: %u computations at once; allowed: try again",
             c->opts->max_runs);
    return serve_error(503, msg);
  }
  char err[PHSIM_ERR_MAX];
  int st;
  char *body = field != NULL ? field_json(cfg, field, &st, err) : run_json(cfg, &st, err);
  int why = serve_slot_state(slot);
  serve_slot_give(c->slots, slot);
  if (body == NULL) return stopped(c, st, why, err);
  return (serve_reply){200, body};
}

/* A number in [lo, hi] from a parameter, with the command line's message. */
static int number(const char *name, const char *v, double lo, double hi, double *out,
                  char err[PHSIM_ERR_MAX]) {
  char *end = NULL;
  double x = strtod(v, &end);
  if (end == v || *end != '\0' || !(x >= lo && x <= hi)) {
    snprintf(err, PHSIM_ERR_MAX, "parameter '%s': value '%s'; allowed: a number from %g to %g",
             name, v, lo, hi);
    return PHSIM_EINPUT;
  }
  *out = x;
  return PHSIM_OK;
}

/* One of the field's parameters into spec, checked against cfg's m and K. */
static int field_param(const serve_param *p, const phsim_config *cfg, phsim_field_spec *spec,
                       char err[PHSIM_ERR_MAX]) {
  double x = 0;
  int st = PHSIM_OK;
  if (strcmp(p->key, "at") == 0) {
    if ((st = number("at", p->value, 0, (double)cfg->steps, &x, err)) == PHSIM_OK)
      spec->step = (unsigned long)x;
  } else if (strcmp(p->key, "neuron") == 0) {
    if ((st = number("neuron", p->value, 1, (double)cfg->m, &x, err)) == PHSIM_OK)
      spec->neuron = (size_t)x - 1;
  } else if (strcmp(p->key, "n") == 0) {
    if ((st = number("n", p->value, 2, SERVE_FIELD_MAX_N, &x, err)) == PHSIM_OK)
      spec->n = (size_t)x;
  } else if (strcmp(p->key, "lim") == 0) {
    st = number("lim", p->value, 1e-6, 1e6, &spec->lim, err);
  } else if (strcmp(p->key, "features") == 0) {
    unsigned a, b;
    char extra;
    if (sscanf(p->value, "%u,%u%c", &a, &b, &extra) != 2 || a < 1 || b < 1 || a > cfg->K ||
        b > cfg->K) {
      snprintf(err, PHSIM_ERR_MAX, "parameter 'features': value '%s'; allowed: A,B in 1..%zu",
               p->value, cfg->K);
      return PHSIM_EINPUT;
    }
    spec->fa = a - 1;
    spec->fb = b - 1;
  }
  return st;
}

static serve_reply api_field(const serve_client *c, const serve_param *p, size_t n) {
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  int st = config_from(p, n, field_params, &cfg, err);
  phsim_field_spec spec = {.step = 0, .neuron = cfg.m > 1 ? 1 : 0, .fa = 0, .fb = cfg.K > 1,
                           .lim = 2.5, .n = 21};
  for (size_t i = 0; i < n && st == PHSIM_OK; i++)
    if (listed(p[i].key, field_params)) st = field_param(&p[i], &cfg, &spec, err);
  phsim_config upto = cfg; /* the run to the field's step, then its grid */
  upto.steps = spec.step;
  if (st == PHSIM_OK)
    st = within_budget(c, &upto, phsim_serve_cost(&upto) + FIELD_POINT_COST * (double)(spec.n * spec.n), err);
  return st == PHSIM_OK ? compute(c, &cfg, &spec) : serve_error(400, err);
}

static serve_reply api_run(const serve_client *c, const serve_param *p, size_t n) {
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  int st = config_from(p, n, NULL, &cfg, err);
  if (st == PHSIM_OK) st = within_numbers(&cfg, err);
  if (st == PHSIM_OK) st = within_budget(c, &cfg, phsim_serve_cost(&cfg), err);
  return st == PHSIM_OK ? compute(c, &cfg, NULL) : serve_error(st == PHSIM_EINPUT ? 400 : 500, err);
}

static serve_reply api_version(const serve_client *c) {
  json_t *v = json_pack("{s:s, s:s, s:i, s:{s:f, s:f, s:i, s:i, s:i}}", "version",
                        phsim_version(), "commit", phsim_commit(), "running",
                        (int)serve_slots_taken(c->slots), "limits", "budget", c->opts->budget,
                        "time_limit", c->opts->time_limit, "max_runs", (int)c->opts->max_runs,
                        "max_numbers", SERVE_MAX_NUMBERS, "field_max_n", SERVE_FIELD_MAX_N);
  serve_reply r = {200, v != NULL ? json_dumps(v, JSON_COMPACT) : NULL};
  json_decref(v);
  return r;
}

static const char *const api_paths[] = {"/api/run", "/api/field", "/api/keys", "/api/version",
                                        NULL};

int serve_is_api(const char *path) { return listed(path, api_paths); }

serve_reply serve_api(const serve_client *c, const char *path, const serve_param *p, size_t n) {
  if (strcmp(path, "/api/run") == 0) return api_run(c, p, n);
  if (strcmp(path, "/api/field") == 0) return api_field(c, p, n);
  if (n > 0) return serve_error(400, "parameters given; allowed: none for this path");
  if (strcmp(path, "/api/keys") == 0) return (serve_reply){200, phsim_keys_text()};
  return api_version(c);
}
