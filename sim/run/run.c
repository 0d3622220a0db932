/* run.c: the training loop of one run (phsim_run.h). */
#include "phsim_run.h"

#include <math.h>
#include <stdlib.h>

#include "phsim_engine.h"
#include "phsim_interrupt.h"
#include "phsim_io.h"
#include "phsim_progress.h"

/* A run under way: the engine, what it measures, where rows go. */
typedef struct {
  const phsim_config *cfg;
  phsim_engine *engine;
  phsim_tracker t;
  phsim_row_buf *rows;   /* NULL: nobody reads rows */
  FILE *traj;            /* NULL: no trajectory.csv */
  phsim_run_opts opts;
} run;

static int write_config(const phsim_config *cfg, const char *dir,
                        char err[PHSIM_ERR_MAX]) {
  phsim_outfile f;
  int st = phsim_outfile_open(&f, dir, "config", err);
  if (st != PHSIM_OK) return st;
  if (phsim_config_write(cfg, f.fp) != PHSIM_OK) {
    phsim_outfile_abort(&f);
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%s/config'", dir);
    return PHSIM_EIO;
  }
  return phsim_outfile_commit(&f, err);
}

/* Write, pass on and track the row at `step`; the twin follows to it.
 * PHSIM_EINTR if the twin was stopped by a signal. */
static int log_row(run *r, unsigned long step) {
  phsim_obs o;
  phsim_engine_observe(r->engine, &o);
  if (r->rows != NULL) {
    const phsim_row *row = phsim_row_fill(r->rows, step, &o);
    if (r->traj != NULL) phsim_trajectory_write(r->traj, row);
    if (r->opts.on_row != NULL) r->opts.on_row(r->opts.row_ctx, row);
  }
  phsim_tracker_row(&r->t, step, &o, phsim_engine_turn(r->engine, NULL));
  return r->t.twin != NULL ? phsim_twin_follow(r->t.twin, step, &o) : PHSIM_OK;
}

/* The logged step after `step`: the next multiple of log_every, or with
 * log_per_decade = n the smallest ceil(10^(k/n)) beyond step; the last
 * step always. */
static unsigned long next_row(const phsim_config *cfg, unsigned long step) {
  unsigned long next;
  if (cfg->log_per_decade == 0) {
    next = step - step % cfg->log_every + cfg->log_every;
  } else {
    const double n = (double)cfg->log_per_decade;
    double k = step == 0 ? 0.0 : floor(n * log10((double)step));
    do next = (unsigned long)ceil(pow(10.0, k++ / n));
    while (next <= step);
  }
  return next > cfg->steps ? cfg->steps : next;
}

/* The loop: from the evaluated start, advance to each logged step (every
 * log_every steps and the last).  Returns PHSIM_ENUM with *fault_step set
 * on a numerical fault. */
static int train(run *r, phsim_progress *bar, unsigned long *fault_step) {
  phsim_obs o;
  phsim_engine_observe(r->engine, &o);
  phsim_tracker_start(&r->t, &o);
  if (log_row(r, 0) == PHSIM_EINTR) return PHSIM_EINTR;
  for (unsigned long step = 0; step < r->cfg->steps;) {
    const unsigned long next = next_row(r->cfg, step);
    int st = phsim_engine_advance(r->engine, step, next, fault_step);
    if (st == PHSIM_EINTR) { /* stopped between rows: keep the state reached */
      if (*fault_step > step) log_row(r, *fault_step);
      return st;
    }
    if (st != PHSIM_OK) return PHSIM_ENUM;
    step = next;
    if (log_row(r, step) == PHSIM_EINTR) return PHSIM_EINTR;
    phsim_progress_update(bar, step);
    if (phsim_interrupted()) return PHSIM_EINTR;
    if (phsim_tracker_stop_reached(&r->t)) return PHSIM_OK;
  }
  return PHSIM_OK;
}

phsim_run_opts phsim_run_opts_default(void) {
  return (phsim_run_opts){.trajectory = 1, .timing = 1, .progress = 1, .warn = 1};
}

