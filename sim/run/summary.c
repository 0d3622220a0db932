/* summary.c: a run's summary (phsim_summary.h): the struct, summary.json
 * written and read back member by member, and the sweep table's columns. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "phsim_io.h"
#include "phsim_pullend.h"
#include "phsim_validate.h"

/* ---- the struct --------------------------------------------------------- */

int phsim_summary_init(phsim_summary *s, const phsim_config *cfg) {
  memset(s, 0, sizeof *s);
  s->cfg = *cfg;
  const size_t mK = cfg->m * cfg->K;
  s->learn_step = malloc(mK * sizeof *s->learn_step);
  s->cos_final = calloc(mK, sizeof *s->cos_final);
  s->race = calloc(cfg->m, sizeof *s->race);
  s->outcome = calloc(1, 1);
  if (s->learn_step == NULL || s->cos_final == NULL || s->race == NULL || s->outcome == NULL) {
    phsim_summary_free(s);
    return PHSIM_ENOMEM;
  }
  for (size_t i = 0; i < mK; i++) s->learn_step[i] = -1;
  s->phases = (phsim_summary_phases){-1, -1, -1, -1, NAN, NAN, 0, 0, NAN, {-1, -1, -1},
                                     {NAN, NAN, NAN}, -1};
  s->fidelity = (phsim_summary_fidelity){NAN, 0, NAN, -1, NAN, 0, -1, -1};
  s->E_peak = s->E_minus_I_final = s->weight_norm_max_final = NAN;
  s->erank_start = s->erank_end = s->erank_bn_start = s->erank_bn_end = NAN;
  s->loss_final = s->wall_seconds = s->steps_per_second = NAN;
  return PHSIM_OK;
}

void phsim_summary_free(phsim_summary *s) {
  free(s->learn_step);
  free(s->cos_final);
  free(s->race);
  free(s->outcome);
  free(s->twin.outcome);
  phsim_provenance_free(&s->provenance);
  memset(s, 0, sizeof *s);
}

const char *phsim_summary_status_name(int status) {
  return status == PHSIM_OK ? "ok" : status == PHSIM_EINTR ? "interrupted" : "diverged";
}

long phsim_summary_first_learned(const phsim_summary *s, size_t l) {
  long best = -1;
  for (size_t j = 0; j < s->cfg.m; j++) {
    long v = s->learn_step[j * s->cfg.K + l];
    if (v >= 0 && (best < 0 || v < best)) best = v;
  }
  return best;
}

/* ---- summary.json -------------------------------------------------------- */

static json_t *number(double x) { return isfinite(x) ? json_real(x) : json_null(); }
static json_t *step_or_null(long v) { return v < 0 ? json_null() : json_integer(v); }
static json_t *index_or_null(long v) { return v < 1 ? json_null() : json_integer(v); }
static json_t *yes_no_or_null(int v) { return v < 0 ? json_null() : json_boolean(v); }

static json_t *matrix_json(const phsim_summary *s, int learn) {
  json_t *a = json_array();
  for (size_t j = 0; j < s->cfg.m; j++) {
    json_t *row = json_array();
    for (size_t l = 0; l < s->cfg.K; l++) {
      const size_t i = j * s->cfg.K + l;
      json_array_append_new(row, learn ? step_or_null(s->learn_step[i]) : number(s->cos_final[i]));
    }
    json_array_append_new(a, row);
  }
  return a;
}

static json_t *twin_json(const phsim_summary_twin *t) {
  if (!t->present) return json_null();
  json_t *o = json_object();
  json_object_set_new(o, "eps", json_real(t->eps));
  json_object_set_new(o, "divergence_max", number(t->divergence_max));
  json_object_set_new(o, "divergence_step", json_integer((json_int_t)t->divergence_step));
  json_object_set_new(o, "outcome", json_string(t->outcome));
  json_object_set_new(o, "status", json_string(t->ok ? "ok" : "diverged"));
  json_object_set_new(o, "fragile", json_boolean(t->fragile));
  return o;
}

