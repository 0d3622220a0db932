/* fidelity.c: the stiffness and the step-halving error of gradient descent
 * at a reduced state (see phsim_fidelity.h for the numerics). */
#include "phsim_fidelity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>

#include "phsim_gslerr.h"
#include "phsim_reduced.h"
#include "phsim_reduced_batch.h"

/* Central-difference step in the scaled coordinates: each coordinate moves
 * by 1e-5 of its scale.  Phi is a polynomial-rational map of moderate
 * degree, so the truncation error (h^2) and the rounding error (eps / h)
 * are both near 1e-10 relative to the entries of dPhi. */
#define FD_STEP 1e-5
/* The skip's margin: gsl_eigen_nonsymm's eigenvalues are those of J + dJ
 * with ||dJ|| a small multiple of n^3 DBL_EPSILON ||J|| (Hessenberg
 * reduction and Francis QR are backward stable; Golub & Van Loan 7.5.6), at
 * most about 3e-11 ||J|| for n <= 64.  The norms and |lambda| round by a
 * few more ulps.  1e-6 leaves a factor of 10^4 over that. */
#define SKIP_MARGIN 1e-6
/* Power iterations from a cold start and from the previous vector. */
#define POWER_COLD 30
#define POWER_WARM 8

struct phsim_fidelity {
  phsim_reduced *o;          /* scratch: Phi is one phsim_reduced_step */
  phsim_reduced_batch *lanes; /* 2 n lanes: the Jacobian's Phi at once, or NULL */
  phsim_head head;
  size_t m, K, n, dense_max;
  double eta, eta_E;
  gsl_matrix *E0;            /* the measured state's head (fixed entries) */
  gsl_vector *x, *scale;     /* the state and D */
  gsl_vector *xp, *yp, *ym, *v, *w;
  gsl_matrix *J;             /* n x n (dense path only) */
  gsl_vector_complex *eval;
  gsl_eigen_nonsymm_workspace *ws;
  int warm;                  /* v holds the previous dominant vector */
};

/* The batch for the 2 n evaluations of Phi a Jacobian takes: every lane
 * cfg's step.  The batch rounds each lane as phsim_reduced_step does, so the
 * columns are the same bits; NULL where the batch does not take cfg (no
 * stop-gradient) and Phi is evaluated one at a time. */
static phsim_reduced_batch *jacobian_lanes(const phsim_config *cfg, size_t n) {
  phsim_config order = *cfg;
  order.engine = PHSIM_ENGINE_ORDER;
  if (!phsim_reduced_batch_accepts(&order)) return NULL;
  const phsim_config **cfgs = malloc(2 * n * sizeof *cfgs);
  if (cfgs == NULL) return NULL;
  for (size_t i = 0; i < 2 * n; i++) cfgs[i] = &order;
  phsim_reduced_batch *b = phsim_reduced_batch_alloc(cfgs, 2 * n);
  free(cfgs);
  return b;
}

phsim_fidelity *phsim_fidelity_alloc(const phsim_config *cfg, size_t dense_max) {
  if (cfg->ema > 0.0) return NULL;
  phsim_gsl_errors_off(); /* a QR that does not converge: undefined, not an abort */
  phsim_fidelity *f = calloc(1, sizeof *f);
  if (f == NULL) return NULL;
  const size_t m = cfg->m;
  *f = (phsim_fidelity){.head = cfg->head, .m = m, .K = cfg->K,
                        .n = phsim_reduced_dim(m, cfg->K, cfg->head),
                        .dense_max = dense_max, .eta = cfg->eta,
                        .eta_E = cfg->eta_E};
  f->o = phsim_reduced_alloc(cfg);
  f->E0 = gsl_matrix_alloc(m, m);
  f->x = gsl_vector_alloc(f->n);
  f->scale = gsl_vector_alloc(f->n);
  f->xp = gsl_vector_alloc(f->n);
  f->yp = gsl_vector_alloc(f->n);
  f->ym = gsl_vector_alloc(f->n);
  f->v = gsl_vector_alloc(f->n);
  f->w = gsl_vector_alloc(f->n);
  if (f->n <= dense_max) {
    f->lanes = jacobian_lanes(cfg, f->n);
    f->J = gsl_matrix_alloc(f->n, f->n);
    f->eval = gsl_vector_complex_alloc(f->n);
    f->ws = gsl_eigen_nonsymm_alloc(f->n);
  }
  return f;
}

void phsim_fidelity_free(phsim_fidelity *f) {
  if (f == NULL) return;
  phsim_reduced_free(f->o);
  phsim_reduced_batch_free(f->lanes);
  gsl_matrix_free(f->E0);
  gsl_vector_free(f->x);
  gsl_vector_free(f->scale);
  gsl_vector_free(f->xp);
  gsl_vector_free(f->yp);
  gsl_vector_free(f->ym);
  gsl_vector_free(f->v);
  gsl_vector_free(f->w);
  gsl_matrix_free(f->J);
  gsl_vector_complex_free(f->eval);
  if (f->ws != NULL) gsl_eigen_nonsymm_free(f->ws);
  free(f);
}

