/* phsim_pullend.h: the end of substitution by the pull alone, to one step.
 *
 * In a run of m = 2 neurons with the trainable off-diagonal head, from T1
 * (the first step at which neuron j*, phsim_phases.h's strong neuron, has
 * |cos(w_j*, v_s)| >= threshold, s the strong feature) let i be the other
 * neuron and its pull along v_s be |dL/da_is| (the trajectory's
 * force_i_s).  For each kappa of phsim_pull_kappa (3, 10, 30) the end of
 * substitution is the first step at which that pull has fallen to 1/kappa
 * of its largest value since T1 while the head feeds v_s into output i at
 * least as strongly as w_i does (|E_{i j*}| |a_{j* s}|^3 >= |a_{i s}|^3:
 * "substituted" at its crossover, where phsim's T2 asks for 10x), and w_i
 * has learned no feature (|cos(w_i, v_l)| below the threshold for every
 * l); E_pull = |E_{i j*}| there.  (Without the feed rule a w_i that starts
 * almost orthogonal to v_s, its pull about 1e-15, had an end at w_j*'s
 * escape with |E| about 3e-12: paper preset, eta_E/eta = 3.2e-4, seed 3.)
 * A pull that fades after w_i learned a feature is no substitution (w_i
 * turned away): from that step on nothing is recorded.  Nor is one in
 * a run in which w_i learns v_s by its end (collapse): as w_i escapes
 * along v_s its pull there spikes and falls 30-fold within a few steps,
 * before |cos| reaches the threshold (paper preset, eta_E/eta = 10^-4,
 * seed 1: near step 951706, |cos| 0.07 at 950605 and 0.98 at 952797).
 * (A weak threshold can still fire without T2: where the pull peaks
 * around T1 and decays by 3 on its own, d = 1000, eta_E/eta = 0.3, seed
 * 1, kappa = 3 has an end with |E| 2.8e-6.)
 *
 * Why to one step: at substitution the pull spikes and collapses within a
 * few thousand steps (the flow's fast mode), and may fall through zero
 * within a hundred as w_i turns, so the peak, the fall and T1 read on
 * logged rows depend on where the rows fall (paper preset, d = 10^4,
 * eta_E/eta = 10^-3, seed 1: a peak of 5.4e-7 at 100 rows a decade, 9.5e-6
 * at 1000, and |E| at the kappa = 3 end 2.6% apart).
 *
 * How.  A probe engine of the run's type, restarted from a row's state
 * (phsim_engine_resume), looks at the steps between two rows: scans by
 * passes of PHSIM_PULLEND_SCAN equally spaced points, the first point that
 * stops a pass bounding the next, down to one step.
 *   T1: from the row before the row that shows it (the state of every row
 *     is kept until T1).
 *   The peak: once the rows show it (a row's pull below the largest
 *     logged, at row r*, or w_i has learned a feature), the steps from the
 *     row before r* (or from T1) to that row are searched: passes narrowed
 *     to the two spacings around their largest point, until every step is
 *     a point (the spike is taken to be single-peaked at the scale of a
 *     pass's spacing).  A new largest row starts a new search.
 *   The end: at a row that shows the event (fallen against the peak, or
 *     learned), or where the signed pull has changed sign since the last
 *     row, the first step with the event from the row before (from the
 *     peak, if it was found at this row); a change of sign without the
 *     event restarts the scan from there.
 * So the probe covers a few row intervals a run.  For the order engine it
 * steps bit for bit as the run (its state is (A, R, E)): the steps and
 * |E| are the run's own (tests/test_pullend.c, against every step).  For
 * the flow they are those of the flow restarted at a row, which differs
 * from the run's own integration by the integrator's tolerance (steps a
 * few 1e-6 apart in relative terms, |E| 1e-5).  The probe sees only the
 * intervals it is sent to: a fall that recovers by the next row without
 * the pull changing sign, or a spike between two rows that leaves both
 * below the largest logged pull, is missed.  When the probe cannot (the
 * population and sampled engines have no reduced state to restart from;
 * with an EMA target the rows do not hold the whole state) or fails, the
 * rows' T1, peak and event stand, as the rows alone give them:
 * `located` (the summary's to_one_step) is then false.  True says that
 * every end recorded (and T1) was located by the probe, not that none was
 * missed. */
#ifndef PHSIM_PULLEND_H
#define PHSIM_PULLEND_H

#include <gsl/gsl_matrix.h>

#include "phsim_config.h"
#include "phsim_engine.h"
#include "phsim_phases.h"
#include "phsim_summary.h"

/* PHSIM_PULL_KAPPAS (phsim_summary.h) thresholds: 3, 10, 30. */
extern const double phsim_pull_kappa[PHSIM_PULL_KAPPAS];

/* Points per pass of a scan; states kept (pullend.c names them). */
#define PHSIM_PULLEND_SCAN 64

#define PHSIM_PULLEND_SLOTS 7

typedef struct {
  gsl_matrix *A, *R, *E;   /* 2 x K, 2 x 2, 2 x 2 */
  unsigned long step;
} phsim_pullend_slot;

typedef struct {
  const phsim_config *cfg;
  int watching;            /* 0 before T1 or when not defined, 1, 2 ended */
  size_t i, js, s;         /* watched neuron, strong neuron, strong feature */
  double peak;             /* the pull's peak so far: the largest over the
                              rows since T1, the probe's once refined */
  double peak_from_pull;   /* the pull at the start of its bracket */
  double row_pull, row_sign; /* the pull at the last row, and its sign */
  int have_row;            /* a row before T1 is in ROW */
  int refined;             /* the peak found by the probe (or no peak yet) */
  unsigned long refined_at; /* the row at which it was */
  phsim_pullend_slot slot[PHSIM_PULLEND_SLOTS];
  phsim_engine *probe;     /* NULL until needed, or when it cannot be */
  int probe_tried;
  long step[PHSIM_PULL_KAPPAS];    /* -1: not reached */
  double value[PHSIM_PULL_KAPPAS]; /* |E_{i j*}| there, NAN */
  int located;             /* 1: every end recorded (and T1) found by the
                              probe, to a step; 0: some from the rows */
} phsim_pullend;

/* PHSIM_OK; PHSIM_ENOMEM, and nothing watched.  Nothing is watched
 * unless m = 2 and head = offdiag. */
int phsim_pullend_init(phsim_pullend *p, const phsim_config *cfg);
void phsim_pullend_free(phsim_pullend *p);

/* A logged row at `step` with the run's observables o, after the phases
 * have seen it (ph: T1, j*, s). */
void phsim_pullend_row(phsim_pullend *p, const phsim_phases *ph, unsigned long step,
                       const phsim_obs *o);

/* The summary's pull_step, pull_E and pull_to_one_step; none when w_i
 * learned v_s by the end (learn_step: m x K, the run's first steps). */
void phsim_pullend_summary(const phsim_pullend *p, const long *learn_step,
                           phsim_summary_phases *out);

#endif