static json_t *accel_json(const phsim_summary_accel *a) {
  if (!a->present) return json_null();
  json_t *o = json_object();
  json_object_set_new(o, "neuron", json_integer(a->neuron));
  json_object_set_new(o, "T2", json_integer(a->T2));
  json_object_set_new(o, "strong_without_head", step_or_null(a->strong_without_head));
  json_object_set_new(o, "weak_without_head", step_or_null(a->weak_without_head));
  json_object_set_new(o, "weak_with_head", step_or_null(a->weak_with_head));
  json_object_set_new(o, "ratio", number(a->ratio));
  return o;
}

static json_t *phases_json(const phsim_summary_phases *p) {
  json_t *o = json_object();
  json_object_set_new(o, "T1", step_or_null(p->T1));
  json_object_set_new(o, "T2", step_or_null(p->T2));
  json_object_set_new(o, "T3", step_or_null(p->T3));
  json_object_set_new(o, "T4", step_or_null(p->T4));
  json_object_set_new(o, "phase1_offtarget_max", number(p->phase1_offtarget_max));
  json_object_set_new(o, "phase1_E_minus_I_max", number(p->phase1_E_minus_I_max));
  json_object_set_new(o, "strong_neuron", index_or_null(p->strong_neuron));
  json_object_set_new(o, "substituted_neuron", index_or_null(p->substituted_neuron));
  json_object_set_new(o, "E_substitution", number(p->E_substitution));
  json_t *kappa = json_array(), *step = json_array(), *E = json_array();
  for (size_t k = 0; k < PHSIM_PULL_KAPPAS; k++) {
    json_array_append_new(kappa, json_real(phsim_pull_kappa[k]));
    json_array_append_new(step, step_or_null(p->pull_step[k]));
    json_array_append_new(E, number(p->pull_E[k]));
  }
  json_t *pe = json_object();
  json_object_set_new(pe, "kappa", kappa);
  json_object_set_new(pe, "step", step);
  json_object_set_new(pe, "E", E);
  json_object_set_new(pe, "to_one_step", yes_no_or_null(p->pull_to_one_step));
  json_object_set_new(o, "pull_end", pe);
  return o;
}

static json_t *fidelity_json(const phsim_summary_fidelity *f) {
  json_t *o = json_object();
  json_object_set_new(o, "stiffness_max", number(f->stiffness_max));
  json_object_set_new(o, "stiffness_step", json_integer((json_int_t)f->stiffness_step));
  json_object_set_new(o, "turn_max", number(f->turn_max));
  json_object_set_new(o, "turn_step", step_or_null(f->turn_step));
  json_object_set_new(o, "loss_rise_max", number(f->loss_rise_max));
  json_object_set_new(o, "loss_rise_step", json_integer((json_int_t)f->loss_rise_step));
  json_object_set_new(o, "left_flow_step", step_or_null(f->left_flow_step));
  json_object_set_new(o, "flow_faithful", yes_no_or_null(f->flow_faithful));
  return o;
}

static json_t *pair(const char *k1, json_t *v1, const char *k2, json_t *v2) {
  json_t *o = json_object();
  json_object_set_new(o, k1, v1);
  json_object_set_new(o, k2, v2);
  return o;
}

static void set_results(json_t *o, const phsim_summary *s) {
  json_object_set_new(o, "learn_step", matrix_json(s, 1));
  json_object_set_new(o, "cos_final", matrix_json(s, 0));
  json_object_set_new(o, "outcome", json_string(s->outcome));
  json_object_set_new(o, "twin", twin_json(&s->twin));
  json_object_set_new(o, "acceleration", accel_json(&s->acceleration));
  json_t *race = json_array();
  for (size_t j = 0; j < s->cfg.m; j++) json_array_append_new(race, json_integer(s->race[j]));
  json_object_set_new(o, "race_favoured_initial", race);
  json_object_set_new(o, "phases", phases_json(&s->phases));
  json_object_set_new(o, "features_learned", json_integer((json_int_t)s->features_learned));
  json_object_set_new(o, "collapsed", json_boolean(s->collapsed));
  json_object_set_new(o, "E_peak", pair("value", number(s->E_peak), "step",
                                        json_integer((json_int_t)s->E_peak_step)));
  json_object_set_new(o, "E_minus_I_final", number(s->E_minus_I_final));
  json_object_set_new(o, "weight_norm_max_final", number(s->weight_norm_max_final));
  json_object_set_new(o, "fidelity", fidelity_json(&s->fidelity));
}

