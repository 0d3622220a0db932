/* popgrad.c: closed-form population loss and its reverse-mode gradient.
 *
 * The forward pass builds the moments C, M, T of spec section 3; the backward
 * pass walks them back with adjoints (bar quantities) in the order
 *   L -> (N_j, D_j) -> (E, C, M) -> (A, Q) -> (gA, S).
 * Everything is O(m^2 K + m^3): nothing here depends on d. */
#include "phsim_popgrad.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

void phsim_view_moments_compute(size_t P, size_t Pf, phsim_mask mask,
                                phsim_view_moments *vm) {
  const double p = (double)P, f = (double)Pf;
  if (mask == PHSIM_MASK_BERNOULLI) {
    /* c1 ~ Binomial(Pf, 1/2), c2 = Pf - c1; n1 ~ Binomial(P - Pf, 1/2). */
    vm->kC = f * (f - 1.0) / 4.0;
    vm->kM1 = vm->kM2 = f * (f + 1.0) / 4.0;
    vm->nu1 = vm->nu2 = (p - f) / 2.0;
    return;
  }
  /* View 1 is a uniform subset of h = floor(P/2) patches: c1 is
   * hypergeometric with mean h Pf / P and variance
   * h (Pf/P)(1 - Pf/P)(P - h)/(P - 1). */
  const double h = (double)(P / 2);
  const double mean1 = h * f / p;
  const double var1 = h * (f / p) * (1.0 - f / p) * (p - h) / (p - 1.0);
  const double sq1 = var1 + mean1 * mean1; /* E[c1^2] */
  vm->kM1 = sq1;
  vm->kC = f * mean1 - sq1;                     /* E[c1 (Pf - c1)] */
  vm->kM2 = f * f - 2.0 * f * mean1 + sq1;      /* E[(Pf - c1)^2] */
  vm->nu1 = h - mean1;
  vm->nu2 = (p - h) - (f - mean1);
}

double phsim_feature_strength(const phsim_config *cfg, size_t l) {
  return cfg->pi[l] * pow(cfg->alpha[l], 6);
}

void phsim_model_init(phsim_model *model, const phsim_config *cfg) {
  model->m = cfg->m;
  model->K = cfg->K;
  phsim_view_moments_compute(cfg->P, cfg->Pf, cfg->mask, &model->vm);
  for (size_t l = 0; l < cfg->K; l++)
    model->c[l] = phsim_feature_strength(cfg, l);
  model->s6 = pow(cfg->sigma, 6);
  model->noise = cfg->noise;
  model->norm = cfg->norm;
  model->stopgrad = cfg->stopgrad;
}

phsim_popgrad_workspace *phsim_popgrad_alloc(size_t m, size_t K) {
  phsim_popgrad_workspace *w = calloc(1, sizeof *w);
  if (w == NULL) return NULL;
  w->m = m;
  w->K = K;
  w->rho = gsl_vector_alloc(m);
  w->gA = gsl_matrix_alloc(m, K);
  w->S = gsl_matrix_alloc(m, m);
  w->gE = gsl_matrix_alloc(m, m);
  w->M = gsl_matrix_alloc(m, m);
  w->T = gsl_vector_alloc(m);
  w->B = gsl_matrix_alloc(m, K);
  w->Bt = gsl_matrix_alloc(m, K);
  w->Q = gsl_matrix_alloc(m, m);
  w->C = gsl_matrix_alloc(m, m);
  w->EM = gsl_matrix_alloc(m, m);
  w->barM = gsl_matrix_alloc(m, m);
  w->barQ = gsl_matrix_alloc(m, m);
  w->N = gsl_vector_alloc(m);
  w->D = gsl_vector_alloc(m);
  w->gT = gsl_vector_alloc(m);
  return w;
}

void phsim_popgrad_free(phsim_popgrad_workspace *w) {
  if (w == NULL) return;
  gsl_vector_free(w->rho);
  gsl_matrix_free(w->gA);
  gsl_matrix_free(w->S);
  gsl_matrix_free(w->gE);
  gsl_matrix_free(w->M);
  gsl_vector_free(w->T);
  gsl_matrix_free(w->B);
  gsl_matrix_free(w->Bt);
  gsl_matrix_free(w->Q);
  gsl_matrix_free(w->C);
  gsl_matrix_free(w->EM);
  gsl_matrix_free(w->barM);
  gsl_matrix_free(w->barQ);
  gsl_vector_free(w->N);
  gsl_vector_free(w->D);
  gsl_vector_free(w->gT);
  free(w);
}

