/* flow.c: gradient flow on (A, R, E) with gsl_odeiv2, BDF by default. */
#include "phsim_flow.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "phsim_engine.h"
#include "phsim_head.h"
#include "phsim_interrupt.h"

static size_t state_dim(const phsim_config *cfg) {
  return phsim_reduced_dim(cfg->m, cfg->K, cfg->head);
}

int phsim_flow_rhs(phsim_flow *f, const double y[], double dydt[]) {
  const phsim_reduced_state *o = f->s;
  const size_t m = f->A->size1, K = f->A->size2;
  /* The fixed entries of E are those of the state, which never change. */
  gsl_matrix_memcpy(f->E, o->E);
  phsim_reduced_unpack(o->head, y, f->A, f->R, f->E);
  phsim_popgrad_workspace *pg = f->pg_rhs;
  f->stats.rhs++;
  /* The flow's target is its online state: stop-gradient only decides
   * which occurrences phsim_popgrad differentiates. */
  if (phsim_popgrad_eval(&o->model, f->A, f->R, f->E, f->A, f->R, pg) !=
      PHSIM_OK)
    return GSL_EBADFUNC;
  size_t k = 0;
  for (size_t r = 0; r < m; r++)
    for (size_t l = 0; l < K; l++) dydt[k++] = -gsl_matrix_get(pg->gA, r, l);
  for (size_t r = 0; r < m; r++)
    for (size_t s = r; s < m; s++) {
      double sr = 0.0;
      for (size_t q = 0; q < m; q++)
        sr += gsl_matrix_get(pg->S, r, q) * gsl_matrix_get(f->R, q, s) +
              gsl_matrix_get(f->R, r, q) * gsl_matrix_get(pg->S, q, s);
      dydt[k++] = -sr;
    }
  const double rate = o->eta_E / o->eta;
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++)
      if (phsim_head_trains(o->head, r, s)) dydt[k++] = -rate * gsl_matrix_get(pg->gE, r, s);
  return GSL_SUCCESS;
}

/* Central differences, column by column:
 *   dF/dy_j ~ (F(y + h_j e_j) - F(y - h_j e_j)) / (2 h_j),
 *   h_j = cbrt(DBL_EPSILON) max(|y_j|, PHSIM_FLOW_FD_FLOOR),
 * which balances the truncation error (h_j^2 F''' / 6, relative
 * (h_j / |y_j|)^2 ~ 4e-11 when F varies on the scale of y_j itself, as the
 * powers a^2 .. a^6 of the moments do) against the rounding (DBL_EPSILON
 * |F| / h_j, the same size).  The floor gives entries at or near 0 (E_ij at
 * the start) a step well inside the domain.  The divisor is the difference
 * of the two abscissae as stored, so the rounding of y_j +- h_j does not
 * count. */
int phsim_flow_jacobian(phsim_flow *f, const double y[], double *dfdy) {
  const size_t n = f->dim;
  const double c = cbrt(DBL_EPSILON);
  memcpy(f->yp, y, n * sizeof *y);
  for (size_t j = 0; j < n; j++) {
    /* 2n right-hand sides: a signal stops the integration here too. */
    if (phsim_interrupted()) return GSL_EBADFUNC;
    const double h = c * fmax(fabs(y[j]), PHSIM_FLOW_FD_FLOOR);
    const double up = y[j] + h, down = y[j] - h;
    f->yp[j] = up;
    int st = phsim_flow_rhs(f, f->yp, f->fp);
    f->yp[j] = down;
    if (st == GSL_SUCCESS) st = phsim_flow_rhs(f, f->yp, f->fm);
    f->yp[j] = y[j];
    if (st != GSL_SUCCESS) return st;
    for (size_t i = 0; i < n; i++) {
      double v = (f->fp[i] - f->fm[i]) / (up - down);
      /* A non-finite entry would poison msbdf's Newton matrix: call it a
       * point outside the domain instead (the step is retried smaller). */
      if (!isfinite(v)) return GSL_EBADFUNC;
      dfdy[i * n + j] = v;
    }
  }
  f->stats.jac++;
  return GSL_SUCCESS;
}

static int rhs_cb(double t, const double y[], double dydt[], void *params) {
  (void)t;
  return phsim_flow_rhs(params, y, dydt);
}

