/* api.c: the public C API (phsim.h) over the run, grad and sweep modules. */
#define _POSIX_C_SOURCE 200809L
#include "phsim.h"

#include <stdlib.h>
#include <string.h>

#include "phsim_grad.h"
#include "phsim_io.h"
#include "phsim_outdir.h"
#include "phsim_run.h"
#include "phsim_sweep.h"
#include "phsim_validate.h"

struct phsim_setup {
  phsim_config cfg;
};

phsim_setup *phsim_setup_alloc(void) {
  phsim_setup *s = malloc(sizeof *s);
  if (s != NULL) phsim_config_default(&s->cfg);
  return s;
}

void phsim_setup_free(phsim_setup *s) { free(s); }

int phsim_setup_set(phsim_setup *s, const char *key, const char *value,
                    char err[PHSIM_ERR_MAX]) {
  return phsim_config_set(&s->cfg, key, value, err);
}

int phsim_setup_read_file(phsim_setup *s, const char *path,
                          char err[PHSIM_ERR_MAX]) {
  return phsim_config_read_file(&s->cfg, path, err);
}

int phsim_setup_validate(phsim_setup *s, char err[PHSIM_ERR_MAX]) {
  return phsim_config_validate(&s->cfg, err);
}

const phsim_config *phsim_setup_config(const phsim_setup *s) { return &s->cfg; }

int phsim_setup_run(phsim_setup *s, const char *out_dir, phsim_row_callback on_row,
                    void *ctx, phsim_summary *summary, char err[PHSIM_ERR_MAX]) {
  if (summary != NULL) memset(summary, 0, sizeof *summary);
  phsim_initial init; /* read once: validation keeps them for the run */
  int st = phsim_config_validate_initial(&s->cfg, &init, err);
  if (st != PHSIM_OK) return st;
  phsim_run_opts opts = {.trajectory = 1, .timing = 1, .on_row = on_row, .row_ctx = ctx,
                         .summary = summary, .initial = &init};
  phsim_outdir od;
  if (out_dir != NULL) st = phsim_outdir_claim_run(&od, out_dir, &s->cfg, 0, err);
  const int claimed = out_dir != NULL && st == PHSIM_OK;
  if (st == PHSIM_OK) st = phsim_run_execute(&s->cfg, out_dir, opts, err);
  if (claimed) phsim_outdir_release(&od);
  phsim_initial_free(&init);
  return st;
}

int phsim_setup_grad(phsim_setup *s, FILE *out, char err[PHSIM_ERR_MAX]) {
  int st = phsim_config_validate(&s->cfg, err);
  return st == PHSIM_OK ? phsim_grad_write(&s->cfg, out, err) : st;
}

/* JSON text as phsim writes it to files (a final newline), or NULL. */
static char *json_text(json_t *v) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = v != NULL ? open_memstream(&text, &len) : NULL;
  if (mem != NULL) {
    int bad = json_dumpf(v, mem, PHSIM_JSON_FLAGS) != 0 || fputc('\n', mem) == EOF;
    if (fclose(mem) != 0 || bad) {
      free(text);
      text = NULL;
    }
  }
  json_decref(v);
  return text;
}

char *phsim_summary_text(const phsim_summary *summary) {
  return json_text(phsim_summary_json(summary));
}

char *phsim_setup_config_text(const phsim_setup *s) {
  return json_text(phsim_config_to_json(&s->cfg));
}

char *phsim_keys_text(void) { return json_text(phsim_config_keys_json()); }

char *phsim_setup_grad_text(phsim_setup *s, char err[PHSIM_ERR_MAX]) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (mem == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "out of memory for the gradient's text");
    return NULL;
  }
  int st = phsim_setup_grad(s, mem, err);
  if (fclose(mem) != 0 && st == PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "out of memory for the gradient's text");
    st = PHSIM_ENOMEM;
  }
  if (st != PHSIM_OK) {
    free(text);
    return NULL;
  }
  return text;
}

void phsim_free(void *p) { free(p); }

size_t phsim_summary_size(void) { return sizeof(phsim_summary); }

struct phsim_study {
  phsim_sweep sweep;
  char *out;
};

phsim_study *phsim_study_alloc(phsim_setup *base, const char *out_dir,
                               char err[PHSIM_ERR_MAX]) {
  if (phsim_config_validate(&base->cfg, err) != PHSIM_OK) return NULL;
  phsim_study *w = calloc(1, sizeof *w);
  if (w != NULL) w->out = strdup(out_dir);
  if (w == NULL || w->out == NULL) {
    free(w);
    snprintf(err, PHSIM_ERR_MAX, "out of memory");
    return NULL;
  }
  w->sweep.base = base->cfg;
  w->sweep.out = w->out;
  w->sweep.jobs = 1;
  w->sweep.shard_i = w->sweep.shard_n = 1;
  w->sweep.npoints = 1;
  return w;
}

void phsim_study_free(phsim_study *w) {
  if (w == NULL) return;
  phsim_sweep_free(&w->sweep);
  free(w->out);
  free(w);
}

int phsim_study_grid(phsim_study *w, const char *spec, char err[PHSIM_ERR_MAX]) {
  if (w->sweep.ngrids == PHSIM_MAX_GRIDS) {
    snprintf(err, PHSIM_ERR_MAX, "more than %d grids", PHSIM_MAX_GRIDS);
    return PHSIM_EINPUT;
  }
  int st = phsim_grid_parse(spec, &w->sweep.base, &w->sweep.grids[w->sweep.ngrids], err);
  if (st != PHSIM_OK) return st;
  w->sweep.ngrids++;
  st = phsim_sweep_check_grids(&w->sweep, err);
  if (st != PHSIM_OK) { /* the grid just added is refused */
    phsim_grid *g = &w->sweep.grids[--w->sweep.ngrids];
    for (size_t i = 0; i < g->n; i++) free(g->values[i]);
    free(g->values);
    char again[PHSIM_ERR_MAX];
    phsim_sweep_check_grids(&w->sweep, again); /* the points of the others */
  }
  return st;
}

int phsim_study_jobs(phsim_study *w, unsigned jobs, char err[PHSIM_ERR_MAX]) {
  if (jobs < 1 || jobs > PHSIM_MAX_JOBS) {
    snprintf(err, PHSIM_ERR_MAX, "jobs %u: allowed: an integer from 1 to %d", jobs, PHSIM_MAX_JOBS);
    return PHSIM_EINPUT;
  }
  w->sweep.jobs = jobs;
  return PHSIM_OK;
}

int phsim_study_run(phsim_study *w, char err[PHSIM_ERR_MAX]) {
  if (w->sweep.ngrids == 0) {
    snprintf(err, PHSIM_ERR_MAX, "a sweep without a grid; allowed: at least one grid");
    return PHSIM_EINPUT;
  }
  return phsim_sweep_execute(&w->sweep, err);
}

size_t phsim_study_points(const phsim_study *w) { return w->sweep.npoints; }
