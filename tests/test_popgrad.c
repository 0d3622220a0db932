/* test_popgrad.c: the closed-form population gradient against finite
 * differences of the closed-form loss (GSL gsl_deriv_central), for several
 * (m, K), both noise modes, both masks, at random non-identity heads; the view
 * moments against exhaustive enumeration of the masks. */
#include "testutil.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_deriv.h>

#include "phsim_pop.h"
#include "phsim_popgrad.h"

/* L(W0 + t U, E) with the target held at (At, Rt) = W0 (the stop-gradient),
 * or, with At == NULL, with the target moving along with the online weights
 * (no stop-gradient). */
typedef struct {
  const phsim_model *model;
  const gsl_matrix *W0, *U, *E, *At, *Rt;
  gsl_matrix *W, *A, *R;
  phsim_popgrad_workspace *ws;
} dir_ctx;

static double loss_along(double t, void *p) {
  dir_ctx *c = p;
  tu_move(c->W, c->W0, t, c->U);
  tu_reduce(c->W, c->model->K, c->A, c->R);
  const gsl_matrix *At = c->At ? c->At : c->A, *Rt = c->At ? c->Rt : c->R;
  int st = phsim_popgrad_eval(c->model, c->A, c->R, c->E, At, Rt, c->ws);
  assert_int_equal(st, PHSIM_OK);
  return c->ws->loss;
}

/* L(E0 + t e_ij e_ij^T) at fixed W. */
typedef struct {
  const phsim_model *model;
  const gsl_matrix *A, *R;
  gsl_matrix *E;
  size_t i, j;
  double e0;
  phsim_popgrad_workspace *ws;
} head_ctx;

static double loss_head_entry(double t, void *p) {
  head_ctx *c = p;
  gsl_matrix_set(c->E, c->i, c->j, c->e0 + t);
  int st = phsim_popgrad_eval(c->model, c->A, c->R, c->E, c->A, c->R, c->ws);
  gsl_matrix_set(c->E, c->i, c->j, c->e0);
  assert_int_equal(st, PHSIM_OK);
  return c->ws->loss;
}

/* Check one configuration: 4 random directions in W, every entry of E. */
static void check_gradient(size_t m, size_t K, size_t d, phsim_noise noise,
                           phsim_mask mask, phsim_norm norm,
                           phsim_stopgrad stopgrad, unsigned long seed) {
  phsim_config cfg;
  tu_config(&cfg, m, K, d, noise, mask);
  cfg.norm = norm;
  cfg.stopgrad = stopgrad;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  phsim_pop *pop = phsim_pop_alloc(&cfg);
  tu_random_weights(pop->W, K, r);
  tu_random_head(pop->E, r);
  assert_int_equal(phsim_pop_eval(pop), PHSIM_OK);
  gsl_matrix *gW = gsl_matrix_alloc(m, d);
  phsim_grad_W(pop->pg->gA, pop->pg->S, pop->W, gW);

  gsl_matrix *At = gsl_matrix_alloc(m, K), *Rt = gsl_matrix_alloc(m, m);
  tu_reduce(pop->W, K, At, Rt);
  gsl_matrix *U = gsl_matrix_alloc(m, d), *Wtmp = gsl_matrix_alloc(m, d);
  gsl_matrix *A = gsl_matrix_alloc(m, K), *R = gsl_matrix_alloc(m, m);
  phsim_popgrad_workspace *ws = phsim_popgrad_alloc(m, K);
  /* With the stop-gradient the target stays at W0; without it, it moves. */
  const int moving = stopgrad == PHSIM_STOPGRAD_FALSE;
  dir_ctx dc = {&pop->model, pop->W, U, pop->E, moving ? NULL : At, Rt, Wtmp,
                A, R, ws};
  gsl_function F = {loss_along, &dc};
  for (int k = 0; k < 4; k++) {
    tu_fill_gaussian(U, r, 1.0);
    double fd, abserr;
    gsl_deriv_central(&F, 0.0, 1e-4, &fd, &abserr);
    double an = tu_frob_dot(gW, U);
    /* central differences with GSL's step control: error estimate abserr;
     * the analytic value must agree to 1e-7 relative or within the
     * estimated truncation/round-off error. */
    assert_close(an, fd, 1e-7 * fmax(1.0, fabs(fd)) + 10.0 * abserr);
  }
  head_ctx hc = {&pop->model, &pop->A.matrix, pop->R, pop->E, 0, 0, 0.0, ws};
  gsl_function H = {loss_head_entry, &hc};
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < m; j++) {
      hc.i = i;
      hc.j = j;
      hc.e0 = gsl_matrix_get(pop->E, i, j);
      double fd, abserr;
      gsl_deriv_central(&H, 0.0, 1e-4, &fd, &abserr);
      assert_close(gsl_matrix_get(pop->pg->gE, i, j), fd,
                   1e-7 * fmax(1.0, fabs(fd)) + 10.0 * abserr);
    }
  phsim_popgrad_free(ws);
  gsl_matrix_free(A);
  gsl_matrix_free(R);
  gsl_matrix_free(U);
  gsl_matrix_free(Wtmp);
  gsl_matrix_free(At);
  gsl_matrix_free(Rt);
  gsl_matrix_free(gW);
  phsim_pop_free(pop);
  gsl_rng_free(r);
}

