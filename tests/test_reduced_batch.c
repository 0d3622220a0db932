/* test_reduced_batch.c: a batch of order-engine runs (phsim_reduced_batch.h)
 * advances every run to the same bits as the run alone: 16 configurations
 * differing in seed, alpha, eta and eta_E (and P, sigma, mask in the second
 * case), for (m, K) = (2, 2) and (4, 3), offdiag and full heads, both noise
 * and both norm modes; a run that faults is flagged at the step where the
 * single run faults, and the others go on. */
#include "testutil.h"

#include "phsim_engine.h"
#include "phsim_reduced_batch.h"
#include "phsim_reduced_state.h"

#define RUNS 16

/* The i-th configuration of a case: the base with seed, alpha, eta, eta_E
 * (and P, sigma, mask for `vary_data`) varied. */
static void config_of(phsim_config *cfg, const char *const *base, size_t i,
                      int vary_data, double eta0) {
  char err[PHSIM_ERR_MAX], arg[96];
  phsim_config_default(cfg);
  for (const char *const *a = base; *a != NULL; a++)
    if (phsim_config_set_arg(cfg, *a, err) != PHSIM_OK) fail_msg("%s: %s", *a, err);
  cfg->seed = 100 + i;
  cfg->eta = eta0 * (1.0 + 0.1 * (double)(i % 5));
  cfg->eta_E = cfg->eta * (0.05 + 0.01 * (double)(i % 3));
  for (size_t l = 0; l < cfg->K; l++) cfg->alpha[l] *= 1.0 + 0.03 * (double)((i + l) % 4);
  if (vary_data) {
    snprintf(arg, sizeof arg, "P=%zu", (size_t)(12 + 2 * (i % 3)));
    if (phsim_config_set_arg(cfg, arg, err) != PHSIM_OK) fail_msg("%s", err);
    cfg->sigma = 0.8 + 0.1 * (double)(i % 4);
    cfg->mask = i % 2 ? PHSIM_MASK_HALF : PHSIM_MASK_BERNOULLI;
  }
  if (phsim_config_validate(cfg, err) != PHSIM_OK) fail_msg("config %zu: %s", i, err);
}

static void assert_same_matrix(const gsl_matrix *x, const gsl_matrix *y, size_t run) {
  for (size_t i = 0; i < x->size1; i++)
    for (size_t j = 0; j < x->size2; j++)
      if (memcmp(gsl_matrix_const_ptr(x, i, j), gsl_matrix_const_ptr(y, i, j),
                 sizeof(double)) != 0)
        fail_msg("run %zu: entry (%zu, %zu): batch %.17g, alone %.17g", run, i, j,
                 gsl_matrix_get(y, i, j), gsl_matrix_get(x, i, j));
}

/* The run of cfg alone, started; its start loaded into lane i of bt. */
static phsim_engine *start_alone(const phsim_config *cfg, phsim_reduced_batch *bt, size_t i) {
  char err[PHSIM_ERR_MAX];
  phsim_engine *e = phsim_engine_alloc(cfg);
  gsl_rng *r = phsim_config_rng(cfg);
  if (phsim_engine_start(e, cfg, NULL, r, err) != PHSIM_OK) fail_msg("%s", err);
  gsl_rng_free(r);
  phsim_obs o;
  phsim_engine_observe(e, &o);
  phsim_reduced_batch_load(bt, i, o.A, o.R, o.E);
  return e;
}

/* Run every configuration alone and in one batch for `steps` steps; the
 * runs listed in faulting get step size 0.05 (blows up with norm = none). */
