/* flow.c: gradient flow on (A, R, E) with gsl_odeiv2. */
#include "phsim_flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

/* y = [A (m K), R (m m), E (m m)], row-major. */
static void pack(const phsim_order *o, double *y) {
  const size_t m = o->A->size1, K = o->A->size2;
  for (size_t r = 0; r < m; r++) {
    memcpy(y + r * K, gsl_matrix_const_ptr(o->A, r, 0), K * sizeof *y);
    memcpy(y + m * K + r * m, gsl_matrix_const_ptr(o->R, r, 0), m * sizeof *y);
    memcpy(y + m * K + m * m + r * m, gsl_matrix_const_ptr(o->E, r, 0),
           m * sizeof *y);
  }
}

static void unpack(const double *y, phsim_order *o) {
  const size_t m = o->A->size1, K = o->A->size2;
  for (size_t r = 0; r < m; r++) {
    memcpy(gsl_matrix_ptr(o->A, r, 0), y + r * K, K * sizeof *y);
    memcpy(gsl_matrix_ptr(o->R, r, 0), y + m * K + r * m, m * sizeof *y);
    memcpy(gsl_matrix_ptr(o->E, r, 0), y + m * K + m * m + r * m, m * sizeof *y);
  }
}

static int rhs(double t, const double y[], double dydt[], void *params) {
  (void)t;
  phsim_flow *f = params;
  const phsim_order *o = f->o;
  const size_t m = o->A->size1, K = o->A->size2;
  gsl_matrix_const_view A = gsl_matrix_const_view_array(y, m, K);
  gsl_matrix_const_view R = gsl_matrix_const_view_array(y + m * K, m, m);
  gsl_matrix_const_view E = gsl_matrix_const_view_array(y + m * K + m * m, m, m);
  phsim_popgrad_workspace *pg = f->pg_rhs;
  if (phsim_popgrad_eval(&o->model, &A.matrix, &R.matrix, &E.matrix, &A.matrix,
                         &R.matrix, pg) != PHSIM_OK)
    return GSL_EBADFUNC;
  for (size_t r = 0; r < m; r++)
    for (size_t l = 0; l < K; l++) dydt[r * K + l] = -gsl_matrix_get(pg->gA, r, l);
  const double rate = o->eta_E / o->eta;
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) {
      double sr = 0.0;
      for (size_t k = 0; k < m; k++)
        sr += gsl_matrix_get(pg->S, r, k) * gsl_matrix_get(&R.matrix, k, s) +
              gsl_matrix_get(&R.matrix, r, k) * gsl_matrix_get(pg->S, k, s);
      dydt[m * K + r * m + s] = -sr;
      int trains = o->head == PHSIM_HEAD_FULL ||
                   (o->head == PHSIM_HEAD_OFFDIAG && r != s);
      dydt[m * K + m * m + r * m + s] =
          trains ? -rate * gsl_matrix_get(pg->gE, r, s) : 0.0;
    }
  return GSL_SUCCESS;
}

phsim_flow *phsim_flow_alloc(const phsim_config *cfg) {
  phsim_flow *f = calloc(1, sizeof *f);
  if (f == NULL) return NULL;
  const size_t m = cfg->m, K = cfg->K, dim = m * K + 2 * m * m;
  f->o = phsim_order_alloc(cfg);
  f->y = calloc(dim, sizeof *f->y);
  f->pg_rhs = phsim_popgrad_alloc(m, K);
  f->sys = (gsl_odeiv2_system){rhs, NULL, dim, f};
  f->driver = gsl_odeiv2_driver_alloc_y_new(&f->sys, gsl_odeiv2_step_rk8pd,
                                            1e-3 * cfg->eta, PHSIM_FLOW_EPSABS,
                                            PHSIM_FLOW_EPSREL);
  return f;
}

void phsim_flow_free(phsim_flow *f) {
  if (f == NULL) return;
  gsl_odeiv2_driver_free(f->driver);
  phsim_popgrad_free(f->pg_rhs);
  free(f->y);
  phsim_order_free(f->o);
  free(f);
}

int phsim_flow_init(phsim_flow *f, const phsim_config *cfg, gsl_rng *r,
                    char err[PHSIM_ERR_MAX]) {
  int st = phsim_order_init(f->o, cfg, r, err);
  if (st != PHSIM_OK) return st;
  pack(f->o, f->y);
  f->t = 0.0;
  return PHSIM_OK;
}

int phsim_flow_advance_to(phsim_flow *f, unsigned long step) {
  const double t1 = f->o->eta * (double)step;
  /* A trial step that leaves the domain (a second moment not positive)
   * makes rhs return GSL_EBADFUNC; the driver then restores (t, y) to the
   * last good point, and a smaller first step gets past (GSL manual,
   * "Driver").  Ten retries shrink it by 10^10. */
  double h = f->driver->h;
  for (int tries = 0;; tries++) {
    int st = gsl_odeiv2_driver_apply(f->driver, &f->t, t1, f->y);
    if (st == GSL_SUCCESS) break;
    if (st != GSL_EBADFUNC || tries == 10) return PHSIM_ENUM;
    h = fmin(h, f->driver->h) / 10.0;
    gsl_odeiv2_driver_reset_hstart(f->driver, h);
  }
  unpack(f->y, f->o);
  return phsim_order_eval(f->o);
}
