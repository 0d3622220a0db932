/* phsim_flow.h: the gradient-flow limit (eta -> 0) of the reduced dynamics
 * (engine type phsim_engine_flow), in time t = eta * step:
 *   dA/dt = -gA,   dR/dt = -(S R + R S),   dE/dt = -(eta_E / eta) gE
 * (the last on the trainable entries), read at the logged steps.
 *
 * The state vector y holds the degrees of freedom only: A (m K, row-major),
 * the upper triangle of the symmetric R (m (m + 1) / 2, row-major, r <= s)
 * and the trainable entries of E (row-major; none for head = fixed), so R
 * stays exactly symmetric and the fixed entries of E exactly fixed.
 *
 * In the paper's regime the flow is stiff once the weak feature is learned:
 * the head entry that fed the strong neuron into the weak neuron's output
 * relaxes fast (measured: an eigenvalue of -9.6e3 at d = 10^4, -3.7e4 at
 * d = 10^5, against slow modes below 1e-6), so an explicit method's step is
 * bounded by stability (~5e-4) over horizons of t ~ d^2.  The default method
 * is GSL's variable-order BDF (gsl_odeiv2_step_msbdf), whose steps are set by
 * accuracy; it needs dF/dy, which phsim_flow_jacobian gives by central
 * differences of the right-hand side (NOTES.md section 5 says why that is
 * accurate enough).  rk8pd (explicit Runge-Kutta Prince-Dormand 8(9)) takes
 * over for states too large for BDF's dense matrices
 * (PHSIM_FLOW_BDF_MAX_DIM) and stays available through
 * phsim_flow_alloc_method for comparisons.
 *
 * The integration is driven step by step (gsl_odeiv2_evolve_apply): between
 * two readings the flow polls phsim_interrupted() before every internal step
 * and follows the head's largest |E_ij - delta_ij| at every accepted point. */
#ifndef PHSIM_FLOW_H
#define PHSIM_FLOW_H

#include <gsl/gsl_odeiv2.h>

#include "phsim_head.h"
#include "phsim_reduced_state.h"

typedef enum { PHSIM_FLOW_BDF, PHSIM_FLOW_RK8PD } phsim_flow_method;

/* Error control per internal step, |err_i| <= EPSABS + EPSREL |y_i|.
 * BDF: an escape time goes like a0^-4, so what must be accurate is the
 * relative error of the small overlaps (a_jl ~ d^-1/2 at the start: 1e-3 at
 * d = 10^6) and of the O(1) entries (R_jj ~ 1 at the start, learned
 * overlaps).  EPSREL = 1e-8 controls every entry above 1e-6 relatively;
 * below, EPSABS = 1e-14 takes over, for entries that are ~0 anyway (E_ij at
 * the start; E_ij and the noise Gram R_rs after the head returns, down to
 * 1e-17 and 1e-9).  Measured at d = 10^4 (NOTES.md section 5): the state at
 * t = 2e7 is within 1e-6 (relative) of the one at EPSREL = 1e-13, and T1,
 * T3 are the same for EPSREL = 1e-6 .. 1e-13.  A smaller EPSREL does not
 * pay: near an equilibrium the right-hand side is rounding noise of a few
 * ulps (da/dt = +-7e-16 at a = -1), the error estimate sees h times that
 * noise, and the step stays below EPSREL |y| / noise (1.5e5 at 1e-10,
 * against the 1e9 .. 1e10 a tail at t ~ 1e11 allows): a run to t = 2e11
 * took 10^6 steps at 1e-10 and 8000 at 1e-8.
 * rk8pd keeps the tolerances it always had. */
#define PHSIM_FLOW_EPSABS 1e-14
#define PHSIM_FLOW_EPSREL 1e-8
#define PHSIM_FLOW_RK8PD_EPSABS 1e-12
#define PHSIM_FLOW_RK8PD_EPSREL 1e-10

/* Central differences: step cbrt(DBL_EPSILON) max(|y_i|, FD_FLOOR). */
#define PHSIM_FLOW_FD_FLOOR 1e-3

