/* run.c: the training loop, the trajectory and the summary. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_eigen.h>

#include "phsim_io.h"
#include "phsim_engine.h"
#include "phsim_fidelity.h"
#include "phsim_interrupt.h"
#include "phsim_phases.h"
#include "phsim_popgrad.h"
#include "phsim_progress.h"
#include "phsim_twin.h"
#include "phsim_accel.h"

double phsim_effective_rank(const gsl_matrix *M, int normalized) {
  const size_t m = M->size1;
  for (size_t r = 0; r < m; r++) /* a silent or non-finite output: undefined */
    if (!(gsl_matrix_get(M, r, r) > 0.0) || !isfinite(gsl_matrix_get(M, r, r)))
      if (normalized || !isfinite(gsl_matrix_get(M, r, r))) return NAN;
  gsl_matrix *work = gsl_matrix_alloc(m, m);
  gsl_vector *eval = gsl_vector_alloc(m);
  gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(m);
  gsl_matrix_memcpy(work, M);
  for (size_t r = 0; r < m && normalized; r++)
    for (size_t s = 0; s < m; s++)
      gsl_matrix_set(work, r, s,
                     gsl_matrix_get(M, r, s) /
                         sqrt(gsl_matrix_get(M, r, r) * gsl_matrix_get(M, s, s)));
  gsl_eigen_symm(work, eval, ws);
  double total = 0.0;
  for (size_t i = 0; i < m; i++) total += fmax(gsl_vector_get(eval, i), 0.0);
  double entropy = 0.0;
  for (size_t i = 0; i < m && total > 0.0; i++) {
    double p = fmax(gsl_vector_get(eval, i), 0.0) / total;
    if (p > 0.0) entropy -= p * log(p);
  }
  gsl_eigen_symm_free(ws);
  gsl_vector_free(eval);
  gsl_matrix_free(work);
  return total > 0.0 ? exp(entropy) : NAN;
}

/* What the run remembers between logged rows. */
typedef struct {
  size_t m, K;
  double threshold;
  long *learn_step;          /* m x K, -1 = not yet */
  /* the last logged state */
  unsigned long last_step;
  double last_loss, last_E_minus_I, last_erank, last_erank_bn;
  size_t last_features;
  double *last_cos;          /* m x K */
  double last_norm_max;      /* max_j ||w_j|| at the last row */
  double erank_start, erank_bn_start;
  size_t *race;              /* m: argmax_l c_l a_jl^4 at step 0 */
  phsim_phases phases;
  /* gradient descent against its flow (phsim_fidelity.h) */
  phsim_fidelity *fid;       /* NULL: not defined (ema > 0) */
  int is_flow;               /* engine = flow: the flow itself */
  int warn;                  /* say once on stderr when the run leaves it */
  double stiff_max;
  unsigned long stiff_step;
  long left_step;            /* first logged step breaking the rule, -1 */
  phsim_twin *twin;          /* NULL: no twin */
  const phsim_config *cfg;
  phsim_accel accel;         /* neuron -1: not measured */
} tracker;

/* Without a head each neuron evolves on its own and, from small overlaps,
 * da_l/dt ~ c_l a_l^5: the feature with the largest c_l a_l^4 escapes first
 * (c_l = pi_l alpha_l^6).  Record which feature that race favours. */
static void track_race(tracker *t, const phsim_config *cfg,
                       const gsl_matrix *A) {
  for (size_t j = 0; j < t->m; j++) {
    double best = -1.0;
    for (size_t l = 0; l < t->K; l++) {
      double a2 = gsl_matrix_get(A, j, l) * gsl_matrix_get(A, j, l);
      double score = phsim_feature_strength(cfg, l) * a2 * a2;
      if (score > best) {
        best = score;
        t->race[j] = l;
      }
    }
  }
}

