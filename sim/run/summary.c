/* summary.c: summary.json read back and checked member by member. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

json_t *phsim_json_load_checked(const char *path, long max_bytes,
                                char err[PHSIM_ERR_MAX]) {
  FILE *fp = fopen(path, "r");
  if (fp == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot read '%.300s': %s", path, strerror(errno));
    return NULL;
  }
  struct stat sb;
  if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > max_bytes) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s': not a regular file of at most %ld bytes", path,
             max_bytes);
    fclose(fp);
    return NULL;
  }
  json_error_t je;
  json_t *v = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
  fclose(fp);
  if (v == NULL)
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %d column %d: %.120s; expected JSON as phsim writes it",
             path, je.line, je.column, je.text);
  return v;
}

/* ---- members ---------------------------------------------------------- */

typedef struct {
  const char *name;   /* the file, for messages */
  size_t m, K;
  unsigned long steps;
  char *err;
} ctx;

static int bad(const ctx *c, const char *key, const char *allowed) {
  snprintf(c->err, PHSIM_ERR_MAX, "'%.300s': key '%s' is missing or out of range; allowed: %.150s",
           c->name, key, allowed);
  return PHSIM_EINPUT;
}

static int is_step(json_t *v, unsigned long max) {
  return json_is_integer(v) && json_integer_value(v) >= 0 &&
         (unsigned long long)json_integer_value(v) <= max;
}

static int is_step_or_null(json_t *v, unsigned long max) {
  return json_is_null(v) || is_step(v, max);
}

static int is_number_or_null(json_t *v, double lo, double hi) {
  if (json_is_null(v)) return 1;
  double x = json_number_value(v);
  return json_is_number(v) && isfinite(x) && x >= lo && x <= hi;
}

static int is_index_or_null(json_t *v, size_t n) {
  return json_is_null(v) || (json_is_integer(v) && json_integer_value(v) >= 1 &&
                             (size_t)json_integer_value(v) <= n);
}

/* An m x K array of arrays whose entries pass ok(entry, c). */
static int is_matrix(json_t *a, const ctx *c, int (*ok)(json_t *, const ctx *)) {
  if (!json_is_array(a) || json_array_size(a) != c->m) return 0;
  for (size_t j = 0; j < c->m; j++) {
    json_t *row = json_array_get(a, j);
    if (!json_is_array(row) || json_array_size(row) != c->K) return 0;
    for (size_t l = 0; l < c->K; l++)
      if (!ok(json_array_get(row, l), c)) return 0;
  }
  return 1;
}

static int learn_entry(json_t *v, const ctx *c) { return is_step_or_null(v, c->steps); }

static int cos_entry(json_t *v, const ctx *c) {
  (void)c;
  return is_number_or_null(v, -1.0 - 1e-12, 1.0 + 1e-12);
}

static int check_status(json_t *root, const ctx *c, const char **status) {
  static const char *const allowed[] = {"ok", "diverged", "interrupted"};
  const char *st = json_string_value(json_object_get(root, "status"));
  *status = NULL;
  for (size_t i = 0; st && i < 3; i++)
    if (strcmp(st, allowed[i]) == 0) *status = allowed[i];
  if (*status == NULL) return bad(c, "status", "ok, diverged or interrupted");
  if (strcmp(*status, "diverged") != 0) return PHSIM_OK;
  json_t *f = json_object_get(root, "fault");
  if (!json_is_object(f) || !is_step(json_object_get(f, "step"), c->steps) ||
      !json_is_string(json_object_get(f, "what")))
    return bad(c, "fault", "{\"step\": a step, \"what\": text} with status diverged");
  return PHSIM_OK;
}

static int check_phases(json_t *ph, const ctx *c) {
  static const char *const T[] = {"T1", "T2", "T3", "T4"};
  if (!json_is_object(ph)) return bad(c, "phases", "an object");
  for (size_t i = 0; i < 4; i++)
    if (!is_step_or_null(json_object_get(ph, T[i]), c->steps))
      return bad(c, "phases", "T1..T4 each a step or null");
  if (!is_index_or_null(json_object_get(ph, "strong_neuron"), c->m) ||
      !is_index_or_null(json_object_get(ph, "substituted_neuron"), c->m))
    return bad(c, "phases", "strong_neuron, substituted_neuron each 1..m or null");
  if (!is_number_or_null(json_object_get(ph, "E_substitution"), -INFINITY, INFINITY))
    return bad(c, "phases", "E_substitution a number or null");
  return PHSIM_OK;
}

