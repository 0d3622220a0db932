/* run.c: the training loop of one run (phsim_run.h). */
#define _POSIX_C_SOURCE 200809L
#include "phsim_run.h"

#include <math.h>
#include <stdlib.h>

#include "phsim_engine.h"
#include "phsim_interrupt.h"
#include "phsim_io.h"
#include "phsim_progress.h"
#include "phsim_validate.h"

/* A run under way: the engine, what it measures, where rows go. */
struct phsim_run {
  const phsim_config *cfg;
  const char *dir;
  phsim_engine *engine;
  phsim_tracker t;
  phsim_summary own, *sum;
  phsim_row_buf *rows;   /* NULL: nobody reads rows */
  phsim_outfile traj;    /* fp NULL: no trajectory.csv */
  gsl_rng *rng;
  phsim_run_opts opts;
  phsim_progress bar;
  double t0;
};

/* config, formatted in memory and written whole. */
static int write_config(const phsim_config *cfg, const phsim_at *at, const char *dir,
                        char err[PHSIM_ERR_MAX]) {
  char *text = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&text, &len);
  int bad = fp == NULL || phsim_config_write(cfg, fp) != PHSIM_OK;
  if (fp != NULL && fclose(fp) != 0) bad = 1;
  int st = bad ? PHSIM_EIO : phsim_file_write_at(at, dir, "config", text, len, err);
  if (bad) snprintf(err, PHSIM_ERR_MAX, "cannot write '%s/config'", dir);
  free(text);
  return st;
}

/* Write, pass on and track the row at `step`; the twin follows to it.
 * PHSIM_EINTR if the twin was stopped by a signal. */
static int log_row(phsim_run *r, unsigned long step) {
  phsim_obs o;
  phsim_engine_observe(r->engine, &o);
  if (r->rows != NULL) {
    const phsim_row *row = phsim_row_fill(r->rows, step, &o);
    if (r->traj.fp != NULL) phsim_trajectory_write(r->traj.fp, row);
    if (r->opts.on_row != NULL) r->opts.on_row(r->opts.row_ctx, row);
  }
  phsim_tracker_row(&r->t, step, &o, phsim_engine_turn(r->engine, NULL));
  return r->t.twin != NULL ? phsim_twin_follow(r->t.twin, step, &o) : PHSIM_OK;
}

/* The logged step after `step`: the next multiple of log_every, or with
 * log_per_decade = n the smallest ceil(10^(k/n)) beyond step; the last
 * step always. */