/* The loop from the engine's start (start_status), timed; the summary. */
static int loop(run *r, int start_status, const char *dir, char err[PHSIM_ERR_MAX]) {
  unsigned long fault_step = 0;
  phsim_progress bar;
  phsim_progress_start(&bar, r->opts.progress ? r->cfg->steps : 0, "steps");
  const double t0 = phsim_now_seconds();
  const int status = start_status == PHSIM_OK ? train(r, &bar, &fault_step) : PHSIM_ENUM;
  const double wall = r->opts.timing ? phsim_now_seconds() - t0 : NAN;
  phsim_progress_finish(&bar);
  phsim_tracker_finish(&r->t, r->engine, status, fault_step, wall);
  if (status == PHSIM_OK) return status;
  const char *what = phsim_engine_fault(r->engine);
  const int sig = phsim_interrupt_signal();
  if (dir == NULL && status == PHSIM_EINTR)
    snprintf(err, PHSIM_ERR_MAX, "interrupted by signal %d at step %lu", sig, r->t.last_step);
  else if (dir == NULL)
    snprintf(err, PHSIM_ERR_MAX, "numerical fault at step %lu: %s (summary: diverged)",
             fault_step, what);
  else if (status == PHSIM_EINTR)
    snprintf(err, PHSIM_ERR_MAX,
             "interrupted by signal %d at step %lu; the trajectory up to "
             "there is kept in '%s'",
             sig, r->t.last_step, dir);
  else
    snprintf(err, PHSIM_ERR_MAX,
             "numerical fault at step %lu: %s; the trajectory up to step "
             "%lu is kept in '%.200s' (summary: diverged)",
             fault_step, what, r->t.last_step, dir);
  return status;
}

/* Outputs before the loop: the directory, config, trajectory.csv's header. */
static int open_outputs(run *r, const char *dir, phsim_outfile *traj,
                        char err[PHSIM_ERR_MAX]) {
  if (dir == NULL) return PHSIM_OK;
  int st = phsim_mkdir_p(dir, err);
  if (st == PHSIM_OK) st = write_config(r->cfg, dir, err);
  if (st == PHSIM_OK && r->opts.trajectory) st = phsim_outfile_open(traj, dir, "trajectory.csv", err);
  if (st == PHSIM_OK && traj->fp != NULL) phsim_trajectory_header(traj->fp, r->cfg->m, r->cfg->K);
  r->traj = traj->fp;
  return st;
}

int phsim_run_execute(const phsim_config *cfg, const char *out_dir,
                      phsim_run_opts opts, char err[PHSIM_ERR_MAX]) {
  phsim_summary own, *sum = opts.summary != NULL ? opts.summary : &own;
  if (phsim_summary_init(sum, cfg) != PHSIM_OK ||
      phsim_provenance_init(&sum->provenance, opts.argc, opts.argv, opts.timing) != PHSIM_OK) {
    phsim_summary_free(sum);
    snprintf(err, PHSIM_ERR_MAX, "out of memory for a run with m = %zu, K = %zu", cfg->m, cfg->K);
    return PHSIM_ENOMEM;
  }
  run r = {.cfg = cfg, .engine = phsim_engine_alloc(cfg), .opts = opts};
  phsim_tracker_init(&r.t, cfg, sum, opts.warn);
  if ((out_dir != NULL && opts.trajectory) || opts.on_row != NULL)
    r.rows = phsim_row_buf_alloc(cfg->m, cfg->K);
  gsl_rng *rng = phsim_config_rng(cfg);
  phsim_outfile traj = {.fp = NULL};
  /* A fault at the initial state is a diverged run at step 0. */
  /* init_W, init_E: as validation read them, else read here; once for the
   * engine and the twin */
  phsim_initial read = {NULL, NULL};
  const phsim_initial *init = opts.initial != NULL ? opts.initial : &read;
  int start_status = opts.initial != NULL ? PHSIM_OK : phsim_initial_read(cfg, &read, err);
  if (start_status == PHSIM_OK) start_status = phsim_engine_start(r.engine, cfg, init, rng, err);
  int st = start_status == PHSIM_ENUM ? PHSIM_OK : start_status;
  if (st == PHSIM_OK && r.t.twin != NULL) st = phsim_twin_start(r.t.twin, init, err);
  phsim_initial_free(&read);
  if (st == PHSIM_OK) st = open_outputs(&r, out_dir, &traj, err);
  if (st == PHSIM_OK) {
    char msg[PHSIM_ERR_MAX];
    const int status = loop(&r, start_status, out_dir, msg);
    if (traj.fp != NULL) st = phsim_outfile_commit(&traj, err);
    if (st == PHSIM_OK && out_dir != NULL) st = phsim_summary_write(sum, out_dir, err);
    if (st == PHSIM_OK && status != PHSIM_OK) {
      snprintf(err, PHSIM_ERR_MAX, "%s", msg);
      st = status;
    }
  } else {
    phsim_summary_free(sum); /* nothing ran */
  }
  phsim_tracker_free(&r.t);
  phsim_row_buf_free(r.rows);
  gsl_rng_free(rng);
  phsim_engine_free(r.engine);
  if (sum == &own) phsim_summary_free(sum);
  return st;
}
