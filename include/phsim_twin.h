/* phsim_twin.h: a sensitivity twin.  A second copy of the run starts with
 * every initial overlap a_jl multiplied by 1 + eps (-1)^(j+l) (eps = the
 * key twin) and follows the run to each logged step.  The largest
 * difference of the overlaps and of the head between the two, and whether
 * the twin ends with another neuron-to-feature outcome (fragile), tell an
 * outcome decided by the initial state from one decided by rounding: with
 * eps a few ulps (1e-15), a fragile run's outcome is decided by the
 * rounding of its arithmetic, and two engines (or two step sizes) that
 * differ on it are not in disagreement. */
#ifndef PHSIM_TWIN_H
#define PHSIM_TWIN_H

#include "phsim_config.h"
#include "phsim_engine.h"
#include "phsim_summary.h"

typedef struct phsim_twin phsim_twin;

/* NULL when cfg->twin is 0. */
phsim_twin *phsim_twin_alloc(const phsim_config *cfg);
void phsim_twin_free(phsim_twin *t);

/* Start from the perturbed initial state, init being the run's (read
 * once: phsim_engine_start); a numerical fault is recorded, not returned. */
int phsim_twin_start(phsim_twin *t, const phsim_initial *init,
                     char err[PHSIM_ERR_MAX]);

/* Advance the twin to `step` and compare it with the run's state there.
 * Returns PHSIM_EINTR if stopped by a signal, else PHSIM_OK (a twin that
 * faults stops following and counts as fragile). */
int phsim_twin_follow(phsim_twin *t, unsigned long step, const phsim_obs *run);

/* The summary's twin (nothing when t is NULL), given the run's own final
 * outcome: fragile when the twin faulted or ended on another outcome. */
void phsim_twin_summary(const phsim_twin *t, const char *run_outcome,
                        phsim_summary_twin *out);

#endif
