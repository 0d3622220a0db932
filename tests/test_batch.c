/* test_batch.c: the finite-batch BN loss and its backward pass.
 *  - the backpropagated gradient against finite differences of the batch
 *    loss (gsl_deriv_central), target held fixed;
 *  - the closed-form population loss and gradient against Monte Carlo
 *    estimates from the project's own generator: B independent batches of N
 *    samples, each with real patches, masks and BatchNorm over the batch.
 *    The batch estimates have an O(1/N) bias (BN's ratio of sample moments)
 *    and a spread whose standard error over B batches is measured; the
 *    population values must lie within 5 standard errors plus a bias
 *    allowance of 20/N relative;
 *  - the fused fresh draw against the draw and the evaluation apart;
 *  - a streamed batch (noise patches only, view 1 first) holds the same
 *    patches and evaluates to the same bits as the batch in place. */
#include "testutil.h"

#include <gsl/gsl_deriv.h>
#include <gsl/gsl_statistics_double.h>

#include "phsim_batchgrad.h"
#include "phsim_data.h"
#include "phsim_pop.h"
#include "phsim_projected.h"

typedef struct {
  const gsl_matrix *W0, *U, *E, *Wt;
  gsl_matrix *W;
  const phsim_batch *b;
  phsim_batchgrad_workspace *ws;
} batch_ctx;

/* Batch loss at W0 + t U; the target stays at Wt, or moves with the online
 * weights when Wt == NULL (stopgrad = false). */
static double batch_loss_along(double t, void *p) {
  batch_ctx *c = p;
  tu_move(c->W, c->W0, t, c->U);
  const gsl_matrix *Wt = c->Wt ? c->Wt : c->W;
  assert_int_equal(phsim_batchgrad_eval(c->W, c->E, Wt, c->b, c->ws), PHSIM_OK);
  return c->ws->loss;
}

/* Batch loss with E_ij = e0 + t (W fixed, so the target does not move). */
typedef struct {
  const gsl_matrix *W;
  gsl_matrix *E;
  const gsl_matrix *Wt;
  const phsim_batch *b;
  phsim_batchgrad_workspace *ws;
  size_t i, j;
  double e0;
} head_ctx;

static double batch_loss_head_entry(double t, void *p) {
  head_ctx *c = p;
  gsl_matrix_set(c->E, c->i, c->j, c->e0 + t);
  int st = phsim_batchgrad_eval(c->W, c->E, c->Wt, c->b, c->ws);
  gsl_matrix_set(c->E, c->i, c->j, c->e0);
  assert_int_equal(st, PHSIM_OK);
  return c->ws->loss;
}

