/* test_fidelity.c: the measures of how far gradient descent is from its
 * flow (phsim_fidelity.h) and the run's verdict flow_faithful.
 *  - the stiffness is eta times a property of the state: linear in eta for
 *    small eta, the same by the dense eigenvalues and by power iteration;
 *  - the same as the spectral radius of an unscaled forward-difference
 *    Jacobian of one step, packed by hand (seeds 1..3, m = K = 2);
 *  - the scaled Jacobian, assembled from a batch's lanes, is the one formed
 *    one step at a time, bit for bit; a floor above the norm bound gives
 *    the bound, one below it the radius; a run's largest stiffness is the
 *    largest measured alone at its rows;
 *  - the run's rule: the spec's step (eta = 1) on seed 1009 leaves the
 *    flow between two logged rows (the head jumps to -10), which only the
 *    per-step turn sees; the defaults stay faithful;
 *  - the defaults end as the flow does (seeds 1..3). */
#include "testutil.h"

#include <string.h>

#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <jansson.h>

#include "phsim_fidelity.h"
#include "phsim_reduced.h"
#include "phsim_run.h"

/* A state after `steps` steps of the reduced dynamics (engine order) from cfg. */
static phsim_reduced *state_after(const phsim_config *cfg, unsigned long steps) {
  phsim_reduced *o = phsim_reduced_alloc(cfg);
  gsl_rng *r = phsim_config_rng(cfg);
  phsim_reduced_state_start(o->s, cfg, NULL, r);
  for (unsigned long s = 0; s < steps; s++) {
    assert_int_equal(phsim_reduced_state_eval(o->s), PHSIM_OK);
    phsim_reduced_step(o);
  }
  assert_int_equal(phsim_reduced_state_eval(o->s), PHSIM_OK);
  gsl_rng_free(r);
  return o;
}

static double stiffness(const phsim_config *cfg, const phsim_reduced *o, size_t dense_max) {
  phsim_fidelity *f = phsim_fidelity_alloc(cfg, dense_max);
  double x = NAN;
  assert_int_equal(phsim_fidelity_stiffness(f, o->s->A, o->s->R, o->s->E, -INFINITY, &x), PHSIM_OK);
  phsim_fidelity_free(f);
  return x;
}

static void test_stiffness_linear_in_eta_and_paths_agree(void **s) {
  (void)s;
  phsim_config cfg;
  phsim_config_default(&cfg);
  cfg.m = 4;
  cfg.d = 60;
  cfg.seed = 2;
  assert_true(cfg.m * cfg.K + cfg.m * (cfg.m + 1) / 2 + 12 <= PHSIM_FIDELITY_DENSE_MAX);
  phsim_reduced *o = state_after(&cfg, 20000);
  cfg.eta = 1e-3;
  cfg.eta_E = 1e-4;
  const double small = stiffness(&cfg, o, PHSIM_FIDELITY_DENSE_MAX);
  cfg.eta = 2e-3;
  cfg.eta_E = 2e-4;
  const double twice = stiffness(&cfg, o, PHSIM_FIDELITY_DENSE_MAX);
  if (!(fabs(twice / small - 2.0) < 0.01)) fail_msg("eta x2: stiffness x%.6g", twice / small);
  cfg.eta = 0.025;
  cfg.eta_E = 0.0025;
  const double dense = stiffness(&cfg, o, PHSIM_FIDELITY_DENSE_MAX);
  const double power = stiffness(&cfg, o, 0);
  if (!(fabs(power / dense - 1.0) < 0.05))
    fail_msg("power iteration %.6g vs dense %.6g", power, dense);
  phsim_reduced_free(o);
}

/* x = (a_11 a_12 a_21 a_22, R_11 R_12 R_22, E_12 E_21) for m = K = 2 and
 * head = offdiag, written out by hand as an independent reference. */
static void put(phsim_reduced *o, const double *x) {
  for (int k = 0; k < 4; k++) gsl_matrix_set(o->s->A, k / 2, k % 2, x[k]);
  gsl_matrix_set(o->s->R, 0, 0, x[4]);
  gsl_matrix_set(o->s->R, 0, 1, x[5]);
  gsl_matrix_set(o->s->R, 1, 0, x[5]);
  gsl_matrix_set(o->s->R, 1, 1, x[6]);
  gsl_matrix_set(o->s->E, 0, 1, x[7]);
  gsl_matrix_set(o->s->E, 1, 0, x[8]);
}