static void cube_entries(const gsl_matrix *A, gsl_matrix *B) {
  for (size_t r = 0; r < A->size1; r++)
    for (size_t l = 0; l < A->size2; l++) {
      double a = gsl_matrix_get(A, r, l);
      gsl_matrix_set(B, r, l, a * a * a);
    }
}

/* Noise Gram of the given weights: R, plus A A^T for isotropic noise. */
static double noise_gram_entry(const phsim_model *model, const gsl_matrix *A,
                               const gsl_matrix *R, size_t r, size_t s) {
  double q = gsl_matrix_get(R, r, s);
  if (model->noise == PHSIM_NOISE_ISOTROPIC)
    for (size_t l = 0; l < model->K; l++)
      q += gsl_matrix_get(A, r, l) * gsl_matrix_get(A, s, l);
  return q;
}

/* sum_l c_l X_rl Y_sl */
static double feature_product(const phsim_model *model, const gsl_matrix *X,
                              size_t r, const gsl_matrix *Y, size_t s) {
  double acc = 0.0;
  for (size_t l = 0; l < model->K; l++)
    acc += model->c[l] * gsl_matrix_get(X, r, l) * gsl_matrix_get(Y, s, l);
  return acc;
}

/* Forward: C, M, T, N, D, rho, loss. */
static int forward(const phsim_model *model, const gsl_matrix *A,
                   const gsl_matrix *R, const gsl_matrix *E,
                   const gsl_matrix *At, const gsl_matrix *Rt,
                   phsim_popgrad_workspace *w) {
  const size_t m = model->m;
  const phsim_view_moments *vm = &model->vm;
  cube_entries(A, w->B);
  cube_entries(At, w->Bt);
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++)
      gsl_matrix_set(w->Q, r, s, noise_gram_entry(model, A, R, r, s));
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) {
      /* Isserlis: E[x^3 y^3] = 9 Exx Eyy Exy + 6 Exy^3 for centred
       * Gaussians, summed over nu1 noise patches on average. */
      double qrr = gsl_matrix_get(w->Q, r, r), qss = gsl_matrix_get(w->Q, s, s);
      double qrs = gsl_matrix_get(w->Q, r, s);
      double noise = 9.0 * qrr * qss * qrs + 6.0 * qrs * qrs * qrs;
      gsl_matrix_set(w->M, r, s,
                     vm->kM1 * feature_product(model, w->B, r, w->B, s) +
                         vm->nu1 * model->s6 * noise);
      gsl_matrix_set(w->C, r, s,
                     vm->kC * feature_product(model, w->B, r, w->Bt, s));
    }
  for (size_t j = 0; j < m; j++) {
    double qt = noise_gram_entry(model, At, Rt, j, j);
    gsl_vector_set(w->T, j,
                   vm->kM2 * feature_product(model, w->Bt, j, w->Bt, j) +
                       vm->nu2 * model->s6 * 15.0 * qt * qt * qt);
  }
  /* EM = E M; N_j = sum_r E_jr C_rj; D_j = sum_r (E M)_jr E_jr. */
  w->loss = 0.0;
  for (size_t j = 0; j < m; j++) {
    double n = 0.0, dd = 0.0;
    for (size_t r = 0; r < m; r++) {
      double em = 0.0;
      for (size_t s = 0; s < m; s++)
        em += gsl_matrix_get(E, j, s) * gsl_matrix_get(w->M, s, r);
      gsl_matrix_set(w->EM, j, r, em);
      n += gsl_matrix_get(E, j, r) * gsl_matrix_get(w->C, r, j);
      dd += em * gsl_matrix_get(E, j, r);
    }
    double t = gsl_vector_get(w->T, j);
    if (!(dd > 0.0) || !isfinite(dd) || !(t > 0.0) || !isfinite(t)) {
      int bad_d = !(dd > 0.0) || !isfinite(dd);
      snprintf(w->fault, sizeof w->fault,
               "%s_%zu = %g (a second moment must be positive and finite)",
               bad_d ? "D" : "T", j + 1, bad_d ? dd : t);
      return PHSIM_ENUM;
    }
    /* rho needs D_j T_j: beyond the doubles it would be 0 (or inf) without
     * having been computed; below DBL_MIN its digits are gone. */
    const double dt = dd * t;
    if (!isfinite(dt) || dd < DBL_MIN || t < DBL_MIN || dt < DBL_MIN) {
      snprintf(w->fault, sizeof w->fault,
               "D_%zu T_%zu = %.3g * %.3g %s a double: rho not computable",
               j + 1, j + 1, dd, t, isfinite(dt) ? "underflows" : "overflows");
      return PHSIM_ENUM;
    }
    gsl_vector_set(w->N, j, n);
    gsl_vector_set(w->D, j, dd);
    double rho = n / sqrt(dt);
    gsl_vector_set(w->rho, j, rho);
    w->loss += model->norm == PHSIM_NORM_BN ? 2.0 * (1.0 - rho)
                                             : dd - 2.0 * n + t;
  }
  if (!isfinite(w->loss)) {
    snprintf(w->fault, sizeof w->fault, "loss = %g", w->loss);
    return PHSIM_ENUM;
  }
  return PHSIM_OK;
}