/* x = the reduced coordinates (phsim_reduced_pack; gsl vectors here have
 * stride 1). */
static void pack(const phsim_fidelity *f, const gsl_matrix *A,
                 const gsl_matrix *R, const gsl_matrix *E, gsl_vector *x) {
  phsim_reduced_pack(f->head, A, R, E, x->data);
}

/* The scratch engine's state from x (untrained E from E0). */
static void unpack(phsim_fidelity *f, const gsl_vector *x) {
  gsl_matrix_memcpy(f->o->s->E, f->E0);
  phsim_reduced_unpack(f->head, x->data, f->o->s->A, f->o->s->R, f->o->s->E);
}

/* y = Phi(x) with steps (eta, eta_E) scaled by frac. */
static int phi(phsim_fidelity *f, const gsl_vector *x, double frac, gsl_vector *y) {
  unpack(f, x);
  f->o->s->eta = frac * f->eta;
  f->o->s->eta_E = frac * f->eta_E;
  if (phsim_reduced_state_eval(f->o->s) != PHSIM_OK) return PHSIM_ENUM;
  phsim_reduced_step(f->o);
  pack(f, f->o->s->A, f->o->s->R, f->o->s->E, y);
  return PHSIM_OK;
}

/* f->xp = x + sign h D v, the central difference's point on side sign. */
static void displaced(phsim_fidelity *f, const gsl_vector *v, int sign) {
  for (size_t i = 0; i < f->n; i++)
    gsl_vector_set(f->xp, i, gsl_vector_get(f->x, i) +
                                 sign * FD_STEP * gsl_vector_get(f->scale, i) *
                                     gsl_vector_get(v, i));
}

/* w = (yp - ym) / (2 h D) - v: the difference quotient of Phi - I. */
static void quotient(const phsim_fidelity *f, const gsl_vector *v, gsl_vector *w) {
  for (size_t i = 0; i < f->n; i++)
    gsl_vector_set(w, i, (gsl_vector_get(f->yp, i) - gsl_vector_get(f->ym, i)) /
                                 (2.0 * FD_STEP * gsl_vector_get(f->scale, i)) -
                             gsl_vector_get(v, i));
}

/* w = D^-1 (dPhi - I) D v by central differences around f->x. */
static int jvp(phsim_fidelity *f, const gsl_vector *v, gsl_vector *w) {
  for (int sign = 1; sign >= -1; sign -= 2) {
    displaced(f, v, sign);
    if (phi(f, f->xp, 1.0, sign > 0 ? f->yp : f->ym) != PHSIM_OK) return PHSIM_ENUM;
  }
  quotient(f, v, w);
  return PHSIM_OK;
}

/* D per block (A, R, E) of x: |x_i|, but at least 1e-3 of the block's
 * largest entry and at least 1e-6 (entries that start at 0, such as E_ij). */
static void scale_of(const gsl_vector *x, size_t m, size_t K, gsl_vector *scale) {
  const size_t ends[3] = {m * K, m * K + m * (m + 1) / 2, x->size};
  size_t lo = 0;
  for (int b = 0; b < 3; b++) {
    double big = 0.0;
    for (size_t i = lo; i < ends[b]; i++) big = fmax(big, fabs(gsl_vector_get(x, i)));
    const double floor = fmax(1e-3 * big, 1e-6);
    for (size_t i = lo; i < ends[b]; i++)
      gsl_vector_set(scale, i, fmax(fabs(gsl_vector_get(x, i)), floor));
    lo = ends[b];
  }
}

static void set_scale(phsim_fidelity *f) { scale_of(f->x, f->m, f->K, f->scale); }

/* Lane 2 k + (sign < 0) holds the scratch state at x + sign h D e_k: every
 * column's two points, evaluated and stepped together below. */
static void load_lanes(phsim_fidelity *f, gsl_vector *e) {
  for (size_t k = 0; k < f->n; k++) {
    gsl_vector_set_basis(e, k);
    for (int sign = 1; sign >= -1; sign -= 2) {
      displaced(f, e, sign);
      phsim_reduced_batch_load_packed(f->lanes, 2 * k + (sign < 0), f->xp->data, f->E0);
    }
  }
  phsim_reduced_batch_eval(f->lanes);
  phsim_reduced_batch_step(f->lanes);
}

/* y = Phi at lane i's point, read from the lane; a lane whose evaluation
 * faulted is evaluated alone (phi), which says whether Phi is defined
 * there (the batch also faults on a loss beyond PHSIM_LOSS_EXPLODED, which
 * Phi alone does not). */
static int lane_phi(phsim_fidelity *f, size_t i, gsl_vector *e, gsl_vector *y) {
  if (phsim_reduced_batch_faulted(f->lanes, i)) {
    displaced(f, e, i % 2 ? -1 : 1);
    return phi(f, f->xp, 1.0, y);
  }
  phsim_reduced_batch_store_packed(f->lanes, i, y->data);
  return PHSIM_OK;
}