static void get(const phsim_reduced *o, double *x) {
  for (int k = 0; k < 4; k++) x[k] = gsl_matrix_get(o->s->A, k / 2, k % 2);
  x[4] = gsl_matrix_get(o->s->R, 0, 0);
  x[5] = gsl_matrix_get(o->s->R, 0, 1);
  x[6] = gsl_matrix_get(o->s->R, 1, 1);
  x[7] = gsl_matrix_get(o->s->E, 0, 1);
  x[8] = gsl_matrix_get(o->s->E, 1, 0);
}

/* The largest |eigenvalue| of dPhi - I from an unscaled forward-difference
 * Jacobian of one step of the order engine. */
static double reference_radius(phsim_reduced *o, const double *x0) {
  double y0[9], y[9], x[9];
  put(o, x0);
  assert_int_equal(phsim_reduced_state_eval(o->s), PHSIM_OK);
  phsim_reduced_step(o);
  get(o, y0);
  gsl_matrix *J = gsl_matrix_alloc(9, 9);
  for (int k = 0; k < 9; k++) {
    const double h = 1e-7 * fmax(fabs(x0[k]), 1e-2);
    memcpy(x, x0, sizeof x);
    x[k] += h;
    put(o, x);
    assert_int_equal(phsim_reduced_state_eval(o->s), PHSIM_OK);
    phsim_reduced_step(o);
    get(o, y);
    for (int i = 0; i < 9; i++) gsl_matrix_set(J, i, k, (y[i] - y0[i]) / h - (i == k));
  }
  gsl_vector_complex *ev = gsl_vector_complex_alloc(9);
  gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(9);
  assert_int_equal(gsl_eigen_nonsymm(J, ev, ws), 0);
  double r = 0.0;
  for (int i = 0; i < 9; i++) r = fmax(r, gsl_complex_abs(gsl_vector_complex_get(ev, i)));
  gsl_eigen_nonsymm_free(ws);
  gsl_vector_complex_free(ev);
  gsl_matrix_free(J);
  return r;
}

static void test_stiffness_against_independent_jacobian(void **s) {
  (void)s;
  phsim_config cfg;
  phsim_config_default(&cfg);
  for (unsigned long seed = 1; seed <= 3; seed++) {
    cfg.seed = seed;
    phsim_reduced *o = state_after(&cfg, 120000 * seed);
    double x0[9];
    get(o, x0);
    const double ours = stiffness(&cfg, o, PHSIM_FIDELITY_DENSE_MAX);
    const double ref = reference_radius(o, x0);
    if (!(fabs(ours / ref - 1.0) < 1e-3))
      fail_msg("seed %lu: stiffness %.9g, reference %.9g", seed, ours, ref);
    phsim_reduced_free(o);
  }
}

/* Phsim's scaled Jacobian formed one Phi at a time, as phsim_fidelity.h
 * defines it: D per block (A, R, E) max(|x_i|, 1e-3 of the block's largest,
 * 1e-6), column k = (Phi(x + h D e_k) - Phi(x - h D e_k)) / (2 h D) - e_k,
 * h = 1e-5, Phi one phsim_reduced_step of a copy of o. */
static void reference_jacobian(const phsim_config *cfg, const phsim_reduced *o, gsl_matrix *J) {
  const size_t m = cfg->m, K = cfg->K, n = J->size1;
  const size_t ends[3] = {m * K, m * K + m * (m + 1) / 2, n};
  double x[64], sc[64], xp[64], y[2][64];
  phsim_reduced_pack(cfg->head, o->s->A, o->s->R, o->s->E, x);
  for (size_t b = 0, lo = 0; b < 3; lo = ends[b++]) {
    double big = 0.0;
    for (size_t i = lo; i < ends[b]; i++) big = fmax(big, fabs(x[i]));
    for (size_t i = lo; i < ends[b]; i++) sc[i] = fmax(fabs(x[i]), fmax(1e-3 * big, 1e-6));
  }
  phsim_reduced *p = phsim_reduced_alloc(cfg);
  for (size_t k = 0; k < n; k++) {
    for (int side = 0; side < 2; side++) {
      for (size_t i = 0; i < n; i++) xp[i] = x[i] + (side ? -1 : 1) * 1e-5 * sc[i] * (i == k);
      gsl_matrix_memcpy(p->s->E, o->s->E);
      phsim_reduced_unpack(cfg->head, xp, p->s->A, p->s->R, p->s->E);
      assert_int_equal(phsim_reduced_state_eval(p->s), PHSIM_OK);
      phsim_reduced_step(p);
      phsim_reduced_pack(cfg->head, p->s->A, p->s->R, p->s->E, y[side]);
    }
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(J, i, k, (y[0][i] - y[1][i]) / (2.0 * 1e-5 * sc[i]) - (double)(i == k));
  }
  phsim_reduced_free(p);
}

