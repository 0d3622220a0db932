/* phsim_head.h: the prediction head E (m x m), the one place its rules live.
 *
 * The online branch's output is F = E f(W x); E starts at the identity (or
 * at init_E).  The head mode decides which entries gradient descent moves:
 *   offdiag  E_ij, i != j     (the paper's: the diagonal stays 1)
 *   full     every E_ij
 *   fixed    none             (the no-head counterfactual)
 * and a step is E_ij -= eta_E dL/dE_ij on those entries.  The engines follow
 * how far E strays from the identity: entrywise, the peak
 * max_ij |E_ij - delta_ij| over the steps they visit, and as a whole,
 * ||E - I||_F at the logged rows (phsim_phases.h). */
#ifndef PHSIM_HEAD_H
#define PHSIM_HEAD_H

#include <gsl/gsl_matrix.h>

#include "phsim_config.h"

/* E = E0 (init_E, read once: phsim_initial.h), or the identity if E0 is
 * NULL. */
void phsim_head_init(const gsl_matrix *E0, gsl_matrix *E);

/* Does the head mode train E_ij? */
int phsim_head_trains(phsim_head head, size_t i, size_t j);

/* E_ij -= eta_E gE_ij on the entries the head mode trains. */
void phsim_head_step(phsim_head head, double eta_E, const gsl_matrix *gE,
                     gsl_matrix *E);

/* The largest |E_ij - delta_ij| seen and when. */
typedef struct {
  double value;
  unsigned long step;
} phsim_head_peak;

/* Raise peak to E's largest |E_ij - delta_ij| if larger (labelled step). */
void phsim_head_peak_update(phsim_head_peak *peak, unsigned long step,
                            const gsl_matrix *E);

/* ||E - I||_F */
double phsim_E_minus_I(const gsl_matrix *E);

#endif