json_t *phsim_summary_json(const phsim_summary *s) {
  json_t *o = json_object();
  json_object_set_new(o, "status", json_string(phsim_summary_status_name(s->status)));
  if (s->status == PHSIM_ENUM)
    json_object_set_new(o, "fault", pair("step", json_integer((json_int_t)s->fault_step),
                                         "what", json_string(s->fault)));
  json_object_set_new(o, "config", phsim_config_to_json(&s->cfg));
  set_results(o, s);
  json_t *er = pair("start", number(s->erank_start), "end", number(s->erank_end));
  json_object_set_new(er, "start_bn", number(s->erank_bn_start));
  json_object_set_new(er, "end_bn", number(s->erank_bn_end));
  json_object_set_new(o, "effective_rank", er);
  json_object_set_new(o, "loss_final", number(s->loss_final));
  json_object_set_new(o, "steps", json_integer((json_int_t)s->steps));
  json_object_set_new(o, "wall_seconds", number(s->wall_seconds));
  json_object_set_new(o, "steps_per_second", number(s->steps_per_second));
  if (s->provenance.known) json_object_set_new(o, "provenance", phsim_provenance_json(&s->provenance));
  return o;
}

int phsim_summary_write(const phsim_summary *s, const phsim_at *at, const char *dir,
                        char err[PHSIM_ERR_MAX]) {
  json_t *o = phsim_summary_json(s);
  int st = phsim_json_write_at(o, at, dir, "summary.json", err);
  json_decref(o);
  return st;
}

/* ---- the sweep table ------------------------------------------------------ */

/* A field of the table: empty (null), an integer, a real, 0/1 or text. */
typedef struct {
  enum { CELL_NULL, CELL_INT, CELL_REAL, CELL_BOOL, CELL_TEXT } kind;
  long long i;
  double x;
  const char *text;
} cell;

static cell c_int(long long v) { return (cell){.kind = CELL_INT, .i = v}; }
static cell c_step(long v) { return v < 0 ? (cell){CELL_NULL, 0, 0, NULL} : c_int(v); }
static cell c_index(long v) { return v < 1 ? (cell){CELL_NULL, 0, 0, NULL} : c_int(v); }
static cell c_real(double x) {
  return isfinite(x) ? (cell){.kind = CELL_REAL, .x = x} : (cell){CELL_NULL, 0, 0, NULL};
}
static cell c_bool(int v) { return v < 0 ? (cell){CELL_NULL, 0, 0, NULL} : (cell){.kind = CELL_BOOL, .i = v}; }
static cell c_text(const char *t) { return (cell){.kind = CELL_TEXT, .text = t}; }

typedef cell (*column_fn)(const phsim_summary *s);
#define COLUMN(name, expr) \
  static cell col_##name(const phsim_summary *s) { return expr; }