/* Without the stop-gradient the target occurrences add (target = online):
 *   dL/dat_jl = 3 at_jl^2 c_l [kC sum_r barC_rj b_rl + 2 kM2 gT_j bt_jl]
 *   dL/dQt_jj = gT_j nu2 sigma^6 45 Qt_jj^2,  i.e. S_jj += 2 dL/dQt_jj
 * (Qt_jj = w_j^T Pi w_j).  The isotropic S A term is added by the caller
 * for the sum. */
static void add_target_gradient(const phsim_model *model, const gsl_matrix *A,
                                const gsl_matrix *E,
                                phsim_popgrad_workspace *w) {
  const size_t m = model->m, K = model->K;
  const phsim_view_moments *vm = &model->vm;
  for (size_t j = 0; j < m; j++) {
    const double gN = gsl_vector_get(w->N, j), gT = gsl_vector_get(w->gT, j);
    for (size_t l = 0; l < K; l++) {
      double fromC = 0.0;
      for (size_t r = 0; r < m; r++)
        fromC += gN * gsl_matrix_get(E, j, r) * gsl_matrix_get(w->B, r, l);
      double a = gsl_matrix_get(A, j, l);
      *gsl_matrix_ptr(w->gA, j, l) +=
          3.0 * a * a * model->c[l] *
          (vm->kC * fromC + 2.0 * vm->kM2 * gT * gsl_matrix_get(w->Bt, j, l));
    }
    const double q = gsl_matrix_get(w->Q, j, j);
    *gsl_matrix_ptr(w->S, j, j) += 2.0 * gT * vm->nu2 * model->s6 * 45.0 * q * q;
  }
}

