/* sweeprows.c: the metrics of each run of a sweep, from its sweep.csv row
 * and its kept trajectory (plotdata.h). */
#define _XOPEN_SOURCE 700
#include "plotdata.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "phsim_csv.h"
#include "phsim_popgrad.h"
#include "phsim_summary.h"

/* The metrics: four columns of the sweep table, and the substitution
 * strength at three pull thresholds kappa, computed here from the kept
 * trajectories. */
static const phsim_column met_column[M_EP3] = {PHSIM_COLUMN_T1, PHSIM_COLUMN_T3,
                                               PHSIM_COLUMN_E_substitution, PHSIM_COLUMN_E_peak};
static const char *const kappa_name[NMET - M_EP3] = {"kappa3", "kappa10", "kappa30"};
static const double pull_kappa[3] = {3, 10, 30};

const char *phsim_metric_name(int met) {
  return met < M_EP3 ? phsim_summary_column_name(met_column[met]) : kappa_name[met - M_EP3];
}

/* The field of column c in the current row ("" when absent). */
static const char *field_of(const phsim_sweep_table *t, phsim_column c) {
  long i = phsim_csv_col(&t->csv, phsim_summary_column_name(c));
  return i >= 0 ? t->csv.field[i] : "";
}

/* features_learned (an integer 0..K or empty), the metrics, flow_faithful,
 * status and strong_neuron of the current row (the table reader has
 * checked that every result field is empty or a finite number). */
int phsim_sweep_row_read(const phsim_sweep_table *t, size_t K, sweep_row *r,
                         char err[PHSIM_ERR_MAX]) {
  const char *f = field_of(t, PHSIM_COLUMN_features_learned);
  const char *ff = field_of(t, PHSIM_COLUMN_flow_faithful);
  r->idx = t->index;
  r->features = NAN;
  double x;
  if (*f != '\0') {
    if (!phsim_csv_number(f, &x) || x < 0 || x > (double)K || x != floor(x)) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: features_learned '%.40s'; expected an "
               "integer from 0 to %zu", t->csv.name, t->csv.lineno, f, K);
      return PHSIM_EINPUT;
    }
    r->features = x;
  }
  for (int k = 0; k < NMET; k++) {
    const char *v = k < M_EP3 ? field_of(t, met_column[k]) : "";
    r->v[k] = *v != '\0' && phsim_csv_number(v, &x) ? x : NAN;
  }
  r->faithful = *ff == '\0' ? -1 : (phsim_csv_number(ff, &x) && x == 1.0);
  r->ok = strcmp(field_of(t, PHSIM_COLUMN_status), phsim_summary_status_name(PHSIM_OK)) == 0;
  const char *sn = field_of(t, PHSIM_COLUMN_strong_neuron);
  r->strong = *sn != '\0' && phsim_csv_number(sn, &x) && x >= 1 && x <= 2 ? (long)x : 0;
  const long cs = phsim_csv_col(&t->csv, "steps");
  r->steps = cs >= 0 && phsim_csv_number(t->csv.field[cs], &x) ? x : NAN;
  return PHSIM_OK;
}

/* The strongest feature of a configuration: argmax pi_l alpha_l^6. */
static size_t strongest(const phsim_config *c) {
  size_t s = 0;
  for (size_t l = 1; l < c->K; l++)
    if (phsim_feature_strength(c, l) > phsim_feature_strength(c, s)) s = l;
  return s + 1;
}

/* Column indices of the trajectory for neuron i, strong neuron js,
 * feature s (step, force_i_s, E_i_js), then cos_i_l for l = 1..K from
 * col[3]; -1 if absent. */
static int pull_cols(const phsim_csv *c, long i, long js, size_t s, size_t K, long *col) {
  char f[64], e[64], a[64];
  snprintf(f, sizeof f, "force_%ld_%zu", i, s);
  snprintf(e, sizeof e, "E_%ld_%ld", i, js);
  col[0] = phsim_csv_col(c, "step");
  col[1] = phsim_csv_col(c, f);
  col[2] = phsim_csv_col(c, e);
  int ok = col[0] >= 0 && col[1] >= 0 && col[2] >= 0;
  for (size_t l = 1; l <= K; l++) {
    snprintf(a, sizeof a, "cos_%ld_%zu", i, l);
    ok = ok && (col[2 + l] = phsim_csv_col(c, a)) >= 0;
  }
  return ok;
}

/* Has w_i learned some feature in the current row (|cos_i_l| at or above
 * the threshold for some l)?  -1: a field is not a number. */
static int learned_any(const phsim_csv *c, const long *col, size_t K, double threshold) {
  double cs;
  int any = 0;
  for (size_t l = 1; l <= K; l++) {
    if (!phsim_csv_number(c->field[col[2 + l]], &cs)) return -1;
    any = any || fabs(cs) >= threshold;
  }
  return any;
}

/* |E_{i j*}| (i the neuron other than j*, m = 2) at the first logged step
 * at or after T1 at which w_i's pull along the strong feature has fallen
 * to 1/kappa of its largest value since T1 while w_i has learned no
 * feature: the end of substitution defined by the pull alone, for each
 * kappa of pull_kappa (NAN: never).  A pull that vanishes after w_i has
 * learned a feature is no substitution: on v_s it is collapse; on another
 * feature, learned on its own (a slow head at large d, |E| ~ 1e-20 there),
 * the pull fades because w_i turned away.  Reads
 * DIR/runs/NNNNNN/trajectory.csv when the sweep kept it. */
int phsim_pull_collapse(const char *dir, const sweep_data *d, sweep_row *r,
                        char err[PHSIM_ERR_MAX]) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/runs/%06zu/trajectory.csv", dir, r->idx);
  phsim_config cfg;
  struct stat stt;
  if (stat(path, &stt) != 0 || isnan(r->v[M_T1]) || r->strong == 0) return PHSIM_OK;
  if (phsim_sweep_point(&d->s, r->idx, &cfg, err) != PHSIM_OK) return PHSIM_EINPUT;
  if (cfg.m != 2 || cfg.head != PHSIM_HEAD_OFFDIAG) return PHSIM_OK;
  phsim_csv c;
  long col[3 + PHSIM_MAX_K];
  if (phsim_csv_open(&c, path, err) != PHSIM_OK) return PHSIM_EINPUT;
  int st = PHSIM_OK, got, left = 3, any = 0;
  if (!pull_cols(&c, 3 - r->strong, r->strong, strongest(&cfg), cfg.K, col)) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s': not a trajectory of this sweep", path);
    st = PHSIM_EINPUT;
  }
  double peak = 0, step, f, e;
  while (st == PHSIM_OK && left > 0 && (got = phsim_csv_next(&c, err)) == 1) {
    if (!phsim_csv_number(c.field[col[0]], &step) || !phsim_csv_number(c.field[col[1]], &f) ||
        !phsim_csv_number(c.field[col[2]], &e) || (any = learned_any(&c, col, cfg.K, cfg.threshold)) < 0) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: expected numbers", path, c.lineno);
      st = PHSIM_EINPUT;
    } else if (any) {
      left = 0; /* w_i learned a feature: no substitution after */
    } else if (step >= r->v[M_T1]) {
      peak = fmax(peak, fabs(f));
      for (int k = 0; k < 3; k++)
        if (isnan(r->v[M_EP3 + k]) && fabs(f) * pull_kappa[k] <= peak) r->v[M_EP3 + k] = fabs(e), left--;
    }
  }
  if (st == PHSIM_OK && got < 0) st = PHSIM_EINPUT;
  phsim_csv_close(&c);
  return st;
}