void phsim_outcome_string(const double *cos, size_t m, size_t K,
                          double threshold, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t j = 0; j < m && used < size; j++) {
    size_t best = 0;
    double top = threshold;
    for (size_t l = 0; l < K; l++)
      if (fabs(cos[j * K + l]) >= top) {
        top = fabs(cos[j * K + l]);
        best = l + 1;
      }
    used += (size_t)snprintf(buf + used, size - used, j ? ":%zu" : "%zu", best);
  }
}

double phsim_cosine(const gsl_matrix *A, const gsl_matrix *R, size_t j,
                    size_t l) {
  double norm2 = gsl_matrix_get(R, j, j);
  for (size_t k = 0; k < A->size2; k++) {
    double a = gsl_matrix_get(A, j, k);
    norm2 += a * a;
  }
  return norm2 > 0.0 ? gsl_matrix_get(A, j, l) / sqrt(norm2) : 0.0;
}

/* Stiffness at a logged row (phsim_fidelity.h); the first row at which
 * the run breaks the rule is reported once. */
static void track_fidelity(tracker *t, unsigned long step, const phsim_obs *o,
                           double turn) {
  if (t->fid == NULL) return;
  double stiff;
  phsim_fidelity_stiffness(t->fid, o->A, o->R, o->E, &stiff);
  if (!(stiff <= t->stiff_max)) {
    t->stiff_max = stiff;
    t->stiff_step = step;
  }
  if (t->left_step >= 0) return;
  if (stiff <= PHSIM_FIDELITY_STIFFNESS_MAX && !(turn > PHSIM_FIDELITY_TURN_MAX))
    return;
  t->left_step = (long)step;
  if (t->warn)
    fprintf(stderr,
            "phsim: warning: gradient descent leaves its gradient flow by "
            "step %lu: stiffness eta*|lambda| = %.3g (rule: <= %g), largest "
            "turn of a step %.3g (rule: <= %g); outcomes of this run are not "
            "evidence for the flow (smaller eta, or engine = flow)\n",
            step, stiff, PHSIM_FIDELITY_STIFFNESS_MAX, turn,
            PHSIM_FIDELITY_TURN_MAX);
}

static void track_row(tracker *t, unsigned long step, const phsim_obs *o,
                      double turn) {
  const gsl_matrix *A = o->A, *R = o->R;
  size_t learned = 0;
  for (size_t l = 0; l < t->K; l++) {
    int any = 0;
    for (size_t j = 0; j < t->m; j++)
      t->last_cos[j * t->K + l] = phsim_cosine(A, R, j, l);
    for (size_t j = 0; j < t->m; j++)
      if (fabs(t->last_cos[j * t->K + l]) >= t->threshold) {
        any = 1;
        if (t->learn_step[j * t->K + l] < 0)
          t->learn_step[j * t->K + l] = (long)step;
      }
    learned += (size_t)any;
  }
  t->last_norm_max = 0.0;
  for (size_t j = 0; j < t->m; j++) {
    double n2 = gsl_matrix_get(R, j, j);
    for (size_t l = 0; l < t->K; l++) n2 += gsl_matrix_get(A, j, l) * gsl_matrix_get(A, j, l);
    t->last_norm_max = fmax(t->last_norm_max, sqrt(n2));
  }
  t->last_step = step;
  t->last_features = learned;
  t->last_loss = o->loss;
  t->last_E_minus_I = phsim_E_minus_I(o->E);
  t->last_erank = phsim_effective_rank(o->M, 0);
  t->last_erank_bn = phsim_effective_rank(o->M, 1);
  phsim_phases_update(&t->phases, step, t->last_cos, A, o->E, o->gA, learned);
  if (t->cfg->accel && t->accel.neuron < 0 && t->phases.T2 == (long)step)
    phsim_accel_measure(t->cfg, A, R, (size_t)t->phases.substituted_neuron, step,
                        t->cfg->steps - step, &t->accel);
  track_fidelity(t, step, o, turn);
}