/* Backward: gE, gA, S from the forward quantities. */
static void backward(const phsim_model *model, const gsl_matrix *A,
                     const gsl_matrix *E, phsim_popgrad_workspace *w) {
  const size_t m = model->m, K = model->K;
  const phsim_view_moments *vm = &model->vm;
  /* bn: dL/drho_j = -2 and rho_j = N_j D_j^-1/2 T_j^-1/2, so
   *   gN_j = -2 / sqrt(D_j T_j),  gD_j = rho_j / D_j,  gT_j = rho_j / T_j;
   * none: L = sum_j (D_j - 2 N_j + T_j), so gN = -2, gD = gT = 1.
   * gN and gD overwrite N and D. */
  for (size_t j = 0; j < m; j++) {
    double dj = gsl_vector_get(w->D, j), tj = gsl_vector_get(w->T, j);
    double rho = gsl_vector_get(w->rho, j);
    int bn = model->norm == PHSIM_NORM_BN;
    gsl_vector_set(w->N, j, bn ? -2.0 / sqrt(dj * tj) : -2.0);
    gsl_vector_set(w->D, j, bn ? rho / dj : 1.0);
    gsl_vector_set(w->gT, j, bn ? rho / tj : 1.0);
  }
  const gsl_vector *gN = w->N, *gD = w->D;
  /* dN_j/dE_jr = C_rj, dD_j/dE_jr = 2 (E M)_jr. */
  for (size_t j = 0; j < m; j++)
    for (size_t r = 0; r < m; r++)
      gsl_matrix_set(w->gE, j, r,
                     gsl_vector_get(gN, j) * gsl_matrix_get(w->C, r, j) +
                         2.0 * gsl_vector_get(gD, j) *
                             gsl_matrix_get(w->EM, j, r));
  /* barM = E^T diag(gD) E (symmetric); barC_rj = gN_j E_jr (online index r
   * only: the target index j is under the stop-gradient). */
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) {
      double acc = 0.0;
      for (size_t j = 0; j < m; j++)
        acc += gsl_matrix_get(E, j, r) * gsl_vector_get(gD, j) *
               gsl_matrix_get(E, j, s);
      gsl_matrix_set(w->barM, r, s, acc);
    }
  /* dL/da_rl = 3 a_rl^2 c_l [kC sum_j barC_rj bt_jl + 2 kM1 sum_s barM_rs b_sl]
   * (the factor 2: M is symmetric and a_r enters as row and as column). */
  for (size_t r = 0; r < m; r++)
    for (size_t l = 0; l < K; l++) {
      double fromC = 0.0, fromM = 0.0;
      for (size_t j = 0; j < m; j++) {
        fromC += gsl_vector_get(gN, j) * gsl_matrix_get(E, j, r) *
                 gsl_matrix_get(w->Bt, j, l);
        fromM += gsl_matrix_get(w->barM, r, j) * gsl_matrix_get(w->B, j, l);
      }
      double a = gsl_matrix_get(A, r, l);
      gsl_matrix_set(w->gA, r, l,
                     3.0 * a * a * model->c[l] *
                         (vm->kC * fromC + 2.0 * vm->kM1 * fromM));
    }
  /* barQ by the product rule on nu1 s6 barM_rs (9 Q_rr Q_ss Q_rs + 6 Q_rs^3),
   * with every entry of Q an independent variable. */
  gsl_matrix_set_zero(w->barQ);
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) {
      double cm = vm->nu1 * model->s6 * gsl_matrix_get(w->barM, r, s);
      double qrr = gsl_matrix_get(w->Q, r, r), qss = gsl_matrix_get(w->Q, s, s);
      double qrs = gsl_matrix_get(w->Q, r, s);
      *gsl_matrix_ptr(w->barQ, r, r) += cm * 9.0 * qss * qrs;
      *gsl_matrix_ptr(w->barQ, s, s) += cm * 9.0 * qrr * qrs;
      *gsl_matrix_ptr(w->barQ, r, s) += cm * (9.0 * qrr * qss + 18.0 * qrs * qrs);
    }
  /* Q_rs = w_r^T Pi w_s: dL/dW = (barQ + barQ^T) Pi W = S Pi W.  For
   * isotropic noise Pi W = W Pp + A V^T, whose feature part joins gA. */
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++)
      gsl_matrix_set(w->S, r, s,
                     gsl_matrix_get(w->barQ, r, s) +
                         gsl_matrix_get(w->barQ, s, r));
  if (model->stopgrad == PHSIM_STOPGRAD_FALSE) add_target_gradient(model, A, E, w);
  if (model->noise == PHSIM_NOISE_ISOTROPIC)
    for (size_t r = 0; r < m; r++)
      for (size_t l = 0; l < K; l++) {
        double acc = 0.0;
        for (size_t s = 0; s < m; s++)
          acc += gsl_matrix_get(w->S, r, s) * gsl_matrix_get(A, s, l);
        *gsl_matrix_ptr(w->gA, r, l) += acc;
      }
}

int phsim_popgrad_eval(const phsim_model *model, const gsl_matrix *A,
                       const gsl_matrix *R, const gsl_matrix *E,
                       const gsl_matrix *At, const gsl_matrix *Rt,
                       phsim_popgrad_workspace *w) {
  int st = forward(model, A, R, E, At, Rt, w);
  if (st != PHSIM_OK) return st;
  backward(model, A, E, w);
  return PHSIM_OK;
}