/* The flow is autonomous: dF/dt = 0. */
static int jac_cb(double t, const double y[], double *dfdy, double dfdt[],
                  void *params) {
  (void)t;
  phsim_flow *f = params;
  for (size_t i = 0; i < f->dim; i++) dfdt[i] = 0.0;
  return phsim_flow_jacobian(f, y, dfdy);
}

phsim_flow *phsim_flow_alloc_method(const phsim_config *cfg,
                                    phsim_flow_method method) {
  phsim_flow *f = calloc(1, sizeof *f);
  if (f == NULL) return NULL;
  const size_t m = cfg->m, K = cfg->K, n = state_dim(cfg);
  f->method = method;
  f->dim = n;
  f->s = phsim_reduced_state_alloc(cfg);
  f->y = calloc(n, sizeof *f->y);
  f->yp = calloc(n, sizeof *f->yp);
  f->fp = calloc(n, sizeof *f->fp);
  f->fm = calloc(n, sizeof *f->fm);
  f->ysave = calloc(n, sizeof *f->ysave);
  f->A = gsl_matrix_alloc(m, K);
  f->R = gsl_matrix_alloc(m, m);
  f->E = gsl_matrix_alloc(m, m);
  f->pg_rhs = phsim_popgrad_alloc(m, K);
  f->sys = (gsl_odeiv2_system){rhs_cb, jac_cb, n, f};
  f->h = 1e-3 * cfg->eta;
  if (method == PHSIM_FLOW_BDF)
    f->driver = gsl_odeiv2_driver_alloc_y_new(&f->sys, gsl_odeiv2_step_msbdf,
                                              f->h, PHSIM_FLOW_EPSABS,
                                              PHSIM_FLOW_EPSREL);
  else
    f->driver = gsl_odeiv2_driver_alloc_y_new(
        &f->sys, gsl_odeiv2_step_rk8pd, f->h, PHSIM_FLOW_RK8PD_EPSABS,
        PHSIM_FLOW_RK8PD_EPSREL);
  return f;
}

phsim_flow *phsim_flow_alloc(const phsim_config *cfg) {
  return phsim_flow_alloc_method(cfg, state_dim(cfg) <= PHSIM_FLOW_BDF_MAX_DIM
                                          ? PHSIM_FLOW_BDF
                                          : PHSIM_FLOW_RK8PD);
}

void phsim_flow_free(phsim_flow *f) {
  if (f == NULL) return;
  gsl_odeiv2_driver_free(f->driver);
  phsim_popgrad_free(f->pg_rhs);
  gsl_matrix_free(f->A);
  gsl_matrix_free(f->R);
  gsl_matrix_free(f->E);
  free(f->y);
  free(f->yp);
  free(f->fp);
  free(f->fm);
  free(f->ysave);
  phsim_reduced_state_free(f->s);
  free(f);
}

void phsim_flow_start(phsim_flow *f, const phsim_config *cfg,
                      const phsim_initial *init, gsl_rng *r) {
  phsim_reduced_state_start(f->s, cfg, init, r);
  phsim_reduced_pack(f->s->head, f->s->A, f->s->R, f->s->E, f->y);
  f->t = f->origin = f->tau = 0.0;
  f->h = 1e-3 * cfg->eta;
  f->stats = (phsim_flow_stats){0, 0, 0, 0, 0, 0};
  gsl_odeiv2_driver_reset(f->driver);
}

/* The state (A, R, E) at the current t, the integrator restarted there;
 * not evaluated. */
static void load_state(phsim_flow *f, const gsl_matrix *A, const gsl_matrix *R,
                       const gsl_matrix *E) {
  gsl_matrix_memcpy(f->s->A, A);
  gsl_matrix_memcpy(f->s->R, R);
  gsl_matrix_memcpy(f->s->E, E);
  phsim_reduced_pack(f->s->head, A, R, E, f->y);
  /* R and E as the flow sees them: R's upper triangle mirrored. */
  phsim_reduced_unpack(f->s->head, f->y, f->s->A, f->s->R, f->s->E);
  f->origin = f->t;
  f->tau = 0.0;
  gsl_odeiv2_driver_reset(f->driver);
}

