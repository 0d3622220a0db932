/* phsim_phases.h: detection of the paper's phases on a run's logged states.
 *
 * s = the strongest feature (largest alpha), thr = the config's threshold.
 *   T1  (end of phase I)   first step some neuron j* has |cos(w_j*, v_s)| >= thr
 *   T2  (end of phase II,  first step > T1 at which, for some neuron i != j*
 *        substitution)     that has not learned v_s, the pull on w_i along
 *                          v_s has fallen to a tenth of its value at T1
 *                          while the head feeds v_s into output i ten times
 *                          more strongly than w_i's own overlap does:
 *                          |E_i j*| |a_j* s|^3 >= 10 |a_i s|^3
 *   T3  (end of phase III, first step every feature is learned by some neuron
 *        acceleration)
 *   T4  (phase IV)         first step >= T3 with ||E - I||_F <= 10% of its
 *                          largest value so far (> 0): the head has returned
 * Each is -1 when not reached; E_substitution = |E_i* j*| at T2.
 * During phase I (the logged rows before T1) the paper has every overlap
 * but <w_j*, v_s> stay o(1) and ||E - I|| stay d^-Omega(1):
 *   phase1_offtarget_max  = max over those rows and (j, l) != (j*, s) of |a_jl|
 *   phase1_E_minus_I_max  = max over those rows of ||E - I||_F
 * (null while T1 is not reached, or when T1 is the first logged row).  The
 * T1 row is not phase I: by then w_j* has escaped and the head has begun to
 * move with it, so a maximum that took it in would measure where the log
 * grid falls in the escape (at d = 10^5, ||E - I|| there is 10x smaller at
 * 1000 rows a decade than at 100), not phase I. */
#ifndef PHSIM_PHASES_H
#define PHSIM_PHASES_H

#include <gsl/gsl_matrix.h>
#include "phsim_config.h"
#include "phsim_summary.h"

#define PHSIM_SUBSTITUTION_FACTOR 10.0 /* both criteria of T2 */
#define PHSIM_HEAD_RETURN_FRACTION 0.1

typedef struct {
  size_t m, K, strong;
  double threshold;
  long T1, T2, T3, T4;
  long strong_neuron, substituted_neuron; /* 0-based, -1 = none */
  double E_substitution;
  double EI_peak;                         /* largest ||E - I||_F logged */
  double *force_T1;                       /* m: |dL/da_is| at T1 */
  double *amax;                           /* m x K: max |a_jl| before T1 */
  double EI_phase1;                       /* max ||E - I||_F before T1 */
  size_t phase1_rows;                     /* logged rows before T1 */
  int phase1_closed;                      /* T1's row seen */
  double offtarget;                       /* phase1_offtarget_max, NaN */
} phsim_phases;

void phsim_phases_init(phsim_phases *p, const phsim_config *cfg);
void phsim_phases_free(phsim_phases *p);

/* One logged state: cos (m x K, row-major), A, E, the gradient gA = dL/dA,
 * and how many features some neuron has learned. */
void phsim_phases_update(phsim_phases *p, unsigned long step,
                         const double *cos, const gsl_matrix *A,
                         const gsl_matrix *E, const gsl_matrix *gA,
                         size_t features_learned);

/* The summary's phases (1-based neurons). */
void phsim_phases_summary(const phsim_phases *p, phsim_summary_phases *out);

#endif
