/* phsim_field.h: the force field that the population gradient draws in one
 * neuron's (<w_j, v_a>, <w_j, v_b>) plane, everything else held at a state
 * of a run: force = -(dL/da_ja, dL/da_jb) at a_ja = x, a_jb = y (target =
 * online weights, as in the paper).  For the phase portraits. */
#ifndef PHSIM_FIELD_H
#define PHSIM_FIELD_H

#include <stdio.h>

#include "phsim_config.h"

typedef struct {
  unsigned long step;  /* the state: after this many steps of the run */
  size_t neuron;       /* j, 0-based */
  size_t fa, fb;       /* the two features spanning the plane, 0-based */
  double lim;          /* the grid covers [-lim, lim]^2 */
  size_t n;            /* n x n points */
} phsim_field_spec;

/* Re-run cfg to spec->step and print "x,y,fx,fy,norm" rows (with a header)
 * to out. */
int phsim_field_write(const phsim_config *cfg, const phsim_field_spec *spec,
                      FILE *out, char err[PHSIM_ERR_MAX]);

/* The counterfactual pulls at step `step` of cfg's run: for every neuron j
 * and feature l, -dL/da_jl with the run's head E and with E replaced by the
 * identity, all else equal.  Prints "neuron,feature,pull_head,pull_identity"
 * (1-based).  Their ratio along the strong feature measures the
 * substitution, along the weak one the acceleration. */
int phsim_pull_write(const phsim_config *cfg, unsigned long step, FILE *out,
                     char err[PHSIM_ERR_MAX]);

#endif