static int check_arrays(json_t *root, const ctx *c) {
  if (!is_matrix(json_object_get(root, "learn_step"), c, learn_entry))
    return bad(c, "learn_step", "m rows of K entries, each a step or null");
  if (!is_matrix(json_object_get(root, "cos_final"), c, cos_entry))
    return bad(c, "cos_final", "m rows of K entries, each in [-1, 1] or null");
  json_t *race = json_object_get(root, "race_favoured_initial");
  int ok = json_is_array(race) && json_array_size(race) == c->m;
  for (size_t j = 0; ok && j < c->m; j++)
    ok = is_index_or_null(json_array_get(race, j), c->K) && !json_is_null(json_array_get(race, j));
  if (!ok) return bad(c, "race_favoured_initial", "m entries, each a feature 1..K");
  return PHSIM_OK;
}

static int check_numbers(json_t *root, const ctx *c) {
  static const char *const plain[] = {"E_minus_I_final", "loss_final", "wall_seconds",
                                      "steps_per_second"};
  static const char *const erank[] = {"start", "end", "start_bn", "end_bn"};
  for (size_t i = 0; i < 4; i++)
    if (!is_number_or_null(json_object_get(root, plain[i]), -INFINITY, INFINITY))
      return bad(c, plain[i], "a number or null");
  json_t *er = json_object_get(root, "effective_rank");
  for (size_t i = 0; i < 4; i++)
    if (!json_is_object(er) || !is_number_or_null(json_object_get(er, erank[i]), 0, (double)c->m + 1e-9))
      return bad(c, "effective_rank", "{start, end, start_bn, end_bn} each in [0, m] or null");
  json_t *peak = json_object_get(root, "E_peak");
  if (!json_is_object(peak) || !is_number_or_null(json_object_get(peak, "value"), 0, INFINITY) ||
      !is_step(json_object_get(peak, "step"), c->steps))
    return bad(c, "E_peak", "{\"value\": a number >= 0 or null, \"step\": a step}");
  json_t *fl = json_object_get(root, "features_learned");
  if (!json_is_integer(fl) || json_integer_value(fl) < 0 || (size_t)json_integer_value(fl) > c->K)
    return bad(c, "features_learned", "an integer from 0 to K");
  if (!json_is_boolean(json_object_get(root, "collapsed"))) return bad(c, "collapsed", "true or false");
  if (!is_step(json_object_get(root, "steps"), c->steps))
    return bad(c, "steps", "an integer from 0 to the configuration's steps");
  return PHSIM_OK;
}

int phsim_summary_check(json_t *root, const char *name, phsim_summary *s,
                        char err[PHSIM_ERR_MAX]) {
  memset(s, 0, sizeof *s);
  ctx c = {.name = name, .err = err};
  int st = PHSIM_OK;
  char where[PHSIM_PATH_MAX + 32], msg[PHSIM_ERR_MAX];
  snprintf(where, sizeof where, "'%.300s': key 'config'", name);
  if (!json_is_object(root)) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s': expected a JSON object (a run's summary)", name);
    st = PHSIM_EINPUT;
  }
  if (st == PHSIM_OK) st = phsim_config_from_json(json_object_get(root, "config"), where, &s->cfg, err);
  if (st == PHSIM_OK && phsim_config_check(&s->cfg, msg) != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "%.200s: %.300s", where, msg);
    st = PHSIM_EINPUT;
  }
  c.m = s->cfg.m;
  c.K = s->cfg.K;
  c.steps = s->cfg.steps;
  if (st == PHSIM_OK) st = check_status(root, &c, &s->status);
  if (st == PHSIM_OK) st = check_arrays(root, &c);
  if (st == PHSIM_OK) st = check_phases(json_object_get(root, "phases"), &c);
  if (st == PHSIM_OK) st = check_numbers(root, &c);
  if (st != PHSIM_OK) {
    json_decref(root);
    memset(s, 0, sizeof *s);
    return st;
  }
  s->root = root;
  return PHSIM_OK;
}

int phsim_summary_read(const char *path, phsim_summary *s,
                       char err[PHSIM_ERR_MAX]) {
  memset(s, 0, sizeof *s);
  json_t *root = phsim_json_load_checked(path, PHSIM_SUMMARY_MAX_BYTES, err);
  if (root == NULL) return PHSIM_EINPUT;
  return phsim_summary_check(root, path, s, err);
}

void phsim_summary_free(phsim_summary *s) {
  json_decref(s->root);
  memset(s, 0, sizeof *s);
}