static void check_batch_gradient(phsim_noise noise, phsim_mask mask,
                                 phsim_batch_opts opts, unsigned long seed) {
  const size_t m = 3, K = 2, d = 6, N = 64;
  phsim_config cfg;
  tu_config(&cfg, m, K, d, noise, mask);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  phsim_batch *b = phsim_batch_alloc(N, cfg.P, d);
  cfg.seed = seed;
  phsim_batch_draw(b, &cfg, 0);
  gsl_matrix *W0 = gsl_matrix_alloc(m, d), *W = gsl_matrix_alloc(m, d);
  gsl_matrix *U = gsl_matrix_alloc(m, d), *E = gsl_matrix_alloc(m, m);
  gsl_matrix *gW = gsl_matrix_alloc(m, d), *gE = gsl_matrix_alloc(m, m);
  tu_random_weights(W0, K, r);
  tu_random_head(E, r);
  phsim_batchgrad_workspace *ws = phsim_batchgrad_alloc(N, cfg.P, m, d, opts);
  assert_int_equal(phsim_batchgrad_eval(W0, E, W0, b, ws), PHSIM_OK);
  gsl_matrix_memcpy(gW, ws->gW);
  gsl_matrix_memcpy(gE, ws->gE);
  const int moving = opts.stopgrad == PHSIM_STOPGRAD_FALSE;
  batch_ctx c = {W0, U, E, moving ? NULL : W0, W, b, ws};
  gsl_function F = {batch_loss_along, &c};
  for (int k = 0; k < 4; k++) {
    tu_fill_gaussian(U, r, 1.0);
    double fd, abserr;
    gsl_deriv_central(&F, 0.0, 1e-5, &fd, &abserr);
    assert_close(tu_frob_dot(gW, U), fd, 1e-7 * fmax(1.0, fabs(fd)) + 10 * abserr);
  }
  /* dL/dE_ij at W0, by gsl_deriv_central on each entry. */
  head_ctx hc = {W0, E, W0, b, ws, 0, 0, 0.0};
  gsl_function H = {batch_loss_head_entry, &hc};
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < m; j++) {
      hc.i = i;
      hc.j = j;
      hc.e0 = gsl_matrix_get(E, i, j);
      double fd, abserr;
      gsl_deriv_central(&H, 0.0, 1e-5, &fd, &abserr);
      assert_close(gsl_matrix_get(gE, i, j), fd,
                   1e-7 * fmax(1.0, fabs(fd)) + 10 * abserr);
    }
  phsim_batchgrad_free(ws);
  gsl_matrix_free(W0);
  gsl_matrix_free(W);
  gsl_matrix_free(U);
  gsl_matrix_free(E);
  gsl_matrix_free(gW);
  gsl_matrix_free(gE);
  phsim_batch_free(b);
  gsl_rng_free(r);
}

/* Every act x norm x stopgrad combination, both noises and masks.  ReLU is
 * piecewise linear: a random direction crosses no kink within the FD step
 * with probability ~1 (the test would flag one). */
static void test_batch_gradient_fd(void **s) {
  (void)s;
  unsigned long seed = 1;
  for (int act = 0; act < 2; act++)
    for (int norm = 0; norm < 2; norm++)
      for (int sg = 0; sg < 2; sg++) {
        phsim_batch_opts o = {(phsim_act)act, (phsim_norm)norm, (phsim_stopgrad)sg};
        check_batch_gradient(PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_BERNOULLI, o, seed++);
        check_batch_gradient(PHSIM_NOISE_ISOTROPIC, PHSIM_MASK_HALF, o, seed++);
      }
}

enum { MC_BATCHES = 24, MC_N = 20000 };

/* Population value `want` against the batch estimates x[0..B). */
static void assert_mc(const double *x, double want, const char *what,
                      size_t idx) {
  double mean = gsl_stats_mean(x, 1, MC_BATCHES);
  double se = gsl_stats_sd_m(x, 1, MC_BATCHES, mean) / sqrt((double)MC_BATCHES);
  double tol = 5.0 * se + 20.0 / MC_N * fabs(want);
  if (!(fabs(mean - want) <= tol))
    fail_msg("%s[%zu]: Monte Carlo %.6g +- %.2g (se), population %.6g", what,
             idx, mean, se, want);
}