COLUMN(status, c_text(phsim_summary_status_name(s->status)))
COLUMN(features_learned, c_int((long long)s->features_learned))
COLUMN(collapsed, c_bool(s->collapsed))
COLUMN(loss_final, c_real(s->loss_final))
COLUMN(E_peak, c_real(s->E_peak))
COLUMN(E_peak_step, c_int((long long)s->E_peak_step))
COLUMN(E_minus_I_final, c_real(s->E_minus_I_final))
COLUMN(erank_start, c_real(s->erank_start))
COLUMN(erank_end, c_real(s->erank_end))
COLUMN(erank_bn_end, c_real(s->erank_bn_end))
COLUMN(T1, c_step(s->phases.T1))
COLUMN(T2, c_step(s->phases.T2))
COLUMN(T3, c_step(s->phases.T3))
COLUMN(T4, c_step(s->phases.T4))
COLUMN(E_substitution, c_real(s->phases.E_substitution))
COLUMN(strong_neuron, c_index(s->phases.strong_neuron))
COLUMN(substituted_neuron, c_index(s->phases.substituted_neuron))
COLUMN(steps, c_int((long long)s->steps))
COLUMN(flow_faithful, c_bool(s->fidelity.flow_faithful))
COLUMN(stiffness_max, c_real(s->fidelity.stiffness_max))
COLUMN(turn_max, c_real(s->fidelity.turn_max))
COLUMN(outcome, c_text(s->outcome))
COLUMN(phase1_offtarget_max, c_real(s->phases.phase1_offtarget_max))
COLUMN(phase1_E_minus_I_max, c_real(s->phases.phase1_E_minus_I_max))
COLUMN(fragile, s->twin.present ? c_bool(s->twin.fragile) : c_bool(-1))
COLUMN(weight_norm_max_final, c_real(s->weight_norm_max_final))
COLUMN(accel_weak_with_head, c_step(s->acceleration.present ? s->acceleration.weak_with_head : -1))
COLUMN(accel_weak_without_head, c_step(s->acceleration.present ? s->acceleration.weak_without_head : -1))
COLUMN(accel_strong_without_head,
       c_step(s->acceleration.present ? s->acceleration.strong_without_head : -1))
COLUMN(accel_ratio, c_real(s->acceleration.present ? s->acceleration.ratio : NAN))
COLUMN(E_pull_3, c_real(s->phases.pull_E[0]))
COLUMN(E_pull_10, c_real(s->phases.pull_E[1]))
COLUMN(E_pull_30, c_real(s->phases.pull_E[2]))
COLUMN(T_pull_3, c_step(s->phases.pull_step[0]))
COLUMN(T_pull_10, c_step(s->phases.pull_step[1]))
COLUMN(T_pull_30, c_step(s->phases.pull_step[2]))
#undef COLUMN

#define C(name) {#name, col_##name, 0},
#define T(name) {#name, col_##name, 1},
static const struct {
  const char *name;
  column_fn get;
  int text; /* status, outcome; every other column is a number or empty */
} columns[] = {PHSIM_SUMMARY_COLUMNS(T, C)};
#undef C
#undef T
#define NCOLUMNS (sizeof columns / sizeof columns[0])

const char *phsim_summary_column_name(phsim_column c) { return columns[c].name; }

void phsim_summary_columns(FILE *fp, size_t K) {
  for (size_t c = 0; c < NCOLUMNS; c++) fprintf(fp, ",%s", columns[c].name);
  for (size_t l = 1; l <= K; l++) fprintf(fp, ",learn_%zu", l);
}

int phsim_summary_column_numeric(const char *name) {
  if (strncmp(name, "learn_", 6) == 0) return 1;
  for (size_t c = 0; c < NCOLUMNS; c++)
    if (strcmp(columns[c].name, name) == 0) return !columns[c].text;
  return 0;
}

static void put_cell(FILE *fp, cell c) {
  fputc(',', fp);
  if (c.kind == CELL_INT) fprintf(fp, "%lld", c.i);
  else if (c.kind == CELL_REAL) fprintf(fp, "%.17g", c.x);
  else if (c.kind == CELL_BOOL) fputs(c.i ? "1" : "0", fp);
  else if (c.kind == CELL_TEXT && c.text != NULL) fputs(c.text, fp);
}

void phsim_summary_fields(FILE *fp, const phsim_summary *s) {
  for (size_t c = 0; c < NCOLUMNS; c++) put_cell(fp, columns[c].get(s));
  for (size_t l = 0; l < s->cfg.K; l++) put_cell(fp, c_step(phsim_summary_first_learned(s, l)));
}

/* ---- summary.json read back ------------------------------------------------ */

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

/* Members older versions of phsim did not write may be absent. */
static int opt_number(json_t *v, double lo, double hi) { return v == NULL || is_number_or_null(v, lo, hi); }
static int opt_step(json_t *v, unsigned long max) { return v == NULL || is_step_or_null(v, max); }
static int opt_bool(json_t *v) { return v == NULL || json_is_null(v) || json_is_boolean(v); }