static void test_gradient_shapes_and_modes(void **state) {
  (void)state;
  static const size_t shapes[][3] = {{2, 2, 7}, {3, 2, 9}, {2, 3, 8},
                                     {4, 5, 12}, {1, 1, 4}};
  unsigned long seed = 11;
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (int noise = 0; noise < 2; noise++)
      for (int mask = 0; mask < 2; mask++)
        check_gradient(shapes[s][0], shapes[s][1], shapes[s][2],
                       (phsim_noise)noise, (phsim_mask)mask, PHSIM_NORM_BN,
                       PHSIM_STOPGRAD_TRUE, seed++);
}

/* The ablations: norm = bn|none x stopgrad = true|false, every noise and
 * mask, two shapes. */
static void test_gradient_ablations(void **state) {
  (void)state;
  static const size_t shapes[][3] = {{2, 2, 7}, {3, 4, 9}};
  unsigned long seed = 101;
  for (size_t s = 0; s < 2; s++)
    for (int noise = 0; noise < 2; noise++)
      for (int mask = 0; mask < 2; mask++)
        for (int norm = 0; norm < 2; norm++)
          for (int sg = 0; sg < 2; sg++)
            check_gradient(shapes[s][0], shapes[s][1], shapes[s][2],
                           (phsim_noise)noise, (phsim_mask)mask,
                           (phsim_norm)norm, (phsim_stopgrad)sg, seed++);
}

/* d = K: no orthogonal part at all (R = 0), isotropic noise only. */
static void test_gradient_no_orthogonal_part(void **state) {
  (void)state;
  check_gradient(2, 3, 3, PHSIM_NOISE_ISOTROPIC, PHSIM_MASK_BERNOULLI,
                 PHSIM_NORM_BN, PHSIM_STOPGRAD_TRUE, 5);
}

/* The gradient must not be the gradient without the stop-gradient: check that
 * differentiating through the target as well gives a different answer, so
 * the finite-difference test above really tests the stop-gradient. */
static void test_stopgradient_matters(void **state) {
  (void)state;
  phsim_config cfg;
  tu_config(&cfg, 2, 2, 6, PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_BERNOULLI);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  phsim_pop *pop = phsim_pop_alloc(&cfg);
  tu_random_weights(pop->W, 2, r);
  tu_random_head(pop->E, r);
  assert_int_equal(phsim_pop_eval(pop), PHSIM_OK);
  gsl_matrix *gW = gsl_matrix_alloc(2, 6), *U = gsl_matrix_alloc(2, 6);
  phsim_grad_W(pop->pg->gA, pop->pg->S, pop->W, gW);
  gsl_matrix_memcpy(U, gW);
  gsl_matrix *Wtmp = gsl_matrix_alloc(2, 6), *A = gsl_matrix_alloc(2, 2),
             *R = gsl_matrix_alloc(2, 2);
  phsim_popgrad_workspace *ws = phsim_popgrad_alloc(2, 2);
  dir_ctx dc = {&pop->model, pop->W, U, pop->E, NULL, NULL, Wtmp, A, R, ws};
  gsl_function F = {loss_along, &dc};
  double fd, abserr;
  gsl_deriv_central(&F, 0.0, 1e-4, &fd, &abserr);
  double an = tu_frob_dot(gW, U);
  /* The two differ by far more than the finite-difference error. */
  assert_true(fabs(an - fd) > 1e-3 * fabs(an) + 100.0 * abserr);
  phsim_popgrad_free(ws);
  gsl_matrix_free(Wtmp);
  gsl_matrix_free(A);
  gsl_matrix_free(R);
  gsl_matrix_free(U);
  gsl_matrix_free(gW);
  phsim_pop_free(pop);
  gsl_rng_free(r);
}