int phsim_flow_set_state(phsim_flow *f, const gsl_matrix *A,
                         const gsl_matrix *R, const gsl_matrix *E) {
  load_state(f, A, R, E);
  return phsim_reduced_state_eval(f->s);
}

/* |E_ij - delta_ij| at y's E, labelled with the step nearest to t. */
static void peak_at(phsim_flow *f, unsigned long last, phsim_head_peak *peak) {
  if (peak == NULL) return;
  gsl_matrix_memcpy(f->E, f->s->E);
  phsim_reduced_unpack(f->s->head, f->y, f->A, f->R, f->E);
  double s = nearbyint(f->t / f->s->eta);
  phsim_head_peak_update(peak, s < (double)last ? (unsigned long)s : last, f->E);
}

/* Back to the last reading (f->s): after a signal. */
static void rewind_to_reading(phsim_flow *f, double t_read) {
  phsim_reduced_pack(f->s->head, f->s->A, f->s->R, f->s->E, f->y);
  f->t = f->origin = t_read;
  f->tau = 0.0;
  gsl_odeiv2_driver_reset(f->driver);
}

/* The integrator's clock is tau = t - origin.  A double resolves t only to
 * 2^-52 t (2e-6 at t = 1e10), and a sharp event late in a run needs finer
 * steps (d = 10^6: the head's collapse when the weak feature is learned,
 * near t = 5e9, relaxes at a rate of 2e4 and takes steps of 5e-7; with
 * t + h == t gsl_odeiv2_evolve_apply gives up).  So when the step falls
 * below 2^-32 tau the origin moves to t and the stepper restarts (msbdf
 * compares clock values to recognise a repeated step, so its history must
 * not span two clocks).  The flow is autonomous: only the readings' times
 * depend on the clock, and origin + tau loses at most half an ulp of t per
 * move. */
static void rebase_if_needed(phsim_flow *f) {
  if (f->tau > 0.0 && f->h < ldexp(f->tau, -32)) {
    f->origin += f->tau;
    f->tau = 0.0;
    f->stats.rebases++;
    gsl_odeiv2_driver_reset(f->driver);
  }
}

/* One internal step from (f->tau, f->y) towards t1.  A trial step that
 * leaves the domain (a second moment not positive) makes the rhs return
 * GSL_EBADFUNC, on which gsl_odeiv2_evolve_apply returns at once with y
 * possibly half-updated and the stepper's history (msbdf's Nordsieck
 * array) holding the failed prediction: restore (tau, y), restart the
 * stepper and try a step ten times smaller (*tries counts the consecutive
 * restarts).  Any other failure (the step cannot shrink further, or meet
 * the tolerance) is final. */
static int one_step(phsim_flow *f, double t1, int *tries) {
  gsl_odeiv2_driver *d = f->driver;
  rebase_if_needed(f);
  const double tau0 = f->tau, tau1 = t1 - f->origin;
  if (!(tau0 < tau1)) return PHSIM_OK; /* t1 within rounding of the clock */
  memcpy(f->ysave, f->y, f->dim * sizeof *f->y);
  unsigned long failed0 = d->e->failed_steps;
  int st = gsl_odeiv2_evolve_apply(d->e, d->c, d->s, &f->sys, &f->tau, tau1,
                                   &f->h, f->y);
  f->stats.failed += d->e->failed_steps - failed0;
  if (st == GSL_SUCCESS) {
    f->stats.steps++;
    f->t = f->origin + f->tau;
    *tries = 0;
    return PHSIM_OK;
  }
  f->tau = tau0;
  memcpy(f->y, f->ysave, f->dim * sizeof *f->y);
  if (st == GSL_EBADFUNC && phsim_interrupted()) return PHSIM_EINTR;
  if (st == GSL_EBADFUNC && *tries < PHSIM_FLOW_MAX_RETRIES) {
    (*tries)++;
    f->stats.retries++;
    f->h = fmin(f->h, d->e->last_step > 0.0 ? d->e->last_step : f->h) / 10.0;
    gsl_odeiv2_driver_reset(d);
    return PHSIM_OK;
  }
  if (st == GSL_EBADFUNC)
    snprintf(f->fault, sizeof f->fault,
             "the ODE integrator left the loss's domain %d times in a row "
             "near t = %g", *tries + 1, f->t);
  else
    snprintf(f->fault, sizeof f->fault,
             "the ODE integrator failed near t = %g (GSL status %d: the "
             "step cannot shrink further or meet the tolerance)", f->t, st);
  return PHSIM_ENUM;
}