static void check_monte_carlo(phsim_noise noise, phsim_mask mask,
                              phsim_norm norm, phsim_stopgrad sg,
                              unsigned long seed) {
  const size_t m = 2, K = 2, d = 6;
  phsim_config cfg;
  tu_config(&cfg, m, K, d, noise, mask);
  cfg.norm = norm;
  cfg.stopgrad = sg;
  cfg.seed = seed;
  phsim_batch_opts opts = {PHSIM_ACT_CUBIC, norm, sg};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  phsim_pop *pop = phsim_pop_alloc(&cfg);
  tu_random_weights(pop->W, K, r);
  /* Noise part of comparable size to the features, so both matter. */
  for (size_t j = 0; j < m; j++)
    for (size_t i = K; i < d; i++) gsl_matrix_set(pop->W, j, i, gsl_ran_gaussian(r, 0.4));
  tu_random_head(pop->E, r);
  assert_int_equal(phsim_pop_eval(pop), PHSIM_OK);
  gsl_matrix *gW = gsl_matrix_alloc(m, d);
  phsim_grad_W(pop->pg->gA, pop->pg->S, pop->W, gW);

  const size_t ncomp = 1 + m * d + m * m;
  double *est = malloc(ncomp * MC_BATCHES * sizeof *est);
  phsim_batch *b = phsim_batch_alloc(MC_N, cfg.P, d);
  phsim_batchgrad_workspace *ws = phsim_batchgrad_alloc(MC_N, cfg.P, m, d, opts);
  for (size_t k = 0; k < MC_BATCHES; k++) {
    phsim_batch_draw(b, &cfg, k);
    assert_int_equal(phsim_batchgrad_eval(pop->W, pop->E, pop->W, b, ws), PHSIM_OK);
    est[k] = ws->loss;
    for (size_t i = 0; i < m * d; i++)
      est[(1 + i) * MC_BATCHES + k] = ws->gW->data[(i / d) * ws->gW->tda + i % d];
    for (size_t i = 0; i < m * m; i++)
      est[(1 + m * d + i) * MC_BATCHES + k] = gsl_matrix_get(ws->gE, i / m, i % m);
  }
  assert_mc(est, pop->pg->loss, "loss", 0);
  for (size_t i = 0; i < m * d; i++)
    assert_mc(est + (1 + i) * MC_BATCHES, gsl_matrix_get(gW, i / d, i % d),
              "grad_W", i);
  for (size_t i = 0; i < m * m; i++)
    assert_mc(est + (1 + m * d + i) * MC_BATCHES,
              gsl_matrix_get(pop->pg->gE, i / m, i % m), "grad_E", i);
  /* The comparison has power: the loss is resolved to 1% or better. */
  double mean = gsl_stats_mean(est, 1, MC_BATCHES);
  double se = gsl_stats_sd_m(est, 1, MC_BATCHES, mean) / sqrt((double)MC_BATCHES);
  assert_true(se < 0.01 * pop->pg->loss);
  free(est);
  phsim_batchgrad_free(ws);
  phsim_batch_free(b);
  gsl_matrix_free(gW);
  phsim_pop_free(pop);
  gsl_rng_free(r);
}

static void test_monte_carlo_orthogonal_bernoulli(void **s) {
  (void)s;
  check_monte_carlo(PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_BERNOULLI, PHSIM_NORM_BN,
                    PHSIM_STOPGRAD_TRUE, 10);
}
static void test_monte_carlo_isotropic_half(void **s) {
  (void)s;
  check_monte_carlo(PHSIM_NOISE_ISOTROPIC, PHSIM_MASK_HALF, PHSIM_NORM_BN,
                    PHSIM_STOPGRAD_TRUE, 11);
}
/* The ablations agree between the closed form and the data too. */
static void test_monte_carlo_ablations(void **s) {
  (void)s;
  check_monte_carlo(PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_HALF, PHSIM_NORM_NONE,
                    PHSIM_STOPGRAD_TRUE, 12);
  check_monte_carlo(PHSIM_NOISE_ISOTROPIC, PHSIM_MASK_BERNOULLI, PHSIM_NORM_BN,
                    PHSIM_STOPGRAD_FALSE, 13);
  check_monte_carlo(PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_BERNOULLI,
                    PHSIM_NORM_NONE, PHSIM_STOPGRAD_FALSE, 14);
}

