/* phsim_engine.h: one interface over the four ways phsim computes the same
 * dynamics, each an engine type (modelled on GSL's gsl_odeiv2_step_type): a
 * table of operations over an opaque per-engine state, one file per type.
 *
 *   population  exact GD on the full weights W (m x d), closed-form loss
 *               (sim/engines/population.c, phsim_pop.h)
 *   order       exact GD on the reduced state (A, R, E): cost independent
 *               of d (sim/engines/reduced.c, phsim_reduced.h)
 *   sampled     GD on the finite-batch loss of real patch data
 *               (sim/engines/sampled.c, phsim_sampled.h)
 *   flow        the gradient-flow ODE on (A, R, E), t = eta * step
 *               (sim/engines/flow.c, phsim_flow.h)
 *
 * A type's name is the config's value of `engine`.  The engines share the
 * model (sim/model: phsim_popgrad.h, phsim_weights.h, phsim_head.h,
 * phsim_reduced_state.h), never each other.  A run calls phsim_engine_start
 * (the initial state, evaluated), then phsim_engine_advance to each logged
 * step; every engine exposes the same observables (phsim_obs).  What does not
 * depend on the engine lives in engine.c: the loss's explosion check, its
 * largest rise, gradient descent's turn (phsim_fidelity.h), the head's peak,
 * and the SIGINT/SIGTERM poll. */
#ifndef PHSIM_ENGINE_H
#define PHSIM_ENGINE_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "phsim_config.h"
#include "phsim_head.h"
#include "phsim_initial.h"

/* What a logged row needs, at the engine's current (evaluated) state. */
typedef struct {
  const gsl_matrix *A;   /* m x K: a_jl = <w_j, v_l> */
  const gsl_matrix *R;   /* m x m: W Pp W^T (noise_j = sqrt(R_jj)) */
  const gsl_matrix *E;   /* m x m head */
  const gsl_matrix *M;   /* m x m representation second moment E[f f^T] */
  const gsl_matrix *gA;  /* m x K: dL/dA (force = -gA) */
  const gsl_vector *rho; /* m */
  double loss;
} phsim_obs;

/* An engine type.  A discrete engine (gradient descent) provides step and
 * leaves advance_to NULL; a continuous one (the flow) the reverse. */
typedef struct {
  const char *name;  /* the config's engine value */
  int turns;         /* its steps are deterministic maps of the state, whose
                        turn phsim_fidelity measures */
  void *(*alloc)(const phsim_config *cfg);
  void (*free)(void *state);
  /* The initial state: W from init->W or drawn from r, E from init->E or I
   * (init may be NULL: nothing read).  Not evaluated. */
  void (*start)(void *state, const phsim_config *cfg, const phsim_initial *init,
                gsl_rng *r);
  /* Loss (*loss) and gradient at the current state; PHSIM_ENUM on a
   * numerical fault (then fault says what). */
  int (*eval)(void *state, double *loss);
  /* One step from the evaluated state (not evaluated after). */
  void (*step)(void *state);
  /* Integrate to step `to` and evaluate there, raising peak at the points
   * visited before `to`; PHSIM_ENUM (fault says what) or PHSIM_EINTR (the
   * state is back at the last reading, evaluated). */
  int (*advance_to)(void *state, unsigned long to, phsim_head_peak *peak);
  void (*observe)(void *state, phsim_obs *o);
  /* The head E (m x m) of the current state: cheaper than observe. */
  const gsl_matrix *(*head)(const void *state);
  /* dL/dW (m x d) and dL/dE (m x m) at the start; PHSIM_EINPUT with err
   * when the engine has no W (phsim_reduced_state.h). */
  int (*gradient)(const void *state, gsl_matrix *gW, gsl_matrix *gE,
                  char err[PHSIM_ERR_MAX]);
  /* Why the last eval or advance_to failed. */
  const char *(*fault)(const void *state);
  /* Set the reduced state (A, R, E) at step `step`, not evaluated: a state
   * advanced elsewhere, or read back (NULL: the type cannot take one).  A
   * discrete engine ignores the step (its caller counts steps); the flow
   * sets its clock to t = eta * step. */
  void (*load)(void *state, const gsl_matrix *A, const gsl_matrix *R,
               const gsl_matrix *E, unsigned long step);
} phsim_engine_type;

extern const phsim_engine_type *const phsim_engine_population;
extern const phsim_engine_type *const phsim_engine_order;
extern const phsim_engine_type *const phsim_engine_sampled;
extern const phsim_engine_type *const phsim_engine_flow;

