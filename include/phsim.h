/* phsim.h: the public C API of libphsim.
 *
 * The prediction-head mechanism of Wen & Li (NeurIPS 2022) as a library:
 * resolve a configuration from key/value pairs (the keys of `phsim keys`,
 * with the command line's validation and messages), run it with a callback
 * per logged row and get its summary as a struct, the gradient at the
 * initial state (what `phsim grad` prints), and sweeps over grids.
 *
 *   phsim_setup *s = phsim_setup_alloc();
 *   char err[PHSIM_ERR_MAX];
 *   if (phsim_setup_set(s, "d", "1000", err) != PHSIM_OK ||
 *       phsim_setup_validate(s, err) != PHSIM_OK) ... err says why ...
 *   phsim_summary sum;
 *   phsim_setup_run(s, NULL, on_row, ctx, &sum, err);  // NULL: no files
 *   ... sum.features_learned, sum.phases.T1 ...
 *   phsim_summary_free(&sum);
 *   phsim_setup_free(s);
 *
 * Conventions: every function that can fail returns a status code
 * (PHSIM_OK, PHSIM_EINPUT, PHSIM_EIO, PHSIM_ENUM, PHSIM_ENOMEM,
 * PHSIM_EINTR: phsim_config.h) and writes a message naming the key, the
 * value and what is allowed into err (PHSIM_ERR_MAX bytes).  Handles are
 * opaque, made by _alloc and released by _free.  The library keeps no
 * global state but one flag: the stop request that phsim_interrupt_install
 * (phsim_interrupt.h) sets on SIGINT / SIGTERM and that every run, sweep
 * and gradient polls; without the handlers installed it never changes.
 * Calls on different handles are safe from different threads at once; a
 * handle is used by one thread at a time.  Results are the same bits
 * whatever the thread.
 *
 * The structs returned (phsim_summary, phsim_summary.h; phsim_row,
 * phsim_trajectory.h) and the configuration (phsim_config, phsim_config.h)
 * are documented in their headers, included here. */
#ifndef PHSIM_H
#define PHSIM_H

#include <stdio.h>

#include "phsim_config.h"
#include "phsim_interrupt.h"
#include "phsim_summary.h"
#include "phsim_trajectory.h"
#include "phsim_validate.h"
#include "phsim_version.h"

/* The modules the phsim command is built from, public too: the CLI
 * (sim/cli) includes nothing but this header.  Runs with every option
 * (phsim_run.h), sweeps with shards and resume (phsim_sweep.h), output
 * directories and their locks (phsim_outdir.h), whole-or-absent output
 * files (phsim_io.h), the gradient (phsim_grad.h), force fields and pulls
 * (phsim_field.h), fits (phsim_fit.h), medians with bootstrap intervals
 * (phsim_stats.h), run tables (phsim_table.h), figures (phsim_plot.h). */
#include "phsim_field.h"
#include "phsim_fit.h"
#include "phsim_grad.h"
#include "phsim_io.h"
#include "phsim_outdir.h"
#include "phsim_plot.h"
#include "phsim_run.h"
#include "phsim_stats.h"
#include "phsim_sweep.h"
#include "phsim_table.h"

/* ---- configuration -------------------------------------------------------- */

typedef struct phsim_setup phsim_setup;

/* The defaults (the teach preset); NULL when out of memory. */
phsim_setup *phsim_setup_alloc(void);
void phsim_setup_free(phsim_setup *s);

/* Assign one key (`phsim keys`), as --set key=value does.  Later
 * assignments win; preset first, as on the command line. */
int phsim_setup_set(phsim_setup *s, const char *key, const char *value,
                    char err[PHSIM_ERR_MAX]);
/* Apply a config file ("key = value" lines), as `phsim run FILE` does. */
int phsim_setup_read_file(phsim_setup *s, const char *path,
                          char err[PHSIM_ERR_MAX]);
/* The cross-key rules, init files and memory, as before any run. */
int phsim_setup_validate(phsim_setup *s, char err[PHSIM_ERR_MAX]);
/* The configuration as resolved so far (valid until the next call on s). */
const phsim_config *phsim_setup_config(const phsim_setup *s);

