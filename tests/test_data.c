/* test_data.c: the generator's statistics.  Exact properties (patch counts,
 * feature patches, orthogonality, half-mask sizes) are asserted exactly;
 * moments within 5 standard errors of their sample estimate. */
#include "testutil.h"

#include <gsl/gsl_statistics_double.h>

#include "phsim_data.h"
#include "phsim_popgrad.h"

enum { NS = 40000 };

/* Mean of x[0..n) against want, within 5 standard errors (and a floor for
 * quantities with no spread). */
static void assert_mean(const double *x, size_t n, double want) {
  double mean = gsl_stats_mean(x, 1, n);
  double se = gsl_stats_sd_m(x, 1, n, mean) / sqrt((double)n);
  assert_close(mean, want, 5.0 * se + 1e-12);
}

static void check_generator(phsim_noise noise, phsim_mask mask) {
  phsim_config cfg;
  tu_config(&cfg, 2, 3, 7, noise, mask);
  cfg.P = 9;
  cfg.Pf = 4;
  cfg.pi[0] = 0.5;
  cfg.pi[1] = 0.3;
  cfg.pi[2] = 0.2;
  cfg.n_pi = 3;
  cfg.seed = 99 + (unsigned long)(2 * noise + mask);
  phsim_batch *b = phsim_batch_alloc(NS, cfg.P, cfg.d);
  phsim_batch_draw(b, &cfg, 0);

  double *c1c2 = malloc(NS * sizeof(double)), *c1sq = malloc(NS * sizeof(double));
  double *c2sq = malloc(NS * sizeof(double)), *n1 = malloc(NS * sizeof(double));
  double *n2 = malloc(NS * sizeof(double)), *lab[3];
  for (int l = 0; l < 3; l++) lab[l] = malloc(NS * sizeof(double));
  double noise_sq[7] = {0}, noise_cross = 0.0, pos_f[9] = {0}, pos_v[9] = {0};
  size_t noise_patches = 0;
  for (size_t i = 0; i < NS; i++) {
    size_t nf = 0, c1 = 0, m1 = 0, v1 = 0;
    for (size_t p = 0; p < cfg.P; p++) {
      const size_t row = i * cfg.P + p;
      const double *x = gsl_matrix_const_ptr(b->X, row, 0);
      const int in1 = b->in_view1[row];
      v1 += (size_t)in1;
      pos_f[p] += b->is_feature[row];
      pos_v[p] += in1;
      if (b->is_feature[row]) {
        nf++;
        c1 += (size_t)in1;
        for (size_t k = 0; k < cfg.d; k++)
          assert_true(x[k] == (k == b->label[i] ? b->sign[i] * cfg.alpha[k] : 0.0));
      } else {
        m1 += (size_t)in1;
        noise_patches++;
        for (size_t k = 0; k < cfg.d; k++) noise_sq[k] += x[k] * x[k];
        noise_cross += x[4] * x[5];
        if (noise == PHSIM_NOISE_ORTHOGONAL)
          for (size_t k = 0; k < cfg.K; k++) assert_true(x[k] == 0.0);
      }
    }
    assert_int_equal(nf, cfg.Pf);
    if (mask == PHSIM_MASK_HALF) assert_int_equal(v1, cfg.P / 2);
    double c2 = (double)(cfg.Pf - c1);
    c1c2[i] = (double)c1 * c2;
    c1sq[i] = (double)(c1 * c1);
    c2sq[i] = c2 * c2;
    n1[i] = (double)m1;
    n2[i] = (double)(cfg.P - cfg.Pf - m1);
    for (size_t l = 0; l < 3; l++) lab[l][i] = (b->label[i] == l);
  }
  phsim_view_moments vm;
  phsim_view_moments_compute(cfg.P, cfg.Pf, mask, &vm);
  assert_mean(c1c2, NS, vm.kC);
  assert_mean(c1sq, NS, vm.kM1);
  assert_mean(c2sq, NS, vm.kM2);
  assert_mean(n1, NS, vm.nu1);
  assert_mean(n2, NS, vm.nu2);
  for (size_t l = 0; l < 3; l++) assert_mean(lab[l], NS, cfg.pi[l]);
  /* Every patch position equally likely in S and in M. */
  const double qf = (double)cfg.Pf / cfg.P;
  const double qv = mask == PHSIM_MASK_HALF ? (double)(cfg.P / 2) / cfg.P : 0.5;
  for (size_t p = 0; p < cfg.P; p++) {
    assert_close(pos_f[p] / NS, qf, 5.0 * sqrt(qf * (1 - qf) / NS));
    assert_close(pos_v[p] / NS, qv, 5.0 * sqrt(qv * (1 - qv) / NS));
  }
  /* Noise covariance sigma^2 Pi: each coordinate's mean square is sigma^2
   * (0 on the features for orthogonal noise) with standard error
   * sigma^2 sqrt(2/n); distinct coordinates are uncorrelated. */
  const double s2 = cfg.sigma * cfg.sigma, n = (double)noise_patches;
  for (size_t k = 0; k < cfg.d; k++) {
    double want = (noise == PHSIM_NOISE_ORTHOGONAL && k < cfg.K) ? 0.0 : s2;
    assert_close(noise_sq[k] / n, want, 5.0 * s2 * sqrt(2.0 / n));
  }
  assert_close(noise_cross / n, 0.0, 5.0 * s2 / sqrt(n));
  free(c1c2);
  free(c1sq);
  free(c2sq);
  free(n1);
  free(n2);
  for (int l = 0; l < 3; l++) free(lab[l]);
  phsim_batch_free(b);
}

static void test_generator_orthogonal_bernoulli(void **s) {
  (void)s;
  check_generator(PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_BERNOULLI);
}
static void test_generator_isotropic_half(void **s) {
  (void)s;
  check_generator(PHSIM_NOISE_ISOTROPIC, PHSIM_MASK_HALF);
}
static void test_generator_orthogonal_half(void **s) {
  (void)s;
  check_generator(PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_HALF);
}

/* Same seed, same batch, bit for bit. */
static void test_generator_deterministic(void **s) {
  (void)s;
  phsim_config cfg;
  tu_config(&cfg, 2, 2, 5, PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_BERNOULLI);
  phsim_batch *b[2];
  for (int k = 0; k < 2; k++) {
    b[k] = phsim_batch_alloc(100, cfg.P, cfg.d);
    phsim_batch_draw(b[k], &cfg, 0);
  }
  assert_memory_equal(b[0]->X->data, b[1]->X->data,
                      100 * cfg.P * cfg.d * sizeof(double));
  assert_memory_equal(b[0]->in_view1, b[1]->in_view1, 100 * cfg.P);
  phsim_batch_free(b[0]);
  phsim_batch_free(b[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_generator_orthogonal_bernoulli),
      cmocka_unit_test(test_generator_isotropic_half),
      cmocka_unit_test(test_generator_orthogonal_half),
      cmocka_unit_test(test_generator_deterministic),
  };
  return cmocka_run_group_tests_name("data", tests, NULL, NULL);
}