static void write_header(FILE *fp, size_t m, size_t K) {
  fputs("step,loss", fp);
  for (size_t j = 1; j <= m; j++) fprintf(fp, ",rho_%zu", j);
  for (size_t j = 1; j <= m; j++)
    for (size_t l = 1; l <= K; l++) fprintf(fp, ",a_%zu_%zu", j, l);
  for (size_t j = 1; j <= m; j++)
    for (size_t l = 1; l <= K; l++) fprintf(fp, ",cos_%zu_%zu", j, l);
  for (size_t j = 1; j <= m; j++) fprintf(fp, ",noise_%zu", j);
  for (size_t j = 1; j <= m; j++)
    for (size_t l = 1; l <= K; l++) fprintf(fp, ",force_%zu_%zu", j, l);
  for (size_t i = 1; i <= m; i++)
    for (size_t j = 1; j <= m; j++) fprintf(fp, ",E_%zu_%zu", i, j);
  fputc('\n', fp);
}

static void write_row(FILE *fp, unsigned long step, const phsim_obs *o) {
  const gsl_matrix *A = o->A, *R = o->R, *E = o->E;
  const size_t m = A->size1, K = A->size2;
  fprintf(fp, "%lu,%.17g", step, o->loss);
  for (size_t j = 0; j < m; j++) fprintf(fp, ",%.17g", gsl_vector_get(o->rho, j));
  for (size_t j = 0; j < m; j++)
    for (size_t l = 0; l < K; l++) fprintf(fp, ",%.17g", gsl_matrix_get(A, j, l));
  for (size_t j = 0; j < m; j++)
    for (size_t l = 0; l < K; l++) fprintf(fp, ",%.17g", phsim_cosine(A, R, j, l));
  for (size_t j = 0; j < m; j++)
    fprintf(fp, ",%.17g", sqrt(gsl_matrix_get(R, j, j)));
  for (size_t j = 0; j < m; j++)
    for (size_t l = 0; l < K; l++)
      fprintf(fp, ",%.17g", -gsl_matrix_get(o->gA, j, l));
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < m; j++) fprintf(fp, ",%.17g", gsl_matrix_get(E, i, j));
  fputc('\n', fp);
}

static json_t *json_number(double x) {
  return isfinite(x) ? json_real(x) : json_null();
}

/* summary.json: fidelity.  flow_faithful: the flow engine is the flow;
 * otherwise every logged row met the rule (null when not defined). */
static json_t *fidelity_json(const tracker *t, const phsim_engine *e) {
  unsigned long turn_step = 0, rise_step = 0;
  const double turn = phsim_engine_turn(e, &turn_step);
  const double rise = phsim_engine_loss_rise(e, &rise_step);
  json_t *f = json_object();
  json_object_set_new(f, "stiffness_max", json_number(t->stiff_max));
  json_object_set_new(f, "stiffness_step", json_integer((json_int_t)t->stiff_step));
  json_object_set_new(f, "turn_max", json_number(turn));
  json_object_set_new(f, "turn_step",
                      isnan(turn) ? json_null() : json_integer((json_int_t)turn_step));
  json_object_set_new(f, "loss_rise_max", json_number(rise));
  json_object_set_new(f, "loss_rise_step", json_integer((json_int_t)rise_step));
  json_object_set_new(f, "left_flow_step",
                      t->left_step >= 0 ? json_integer(t->left_step) : json_null());
  json_object_set_new(f, "flow_faithful",
                      t->is_flow ? json_true()
                      : t->fid == NULL ? json_null()
                                       : json_boolean(t->left_step < 0));
  return f;
}

/* The counterfactual against the run's own step at which the substituted
 * neuron learned the weakest feature. */
static json_t *accel_json(const tracker *t) {
  const long learned =
      t->accel.neuron < 0 ? -1
                          : t->learn_step[(size_t)t->accel.neuron * t->K + t->accel.weak];
  return phsim_accel_json(&t->accel, learned);
}

