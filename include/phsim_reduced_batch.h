/* phsim_reduced_batch.h: many runs of the order engine (phsim_reduced.h)
 * advanced together, bit for bit as each would advance alone.
 *
 * One run's step is O(m^2 K + m^3) scalar work with a long chain of
 * dependent divisions and square roots: latency-bound.  A batch holds n runs
 * in structure-of-arrays form (every entry of every matrix an array over
 * PHSIM_BATCH_LANES runs) and applies each operation of phsim_popgrad_eval
 * and phsim_reduced_step to all lanes in a plain loop the compiler
 * vectorises.  Each lane sees the same IEEE operations in the same order as
 * a single run (including gslcblas's dgemm orders), so its state stays
 * identical to the single run's.
 *
 * The runs may differ in everything the closed form reads per run (seed,
 * alpha, pi, P, Pf, mask, sigma, eta, eta_E); they share m, K, head, noise
 * and norm (phsim_reduced_batch_fits).  Not batched: an EMA target, or no
 * stop-gradient.
 *
 * Besides the bare eval and step, a batch advances like phsim_engine_advance
 * (phsim_reduced_batch_start, _advance): every step it records per lane what
 * engine.c records for a single engine (the loss's largest rise, the turn of
 * phsim_fidelity.h, the head's peak), a lane whose evaluation faults stops,
 * and the stop flag is polled.  phsim_engine_resume hands a lane's state and
 * record to a single engine, which is then where the run alone would be. */
#ifndef PHSIM_REDUCED_BATCH_H
#define PHSIM_REDUCED_BATCH_H

#include <gsl/gsl_matrix.h>

#include "phsim_config.h"
#include "phsim_engine.h"

#define PHSIM_BATCH_LANES 8

typedef struct phsim_reduced_batch phsim_reduced_batch;

/* Whether cfg can run in a batch at all (engine order, no EMA, the
 * stop-gradient), and whether a and b can share one. */
int phsim_reduced_batch_accepts(const phsim_config *cfg);
int phsim_reduced_batch_fits(const phsim_config *a, const phsim_config *b);

/* A batch of the n configurations cfgs[i] (each accepted, all fitting
 * cfgs[0]); NULL when out of memory.  Lane i's state is set by load. */
phsim_reduced_batch *phsim_reduced_batch_alloc(const phsim_config *const *cfgs,
                                               size_t n);
void phsim_reduced_batch_free(phsim_reduced_batch *b);
size_t phsim_reduced_batch_size(const phsim_reduced_batch *b);

/* Lane i's state from (A, R, E) (m x K, m x m, m x m), and back. */
void phsim_reduced_batch_load(phsim_reduced_batch *b, size_t i,
                              const gsl_matrix *A, const gsl_matrix *R,
                              const gsl_matrix *E);
void phsim_reduced_batch_store(const phsim_reduced_batch *b, size_t i,
                               gsl_matrix *A, gsl_matrix *R, gsl_matrix *E);

/* The same in phsim_reduced_pack's coordinates y (dim of them): lane i's
 * state from y, E's untrained entries from E (phsim_reduced_unpack's); and
 * y from lane i. */
void phsim_reduced_batch_load_packed(phsim_reduced_batch *b, size_t i, const double *y,
                                     const gsl_matrix *E);
void phsim_reduced_batch_store_packed(const phsim_reduced_batch *b, size_t i, double *y);

/* Loss and gradient of every lane (phsim_popgrad_eval's).  A lane is
 * faulted when phsim_popgrad_eval would return PHSIM_ENUM there or its loss
 * is beyond PHSIM_LOSS_EXPLODED (phsim_engine.h); its outputs are then
 * unspecified, and a single engine started from its state says why. */
void phsim_reduced_batch_eval(phsim_reduced_batch *b);
int phsim_reduced_batch_faulted(const phsim_reduced_batch *b, size_t i);
double phsim_reduced_batch_loss(const phsim_reduced_batch *b, size_t i);
double phsim_reduced_batch_rho(const phsim_reduced_batch *b, size_t i, size_t j);

/* One gradient step of every lane from its last evaluation
 * (phsim_reduced_step's). */
void phsim_reduced_batch_step(phsim_reduced_batch *b);

/* Every lane live, evaluated at its loaded state, its record started at step
 * 0 (a lane whose state faults, or that was never loaded, is not live). */
void phsim_reduced_batch_start(phsim_reduced_batch *b);

/* Advance the batch from step `from` to `to`, each step recording every live
 * lane as phsim_engine_advance records a single engine.  PHSIM_OK with
 * *reached = to; PHSIM_ENUM with *reached = s at the first step s where a
 * live lane faulted (those lanes are no longer live and hold the state that
 * faulted; the others are evaluated at s); PHSIM_EINTR with *reached = s < to
 * when the stop flag was set (phsim_interrupt.h). */
int phsim_reduced_batch_advance(phsim_reduced_batch *b, unsigned long from,
                                unsigned long to, unsigned long *reached);

/* Whether lane i still advances; retire: no longer (a run that ended). */
int phsim_reduced_batch_live(const phsim_reduced_batch *b, size_t i);
void phsim_reduced_batch_retire(phsim_reduced_batch *b, size_t i);

/* Lane i's record so far. */
phsim_engine_record phsim_reduced_batch_record(const phsim_reduced_batch *b, size_t i);

#endif