/* The Jacobian phsim assembles (from the lanes of a batch wherever the
 * batch takes the configuration) is the reference's, bit for bit: m = K = 2
 * with the head trained, fixed and full, isotropic noise, no BN, m = 3, and
 * no stop-gradient (no batch).  Mutation that fails it: h = 1e-6 in
 * fidelity.c, or the lanes' columns swapped. */
static void test_jacobian_bits(void **s) {
  (void)s;
  /* (without BN the loss is not scale-free: a step of 1e-6 keeps it finite) */
  const char *sets[][3] = {{"head", "offdiag", "0.05"}, {"head", "fixed", "0.05"},
                           {"head", "full", "0.05"},     {"noise", "isotropic", "0.05"},
                           {"norm", "none", "1e-6"},     {"m", "3", "0.05"},
                           {"stopgrad", "false", "0.05"}};
  for (size_t c = 0; c < sizeof sets / sizeof *sets; c++) {
    phsim_config cfg;
    phsim_config_default(&cfg);
    char err[PHSIM_ERR_MAX];
    assert_int_equal(phsim_config_set(&cfg, sets[c][0], sets[c][1], err), PHSIM_OK);
    cfg.eta = cfg.eta_E = strtod(sets[c][2], NULL);
    cfg.seed = 2;
    phsim_reduced *o = state_after(&cfg, 30000);
    const size_t n = phsim_reduced_dim(cfg.m, cfg.K, cfg.head);
    gsl_matrix *J = gsl_matrix_alloc(n, n), *ref = gsl_matrix_alloc(n, n);
    phsim_fidelity *f = phsim_fidelity_alloc(&cfg, PHSIM_FIDELITY_DENSE_MAX);
    assert_int_equal(phsim_fidelity_batched(f), cfg.stopgrad == PHSIM_STOPGRAD_TRUE);
    double x;
    assert_int_equal(phsim_fidelity_stiffness(f, o->s->A, o->s->R, o->s->E, -INFINITY, &x), PHSIM_OK);
    assert_int_equal(phsim_fidelity_jacobian(f, J), PHSIM_OK);
    reference_jacobian(&cfg, o, ref);
    for (size_t i = 0; i < n * n; i++)
      if (memcmp(&J->data[i], &ref->data[i], sizeof(double)) != 0)
        fail_msg("%s = %s: J[%zu][%zu] = %.17g, reference %.17g", sets[c][0], sets[c][1],
                 i / n, i % n, J->data[i], ref->data[i]);
    phsim_fidelity_free(f);
    gsl_matrix_free(J);
    gsl_matrix_free(ref);
    phsim_reduced_free(o);
  }
}

/* With a floor above the norm bound the stiffness is that bound, at least
 * the eigenvalues' radius and at most 1 + 1e-6 times min(||J||_1,
 * ||J||_inf); with a floor just below it, the radius itself (seeds 1..3,
 * early and late states).  Mutation that fails it: the skip taken when the
 * bound is above the floor. */
static void test_stiffness_floor_bound(void **s) {
  (void)s;
  phsim_config cfg;
  phsim_config_default(&cfg);
  for (unsigned long seed = 1; seed <= 3; seed++) {
    cfg.seed = seed;
    phsim_reduced *o = state_after(&cfg, 1000 + 100000 * (seed - 1));
    phsim_fidelity *f = phsim_fidelity_alloc(&cfg, PHSIM_FIDELITY_DENSE_MAX);
    double exact, bound, below;
    assert_int_equal(phsim_fidelity_stiffness(f, o->s->A, o->s->R, o->s->E, -INFINITY, &exact), PHSIM_OK);
    assert_int_equal(phsim_fidelity_stiffness(f, o->s->A, o->s->R, o->s->E, INFINITY, &bound), PHSIM_OK);
    assert_int_equal(phsim_fidelity_stiffness(f, o->s->A, o->s->R, o->s->E, bound * (1 - 1e-12), &below), PHSIM_OK);
    gsl_matrix *J = gsl_matrix_alloc(9, 9);
    assert_int_equal(phsim_fidelity_jacobian(f, J), PHSIM_OK);
    double row = 0.0, col = 0.0;
    for (size_t i = 0; i < 9; i++) {
      double r = 0.0, c = 0.0;
      for (size_t j = 0; j < 9; j++) r += fabs(gsl_matrix_get(J, i, j)), c += fabs(gsl_matrix_get(J, j, i));
      row = fmax(row, r), col = fmax(col, c);
    }
    if (!(exact <= bound && bound <= fmin(row, col) * (1 + 1.1e-6) && below == exact))
      fail_msg("seed %lu: radius %.17g, bound %.17g (norms %.17g, %.17g), below it %.17g", seed,
               exact, bound, row, col, below);
    gsl_matrix_free(J);
    phsim_fidelity_free(f);
    phsim_reduced_free(o);
  }
}

