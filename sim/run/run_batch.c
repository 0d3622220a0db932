/* run_batch.c: runs of the order engine advanced together (phsim_run.h:
 * phsim_run_batch_execute).  Each run is begun, logged and ended by run.c as
 * alone; between its logged rows a lane of one phsim_reduced_batch advances
 * it, and at each row (or where it faulted or was stopped) the lane's state
 * and record are handed back to the run's own engine (phsim_engine_resume),
 * which the row, the tracker and the summary then read as if the engine had
 * advanced there itself. */
#include "phsim_run.h"

#include <stdlib.h>

#include <gsl/gsl_matrix.h>

#include "phsim_reduced_batch.h"

int phsim_run_batch_fits(const phsim_config *a, const phsim_config *b) {
  return phsim_reduced_batch_fits(a, b) && a->steps == b->steps &&
         a->log_every == b->log_every && a->log_per_decade == b->log_per_decade;
}

/* The batch and its runs: run[i] NULL once run i has ended. */
typedef struct {
  phsim_reduced_batch *b;
  phsim_run **run;
  size_t n;
  int *status;
  char (*err)[PHSIM_ERR_MAX];
  gsl_matrix *A, *R, *E;       /* a lane's state on its way to its engine */
} batch;

/* Lane i's state at step `at` and its record into its run's engine; that
 * engine's eval. */
static int resume(batch *bt, size_t i, unsigned long at) {
  const phsim_engine_record rec = phsim_reduced_batch_record(bt->b, i);
  phsim_reduced_batch_store(bt->b, i, bt->A, bt->R, bt->E);
  return phsim_engine_resume(phsim_run_engine(bt->run[i]), bt->A, bt->R, bt->E, at, &rec);
}

/* Run i ends with status st. */
static void end(batch *bt, size_t i, int st, unsigned long fault_step) {
  bt->status[i] = phsim_run_end(bt->run[i], st, fault_step, bt->err[i]);
  bt->run[i] = NULL;
  phsim_reduced_batch_retire(bt->b, i);
}

/* Every run begun, its started engine's state in its lane; the batch
 * started.  Runs that end at their start (a fault there, an error) are
 * ended here. */
static void begin_all(batch *bt, const phsim_config *const *cfgs,
                      const char *const *dirs, const phsim_run_opts *opts) {
  for (size_t i = 0; i < bt->n; i++) {
    int st = phsim_run_begin(cfgs[i], dirs[i], opts[i], &bt->run[i], bt->err[i]);
    if (bt->run[i] == NULL) bt->status[i] = st;
    else if (st != PHSIM_OK || cfgs[i]->steps == 0) end(bt, i, st, 0);
    if (bt->run[i] == NULL) continue;
    phsim_obs o;
    phsim_engine_observe(phsim_run_engine(bt->run[i]), &o);
    phsim_reduced_batch_load(bt->b, i, o.A, o.R, o.E);
  }
  phsim_reduced_batch_start(bt->b);
  for (size_t i = 0; i < bt->n; i++) /* ended at the start: never advanced */
    if (bt->run[i] == NULL) phsim_reduced_batch_retire(bt->b, i);
}

/* The runs whose lane faulted at step `at` (between rows step and next)
 * end as phsim_engine_advance's fault ends them. */
static void end_faulted(batch *bt, unsigned long step, unsigned long next,
                        unsigned long at) {
  for (size_t i = 0; i < bt->n; i++) {
    if (bt->run[i] == NULL || phsim_reduced_batch_live(bt->b, i)) continue;
    resume(bt, i, at); /* its evaluation faults as the step's did: the message */
    int more;
    unsigned long fault_step = at;
    int st = phsim_run_advanced(bt->run[i], step, next, PHSIM_ENUM, &fault_step, &more);
    end(bt, i, st, fault_step);
  }
}

/* Every live run at `at` (next, or where the stop flag stopped the batch
 * with st = PHSIM_EINTR): its row, and its end if it does not go on.
 * Returns how many go on. */
static size_t log_rows(batch *bt, unsigned long step, unsigned long next, int st,
                       unsigned long at) {
  size_t going = 0;
  for (size_t i = 0; i < bt->n; i++) {
    if (bt->run[i] == NULL) continue;
    int more, rst = resume(bt, i, at);
    unsigned long fault_step = at;
    rst = phsim_run_advanced(bt->run[i], step, next, rst == PHSIM_OK ? st : rst,
                             &fault_step, &more);
    if (more) going++;
    else end(bt, i, rst, fault_step);
  }
  return going;
}

/* From row to row until every run has ended. */
static void advance_all(batch *bt, const phsim_config *cfg) {
  size_t going = 0;
  for (size_t i = 0; i < bt->n; i++) going += bt->run[i] != NULL;
  for (unsigned long step = 0, next; going > 0; step = next) {
    next = phsim_run_next_row(cfg, step);
    unsigned long at = step;
    int st;
    while ((st = phsim_reduced_batch_advance(bt->b, at, next, &at)) == PHSIM_ENUM)
      end_faulted(bt, step, next, at);
    going = log_rows(bt, step, next, st, at);
  }
}

void phsim_run_batch_execute(const phsim_config *const *cfgs, const char *const *dirs,
                             const phsim_run_opts *opts, size_t n, int *status,
                             char (*err)[PHSIM_ERR_MAX]) {
  const size_t m = cfgs[0]->m, K = cfgs[0]->K;
  batch bt = {.b = phsim_reduced_batch_alloc(cfgs, n), .run = calloc(n, sizeof *bt.run),
              .n = n, .status = status, .err = err, .A = gsl_matrix_alloc(m, K),
              .R = gsl_matrix_alloc(m, m), .E = gsl_matrix_alloc(m, m)};
  if (bt.b != NULL && bt.run != NULL && bt.A != NULL && bt.R != NULL && bt.E != NULL) {
    begin_all(&bt, cfgs, dirs, opts);
    advance_all(&bt, cfgs[0]);
  } else { /* no memory for the batch: each alone */
    for (size_t i = 0; i < n; i++) status[i] = phsim_run_execute(cfgs[i], dirs[i], opts[i], err[i]);
  }
  phsim_reduced_batch_free(bt.b);
  free(bt.run);
  gsl_matrix_free(bt.A);
  gsl_matrix_free(bt.R);
  gsl_matrix_free(bt.E);
}
