/* phsim_flow.h: the gradient-flow limit (eta -> 0) of the reduced dynamics,
 * in time t = eta * step:
 *   dA/dt = -gA,   dR/dt = -(S R + R S),   dE/dt = -(eta_E / eta) gE
 * (the last on the trainable entries), integrated by GSL's gsl_odeiv2 driver
 * (embedded Runge-Kutta Prince-Dormand 8(9), adaptive steps, absolute error
 * 1e-12 and relative error 1e-10 per step) and read at the logged steps. */
#ifndef PHSIM_FLOW_H
#define PHSIM_FLOW_H

#include <gsl/gsl_odeiv2.h>

#include "phsim_order.h"

#define PHSIM_FLOW_EPSABS 1e-12
#define PHSIM_FLOW_EPSREL 1e-10

typedef struct {
  phsim_order *o;           /* the state at the last reading, evaluated */
  double *y;                /* A, R, E packed: m K + 2 m^2 */
  double t;                 /* eta * step */
  phsim_popgrad_workspace *pg_rhs;
  gsl_odeiv2_system sys;
  gsl_odeiv2_driver *driver;
} phsim_flow;

phsim_flow *phsim_flow_alloc(const phsim_config *cfg);
void phsim_flow_free(phsim_flow *f);
int phsim_flow_init(phsim_flow *f, const phsim_config *cfg, gsl_rng *r,
                    char err[PHSIM_ERR_MAX]);
/* Integrate to t = eta * step and evaluate there. */
int phsim_flow_advance_to(phsim_flow *f, unsigned long step);

#endif