/* A run's summary (no trajectory, no warning); a numerical fault is allowed
 * when may_diverge (the summary then says so). */
static json_t *summary_of_run(phsim_config *cfg, int may_diverge) {
  char dir[256], err[PHSIM_ERR_MAX], path[300];
  tu_tempdir(dir, sizeof dir, "summary");
  phsim_run_opts opts = phsim_run_opts_default();
  opts.warn = 0;
  opts.trajectory = 0;
  const int st = phsim_run_execute(cfg, dir, opts, err);
  assert_true(st == PHSIM_OK || (may_diverge && st == PHSIM_ENUM));
  snprintf(path, sizeof path, "%s/summary.json", dir);
  json_error_t je;
  json_t *sum = json_load_file(path, 0, &je);
  assert_non_null(sum);
  tu_rmtree(dir);
  return sum;
}

/* The defaults follow the flow (NOTES, "The defaults and the step"; there
 * over seeds 1..100, here 1..3): flow_faithful, E_peak <= 1, and every
 * neuron ends on the feature it ends on in the flow engine's run.
 * Mutation that fails it: eta = 1, eta_E = 0.1 (seed 2 overshoots). */
static void test_defaults_follow_the_flow(void **s) {
  (void)s;
  for (unsigned long seed = 1; seed <= 3; seed++) {
    phsim_config cfg;
    phsim_config_default(&cfg);
    cfg.seed = seed;
    json_t *gd = summary_of_run(&cfg, 0);
    cfg.engine = PHSIM_ENGINE_FLOW;
    json_t *flow = summary_of_run(&cfg, 0);
    assert_true(json_is_true(json_object_get(json_object_get(gd, "fidelity"), "flow_faithful")));
    assert_true(json_real_value(json_object_get(json_object_get(gd, "E_peak"), "value")) <= 1.0);
    assert_string_equal(json_string_value(json_object_get(gd, "outcome")),
                        json_string_value(json_object_get(flow, "outcome")));
    json_decref(gd);
    json_decref(flow);
  }
}

/* A run's stiffness_max and its step are the largest over its rows of the
 * stiffness measured at each row's state alone (no floor), its first row
 * where there are ties: a run whose largest is at step 500 (eta = 0.05,
 * alpha_2 = 0.5, seed 3), where every later row's bound stands in for it.
 * Mutation that fails it: the tracker's floor min(largest, 1) (the first
 * row's NaN then gives 1 and the first row records a bound). */
static void test_run_stiffness_is_the_rows_largest(void **s) {
  (void)s;
  phsim_config cfg;
  phsim_config_default(&cfg);
  cfg.eta = 0.05, cfg.eta_E = 0.0005, cfg.alpha[1] = 0.5, cfg.seed = 3;
  cfg.steps = 20000, cfg.log_every = 500;
  json_t *sum = summary_of_run(&cfg, 0), *f = json_object_get(sum, "fidelity");
  phsim_reduced *o = state_after(&cfg, 0);
  phsim_fidelity *fid = phsim_fidelity_alloc(&cfg, PHSIM_FIDELITY_DENSE_MAX);
  double max = NAN, x;
  unsigned long at = 0;
  for (unsigned long step = 0; step <= cfg.steps; step++) {
    if (step % cfg.log_every == 0) {
      assert_int_equal(phsim_fidelity_stiffness(fid, o->s->A, o->s->R, o->s->E, -INFINITY, &x), PHSIM_OK);
      if (!(x <= max)) max = x, at = step;
    }
    phsim_reduced_step(o);
    assert_int_equal(phsim_reduced_state_eval(o->s), PHSIM_OK);
  }
  assert_true(at == 500);
  assert_true(json_real_value(json_object_get(f, "stiffness_max")) == max);
  assert_int_equal(json_integer_value(json_object_get(f, "stiffness_step")), at);
  phsim_fidelity_free(fid);
  phsim_reduced_free(o);
  json_decref(sum);
}

/* What `phsim run` (the CLI) of the defaults at d = 20 with these steps,
 * log_every and eta writes to stderr (malloc'd); its exit status into
 * *status when not NULL. */