/* Values that passed the checks above: null as the struct has it. */
static long get_step(json_t *v) { return json_is_integer(v) ? (long)json_integer_value(v) : -1; }
static long get_index(json_t *v) { return json_is_integer(v) ? (long)json_integer_value(v) : 0; }
static double get_number(json_t *v) { return json_is_number(v) ? json_number_value(v) : NAN; }
static int get_bool(json_t *v) { return json_is_boolean(v) ? json_is_true(v) : -1; }

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

static int check_status(json_t *root, const ctx *c, phsim_summary *s) {
  static const char *const allowed[] = {"ok", "diverged", "interrupted"};
  static const int code[] = {PHSIM_OK, PHSIM_ENUM, PHSIM_EINTR};
  const char *st = json_string_value(json_object_get(root, "status"));
  size_t i = 0;
  while (st && i < 3 && strcmp(st, allowed[i]) != 0) i++;
  if (st == NULL || i == 3) return bad(c, "status", "ok, diverged or interrupted");
  s->status = code[i];
  if (s->status != PHSIM_ENUM) return PHSIM_OK;
  json_t *f = json_object_get(root, "fault");
  if (!json_is_object(f) || !is_step(json_object_get(f, "step"), c->steps) ||
      !json_is_string(json_object_get(f, "what")))
    return bad(c, "fault", "{\"step\": a step, \"what\": text} with status diverged");
  s->fault_step = (unsigned long)get_step(json_object_get(f, "step"));
  snprintf(s->fault, sizeof s->fault, "%s", json_string_value(json_object_get(f, "what")));
  return PHSIM_OK;
}

/* phases' pull_end (absent in older summaries: pull_to_one_step -2):
 * kappa as phsim's, step and E PHSIM_PULL_KAPPAS steps / numbers >= 0 or
 * null, to_one_step. */
static int check_pull_end(json_t *pe, const ctx *c, phsim_summary_phases *p) {
  if (pe == NULL) {
    p->pull_to_one_step = -2;
    return PHSIM_OK;
  }
  json_t *kappa = json_object_get(pe, "kappa"), *step = json_object_get(pe, "step"),
         *E = json_object_get(pe, "E");
  int ok = json_is_object(pe) && json_is_array(kappa) && json_is_array(step) &&
           json_is_array(E) && json_array_size(kappa) == PHSIM_PULL_KAPPAS &&
           json_array_size(step) == PHSIM_PULL_KAPPAS && json_array_size(E) == PHSIM_PULL_KAPPAS &&
           opt_bool(json_object_get(pe, "to_one_step"));
  for (size_t k = 0; ok && k < PHSIM_PULL_KAPPAS; k++)
    ok = get_number(json_array_get(kappa, k)) == phsim_pull_kappa[k] &&
         is_step_or_null(json_array_get(step, k), c->steps) &&
         is_number_or_null(json_array_get(E, k), 0, INFINITY);
  if (!ok)
    return bad(c, "phases.pull_end", "{\"kappa\": [3, 10, 30], \"step\": 3 steps or null, "
               "\"E\": 3 numbers >= 0 or null, \"to_one_step\": true, false or null}");
  for (size_t k = 0; k < PHSIM_PULL_KAPPAS; k++) {
    p->pull_step[k] = get_step(json_array_get(step, k));
    p->pull_E[k] = get_number(json_array_get(E, k));
  }
  p->pull_to_one_step = get_bool(json_object_get(pe, "to_one_step"));
  return PHSIM_OK;
}