/* Consecutive restarts after a trial step left the loss's domain. */
#define PHSIM_FLOW_MAX_RETRIES 10

/* Work done so far (cumulative over the run). */
typedef struct {
  unsigned long steps;   /* accepted internal steps */
  unsigned long failed;  /* trial steps rejected by the error control or by
                            a Newton iteration that did not converge */
  unsigned long rhs;     /* right-hand-side evaluations (with the Jacobian's) */
  unsigned long jac;     /* Jacobian evaluations */
  unsigned long retries; /* restarts after a trial step left the domain */
  unsigned long rebases; /* moves of the clock's origin (see flow.c) */
} phsim_flow_stats;

typedef struct {
  phsim_reduced_state *s;   /* the state at the last reading, evaluated */
  phsim_flow_method method;
  size_t dim;               /* length of y */
  double *y;                /* degrees of freedom (see above) */
  double t;                 /* eta * step, at y */
  double origin, tau;       /* the integrator's clock: t = origin + tau */
  double h;                 /* the integrator's next step */
  phsim_popgrad_workspace *pg_rhs;
  gsl_matrix *A, *R, *E;    /* the full matrices of a y, for the rhs */
  double *yp, *fp, *fm;     /* Jacobian scratch */
  double *ysave;            /* y at the start of the internal step */
  gsl_odeiv2_system sys;
  /* Owns the stepper, the error control and the evolve object; msbdf reads
   * its error levels through the driver, so one is needed. */
  gsl_odeiv2_driver *driver;
  phsim_flow_stats stats;
  unsigned long max_steps;  /* accepted internal steps allowed in all
                               (0: no limit, the default; tests set it) */
  char fault[120];          /* why the last advance failed */
  char report[160];         /* the engine's fault (phsim_engine_fault) */
} phsim_flow;

/* The largest state for BDF.  msbdf keeps two dense n x n matrices and
 * LU-factors one of them (2 n^3 / 3 flops) whenever its step changes much;
 * at n = 600 (m = 19 neurons, K = 2, head = offdiag) that is 6 MB and
 * 0.1 s, and it cannot be interrupted.  Beyond, the flow uses rk8pd
 * (memory O(n)): with m = 64 msbdf alone would need 600 MB. */
#define PHSIM_FLOW_BDF_MAX_DIM 600

/* BDF up to PHSIM_FLOW_BDF_MAX_DIM, rk8pd beyond. */
phsim_flow *phsim_flow_alloc(const phsim_config *cfg);
phsim_flow *phsim_flow_alloc_method(const phsim_config *cfg,
                                    phsim_flow_method method);
void phsim_flow_free(phsim_flow *f);
/* The reduced state's start (phsim_reduced_state_start; init may be NULL),
 * at t = 0. */
void phsim_flow_start(phsim_flow *f, const phsim_config *cfg,
                      const phsim_initial *init, gsl_rng *r);

/* Move the flow to the state (A, R, E) at its current t (R's upper
 * triangle and E's trainable entries are read) and evaluate there. */
int phsim_flow_set_state(phsim_flow *f, const gsl_matrix *A,
                         const gsl_matrix *R, const gsl_matrix *E);

/* The right-hand side F(y) and its Jacobian dfdy[i dim + j] = dF_i/dy_j at
 * a y of the flow's layout; GSL_SUCCESS, or GSL_EBADFUNC outside the loss's
 * domain (a second moment not positive) or, for the Jacobian, when a signal
 * arrived (phsim_interrupted()). */
int phsim_flow_rhs(phsim_flow *f, const double y[], double dydt[]);
int phsim_flow_jacobian(phsim_flow *f, const double y[], double *dfdy);

/* Integrate to t = eta * step and evaluate there; peak (may be NULL) takes
 * |E_ij - delta_ij| at every accepted internal point, labelled with the
 * nearest step.  PHSIM_OK; PHSIM_ENUM with f->fault; PHSIM_EINTR when a
 * signal arrived (phsim_interrupted()): the flow is then back at its last
 * reading, unchanged. */
int phsim_flow_advance_to(phsim_flow *f, unsigned long step,
                          phsim_head_peak *peak);

#endif
