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
#include "phsim_initial.h"
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
} phsim_run_opts;

/* Everything on: what `phsim run` does by default. */
phsim_run_opts phsim_run_opts_default(void);

/* Run cfg (already validated) and write the outputs into out_dir (NULL:
 * none).  Returns PHSIM_OK, PHSIM_ENUM after a numerical fault (outputs up
 * to the fault are kept, the summary says "diverged"), PHSIM_EINTR, or an
 * error with a message in err. */
int phsim_run_execute(const phsim_config *cfg, const char *out_dir,
                      phsim_run_opts opts, char err[PHSIM_ERR_MAX]);

#endif