static int check_phases(json_t *ph, const ctx *c, phsim_summary_phases *p) {
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
  if (!opt_number(json_object_get(ph, "phase1_offtarget_max"), 0, INFINITY) ||
      !opt_number(json_object_get(ph, "phase1_E_minus_I_max"), 0, INFINITY))
    return bad(c, "phases", "phase1_offtarget_max, phase1_E_minus_I_max each >= 0 or null");
  *p = (phsim_summary_phases){
      get_step(json_object_get(ph, "T1")), get_step(json_object_get(ph, "T2")),
      get_step(json_object_get(ph, "T3")), get_step(json_object_get(ph, "T4")),
      get_number(json_object_get(ph, "phase1_offtarget_max")),
      get_number(json_object_get(ph, "phase1_E_minus_I_max")),
      get_index(json_object_get(ph, "strong_neuron")),
      get_index(json_object_get(ph, "substituted_neuron")),
      get_number(json_object_get(ph, "E_substitution")), {-1, -1, -1}, {NAN, NAN, NAN}, -1};
  return check_pull_end(json_object_get(ph, "pull_end"), c, p);
}

static int check_arrays(json_t *root, const ctx *c, phsim_summary *s) {
  json_t *ls = json_object_get(root, "learn_step"), *cs = json_object_get(root, "cos_final");
  if (!is_matrix(ls, c, learn_entry))
    return bad(c, "learn_step", "m rows of K entries, each a step or null");
  if (!is_matrix(cs, c, cos_entry))
    return bad(c, "cos_final", "m rows of K entries, each in [-1, 1] or null");
  json_t *race = json_object_get(root, "race_favoured_initial");
  int ok = json_is_array(race) && json_array_size(race) == c->m;
  for (size_t j = 0; ok && j < c->m; j++)
    ok = is_index_or_null(json_array_get(race, j), c->K) && !json_is_null(json_array_get(race, j));
  if (!ok) return bad(c, "race_favoured_initial", "m entries, each a feature 1..K");
  for (size_t j = 0; j < c->m; j++) {
    s->race[j] = get_index(json_array_get(race, j));
    for (size_t l = 0; l < c->K; l++) {
      s->learn_step[j * c->K + l] = get_step(json_array_get(json_array_get(ls, j), l));
      s->cos_final[j * c->K + l] = get_number(json_array_get(json_array_get(cs, j), l));
    }
  }
  return PHSIM_OK;
}

static int check_numbers(json_t *root, const ctx *c, phsim_summary *s) {
  static const char *const plain[] = {"E_minus_I_final", "loss_final", "wall_seconds",
                                      "steps_per_second"};
  static const char *const erank[] = {"start", "end", "start_bn", "end_bn"};
  double *const plain_to[] = {&s->E_minus_I_final, &s->loss_final, &s->wall_seconds,
                              &s->steps_per_second};
  double *const erank_to[] = {&s->erank_start, &s->erank_end, &s->erank_bn_start,
                              &s->erank_bn_end};
  for (size_t i = 0; i < 4; i++)
    if (!is_number_or_null(json_object_get(root, plain[i]), -INFINITY, INFINITY))
      return bad(c, plain[i], "a number or null");
    else *plain_to[i] = get_number(json_object_get(root, plain[i]));
  json_t *er = json_object_get(root, "effective_rank");
  for (size_t i = 0; i < 4; i++)
    if (!json_is_object(er) || !is_number_or_null(json_object_get(er, erank[i]), 0, (double)c->m + 1e-9))
      return bad(c, "effective_rank", "{start, end, start_bn, end_bn} each in [0, m] or null");
    else *erank_to[i] = get_number(json_object_get(er, erank[i]));
  json_t *peak = json_object_get(root, "E_peak");
  if (!json_is_object(peak) || !is_number_or_null(json_object_get(peak, "value"), 0, INFINITY) ||
      !is_step(json_object_get(peak, "step"), c->steps))
    return bad(c, "E_peak", "{\"value\": a number >= 0 or null, \"step\": a step}");
  s->E_peak = get_number(json_object_get(peak, "value"));
  s->E_peak_step = (unsigned long)get_step(json_object_get(peak, "step"));
  json_t *fl = json_object_get(root, "features_learned");
  if (!json_is_integer(fl) || json_integer_value(fl) < 0 || (size_t)json_integer_value(fl) > c->K)
    return bad(c, "features_learned", "an integer from 0 to K");
  s->features_learned = (size_t)json_integer_value(fl);
  if (!json_is_boolean(json_object_get(root, "collapsed"))) return bad(c, "collapsed", "true or false");
  s->collapsed = json_is_true(json_object_get(root, "collapsed"));
  if (!is_step(json_object_get(root, "steps"), c->steps))
    return bad(c, "steps", "an integer from 0 to the configuration's steps");
  s->steps = (unsigned long)get_step(json_object_get(root, "steps"));
  return PHSIM_OK;
}