/* View moments by enumerating every mask (and, for half masks, every subset
 * position of the features): an independent check of the formulas. */
static void enumerate_moments(size_t P, size_t Pf, phsim_mask mask,
                              phsim_view_moments *vm) {
  /* Features sit in patches 0..Pf-1 (exchangeability); masks are all 2^P
   * subsets, weighted uniformly (Bernoulli) or restricted to size P/2. */
  double total = 0, kC = 0, kM1 = 0, kM2 = 0, nu1 = 0, nu2 = 0;
  for (unsigned long M = 0; M < (1ul << P); M++) {
    size_t size = (size_t)__builtin_popcountl(M);
    if (mask == PHSIM_MASK_HALF && size != P / 2) continue;
    double c1 = 0, n1 = 0;
    for (size_t p = 0; p < P; p++)
      if (M >> p & 1ul) {
        if (p < Pf) c1++;
        else n1++;
      }
    double c2 = (double)Pf - c1, n2 = (double)(P - Pf) - n1;
    total += 1;
    kC += c1 * c2;
    kM1 += c1 * c1;
    kM2 += c2 * c2;
    nu1 += n1;
    nu2 += n2;
  }
  vm->kC = kC / total;
  vm->kM1 = kM1 / total;
  vm->kM2 = kM2 / total;
  vm->nu1 = nu1 / total;
  vm->nu2 = nu2 / total;
}

/* phsim_perp_step against the composition it fuses (dsymm on a copy, the
 * EMA update, dsyrk): the same bits, for several m (the triangular loops),
 * with and without a target, and at eta = 0 (dsymm's early return). */
static void check_perp_step(size_t m, size_t K, size_t d, double eta, double ema,
                            unsigned long seed) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  gsl_matrix *W = gsl_matrix_alloc(m, d), *W1 = gsl_matrix_alloc(m, d);
  gsl_matrix *Wt = gsl_matrix_alloc(m, d), *Wt1 = gsl_matrix_alloc(m, d);
  gsl_matrix *S = gsl_matrix_alloc(m, m), *copy = gsl_matrix_alloc(m, d - K);
  gsl_matrix *R = gsl_matrix_alloc(m, m), *Rt = gsl_matrix_alloc(m, m);
  gsl_matrix *R1 = gsl_matrix_alloc(m, m), *Rt1 = gsl_matrix_alloc(m, m);
  tu_fill_gaussian(W, r, 1.0);
  tu_fill_gaussian(Wt, r, 1.0);
  tu_fill_gaussian(S, r, 3.0); /* only the upper triangle is read */
  gsl_matrix_memcpy(W1, W);
  gsl_matrix_memcpy(Wt1, Wt);
  gsl_matrix_view Wp = gsl_matrix_submatrix(W, 0, K, m, d - K);
  gsl_matrix_memcpy(copy, &Wp.matrix);
  gsl_blas_dsymm(CblasLeft, CblasUpper, -eta, S, copy, 1.0, &Wp.matrix);
  gsl_matrix_view Wtp = gsl_matrix_submatrix(Wt, 0, K, m, d - K);
  gsl_matrix_view Wtp1 = gsl_matrix_submatrix(Wt1, 0, K, m, d - K);
  phsim_ema_update(ema, &Wp.matrix, &Wtp.matrix);
  phsim_weights_gram(W, K, R);
  phsim_weights_gram(Wt, K, Rt);
  double *work = malloc(phsim_perp_step_work(m) * sizeof *work);
  const phsim_perp_step_args a = {W1, K, S, eta, ema, ema > 0 ? Wt1 : NULL, R1, Rt1};
  phsim_perp_step(&a, work);
  assert_memory_equal(W->data, W1->data, m * d * sizeof(double));
  assert_memory_equal(R->data, R1->data, m * m * sizeof(double));
  if (ema > 0.0) {
    assert_memory_equal(Wtp.matrix.data, Wtp1.matrix.data,
                        ((m - 1) * d + d - K) * sizeof(double));
    assert_memory_equal(Rt->data, Rt1->data, m * m * sizeof(double));
  }
  free(work);
  gsl_matrix *all[] = {W, W1, Wt, Wt1, S, copy, R, Rt, R1, Rt1};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) gsl_matrix_free(all[i]);
  gsl_rng_free(r);
}