/* J's columns from the lanes: the same points, the same Phi, the same
 * quotient as jvp's, so the same bits. */
static int jacobian_batched(phsim_fidelity *f, gsl_vector *e, gsl_matrix *J) {
  load_lanes(f, e);
  for (size_t k = 0; k < f->n; k++) {
    gsl_vector_set_basis(e, k);
    if (lane_phi(f, 2 * k, e, f->yp) != PHSIM_OK || lane_phi(f, 2 * k + 1, e, f->ym) != PHSIM_OK)
      return PHSIM_ENUM;
    gsl_vector_view col = gsl_matrix_column(J, k);
    quotient(f, e, &col.vector);
  }
  return PHSIM_OK;
}

/* The same one column at a time (jvp). */
static int jacobian_by_jvp(phsim_fidelity *f, gsl_vector *e, gsl_matrix *J) {
  for (size_t k = 0; k < f->n; k++) {
    gsl_vector_set_basis(e, k);
    gsl_vector_view col = gsl_matrix_column(J, k);
    if (jvp(f, e, &col.vector) != PHSIM_OK) return PHSIM_ENUM;
  }
  return PHSIM_OK;
}

int phsim_fidelity_batched(const phsim_fidelity *f) { return f->lanes != NULL; }

int phsim_fidelity_jacobian(phsim_fidelity *f, gsl_matrix *J) {
  gsl_vector *e = gsl_vector_calloc(f->n);
  const int st = f->lanes != NULL ? jacobian_batched(f, e, J) : jacobian_by_jvp(f, e, J);
  gsl_vector_free(e);
  return st;
}

/* An upper bound on every |eigenvalue| gsl_eigen_nonsymm returns for J:
 * min(||J||_1, ||J||_inf) (any induced norm bounds the spectral radius)
 * enlarged by SKIP_MARGIN; +inf when an entry is not finite. */
static double radius_bound(const gsl_matrix *J) {
  const size_t n = J->size1;
  double row_max = 0.0, col_max = 0.0;
  for (size_t i = 0; i < n; i++) {
    double row = 0.0, col = 0.0;
    for (size_t j = 0; j < n; j++) {
      if (!isfinite(gsl_matrix_get(J, i, j))) return INFINITY;
      row += fabs(gsl_matrix_get(J, i, j));
      col += fabs(gsl_matrix_get(J, j, i));
    }
    row_max = fmax(row_max, row);
    col_max = fmax(col_max, col);
  }
  return fmin(row_max, col_max) * (1.0 + SKIP_MARGIN);
}

/* Largest |eigenvalue| of the scaled D^-1 (dPhi - I) D, or the bound
 * when that is at most floor. */
static int dense_radius(phsim_fidelity *f, double floor, double *radius) {
  if (phsim_fidelity_jacobian(f, f->J) != PHSIM_OK) return PHSIM_ENUM;
  *radius = radius_bound(f->J);
  if (*radius <= floor) return PHSIM_OK;
  if (gsl_eigen_nonsymm(f->J, f->eval, f->ws) != 0) return PHSIM_ENUM;
  double r = 0.0;
  for (size_t i = 0; i < f->n; i++) r = fmax(r, gsl_complex_abs(gsl_vector_complex_get(f->eval, i)));
  *radius = r;
  return PHSIM_OK;
}

/* The same by power iteration: ||B v|| for the normalized iterate v.  A
 * dominant complex pair makes the iterate rotate; ||B v|| then stays within
 * the pair's modulus for a normal B, which is what the rule needs. */
static int power_radius(phsim_fidelity *f, double *radius) {
  if (!f->warm) gsl_vector_set_all(f->v, 1.0 / sqrt((double)f->n));
  double r = 0.0;
  for (int it = 0; it < (f->warm ? POWER_WARM : POWER_COLD); it++) {
    if (jvp(f, f->v, f->w) != PHSIM_OK) return PHSIM_ENUM;
    r = gsl_blas_dnrm2(f->w);
    if (!(r > 0.0) || !isfinite(r)) break;
    gsl_vector_memcpy(f->v, f->w);
    gsl_vector_scale(f->v, 1.0 / r);
  }
  f->warm = r > 0.0 && isfinite(r);
  *radius = r;
  return PHSIM_OK;
}

int phsim_fidelity_stiffness(phsim_fidelity *f, const gsl_matrix *A,
                             const gsl_matrix *R, const gsl_matrix *E,
                             double floor, double *stiffness) {
  gsl_matrix_memcpy(f->E0, E);
  pack(f, A, R, E, f->x);
  set_scale(f);
  *stiffness = NAN;
  double radius;
  int st = f->n <= f->dense_max ? dense_radius(f, floor, &radius) : power_radius(f, &radius);
  if (st == PHSIM_OK) *stiffness = radius;
  return st;
}