/* "l1:l2:...:lm": at most m features 0..K and colons. */
static char *outcome_copy(json_t *v, const ctx *c) {
  const char *t = json_string_value(v);
  if (t == NULL || json_string_length(v) > c->m * 4 || strspn(t, "0123456789:") != strlen(t))
    return NULL;
  return strdup(t);
}

static int check_fidelity(json_t *f, const ctx *c, phsim_summary_fidelity *out) {
  if (f == NULL) return PHSIM_OK;
  if (!json_is_object(f) || !opt_number(json_object_get(f, "stiffness_max"), 0, INFINITY) ||
      !opt_number(json_object_get(f, "turn_max"), 0, INFINITY) ||
      !opt_number(json_object_get(f, "loss_rise_max"), -INFINITY, INFINITY) ||
      !opt_step(json_object_get(f, "stiffness_step"), c->steps) ||
      !opt_step(json_object_get(f, "turn_step"), c->steps) ||
      !opt_step(json_object_get(f, "loss_rise_step"), c->steps) ||
      !opt_step(json_object_get(f, "left_flow_step"), c->steps) ||
      !opt_bool(json_object_get(f, "flow_faithful")))
    return bad(c, "fidelity", "an object of numbers >= 0, steps and flow_faithful true, false or null");
  *out = (phsim_summary_fidelity){
      get_number(json_object_get(f, "stiffness_max")),
      (unsigned long)get_step(json_object_get(f, "stiffness_step")),
      get_number(json_object_get(f, "turn_max")), get_step(json_object_get(f, "turn_step")),
      get_number(json_object_get(f, "loss_rise_max")),
      (unsigned long)get_step(json_object_get(f, "loss_rise_step")),
      get_step(json_object_get(f, "left_flow_step")), get_bool(json_object_get(f, "flow_faithful"))};
  if ((long)out->stiffness_step < 0) out->stiffness_step = 0;
  if ((long)out->loss_rise_step < 0) out->loss_rise_step = 0;
  return PHSIM_OK;
}

static int check_twin(json_t *t, const ctx *c, phsim_summary_twin *out) {
  if (t == NULL || json_is_null(t)) return PHSIM_OK;
  const char *status = json_string_value(json_object_get(t, "status"));
  if (!json_is_object(t) || !opt_number(json_object_get(t, "eps"), -INFINITY, INFINITY) ||
      !opt_number(json_object_get(t, "divergence_max"), 0, INFINITY) ||
      !opt_step(json_object_get(t, "divergence_step"), c->steps) ||
      !json_is_boolean(json_object_get(t, "fragile")) || status == NULL ||
      (strcmp(status, "ok") != 0 && strcmp(status, "diverged") != 0) ||
      (out->outcome = outcome_copy(json_object_get(t, "outcome"), c)) == NULL)
    return bad(c, "twin", "null or {eps, divergence_max, divergence_step, outcome, status ok "
               "or diverged, fragile}");
  out->present = 1;
  out->eps = get_number(json_object_get(t, "eps"));
  out->divergence_max = get_number(json_object_get(t, "divergence_max"));
  const long step = get_step(json_object_get(t, "divergence_step"));
  out->divergence_step = step < 0 ? 0 : (unsigned long)step;
  out->ok = strcmp(status, "ok") == 0;
  out->fragile = json_is_true(json_object_get(t, "fragile"));
  return PHSIM_OK;
}