static char *stderr_of_run(const char *steps, const char *log_every, const char *eta, int *status) {
  char dir[256], out[300], err[300], a[3][40];
  tu_tempdir(dir, sizeof dir, "stderr");
  snprintf(out, sizeof out, "%s/run", dir);
  snprintf(err, sizeof err, "%s/stderr", dir);
  snprintf(a[0], sizeof a[0], "steps=%s", steps);
  snprintf(a[1], sizeof a[1], "log_every=%s", log_every);
  snprintf(a[2], sizeof a[2], "eta=%s", eta);
  const char *argv[] = {tu_phsim(), "run", "--set", "d=20", "--set", a[0], "--set", a[1],
                        "--set", a[2], "--no-timing", "--out", out, NULL};
  const int st = tu_spawn(argv, NULL, err);
  if (status != NULL) *status = st;
  char *text = tu_slurp(err);
  assert_non_null(text);
  tu_rmtree(dir);
  return text;
}

/* The warning of a run that leaves its flow by the turn (d = 20, eta =
 * 0.5) gives the stiffness of that row's state, measured alone, not a
 * bound.  Mutation that fails it: the tracker's floor the largest so far
 * on that row too (the audit's case: 0.0256 printed for 0.00614). */
static void test_warning_reports_the_stiffness(void **s) {
  (void)s;
  char *text = stderr_of_run("20000", "200", "0.5", NULL);
  char *at = strstr(text, "leaves its gradient flow by step ");
  unsigned long step = 0;
  char printed[32] = "", want[32];
  assert_non_null(at);
  assert_int_equal(sscanf(at, "leaves its gradient flow by step %lu: stiffness eta*|lambda| = %31s",
                          &step, printed), 2);
  phsim_config cfg;
  phsim_config_default(&cfg);
  cfg.d = 20, cfg.eta = 0.5;
  phsim_reduced *o = state_after(&cfg, step);
  snprintf(want, sizeof want, "%.3g", stiffness(&cfg, o, PHSIM_FIDELITY_DENSE_MAX));
  assert_string_equal(printed, want);
  phsim_reduced_free(o);
  free(text);
}

/* A stiffness whose QR iteration does not converge (eta = 1e100: the
 * Jacobian's entries near 1e100) is undefined, and the run ends as a
 * numerical fault (exit 4), not in GSL's abort (exit 134 before
 * phsim_gslerr.h).  Mutation that fails it: phsim_gsl_errors_off a no-op. */
static void test_unconverged_qr_is_a_fault(void **s) {
  (void)s;
  int status;
  char *text = stderr_of_run("100", "10", "1e100", &status);
  assert_int_equal(status, PHSIM_ENUM);
  assert_non_null(strstr(text, "stiffness eta*|lambda| = nan"));
  assert_non_null(strstr(text, "numerical fault at step"));
  free(text);
}

static json_t *fidelity_of_run(phsim_config *cfg) {
  json_t *sum = summary_of_run(cfg, 1);
  json_t *f = json_deep_copy(json_object_get(sum, "fidelity"));
  json_decref(sum);
  return f;
}

static void test_run_verdicts(void **s) {
  (void)s;
  phsim_config cfg;
  tu_config_spec_step(&cfg);
  cfg.engine = PHSIM_ENGINE_ORDER;
  cfg.seed = 1009;
  cfg.steps = 7000;
  json_t *f = fidelity_of_run(&cfg);
  assert_true(json_is_false(json_object_get(f, "flow_faithful")));
  /* The logged rows alone (every 100 steps) do not see it coming. */
  assert_true(json_real_value(json_object_get(f, "stiffness_max")) < 1.0);
  assert_true(json_real_value(json_object_get(f, "turn_max")) > 5.0);
  json_decref(f);
  phsim_config_default(&cfg);
  cfg.steps = 400000;
  f = fidelity_of_run(&cfg);
  assert_true(json_is_true(json_object_get(f, "flow_faithful")));
  assert_true(json_is_null(json_object_get(f, "left_flow_step")));
  json_decref(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stiffness_linear_in_eta_and_paths_agree),
      cmocka_unit_test(test_stiffness_against_independent_jacobian),
      cmocka_unit_test(test_jacobian_bits),
      cmocka_unit_test(test_stiffness_floor_bound),
      cmocka_unit_test(test_run_stiffness_is_the_rows_largest),
      cmocka_unit_test(test_warning_reports_the_stiffness),
      cmocka_unit_test(test_unconverged_qr_is_a_fault),
      cmocka_unit_test(test_run_verdicts),
      cmocka_unit_test(test_defaults_follow_the_flow),
  };
  return cmocka_run_group_tests_name("fidelity", tests, NULL, NULL);
}
