/* test_philox.c: the counter-based generator of the sampled engine's batches
 * (phsim_philox.h).  Philox4x32-10 against Random123's known answers; the
 * uniforms, the bounded integers and the ziggurat normals against their
 * exact laws (chi-square over equiprobable bins, p > 1e-4, and moments within
 * 5 standard errors; the normals also by the Kolmogorov-Smirnov distance
 * and the tail beyond the ziggurat's base, R = 3.4426: its mass and mean);
 * every test has a fixed seed, so it is deterministic.  Determinism: a row's numbers depend on
 * (seed, stream, draw, row) only. */
#include "testutil.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "phsim_philox.h"

enum { NN = 1000000, BINS = 1000 };

/* Random123's kat_vectors for philox4x32 with 10 rounds. */
static void test_known_answers(void **s) {
  (void)s;
  const uint32_t c0[4] = {0, 0, 0, 0}, k0[2] = {0, 0};
  const uint32_t c1[4] = {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
  const uint32_t k1[2] = {0xa4093822, 0x299f31d0};
  const uint32_t want0[4] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
  const uint32_t want1[4] = {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
  uint32_t out[4];
  phsim_philox_block(c0, k0, out);
  assert_memory_equal(out, want0, sizeof out);
  phsim_philox_block(c1, k1, out);
  assert_memory_equal(out, want1, sizeof out);
}

/* Chi-square of counts against equal expectations: its upper p-value. */
static double chisq_p(const size_t *count, size_t bins, size_t n) {
  const double e = (double)n / (double)bins;
  double chi = 0.0;
  for (size_t k = 0; k < bins; k++) chi += (count[k] - e) * (count[k] - e) / e;
  return gsl_cdf_chisq_Q(chi, (double)(bins - 1));
}

/* Mean and variance of x[0..n) against (0, want_var) for the normals or
 * (1/2, 1/12) for uniforms, and the 3rd and 4th central moments. */
static void assert_moments(const double *x, size_t n, double mean, double var,
                           double m3, double m4) {
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  for (size_t i = 0; i < n; i++) {
    const double c = x[i] - mean;
    s1 += c;
    s2 += c * c;
    s3 += c * c * c;
    s4 += c * c * c * c;
  }
  const double nn = (double)n;
  assert_close(s1 / nn, 0.0, 5.0 * sqrt(var / nn));
  assert_close(s2 / nn, var, 5.0 * sqrt((m4 - var * var) / nn));
  assert_close(s3 / nn, m3, 5.0 * sqrt(15.0 * var * var * var / nn) + 1e-12);
  assert_close(s4 / nn, m4, 5.0 * sqrt(96.0 * var * var * var * var / nn));
}

static void test_uniforms(void **s) {
  (void)s;
  double *x = malloc(NN * sizeof *x);
  size_t count[BINS] = {0}, small[7] = {0};
  phsim_philox g;
  phsim_philox_init(&g, 12345, PHSIM_STREAM_NOISE, 3, 7);
  for (size_t i = 0; i < NN; i++) {
    x[i] = phsim_philox_uniform(&g);
    assert_true(x[i] >= 0.0 && x[i] < 1.0);
    count[(size_t)(x[i] * BINS)]++;
  }
  assert_true(chisq_p(count, BINS, NN) > 1e-4);
  assert_moments(x, NN, 0.5, 1.0 / 12.0, 0.0, 1.0 / 80.0);
  for (size_t i = 0; i < NN; i++) small[phsim_philox_below(&g, 7)]++;
  assert_true(chisq_p(small, 7, NN) > 1e-4);
  /* n = 3 * 2^30: the rejection matters (1/4 of the words rejected). */
  size_t third[3] = {0};
  for (size_t i = 0; i < NN; i++) third[phsim_philox_below(&g, 3u << 30) >> 30]++;
  assert_true(chisq_p(third, 3, NN) > 1e-4);
  assert_int_equal(phsim_philox_below(&g, 1), 0);
  free(x);
}

static void test_normals_have_the_normal_law(void **s) {
  (void)s;
  double *x = malloc(NN * sizeof *x);
  size_t count[BINS] = {0}, beyond = 0;
  double excess = 0.0, excess2 = 0.0;
  phsim_philox g;
  phsim_philox_init(&g, 2026, PHSIM_STREAM_XI, 0, 1);
  phsim_philox_normals(&g, 1.0, NN, x);
  for (size_t i = 0; i < NN; i++) {
    size_t k = (size_t)(gsl_cdf_ugaussian_P(x[i]) * BINS);
    count[k < BINS ? k : BINS - 1]++;
    if (fabs(x[i]) > 3.442619855899) {
      beyond++;
      excess += fabs(x[i]) - 3.442619855899;
      excess2 += (fabs(x[i]) - 3.442619855899) * (fabs(x[i]) - 3.442619855899);
    }
  }
  assert_true(chisq_p(count, BINS, NN) > 1e-4);
  assert_moments(x, NN, 0.0, 1.0, 0.0, 3.0);
  /* The tail beyond the ziggurat's base layer: 2 Q(R) of the draws. */
  const double pt = 2.0 * gsl_cdf_ugaussian_Q(3.442619855899);
  assert_close((double)beyond, NN * pt, 5.0 * sqrt(NN * pt));
  /* and its shape: E[|X| - R | |X| > R] = phi(R) / Q(R) - R. */
  const double R = 3.442619855899, mean_excess = excess / beyond;
  const double sd = sqrt(excess2 / beyond - mean_excess * mean_excess);
  assert_close(mean_excess, gsl_ran_ugaussian_pdf(R) / gsl_cdf_ugaussian_Q(R) - R,
               5.0 * sd / sqrt((double)beyond));
  /* Kolmogorov-Smirnov: sqrt(n) D < 1.95 (p about 0.001). */
  gsl_sort(x, 1, NN);
  double D = 0.0;
  for (size_t i = 0; i < NN; i++) {
    const double F = gsl_cdf_ugaussian_P(x[i]);
    D = fmax(D, fmax(F - (double)i / NN, (double)(i + 1) / NN - F));
  }
  assert_true(sqrt((double)NN) * D < 1.95);
  free(x);
}

/* The same numbers one at a time and in pieces, scaled; a row's numbers do not depend on
 * another row's; rows and streams differ. */
static void test_rows_are_pure_functions(void **s) {
  (void)s;
  enum { M = 1001 };
  double a[M], b[M], c[M];
  phsim_philox g, h;
  phsim_philox_init(&g, 9, PHSIM_STREAM_NOISE, 5, 40);
  phsim_philox_normals(&g, 0.5, M, a);
  phsim_philox_init(&h, 9, PHSIM_STREAM_NOISE, 5, 41); /* another row first */
  phsim_philox_normals(&h, 1.0, M, c);
  phsim_philox_init(&h, 9, PHSIM_STREAM_NOISE, 5, 40);
  for (size_t i = 0; i < M; i++) b[i] = 0.5 * phsim_philox_normal(&h);
  assert_memory_equal(a, b, sizeof a);
  /* in pieces of every kind: within a block, across the 32-word batches */
  phsim_philox_init(&h, 9, PHSIM_STREAM_NOISE, 5, 40);
  const size_t piece[] = {3, 1, 17, 40, 100, 33, 807};
  for (size_t q = 0, at = 0; q < sizeof piece / sizeof *piece; at += piece[q++])
    phsim_philox_normals(&h, 0.5, piece[q], b + at);
  assert_memory_equal(a, b, sizeof a);
  assert_memory_not_equal(a, c, sizeof a);
  phsim_philox_init(&h, 9, PHSIM_STREAM_XI, 5, 40);
  phsim_philox_normals(&h, 0.5, M, c);
  assert_memory_not_equal(a, c, sizeof a);
  phsim_philox_init(&h, 10, PHSIM_STREAM_NOISE, 5, 40);
  phsim_philox_normals(&h, 0.5, M, c);
  assert_memory_not_equal(a, c, sizeof a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_answers),
      cmocka_unit_test(test_uniforms),
      cmocka_unit_test(test_normals_have_the_normal_law),
      cmocka_unit_test(test_rows_are_pure_functions),
  };
  return cmocka_run_group_tests_name("philox", tests, NULL, NULL);
}