static void check_case(const char *const *base, int vary_data, double eta0,
                       unsigned long steps, const size_t *faulting,
                       size_t n_faulting) {
  phsim_config cfgs[RUNS];
  const phsim_config *ptrs[RUNS];
  phsim_engine *alone[RUNS];
  for (size_t i = 0; i < RUNS; i++) {
    config_of(&cfgs[i], base, i, vary_data, eta0);
    for (size_t f = 0; f < n_faulting; f++)
      if (faulting[f] == i) cfgs[i].eta = 0.05;
    ptrs[i] = &cfgs[i];
    assert_true(phsim_reduced_batch_fits(&cfgs[0], &cfgs[i]));
  }
  phsim_reduced_batch *bt = phsim_reduced_batch_alloc(ptrs, RUNS);
  assert_non_null(bt);
  unsigned long fault_at[RUNS];
  for (size_t i = 0; i < RUNS; i++) {
    alone[i] = start_alone(&cfgs[i], bt, i);
    fault_at[i] = 0;
    if (phsim_engine_advance(alone[i], 0, steps, &fault_at[i]) == PHSIM_OK) fault_at[i] = 0;
  }
  phsim_reduced_batch_eval(bt);
  unsigned long batch_fault[RUNS] = {0};
  for (unsigned long s = 1; s <= steps; s++) {
    phsim_reduced_batch_step(bt);
    phsim_reduced_batch_eval(bt);
    for (size_t i = 0; i < RUNS; i++)
      if (batch_fault[i] == 0 && phsim_reduced_batch_faulted(bt, i)) batch_fault[i] = s;
  }
  const size_t m = cfgs[0].m, K = cfgs[0].K;
  gsl_matrix *A = gsl_matrix_alloc(m, K), *R = gsl_matrix_alloc(m, m), *E = gsl_matrix_alloc(m, m);
  size_t faults = 0;
  for (size_t i = 0; i < RUNS; i++) {
    assert_int_equal(batch_fault[i], fault_at[i]);
    faults += fault_at[i] != 0;
    if (fault_at[i] != 0) continue;
    phsim_obs o;
    phsim_engine_observe(alone[i], &o);
    phsim_reduced_batch_store(bt, i, A, R, E);
    assert_same_matrix(o.A, A, i);
    assert_same_matrix(o.R, R, i);
    assert_same_matrix(o.E, E, i);
    assert_true(phsim_reduced_batch_loss(bt, i) == o.loss);
    for (size_t j = 0; j < m; j++)
      assert_true(phsim_reduced_batch_rho(bt, i, j) == gsl_vector_get(o.rho, j));
    phsim_engine_free(alone[i]);
  }
  for (size_t i = 0; i < RUNS; i++)
    if (fault_at[i] != 0) phsim_engine_free(alone[i]);
  assert_int_equal(faults, n_faulting);
  gsl_matrix_free(A);
  gsl_matrix_free(R);
  gsl_matrix_free(E);
  phsim_reduced_batch_free(bt);
}

static void test_batch_m2K2_same_bits(void **state) {
  (void)state;
  const char *base[] = {"engine=order", "d=40", NULL};
  check_case(base, 0, 0.05, 3000, NULL, 0);
}

static void test_batch_m4K3_same_bits(void **state) {
  (void)state;
  const char *base[] = {"engine=order", "d=30", "m=4", "alpha=2,1.3,1",
                        "head=full", NULL};
  check_case(base, 1, 0.05, 2000, NULL, 0);
}

static void test_batch_isotropic_unnormalised(void **state) {
  (void)state;
  const char *base[] = {"engine=order", "d=25", "m=3", "noise=isotropic",
                        "norm=none", NULL};
  check_case(base, 1, 0.0005, 1500, NULL, 0);
}

static void test_batch_faulting_lane(void **state) {
  (void)state;
  const char *base[] = {"engine=order", "d=40", "norm=none", NULL};
  const size_t faulting[] = {3, 12};
  check_case(base, 0, 0.0005, 400, faulting, 2);
}

/* phsim_reduced_batch_advance records per lane what phsim_engine_advance
 * records for the run alone: the loss's rise, the turn, the head's peak,
 * each with its step, and the step a lane faults at. */
static void test_batch_advance_records(void **state) {
  (void)state;
  const char *base[] = {"engine=order", "d=40", "norm=none", NULL};
  phsim_config cfgs[RUNS];
  const phsim_config *ptrs[RUNS];
  for (size_t i = 0; i < RUNS; i++) {
    config_of(&cfgs[i], base, i, 0, 0.0005);
    if (i == 5) cfgs[i].eta = 0.05; /* faults at a step of its own */
    ptrs[i] = &cfgs[i];
  }
  phsim_reduced_batch *bt = phsim_reduced_batch_alloc(ptrs, RUNS);
  phsim_engine *alone[RUNS];
  unsigned long fault_at[RUNS] = {0};
  for (size_t i = 0; i < RUNS; i++) {
    alone[i] = start_alone(&cfgs[i], bt, i);
    if (phsim_engine_advance(alone[i], 0, 500, &fault_at[i]) == PHSIM_OK) fault_at[i] = 0;
  }
  phsim_reduced_batch_start(bt);
  unsigned long at = 0, batch_fault[RUNS] = {0};
  while (phsim_reduced_batch_advance(bt, at, 500, &at) == PHSIM_ENUM)
    for (size_t i = 0; i < RUNS; i++)
      if (batch_fault[i] == 0 && !phsim_reduced_batch_live(bt, i)) batch_fault[i] = at;
  for (size_t i = 0; i < RUNS; i++) {
    const phsim_engine_record rec = phsim_reduced_batch_record(bt, i);
    unsigned long rise_step, turn_step;
    const double rise = phsim_engine_loss_rise(alone[i], &rise_step);
    const double turn = phsim_engine_turn(alone[i], &turn_step);
    const phsim_head_peak peak = phsim_engine_head_peak(alone[i]);
    assert_int_equal(batch_fault[i], fault_at[i]);
    assert_true(rec.loss_rise == rise && rec.loss_rise_step == rise_step);
    assert_true(rec.turn == turn && rec.turn_step == turn_step);
    assert_true(rec.peak.value == peak.value && rec.peak.step == peak.step);
    phsim_engine_free(alone[i]);
  }
  assert_int_not_equal(fault_at[5], 0);
  phsim_reduced_batch_free(bt);
}