/* The i-th of every type (population, order, sampled, flow), NULL past the
 * last: for (i = 0; (t = phsim_engine_type_at(i)) != NULL; i++). */
const phsim_engine_type *phsim_engine_type_at(size_t i);

/* The type named phsim_engine_name(kind); NULL if none. */
const phsim_engine_type *phsim_engine_type_of(phsim_engine_kind kind);

typedef struct phsim_engine phsim_engine;

/* An engine of cfg's type; NULL when out of memory. */
phsim_engine *phsim_engine_alloc(const phsim_config *cfg);
/* The same without the turn's record (phsim_engine_turn NaN): an engine
 * restarted from states to look at them (phsim_pullend.h), at the cost of
 * its steps alone. */
phsim_engine *phsim_engine_alloc_untracked(const phsim_config *cfg);
void phsim_engine_free(phsim_engine *e);
const phsim_engine_type *phsim_engine_type_get(const phsim_engine *e);

/* Initial state (weights from init->W or drawn from r, E from init->E or
 * I), then the loss and gradient at it; the head's peak starts there.
 * init = NULL reads cfg's init_W and init_E here (phsim_initial_read): a
 * caller that starts several engines from one configuration reads them
 * once and passes them.  PHSIM_EINPUT / PHSIM_ENUM with err. */
int phsim_engine_start(phsim_engine *e, const phsim_config *cfg,
                       const phsim_initial *init, gsl_rng *r,
                       char err[PHSIM_ERR_MAX]);

/* Advance from step `from` (evaluated) to step `to` (evaluated).  On a
 * numerical fault returns PHSIM_ENUM with *fault_step = the first step
 * whose state is not finite; on SIGINT/SIGTERM (polled every step)
 * PHSIM_EINTR with *fault_step = the step reached, its state evaluated. */
int phsim_engine_advance(phsim_engine *e, unsigned long from, unsigned long to,
                         unsigned long *fault_step);

void phsim_engine_observe(const phsim_engine *e, phsim_obs *o);

/* The largest |E_ij - delta_ij| over every step the engine visited (for the
 * flow: every accepted internal point), and its step. */
phsim_head_peak phsim_engine_head_peak(const phsim_engine *e);

/* The largest increase of the loss from one step to the next so far, and
 * (if step is not NULL) the step it ended at; 0 if it never rose. */
double phsim_engine_loss_rise(const phsim_engine *e, unsigned long *step);

/* The largest turn of gradient descent so far (phsim_fidelity.h) and its
 * step; NaN for the engines without one (sampled, flow). */
double phsim_engine_turn(const phsim_engine *e, unsigned long *step);

/* What an engine records over the steps it visits (the three above). */
typedef struct {
  double loss_rise;
  unsigned long loss_rise_step;
  double turn;                  /* NaN for an engine without one */
  unsigned long turn_step;
  phsim_head_peak peak;
} phsim_engine_record;

/* A run advanced elsewhere (a lane of phsim_reduced_batch) handed back: the
 * engine's state set to (A, R, E) at step `step` and evaluated, its record
 * set to rec, so that observing it, its record and its fault are those of
 * the engine that advanced there itself (it is not advanced further: the
 * turn's history is not kept).  PHSIM_ENUM with phsim_engine_fault as after a step to that
 * state; PHSIM_EINPUT for a type without load. */
int phsim_engine_resume(phsim_engine *e, const gsl_matrix *A, const gsl_matrix *R,
                        const gsl_matrix *E, unsigned long step,
                        const phsim_engine_record *rec);

/* Whether e's type can take a state (phsim_engine_resume): order, flow. */
int phsim_engine_loads(const phsim_engine *e);

/* After PHSIM_ENUM: the quantity that failed and its value. */
const char *phsim_engine_fault(const phsim_engine *e);

/* A loss beyond this magnitude counts as exploded (a numerical fault): the
 * BN loss is at most 4 m; the unnormalized one has no bound. */
#define PHSIM_LOSS_EXPLODED 1e30

/* dL/dW (m x d) and dL/dE (m x m) at the current state.  The reduced
 * engines need the weights they started from: PHSIM_EINPUT when they were
 * started from (A, R) directly (huge d). */
int phsim_engine_gradient(const phsim_engine *e, gsl_matrix *gW,
                          gsl_matrix *gE, char err[PHSIM_ERR_MAX]);

#endif
