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
 * During phase I the paper has every overlap but <w_j*, v_s> stay o(1)
 * and ||E - I|| stay d^-Omega(1):
 *   phase1_offtarget_max  = max over the logged rows before T1 and
 *                           (j, l) != (j*, s) of |a_jl| (these overlaps do
 *                           not grow in phase I: it is about their initial
 *                           scale, and says that they stay there)
 *   phase1_E_minus_I_max  = max of ||E - I||_F over the logged rows at steps
 *                           <= T1 / 2, the first half of phase I
 * (null while T1 is not reached, or when no logged row lies in the range).
 * Why half: ||E - I|| grows with w_j*'s escape, which takes up the end of
 * phase I (under a' ~ a^3 the strong overlap has grown only sqrt(2)-fold
 * by half the escape time, and is O(1) at T1), so a maximum over every row
 * before T1 is the last row's, and measures where the log grid falls in
 * the escape (at d = 10^3 it was 120x larger at 1000 rows a decade than at
 * 100); by T1 / 2 the head has not yet moved with the escape, and the value
 * there agrees within 3% between the two grids. */
#ifndef PHSIM_PHASES_H
#define PHSIM_PHASES_H

/* Phase I's history of ||E - I|| keeps at most this many rows: when full,
 * every other row is dropped (the newest kept), so its resolution is that
 * of the log grid up to 2048 rows and coarser, evenly, beyond. */
#define PHSIM_PHASE1_HISTORY 4096

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
  double EI_phase1;                       /* max ||E - I||_F up to T1 / 2 */
  unsigned long *ei_step;                 /* phase I's rows (a thinned */
  double *ei_run;                         /* history): step, running max */
  size_t ei_n;                            /* of ||E - I||_F */
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