static void test_perp_step_bits(void **state) {
  (void)state;
  static const size_t ms[] = {1, 2, 3, 5, 8};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
    check_perp_step(ms[i], 2, 37, 0.05, 0.0, 10 + i);
    check_perp_step(ms[i], 3, 23, 0.3, 0.9, 20 + i);
    check_perp_step(ms[i], 1, 9, 0.0, 0.5, 30 + i);
  }
}

static void test_view_moments(void **state) {
  (void)state;
  static const size_t cases[][2] = {{16, 8}, {7, 3}, {9, 9}, {2, 1}, {13, 5}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (int mask = 0; mask < 2; mask++) {
      phsim_view_moments got, want;
      phsim_view_moments_compute(cases[c][0], cases[c][1], (phsim_mask)mask,
                                 &got);
      enumerate_moments(cases[c][0], cases[c][1], (phsim_mask)mask, &want);
      assert_close(got.kC, want.kC, 1e-12 * (1 + want.kC));
      assert_close(got.kM1, want.kM1, 1e-12 * (1 + want.kM1));
      assert_close(got.kM2, want.kM2, 1e-12 * (1 + want.kM2));
      assert_close(got.nu1, want.nu1, 1e-12 * (1 + want.nu1));
      assert_close(got.nu2, want.nu2, 1e-12 * (1 + want.nu2));
    }
  /* The spec's numbers for the preset (P = 16, Pf = 8, Bernoulli). */
  phsim_view_moments vm;
  phsim_view_moments_compute(16, 8, PHSIM_MASK_BERNOULLI, &vm);
  assert_close(vm.kC, 14.0, 0.0);
  assert_close(vm.kM1, 18.0, 0.0);
  assert_close(vm.nu1, 4.0, 0.0);
}

/* At a collapsed or a non-collapsed optimum the loss is 4 (1 - kC/kM1)
 * (spec section 5): w_1 = v_1, w_2 = v_2 or w_1 = w_2 = v_1, no noise. */
static void test_optimum_loss(void **state) {
  (void)state;
  phsim_config cfg;
  tu_config_spec_step(&cfg);
  for (int collapsed = 0; collapsed < 2; collapsed++) {
    phsim_pop *pop = phsim_pop_alloc(&cfg);
    gsl_matrix_set_zero(pop->W);
    gsl_matrix_set(pop->W, 0, 0, 1.0);
    gsl_matrix_set(pop->W, 1, collapsed ? 0 : 1, 1.0);
    assert_int_equal(phsim_pop_eval(pop), PHSIM_OK);
    assert_close(pop->pg->loss, 4.0 * (1.0 - 14.0 / 18.0), 1e-14);
    phsim_pop_free(pop);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gradient_shapes_and_modes),
      cmocka_unit_test(test_gradient_no_orthogonal_part),
      cmocka_unit_test(test_gradient_ablations),
      cmocka_unit_test(test_stopgradient_matters),
      cmocka_unit_test(test_perp_step_bits),
      cmocka_unit_test(test_view_moments),
      cmocka_unit_test(test_optimum_loss),
  };
  return cmocka_run_group_tests_name("popgrad", tests, NULL, NULL);
}