static json_t *summary_json(const phsim_config *cfg, const tracker *t,
                            int status, unsigned long fault_step,
                            const phsim_engine *e, double wall) {
  char outcome[PHSIM_MAX_M * 4 + 1];
  phsim_outcome_string(t->last_cos, t->m, t->K, t->threshold, outcome,
                       sizeof outcome);
  const char *fault = phsim_engine_fault(e);
  json_t *s = json_object();
  json_object_set_new(s, "status",
                      json_string(status == PHSIM_OK      ? "ok"
                                  : status == PHSIM_EINTR ? "interrupted"
                                                          : "diverged"));
  if (status == PHSIM_ENUM) {
    json_t *f = json_object();
    json_object_set_new(f, "step", json_integer((json_int_t)fault_step));
    json_object_set_new(f, "what", json_string(fault));
    json_object_set_new(s, "fault", f);
  }
  json_object_set_new(s, "config", phsim_config_to_json(cfg));
  json_t *ls = json_array();
  for (size_t j = 0; j < t->m; j++) {
    json_t *row = json_array();
    for (size_t l = 0; l < t->K; l++) {
      long v = t->learn_step[j * t->K + l];
      json_array_append_new(row, v < 0 ? json_null() : json_integer(v));
    }
    json_array_append_new(ls, row);
  }
  json_object_set_new(s, "learn_step", ls);
  json_t *cs = json_array();
  for (size_t j = 0; j < t->m; j++) {
    json_t *row = json_array();
    for (size_t l = 0; l < t->K; l++)
      json_array_append_new(row, json_number(t->last_cos[j * t->K + l]));
    json_array_append_new(cs, row);
  }
  json_object_set_new(s, "cos_final", cs);
  json_object_set_new(s, "outcome", json_string(outcome));
  json_object_set_new(s, "twin", phsim_twin_json(t->twin, outcome));
  json_object_set_new(s, "acceleration", accel_json(t));
  json_t *race = json_array();
  for (size_t j = 0; j < t->m; j++)
    json_array_append_new(race, json_integer((json_int_t)t->race[j] + 1));
  json_object_set_new(s, "race_favoured_initial", race);
  json_object_set_new(s, "phases", phsim_phases_json(&t->phases));
  json_object_set_new(s, "features_learned",
                      json_integer((json_int_t)t->last_features));
  json_object_set_new(s, "collapsed", json_boolean(t->last_features < t->K));
  json_t *peak = json_object();
  const phsim_head_peak hp = phsim_engine_head_peak(e);
  json_object_set_new(peak, "value", json_number(hp.value));
  json_object_set_new(peak, "step", json_integer((json_int_t)hp.step));
  json_object_set_new(s, "E_peak", peak);
  json_object_set_new(s, "E_minus_I_final", json_number(t->last_E_minus_I));
  json_object_set_new(s, "weight_norm_max_final", json_number(t->last_norm_max));
  json_object_set_new(s, "fidelity", fidelity_json(t, e));
  json_t *er = json_object();
  json_object_set_new(er, "start", json_number(t->erank_start));
  json_object_set_new(er, "end", json_number(t->last_erank));
  json_object_set_new(er, "start_bn", json_number(t->erank_bn_start));
  json_object_set_new(er, "end_bn", json_number(t->last_erank_bn));
  json_object_set_new(s, "effective_rank", er);
  json_object_set_new(s, "loss_final", json_number(t->last_loss));
  json_object_set_new(s, "steps", json_integer((json_int_t)t->last_step));
  json_object_set_new(s, "wall_seconds", json_number(wall));
  json_object_set_new(s, "steps_per_second",
                      json_number(wall > 0 ? (double)t->last_step / wall : NAN));
  return s;
}