/* Per batch: loss and every gradient entry, drawn in full or projected. */
enum { LAW_B = 640, LAW_N = 600 };
static void batch_statistics(const phsim_config *cfg0, const gsl_matrix *W,
                             const gsl_matrix *E, int projected, double *out) {
  phsim_config c = *cfg0;
  const phsim_config *cfg = &c;
  c.seed = projected ? 77 : 78;
  const size_t m = cfg->m, d = cfg->d, ncomp = 1 + m * d + m * m;
  phsim_batch *b = phsim_batch_alloc(LAW_N, cfg->P, projected ? 0 : d);
  phsim_batch_opts opts = {cfg->act, cfg->norm, cfg->stopgrad};
  phsim_batchgrad_workspace *ws = phsim_batchgrad_alloc(LAW_N, cfg->P, m, d, opts);
  phsim_projected_workspace *pw = phsim_projected_alloc(m, d, cfg->P);
  for (size_t k = 0; k < LAW_B; k++) {
    if (projected) {
      assert_int_equal(phsim_projected_draw(cfg, W, b, ws->Z, k, pw), PHSIM_OK);
      assert_int_equal(phsim_batchgrad_from_projections(E, b, 0, ws), PHSIM_OK);
      phsim_projected_grad(cfg, b, ws->Z, ws->dZ, k, pw, ws->gW);
    } else {
      phsim_batch_draw(b, cfg, k);
      assert_int_equal(phsim_batchgrad_eval(W, E, W, b, ws), PHSIM_OK);
    }
    out[k] = ws->loss;
    for (size_t i = 0; i < m * d; i++)
      out[(1 + i) * LAW_B + k] = gsl_matrix_get(ws->gW, i / d, i % d);
    for (size_t i = 0; i < m * m; i++)
      out[(1 + m * d + i) * LAW_B + k] = gsl_matrix_get(ws->gE, i / m, i % m);
  }
  (void)ncomp;
  phsim_projected_free(pw);
  phsim_batchgrad_free(ws);
  phsim_batch_free(b);
}

/* The projected draw has the law of the full draw: for the loss and every
 * gradient entry, equal means (within 5 standard errors of the difference)
 * and equal variances (ratio within 1 +- 0.5: the ratio of two 640-batch
 * variance estimates has a spread of about 0.08 for normal data, more for
 * these heavy-tailed gradients: with 160 batches a pair of seeds failed one
 * of the 42 ratios about one time in four, with GSL's mt19937 stream as
 * with the counter-based one, always by chance: 640 batches pass for every
 * pair tried). */
static void check_projected_law(phsim_noise noise, phsim_stopgrad sg) {
  const size_t m = 2, K = 2, d = 8;
  phsim_config cfg;
  tu_config(&cfg, m, K, d, noise, PHSIM_MASK_BERNOULLI);
  cfg.stopgrad = sg;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 21);
  gsl_matrix *W = gsl_matrix_alloc(m, d), *E = gsl_matrix_alloc(m, m);
  tu_random_weights(W, K, r);
  for (size_t j = 0; j < m; j++)
    for (size_t i = K; i < d; i++) gsl_matrix_set(W, j, i, gsl_ran_gaussian(r, 0.4));
  tu_random_head(E, r);
  const size_t ncomp = 1 + m * d + m * m;
  double *full = malloc(ncomp * LAW_B * sizeof *full);
  double *proj = malloc(ncomp * LAW_B * sizeof *proj);
  batch_statistics(&cfg, W, E, 0, full);
  batch_statistics(&cfg, W, E, 1, proj);
  for (size_t c = 0; c < ncomp; c++) {
    const double *x = full + c * LAW_B, *y = proj + c * LAW_B;
    double mx = gsl_stats_mean(x, 1, LAW_B), my = gsl_stats_mean(y, 1, LAW_B);
    double vx = gsl_stats_variance_m(x, 1, LAW_B, mx);
    double vy = gsl_stats_variance_m(y, 1, LAW_B, my);
    double se = sqrt((vx + vy) / LAW_B);
    if (!(fabs(mx - my) <= 5.0 * se + 1e-12))
      fail_msg("component %zu: full mean %.6g, projected %.6g, se %.3g", c, mx, my, se);
    if (vx > 1e-24 && !(vy / vx > 0.5 && vy / vx < 1.5))
      fail_msg("component %zu: variance full %.4g, projected %.4g", c, vx, vy);
  }
  free(full);
  free(proj);
  gsl_matrix_free(W);
  gsl_matrix_free(E);
  gsl_rng_free(r);
}

static void test_projected_draw_has_the_law_of_the_full_draw(void **s) {
  (void)s;
  check_projected_law(PHSIM_NOISE_ORTHOGONAL, PHSIM_STOPGRAD_TRUE);
  check_projected_law(PHSIM_NOISE_ISOTROPIC, PHSIM_STOPGRAD_FALSE);
}