/* ---- a run ---------------------------------------------------------------- */

/* Called with every logged row, in order, on the calling thread. */
typedef void (*phsim_row_callback)(void *ctx, const phsim_row *row);

/* Validate s and run it.  on_row (NULL: none) sees every logged row;
 * summary (NULL: not wanted) receives the summary, which the caller frees
 * with phsim_summary_free (also after PHSIM_ENUM and PHSIM_EINTR).  With
 * out_dir (NULL: no files) the run also writes config, trajectory.csv and
 * summary.json there, as `phsim run --out DIR` does (the directory is
 * locked and refused when it holds another configuration's results).
 * PHSIM_OK, PHSIM_ENUM (diverged), PHSIM_EINTR (stopped), or an error. */
int phsim_setup_run(phsim_setup *s, const char *out_dir, phsim_row_callback on_row,
                    void *ctx, phsim_summary *summary, char err[PHSIM_ERR_MAX]);

/* ---- the gradient at the initial state ------------------------------------------ */

/* Validate s and write to out the JSON object `phsim grad` prints: {"loss",
 * "rho", "grad_W", "grad_E"} (phsim_grad.h). */
int phsim_setup_grad(phsim_setup *s, FILE *out, char err[PHSIM_ERR_MAX]);

/* The same text, in memory (NULL with err set); free it with phsim_free. */
char *phsim_setup_grad_text(phsim_setup *s, char err[PHSIM_ERR_MAX]);

/* ---- results as text ---------------------------------------------------------- */

/* A summary as the exact bytes summary.json holds (NULL when out of
 * memory); free it with phsim_free. */
char *phsim_summary_text(const phsim_summary *summary);
/* The configuration keys as JSON: [{"key", "help", "allowed", "choices",
 * "default"}, ...] in `phsim keys` order (NULL when out of memory). */
char *phsim_keys_text(void);
/* Release what the functions above return (bindings that cannot call the C
 * library's free themselves). */
void phsim_free(void *p);
/* The configuration as resolved so far, as summary.json's "config" holds
 * it (NULL when out of memory); free it with phsim_free. */
char *phsim_setup_config_text(const phsim_setup *s);
/* sizeof(phsim_summary): bindings that cannot read the headers allocate
 * this many bytes for phsim_setup_run's summary. */
size_t phsim_summary_size(void);

/* ---- stopping ------------------------------------------------------------------ */

/* Runs, gradients and sweeps stop at their next step, as on SIGINT, while
 * the calling thread watches a flag that becomes nonzero
 * (phsim_interrupt_watch, phsim_interrupt.h): a binding's cancel button.
 * A run stopped so returns PHSIM_EINTR with what it computed kept. */

/* ---- a sweep ---------------------------------------------------------------- */

typedef struct phsim_study phsim_study;

/* A sweep of the validated base configuration into out_dir (copied), with
 * one thread; NULL with a message when base is not valid or no memory. */
phsim_study *phsim_study_alloc(phsim_setup *base, const char *out_dir,
                               char err[PHSIM_ERR_MAX]);
void phsim_study_free(phsim_study *w);

/* One grid, as `phsim sweep --grid SPEC` takes it: key=a:b:n[:log] or
 * key=v1,v2,... (phsim_sweep.h). */
int phsim_study_grid(phsim_study *w, const char *spec, char err[PHSIM_ERR_MAX]);
/* Threads (1 to 1024); the outputs do not depend on it. */
int phsim_study_jobs(phsim_study *w, unsigned jobs, char err[PHSIM_ERR_MAX]);

/* Run every point: out_dir/sweep.json, sweep.csv, runs/NNNNNN/ as `phsim
 * sweep` writes them.  PHSIM_OK, PHSIM_EINTR, or an error. */
int phsim_study_run(phsim_study *w, char err[PHSIM_ERR_MAX]);
/* Points of the grids given so far. */
size_t phsim_study_points(const phsim_study *w);

#endif
