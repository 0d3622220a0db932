/* phsim_run.h: a training run: the loop, its outputs and its summary.
 *
 * Outputs of phsim_run_execute in DIR (each written completely or not at
 * all), unless DIR is NULL:
 *   config           the resolved configuration (re-running it reproduces)
 *   trajectory.csv   one row every log_every steps, step 0 and the last
 *                    (phsim_trajectory.h)
 *   summary.json     the run's summary (phsim_summary.h)
 * What a run measures: phsim_observe.h. */
#ifndef PHSIM_RUN_H
#define PHSIM_RUN_H

#include "phsim_config.h"
#include "phsim_engine.h"
#include "phsim_initial.h"
#include "phsim_io.h"
#include "phsim_observe.h"
#include "phsim_summary.h"
#include "phsim_trajectory.h"

/* Called with every logged row, in order, on the running thread. */
typedef void (*phsim_row_fn)(void *ctx, const phsim_row *row);

typedef struct {
  int trajectory; /* write trajectory.csv */
  int timing;     /* wall_seconds, steps_per_second, provenance's host and
                     date (else null: the summary is then byte-identical
                     across repeats) */
  int progress;   /* progress bar on stderr when it is a terminal */
  int warn;       /* say on stderr when gradient descent leaves its flow */
  phsim_row_fn on_row;     /* NULL: none */
  void *row_ctx;
  phsim_summary *summary;  /* NULL, or filled (phsim_summary_free) whatever
                              the status, unless PHSIM_ENOMEM/PHSIM_EINPUT
                              before the run started */
  int argc;                /* the command line for the provenance */
  const char *const *argv; /* (NULL: not recorded) */
  const phsim_initial *initial; /* init_W, init_E as validation read them
                                   (phsim_config_validate_initial); NULL:
                                   the run reads them */
  const phsim_at *at; /* NULL, or out_dir reached through its open parent
                         (phsim_io.h: a sweep's runs/) */
} phsim_run_opts;

/* Everything on: what `phsim run` does by default. */
phsim_run_opts phsim_run_opts_default(void);

/* Run cfg (already validated) and write the outputs into out_dir (NULL:
 * none).  Returns PHSIM_OK, PHSIM_ENUM after a numerical fault (outputs up
 * to the fault are kept, the summary says "diverged"), PHSIM_EINTR, or an
 * error with a message in err. */
int phsim_run_execute(const phsim_config *cfg, const char *out_dir,
                      phsim_run_opts opts, char err[PHSIM_ERR_MAX]);

/* phsim_run_execute in three parts, for a driver that advances the engine
 * itself (phsim_run_batch_execute):
 *
 *   st = phsim_run_begin(cfg, dir, opts, &r, err);   r NULL: error st
 *   for (step = 0, more = st == PHSIM_OK && cfg->steps > 0; more; step = next) {
 *     next = phsim_run_next_row(cfg, step);
 *     st = (advance phsim_run_engine(r) to next: phsim_engine_advance, or
 *           phsim_engine_resume with a state advanced elsewhere);
 *     st = phsim_run_advanced(r, step, next, st, &fault_step, &more);
 *   }
 *   st = phsim_run_end(r, st, fault_step, err);      r freed
 *
 * begin starts the engine, opens the outputs and logs row 0: PHSIM_OK, or
 * the status to end with at once (PHSIM_ENUM: a fault at the initial state,
 * fault step 0; PHSIM_EINTR); with r NULL an error before the run (err). */
typedef struct phsim_run phsim_run;
int phsim_run_begin(const phsim_config *cfg, const char *out_dir, phsim_run_opts opts,
                    phsim_run **r, char err[PHSIM_ERR_MAX]);
phsim_engine *phsim_run_engine(phsim_run *r);
/* The logged step after `step` (log_every or log_per_decade; the last step
 * always). */
unsigned long phsim_run_next_row(const phsim_config *cfg, unsigned long step);
/* The engine advanced from `step` towards `next` with st (and *fault_step)
 * as phsim_engine_advance returns them: the row logged, PHSIM_OK with *more
 * whether the run goes on, else the status to end with. */
int phsim_run_advanced(phsim_run *r, unsigned long step, unsigned long next, int st,
                       unsigned long *fault_step, int *more);
/* The summary and the outputs completed; phsim_run_execute's return. */
int phsim_run_end(phsim_run *r, int status, unsigned long fault_step,
                  char err[PHSIM_ERR_MAX]);

/* Runs of the order engine advanced together in phsim_reduced_batch's
 * (every cfgs[i] phsim_run_batch_fits cfgs[0]): each run's outputs, summary
 * (opts[i].summary), status[i] and err[i] are phsim_run_execute's for it. */
void phsim_run_batch_execute(const phsim_config *const *cfgs, const char *const *dirs,
                             const phsim_run_opts *opts, size_t n, int *status,
                             char (*err)[PHSIM_ERR_MAX]);
/* Whether runs of a and b can advance in one batch: phsim_reduced_batch_fits
 * and the same steps and logged rows. */
int phsim_run_batch_fits(const phsim_config *a, const phsim_config *b);

#endif