/* Random online and target weights and a head (m x d, m x d, m x m). */
typedef struct {
  gsl_rng *r;
  gsl_matrix *W, *Wt, *E;
} eval_inputs;

static eval_inputs inputs_alloc(size_t m, size_t K, size_t d) {
  eval_inputs in = {gsl_rng_alloc(gsl_rng_mt19937), gsl_matrix_alloc(m, d),
                    gsl_matrix_alloc(m, d), gsl_matrix_alloc(m, m)};
  tu_random_weights(in.W, K, in.r);
  tu_random_weights(in.Wt, K, in.r);
  tu_random_head(in.E, in.r);
  return in;
}

static void inputs_free(eval_inputs *in) {
  gsl_matrix_free(in->W);
  gsl_matrix_free(in->Wt);
  gsl_matrix_free(in->E);
  gsl_rng_free(in->r);
}

/* The same loss, gW and gE, bit for bit. */
static void assert_same_eval(const phsim_batchgrad_workspace *a,
                             const phsim_batchgrad_workspace *f, size_t m, size_t d) {
  assert_memory_equal(&a->loss, &f->loss, sizeof a->loss);
  assert_memory_equal(a->gW->data, f->gW->data, m * d * sizeof(double));
  assert_memory_equal(a->gE->data, f->gE->data, m * m * sizeof(double));
}

/* The fused fresh draw (each patch projected as it is drawn) gives the
 * bits of phsim_batch_draw followed by phsim_batchgrad_eval, with and
 * without a separate target, and a draw is a pure function of its number. */
static void test_fresh_draw_is_draw_then_eval(void **s) {
  (void)s;
  const size_t m = 3, K = 2, d = 9, N = 50;
  phsim_config cfg;
  tu_config(&cfg, m, K, d, PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_HALF);
  cfg.seed = 21;
  eval_inputs in = inputs_alloc(m, K, d);
  const gsl_matrix *W = in.W, *Wt = in.Wt, *E = in.E;
  phsim_batch_opts opts = {PHSIM_ACT_CUBIC, PHSIM_NORM_BN, PHSIM_STOPGRAD_TRUE};
  phsim_batchgrad_workspace *a = phsim_batchgrad_alloc(N, cfg.P, m, d, opts);
  phsim_batchgrad_workspace *f = phsim_batchgrad_alloc(N, cfg.P, m, d, opts);
  phsim_batch *b = phsim_batch_alloc(N, cfg.P, d), *c = phsim_batch_alloc(N, cfg.P, d);
  for (int target = 0; target < 2; target++) {
    const gsl_matrix *T = target ? Wt : W;
    phsim_batch_draw(c, &cfg, 4);
    phsim_batch_draw(b, &cfg, 3); /* another draw first: no state between */
    phsim_batch_draw(b, &cfg, 4);
    assert_memory_equal(b->X->data, c->X->data, N * cfg.P * d * sizeof(double));
    assert_int_equal(phsim_batchgrad_eval(W, E, T, b, a), PHSIM_OK);
    assert_int_equal(phsim_batchgrad_eval_fresh(W, E, T, c, &cfg, 4, f), PHSIM_OK);
    assert_same_eval(a, f, m, d);
  }
  phsim_batch_free(b);
  phsim_batch_free(c);
  phsim_batchgrad_free(a);
  phsim_batchgrad_free(f);
  inputs_free(&in);
}

/* The streamed layout's order: X's rows are the noise patches, view 1
 * first, each part in row order, and xrow inverts xpatch. */
static void assert_stream_order(const phsim_batch *s) {
  size_t q = 0;
  for (int view1 = 1; view1 >= 0; view1--)
    for (size_t row = 0; row < s->N * s->P; row++)
      if (!s->is_feature[row] && (s->in_view1[row] != 0) == view1) {
        assert_int_equal(s->xpatch[q], row);
        assert_int_equal(s->xrow[row], q++);
      }
  assert_int_equal(q, s->X->size1);
}