static int check_accel(json_t *a, const ctx *c, phsim_summary_accel *out) {
  if (a == NULL || json_is_null(a)) return PHSIM_OK;
  static const char *const steps[] = {"T2", "strong_without_head", "weak_without_head",
                                      "weak_with_head"};
  long *const to[] = {&out->T2, &out->strong_without_head, &out->weak_without_head,
                      &out->weak_with_head};
  int ok = json_is_object(a) && is_index_or_null(json_object_get(a, "neuron"), c->m) &&
           is_step(json_object_get(a, "T2"), c->steps) &&
           opt_number(json_object_get(a, "ratio"), 0, INFINITY);
  for (size_t i = 1; ok && i < 4; i++) ok = opt_step(json_object_get(a, steps[i]), c->steps);
  if (!ok) return bad(c, "acceleration", "null or {neuron 1..m, T2, three steps or null, ratio}");
  out->present = 1;
  out->neuron = get_index(json_object_get(a, "neuron"));
  for (size_t i = 0; i < 4; i++) *to[i] = get_step(json_object_get(a, steps[i]));
  out->ratio = get_number(json_object_get(a, "ratio"));
  return PHSIM_OK;
}

static int check_optional(json_t *root, const ctx *c, phsim_summary *s) {
  json_t *outcome = json_object_get(root, "outcome");
  if (outcome != NULL) {
    char *copy = outcome_copy(outcome, c);
    if (copy == NULL) return bad(c, "outcome", "the feature of each neuron 0..K, joined by ':'");
    free(s->outcome);
    s->outcome = copy;
  }
  if (!opt_number(json_object_get(root, "weight_norm_max_final"), 0, INFINITY))
    return bad(c, "weight_norm_max_final", "a number >= 0 or null");
  s->weight_norm_max_final = get_number(json_object_get(root, "weight_norm_max_final"));
  int st = check_fidelity(json_object_get(root, "fidelity"), c, &s->fidelity);
  if (st == PHSIM_OK) st = check_twin(json_object_get(root, "twin"), c, &s->twin);
  if (st == PHSIM_OK) st = check_accel(json_object_get(root, "acceleration"), c, &s->acceleration);
  if (st == PHSIM_OK) st = phsim_provenance_read(root, c->name, &s->provenance, c->err);
  return st;
}

int phsim_summary_check(json_t *root, const char *name, phsim_summary *s,
                        char err[PHSIM_ERR_MAX]) {
  memset(s, 0, sizeof *s);
  ctx c = {.name = name, .err = err};
  int st = PHSIM_OK;
  phsim_config cfg;
  char where[PHSIM_PATH_MAX + 32], msg[PHSIM_ERR_MAX];
  snprintf(where, sizeof where, "'%.300s': key 'config'", name);
  if (!json_is_object(root)) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s': expected a JSON object (a run's summary)", name);
    return PHSIM_EINPUT;
  }
  st = phsim_config_from_json(json_object_get(root, "config"), where, &cfg, err);
  if (st == PHSIM_OK && phsim_config_check(&cfg, msg) != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "%.200s: %.300s", where, msg);
    st = PHSIM_EINPUT;
  }
  if (st != PHSIM_OK) return st;
  if (phsim_summary_init(s, &cfg) != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s': out of memory", name);
    return PHSIM_ENOMEM;
  }
  c.m = cfg.m;
  c.K = cfg.K;
  c.steps = cfg.steps;
  st = check_status(root, &c, s);
  if (st == PHSIM_OK) st = check_arrays(root, &c, s);
  if (st == PHSIM_OK) st = check_phases(json_object_get(root, "phases"), &c, &s->phases);
  if (st == PHSIM_OK) st = check_numbers(root, &c, s);
  if (st == PHSIM_OK) st = check_optional(root, &c, s);
  if (st != PHSIM_OK) phsim_summary_free(s);
  return st;
}

int phsim_summary_read(const char *path, phsim_summary *s,
                       char err[PHSIM_ERR_MAX]) {
  memset(s, 0, sizeof *s);
  json_t *root = phsim_json_load_checked(path, PHSIM_SUMMARY_MAX_BYTES, err);
  if (root == NULL) return PHSIM_EINPUT;
  int st = phsim_summary_check(root, path, s, err);
  json_decref(root);
  return st;
}