int phsim_flow_advance_to(phsim_flow *f, unsigned long step,
                          phsim_head_peak *peak) {
  const double t1 = f->s->eta * (double)step, t_read = f->t;
  int tries = 0;
  f->fault[0] = '\0';
  while (f->tau < t1 - f->origin) {
    /* A signal, seen here or inside the Jacobian: back to the reading. */
    if (f->max_steps > 0 && f->stats.steps >= f->max_steps) {
      snprintf(f->fault, sizeof f->fault,
               "the ODE integrator used up its %lu steps short of t = %g",
               f->max_steps, t1);
      return PHSIM_ENUM;
    }
    int st = phsim_interrupted() ? PHSIM_EINTR : one_step(f, t1, &tries);
    if (st == PHSIM_EINTR) rewind_to_reading(f, t_read);
    if (st != PHSIM_OK) return st;
    if (tries == 0) peak_at(f, step, peak);
  }
  f->t = t1;
  phsim_reduced_unpack(f->s->head, f->y, f->s->A, f->s->R, f->s->E);
  return phsim_reduced_state_eval(f->s);
}

/* ---- the engine type -------------------------------------------------- */

static void *type_alloc(const phsim_config *cfg) { return phsim_flow_alloc(cfg); }
static void type_free(void *f) { phsim_flow_free(f); }

static void type_start(void *f, const phsim_config *cfg,
                       const phsim_initial *init, gsl_rng *r) {
  phsim_flow_start(f, cfg, init, r);
}

/* The state at the reading (the start), evaluated; a fault is the closed
 * form's. */
static int type_eval(void *p, double *loss) {
  phsim_flow *f = p;
  int st = phsim_reduced_state_eval(f->s);
  *loss = f->s->pg->loss;
  if (st != PHSIM_OK) snprintf(f->report, sizeof f->report, "%s", f->s->pg->fault);
  return st;
}

static int type_advance_to(void *p, unsigned long to, phsim_head_peak *peak) {
  phsim_flow *f = p;
  int st = phsim_flow_advance_to(f, to, peak);
  if (st == PHSIM_ENUM)
    snprintf(f->report, sizeof f->report, "%.120s before t = %g",
             f->fault[0] != '\0' ? f->fault : "the ODE integrator failed",
             f->s->eta * (double)to);
  return st;
}

static void type_observe(void *p, phsim_obs *o) {
  const phsim_reduced_state *s = ((phsim_flow *)p)->s;
  const phsim_popgrad_workspace *pg = s->pg;
  *o = (phsim_obs){s->A, s->R, s->E, pg->M, pg->gA, pg->rho, pg->loss};
}

static const gsl_matrix *type_head(const void *f) { return ((const phsim_flow *)f)->s->E; }

/* The state (A, R, E) at t = eta * step, the integrator restarted there. */
static void type_load(void *p, const gsl_matrix *A, const gsl_matrix *R,
                      const gsl_matrix *E, unsigned long step) {
  phsim_flow *f = p;
  f->t = f->s->eta * (double)step;
  load_state(f, A, R, E);
}

static int type_gradient(const void *f, gsl_matrix *gW, gsl_matrix *gE,
                         char err[PHSIM_ERR_MAX]) {
  return phsim_reduced_state_gradient(((const phsim_flow *)f)->s, gW, gE, err);
}

static const char *type_fault(const void *f) { return ((const phsim_flow *)f)->report; }

/* The flow is its own limit: no step, no turn. */
static const phsim_engine_type flow_type = {
    .name = "flow", .turns = 0, .alloc = type_alloc, .free = type_free,
    .start = type_start, .eval = type_eval, .step = NULL,
    .advance_to = type_advance_to, .observe = type_observe, .head = type_head,
    .gradient = type_gradient, .fault = type_fault, .load = type_load};

const phsim_engine_type *const phsim_engine_flow = &flow_type;