/* One configuration: the streamed batch's patches are the batch's in
 * place, and the evaluation (same target, or a separate one) gives the
 * same loss, gW, gE and Z bit for bit. */
static void check_streamed(size_t m, size_t d, phsim_mask mask, phsim_stopgrad sg, size_t Pf) {
  const size_t K = 2, N = 40;
  phsim_config cfg;
  tu_config(&cfg, m, K, d, PHSIM_NOISE_ORTHOGONAL, mask);
  cfg.Pf = Pf, cfg.seed = 7 + m;
  eval_inputs in = inputs_alloc(m, K, d);
  const gsl_matrix *W = in.W, *Wt = in.Wt, *E = in.E;
  phsim_batch_opts opts = {PHSIM_ACT_CUBIC, PHSIM_NORM_BN, sg};
  phsim_batchgrad_workspace *a = phsim_batchgrad_alloc(N, cfg.P, m, d, opts);
  phsim_batchgrad_workspace *f = phsim_batchgrad_alloc(N, cfg.P, m, d, opts);
  phsim_batch *b = phsim_batch_alloc(N, cfg.P, d);
  phsim_batch *s = phsim_batch_alloc_streamed(N, cfg.P, cfg.Pf, d);
  assert_non_null(s);
  phsim_batch_draw(b, &cfg, 0);
  phsim_batch_draw(s, &cfg, 0);
  assert_int_equal(s->X->size1, N * (cfg.P - cfg.Pf));
  assert_stream_order(s);
  for (size_t row = 0; row < N * cfg.P; row++)
    if (!b->is_feature[row])
      assert_memory_equal(phsim_batch_patch(s, row), phsim_batch_patch(b, row), d * sizeof(double));
  for (int target = 0; target < 2; target++) {
    /* (without the stop-gradient the target is the online W) */
    const gsl_matrix *T = target && sg == PHSIM_STOPGRAD_TRUE ? Wt : W;
    assert_int_equal(phsim_batchgrad_eval(W, E, T, b, a), PHSIM_OK);
    assert_int_equal(phsim_batchgrad_eval(W, E, T, s, f), PHSIM_OK);
    assert_same_eval(a, f, m, d);
    assert_memory_equal(a->Z->data, f->Z->data, N * cfg.P * m * sizeof(double));
  }
  phsim_batch_free(b);
  phsim_batch_free(s);
  phsim_batchgrad_free(a);
  phsim_batchgrad_free(f);
  inputs_free(&in);
}

/* m = 1..5 (the passes compiled per m <= 4, and any m), both masks, with
 * and without the stop-gradient, Pf 1, 2, 3 and P - 1 = 6, d not a
 * multiple of 4.  Mutations that fail it: the views' order swapped in stream_order
 * (the order check), a patch's row of X read in place (the patches). */
static void test_streamed_batch_same_bits(void **s) {
  (void)s;
  for (size_t m = 1; m <= 5; m++)
    check_streamed(m, 23, m % 2 ? PHSIM_MASK_BERNOULLI : PHSIM_MASK_HALF,
                   m == 3 ? PHSIM_STOPGRAD_FALSE : PHSIM_STOPGRAD_TRUE, 1 + m % 3);
  check_streamed(2, 40, PHSIM_MASK_BERNOULLI, PHSIM_STOPGRAD_TRUE, 6);
  phsim_config cfg;
  tu_config(&cfg, 2, 2, 10, PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_HALF);
  assert_null(phsim_batch_alloc_streamed(10, cfg.P, cfg.P, 10)); /* no noise patch */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batch_gradient_fd),
      cmocka_unit_test(test_monte_carlo_orthogonal_bernoulli),
      cmocka_unit_test(test_monte_carlo_isotropic_half),
      cmocka_unit_test(test_monte_carlo_ablations),
      cmocka_unit_test(test_projected_draw_has_the_law_of_the_full_draw),
      cmocka_unit_test(test_fresh_draw_is_draw_then_eval),
      cmocka_unit_test(test_streamed_batch_same_bits),
  };
  return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