unsigned long phsim_run_next_row(const phsim_config *cfg, unsigned long step) {
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

int phsim_run_advanced(phsim_run *r, unsigned long step, unsigned long next, int st,
                       unsigned long *fault_step, int *more) {
  *more = 0;
  if (st == PHSIM_EINTR) { /* stopped between rows: keep the state reached */
    if (*fault_step > step) log_row(r, *fault_step);
    return st;
  }
  if (st != PHSIM_OK) return PHSIM_ENUM;
  if (log_row(r, next) == PHSIM_EINTR) return PHSIM_EINTR;
  phsim_progress_update(&r->bar, next);
  if (phsim_interrupted()) return PHSIM_EINTR;
  *more = next < r->cfg->steps && !phsim_tracker_stop_reached(&r->t);
  return PHSIM_OK;
}

/* The loop: from the evaluated start (row 0 logged), advance to each logged
 * step (every log_every steps and the last).  Returns PHSIM_ENUM with
 * *fault_step set on a numerical fault. */
static int train(phsim_run *r, unsigned long *fault_step) {
  int st = PHSIM_OK, more = r->cfg->steps > 0;
  for (unsigned long step = 0, next; more; step = next) {
    next = phsim_run_next_row(r->cfg, step);
    st = phsim_engine_advance(r->engine, step, next, fault_step);
    st = phsim_run_advanced(r, step, next, st, fault_step, &more);
  }
  return st;
}

phsim_run_opts phsim_run_opts_default(void) {
  return (phsim_run_opts){.trajectory = 1, .timing = 1, .progress = 1, .warn = 1};
}

/* What a run that did not end well says (status not PHSIM_OK). */
static void status_message(const phsim_run *r, int status, unsigned long fault_step,
                           char err[PHSIM_ERR_MAX]) {
  const char *what = phsim_engine_fault(r->engine), *dir = r->dir;
  const char *why = phsim_interrupt_cause();
  if (dir == NULL && status == PHSIM_EINTR)
    snprintf(err, PHSIM_ERR_MAX, "interrupted by %s at step %lu", why, r->t.last_step);
  else if (dir == NULL)
    snprintf(err, PHSIM_ERR_MAX, "numerical fault at step %lu: %s (summary: diverged)",
             fault_step, what);
  else if (status == PHSIM_EINTR)
    snprintf(err, PHSIM_ERR_MAX,
             "interrupted by %s at step %lu; the trajectory up to "
             "there is kept in '%s'",
             why, r->t.last_step, dir);
  else
    snprintf(err, PHSIM_ERR_MAX,
             "numerical fault at step %lu: %s; the trajectory up to step "
             "%lu is kept in '%.200s' (summary: diverged)",
             fault_step, what, r->t.last_step, dir);
}

/* Outputs before the loop: the directory, config, trajectory.csv's header. */
static int open_outputs(phsim_run *r, char err[PHSIM_ERR_MAX]) {
  const char *dir = r->dir;
  if (dir == NULL) return PHSIM_OK;
  const phsim_at *at = r->opts.at;
  int st = phsim_mkdir_at(at, dir, err);
  if (st == PHSIM_OK) st = write_config(r->cfg, at, dir, err);
  if (st == PHSIM_OK && r->opts.trajectory)
    st = phsim_outfile_open_at(&r->traj, at, dir, "trajectory.csv", err);
  if (st == PHSIM_OK && r->traj.fp != NULL) phsim_trajectory_header(r->traj.fp, r->cfg->m, r->cfg->K);
  return st;
}

static void run_free(phsim_run *r) {
  phsim_tracker_free(&r->t);
  phsim_row_buf_free(r->rows);
  gsl_rng_free(r->rng);
  phsim_engine_free(r->engine);
  if (r->sum == &r->own) phsim_summary_free(r->sum);
  free(r);
}

/* The engine and the twin from the same initial state (init_W, init_E as
 * validation read them, else read here: once for both).  Returns the
 * engine's start status (PHSIM_ENUM: a fault at the initial state, a
 * diverged run at step 0) in *start, an error otherwise. */
static int start_engines(phsim_run *r, int *start, char err[PHSIM_ERR_MAX]) {
  phsim_initial read = {NULL, NULL};
  const phsim_initial *init = r->opts.initial != NULL ? r->opts.initial : &read;
  *start = r->opts.initial != NULL ? PHSIM_OK : phsim_initial_read(r->cfg, &read, err);
  if (*start == PHSIM_OK) *start = phsim_engine_start(r->engine, r->cfg, init, r->rng, err);
  int st = *start == PHSIM_ENUM ? PHSIM_OK : *start;
  if (st == PHSIM_OK && r->t.twin != NULL) st = phsim_twin_start(r->t.twin, init, err);
  phsim_initial_free(&read);
  return st;
}

int phsim_run_begin(const phsim_config *cfg, const char *out_dir, phsim_run_opts opts,
                    phsim_run **out, char err[PHSIM_ERR_MAX]) {
  phsim_run *r = *out = calloc(1, sizeof *r);
  if (r != NULL) r->sum = opts.summary != NULL ? opts.summary : &r->own;
  if (r == NULL || phsim_summary_init(r->sum, cfg) != PHSIM_OK ||
      phsim_provenance_init(&r->sum->provenance, opts.argc, opts.argv, opts.timing) != PHSIM_OK) {
    if (r != NULL) phsim_summary_free(r->sum);
    free(r);
    *out = NULL;
    snprintf(err, PHSIM_ERR_MAX, "out of memory for a run with m = %zu, K = %zu", cfg->m, cfg->K);
    return PHSIM_ENOMEM;
  }
  r->cfg = cfg, r->dir = out_dir, r->opts = opts; /* (the rest calloc'ed) */
  r->engine = phsim_engine_alloc(cfg);
  r->rng = phsim_config_rng(cfg);
  phsim_tracker_init(&r->t, cfg, r->sum, opts.warn);
  if ((out_dir != NULL && opts.trajectory) || opts.on_row != NULL)
    r->rows = phsim_row_buf_alloc(cfg->m, cfg->K);
  int start;
  int st = start_engines(r, &start, err);
  if (st == PHSIM_OK) st = open_outputs(r, err);
  if (st != PHSIM_OK) {
    phsim_summary_free(r->sum); /* nothing ran */
    run_free(r);
    *out = NULL;
    return st;
  }
  phsim_progress_start(&r->bar, opts.progress ? cfg->steps : 0, "steps");
  r->t0 = phsim_now_seconds();
  if (start != PHSIM_OK) return PHSIM_ENUM;
  phsim_obs o;
  phsim_engine_observe(r->engine, &o);
  phsim_tracker_start(&r->t, &o);
  return log_row(r, 0);
}

phsim_engine *phsim_run_engine(phsim_run *r) { return r->engine; }

int phsim_run_end(phsim_run *r, int status, unsigned long fault_step,
                  char err[PHSIM_ERR_MAX]) {
  const double wall = r->opts.timing ? phsim_now_seconds() - r->t0 : NAN;
  phsim_progress_finish(&r->bar);
  phsim_tracker_finish(&r->t, r->engine, status, fault_step, wall);
  char msg[PHSIM_ERR_MAX];
  if (status != PHSIM_OK) status_message(r, status, fault_step, msg);
  int st = r->traj.fp != NULL ? phsim_outfile_commit(&r->traj, err) : PHSIM_OK;
  if (st == PHSIM_OK && r->dir != NULL) st = phsim_summary_write(r->sum, r->opts.at, r->dir, err);
  if (st == PHSIM_OK && status != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "%s", msg);
    st = status;
  }
  run_free(r);
  return st;
}

int phsim_run_execute(const phsim_config *cfg, const char *out_dir,
                      phsim_run_opts opts, char err[PHSIM_ERR_MAX]) {
  phsim_run *r;
  unsigned long fault_step = 0;
  int st = phsim_run_begin(cfg, out_dir, opts, &r, err);
  if (r == NULL) return st;
  if (st == PHSIM_OK) st = train(r, &fault_step);
  return phsim_run_end(r, st, fault_step, err);
}