int phsim_json_write(json_t *value, const char *dir, const char *name,
                     char err[PHSIM_ERR_MAX]) {
  phsim_outfile f;
  int st = phsim_outfile_open(&f, dir, name, err);
  if (st != PHSIM_OK) return st;
  if (json_dumpf(value, f.fp, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0 ||
      fputc('\n', f.fp) == EOF) {
    phsim_outfile_abort(&f);
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%s/%s'", dir, name);
    return PHSIM_EIO;
  }
  return phsim_outfile_commit(&f, err);
}

static int write_config(const phsim_config *cfg, const char *dir,
                        char err[PHSIM_ERR_MAX]) {
  phsim_outfile f;
  int st = phsim_outfile_open(&f, dir, "config", err);
  if (st != PHSIM_OK) return st;
  if (phsim_config_write(cfg, f.fp) != PHSIM_OK) {
    phsim_outfile_abort(&f);
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%s/config'", dir);
    return PHSIM_EIO;
  }
  return phsim_outfile_commit(&f, err);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Write and track the row at `step`; the twin follows to it.  PHSIM_EINTR
 * if the twin was stopped by a signal. */
static int log_row(tracker *t, unsigned long step, const phsim_engine *e,
                   FILE *traj) {
  phsim_obs o;
  phsim_engine_observe(e, &o);
  if (traj != NULL) write_row(traj, step, &o);
  track_row(t, step, &o, phsim_engine_turn(e, NULL));
  return t->twin != NULL ? phsim_twin_follow(t->twin, step, &o) : PHSIM_OK;
}

/* stop = strong | all: has the run reached it at its last logged step? */
static int stop_reached(const phsim_config *cfg, const tracker *t) {
  if (cfg->stop == PHSIM_STOP_STRONG) return t->phases.T1 >= 0;
  if (cfg->stop == PHSIM_STOP_ALL) return t->last_features == cfg->K;
  return 0;
}

/* The logged step after `step`: the next multiple of log_every, or with
 * log_per_decade = n the smallest ceil(10^(k/n)) beyond step; the last
 * step always. */
static unsigned long next_row(const phsim_config *cfg, unsigned long step) {
  unsigned long next;
  if (cfg->log_per_decade == 0) {
    next = step - step % cfg->log_every + cfg->log_every;
  } else {
    const double n = (double)cfg->log_per_decade;
    double k = step == 0 ? 0.0 : floor(n * log10((double)step));
    do next = (unsigned long)ceil(pow(10.0, k++ / n));
    while (next <= step);
  }
  return next > cfg->steps ? cfg->steps : next;
}

/* The loop: from the evaluated start, advance to each logged step (every
 * log_every steps and the last).  Returns PHSIM_ENUM with *fault_step set
 * on a numerical fault. */
static int train(const phsim_config *cfg, phsim_engine *e, tracker *t,
                 FILE *traj, phsim_progress *bar, unsigned long *fault_step) {
  phsim_obs o;
  phsim_engine_observe(e, &o);
  t->erank_start = phsim_effective_rank(o.M, 0);
  t->erank_bn_start = phsim_effective_rank(o.M, 1);
  track_race(t, cfg, o.A);
  if (log_row(t, 0, e, traj) == PHSIM_EINTR) return PHSIM_EINTR;
  for (unsigned long step = 0; step < cfg->steps;) {
    const unsigned long next = next_row(cfg, step);
    int st = phsim_engine_advance(e, step, next, fault_step);
    if (st == PHSIM_EINTR) { /* stopped between rows: keep the state reached */
      if (*fault_step > step) log_row(t, *fault_step, e, traj);
      return st;
    }
    if (st != PHSIM_OK) return PHSIM_ENUM;
    step = next;
    if (log_row(t, step, e, traj) == PHSIM_EINTR) return PHSIM_EINTR;
    if (bar != NULL) phsim_progress_update(bar, step);
    if (phsim_interrupted()) return PHSIM_EINTR;
    if (stop_reached(cfg, t)) return PHSIM_OK;
  }
  return PHSIM_OK;
}

phsim_run_opts phsim_run_opts_default(void) {
  return (phsim_run_opts){.trajectory = 1, .timing = 1, .progress = 1, .warn = 1};
}

int phsim_run_execute(const phsim_config *cfg, const char *out_dir,
                      phsim_run_opts opts, char err[PHSIM_ERR_MAX]) {
  int st = phsim_mkdir_p(out_dir, err);
  if (st != PHSIM_OK) return st;
  phsim_engine *engine = phsim_engine_alloc(cfg);
  gsl_rng *rng = phsim_config_rng(cfg);
  tracker t = {.m = cfg->m, .K = cfg->K, .threshold = cfg->threshold,
               .erank_start = NAN, .last_loss = NAN,
               .last_E_minus_I = NAN, .last_erank = NAN,
               .last_erank_bn = NAN, .erank_bn_start = NAN,
               /* the flow is its own flow: no step to measure */
               .fid = cfg->engine == PHSIM_ENGINE_FLOW
                          ? NULL
                          : phsim_fidelity_alloc(cfg, PHSIM_FIDELITY_DENSE_MAX),
               .is_flow = cfg->engine == PHSIM_ENGINE_FLOW, .warn = opts.warn,
               .stiff_max = NAN, .left_step = -1,
               .twin = phsim_twin_alloc(cfg), .cfg = cfg, .accel = {.neuron = -1}};
  t.learn_step = malloc(cfg->m * cfg->K * sizeof *t.learn_step);
  t.last_cos = calloc(cfg->m * cfg->K, sizeof *t.last_cos);
  t.race = calloc(cfg->m, sizeof *t.race);
  phsim_phases_init(&t.phases, cfg);
  for (size_t i = 0; i < cfg->m * cfg->K; i++) t.learn_step[i] = -1;
  phsim_outfile traj = {.fp = NULL};
  /* A fault at the initial state is a diverged run at step 0. */
  phsim_initial init; /* init_W, init_E: read once for the engine and the twin */
  int start_status = phsim_initial_read(cfg, &init, err);
  if (start_status == PHSIM_OK) start_status = phsim_engine_start(engine, cfg, &init, rng, err);
  st = start_status == PHSIM_ENUM ? PHSIM_OK : start_status;
  if (st == PHSIM_OK && t.twin != NULL) st = phsim_twin_start(t.twin, &init, err);
  phsim_initial_free(&init);
  if (st == PHSIM_OK) st = write_config(cfg, out_dir, err);
  if (st == PHSIM_OK && opts.trajectory)
    st = phsim_outfile_open(&traj, out_dir, "trajectory.csv", err);
  if (st == PHSIM_OK) {
    if (traj.fp != NULL) write_header(traj.fp, cfg->m, cfg->K);
    unsigned long fault_step = 0;
    phsim_progress bar;
    phsim_progress_start(&bar, opts.progress ? cfg->steps : 0, "steps");
    double t0 = now_seconds();
    int run_status = start_status == PHSIM_OK
                         ? train(cfg, engine, &t, traj.fp, &bar, &fault_step)
                         : PHSIM_ENUM;
    double wall = opts.timing ? now_seconds() - t0 : NAN;
    phsim_progress_finish(&bar);
    if (traj.fp != NULL) st = phsim_outfile_commit(&traj, err);
    if (st == PHSIM_OK) {
      json_t *summary = summary_json(cfg, &t, run_status, fault_step, engine, wall);
      st = phsim_json_write(summary, out_dir, "summary.json", err);
      json_decref(summary);
    }
    if (st == PHSIM_OK && run_status == PHSIM_EINTR) {
      snprintf(err, PHSIM_ERR_MAX,
               "interrupted by signal %d at step %lu; the trajectory up to "
               "there is kept in '%s'",
               phsim_interrupt_signal(), t.last_step, out_dir);
      st = PHSIM_EINTR;
    } else if (st == PHSIM_OK && run_status != PHSIM_OK) {
      snprintf(err, PHSIM_ERR_MAX,
               "numerical fault at step %lu: %s; the trajectory up to step "
               "%lu is kept in '%.200s' (summary: diverged)",
               fault_step, phsim_engine_fault(engine), t.last_step, out_dir);
      st = PHSIM_ENUM;
    }
  }
  free(t.learn_step);
  free(t.last_cos);
  free(t.race);
  phsim_phases_free(&t.phases);
  phsim_fidelity_free(t.fid);
  phsim_twin_free(t.twin);
  gsl_rng_free(rng);
  phsim_engine_free(engine);
  return st;
}

void phsim_trajectory_header(FILE *fp, size_t m, size_t K) { write_header(fp, m, K); }