static void test_batch_fits(void **state) {
  (void)state;
  phsim_config a, b;
  phsim_config_default(&a);
  a.engine = PHSIM_ENGINE_ORDER;
  b = a;
  assert_true(phsim_reduced_batch_fits(&a, &b));
  b.seed = 9, b.eta_E = 0.1;
  assert_true(phsim_reduced_batch_fits(&a, &b));
  b.m = 3;
  assert_false(phsim_reduced_batch_fits(&a, &b));
  b = a, b.ema = 0.5;
  assert_false(phsim_reduced_batch_fits(&a, &b));
  b = a, b.engine = PHSIM_ENGINE_POPULATION;
  assert_false(phsim_reduced_batch_fits(&a, &b));
}

/* load_packed and store_packed are phsim_reduced_unpack + load and store +
 * phsim_reduced_pack: m = 3, K = 2 with each head (R mirrored, E's untrained
 * entries kept).  Mutation that fails it: load_packed without R's mirror. */
static void test_batch_packed_coordinates(void **state) {
  (void)state;
  const phsim_head heads[] = {PHSIM_HEAD_OFFDIAG, PHSIM_HEAD_FULL, PHSIM_HEAD_FIXED};
  for (size_t h = 0; h < 3; h++) {
    phsim_config cfg;
    phsim_config_default(&cfg);
    cfg.engine = PHSIM_ENGINE_ORDER, cfg.m = 3, cfg.head = heads[h];
    const phsim_config *cfgs[3] = {&cfg, &cfg, &cfg};
    phsim_reduced_batch *bt = phsim_reduced_batch_alloc(cfgs, 3);
    const size_t n = phsim_reduced_dim(3, 2, cfg.head);
    gsl_matrix *A = gsl_matrix_alloc(3, 2), *R = gsl_matrix_alloc(3, 3);
    gsl_matrix *E = gsl_matrix_alloc(3, 3), *A2 = gsl_matrix_alloc(3, 2);
    gsl_matrix *R2 = gsl_matrix_alloc(3, 3), *E2 = gsl_matrix_alloc(3, 3);
    double y[32], y2[32];
    for (size_t i = 0; i < n; i++) y[i] = 0.1 + 0.37 * (double)i;
    for (size_t i = 0; i < 9; i++) E->data[i] = -1.0 - (double)i;
    gsl_matrix_memcpy(E2, E);
    phsim_reduced_unpack(cfg.head, y, A, R, E);
    phsim_reduced_batch_load_packed(bt, 1, y, E2);
    phsim_reduced_batch_store(bt, 1, A2, R2, E2);
    assert_same_matrix(A, A2, h);
    assert_same_matrix(R, R2, h);
    assert_same_matrix(E, E2, h);
    phsim_reduced_batch_store_packed(bt, 1, y2);
    assert_memory_equal(y, y2, n * sizeof *y);
    gsl_matrix_free(A), gsl_matrix_free(R), gsl_matrix_free(E);
    gsl_matrix_free(A2), gsl_matrix_free(R2), gsl_matrix_free(E2);
    phsim_reduced_batch_free(bt);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batch_m2K2_same_bits),
      cmocka_unit_test(test_batch_m4K3_same_bits),
      cmocka_unit_test(test_batch_isotropic_unnormalised),
      cmocka_unit_test(test_batch_faulting_lane),
      cmocka_unit_test(test_batch_advance_records),
      cmocka_unit_test(test_batch_fits),
      cmocka_unit_test(test_batch_packed_coordinates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
