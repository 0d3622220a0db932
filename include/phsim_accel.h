/* phsim_accel.h: acceleration as a time (the paper's phase III).
 *
 * At the end of substitution (T2), neuron i (substituted_neuron) has not
 * learned the strong feature s and the head feeds the strong neuron into
 * its output.  From that very state phsim runs the gradient flow twice more
 * and records, in steps of the run's eta after T2 (the flow read at 50 rows
 * per decade), when neuron i reaches |cos| >= threshold, within the run's
 * remaining budget:
 *   strong_without_head  E = I (no head), the state as it is: how soon the
 *                        neuron would fall onto s without the head;
 *   weak_without_head    E = I, a_is set to 0 (a cubic neuron never learns
 *                        a feature it has no overlap with): the time to
 *                        learn the weak feature w alone, without the head;
 *   weak_with_head       the run itself: its step at which neuron i learned
 *                        w, minus T2.
 * ratio = weak_without_head / weak_with_head: how much sooner the head
 * makes the neuron learn the weak feature than it would alone.  Censored
 * (null) when not reached.  (Zeroing a_is in a run with the head is no
 * counterfactual of it: the head's boost needs that overlap in the target,
 * and without it E_i j* only adds variance.) */
#ifndef PHSIM_ACCEL_H
#define PHSIM_ACCEL_H

#include <gsl/gsl_matrix.h>
#include "phsim_config.h"
#include "phsim_summary.h"

typedef struct {
  long neuron;             /* 0-based, -1: not measured */
  size_t weak;             /* the weakest feature w (smallest alpha) */
  unsigned long T2;
  long strong_without_head; /* steps after T2, -1 = not within the budget */
  long weak_without_head;
} phsim_accel;

/* The two counterfactuals from (A, R) at step T2 for neuron i, over at most
 * `horizon` steps.  PHSIM_OK, PHSIM_ENUM (a flow failed: that time is
 * censored) or PHSIM_EINTR. */
int phsim_accel_measure(const phsim_config *cfg, const gsl_matrix *A,
                        const gsl_matrix *R, size_t i, unsigned long T2,
                        unsigned long horizon, phsim_accel *out);

/* The summary's acceleration (weak_with_head, ratio), given the run's own
 * step at which neuron i learned the weak feature (-1 = never); nothing
 * when not measured. */
void phsim_accel_summary(const phsim_accel *a, long weak_learned_step,
                         phsim_summary_accel *out);

#endif
