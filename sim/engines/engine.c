/* engine.c: what every engine shares, dispatched through its type
 * (phsim_engine.h): the explosion check, the loss's rise, the turn, the
 * head's peak and the signal poll. */
#include "phsim_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phsim_gslerr.h"
#include "phsim_turn.h"
#include "phsim_interrupt.h"

struct phsim_engine {
  const phsim_engine_type *type;
  void *state;
  phsim_turn *turn;            /* gradient descent's turn (type->turns) */
  phsim_head_peak peak;        /* the head's, over the steps visited */
  double loss;                 /* at the last evaluated state */
  double loss_rise;            /* largest loss increase from one step to the next */
  unsigned long loss_rise_step;
  char fault[160];
};

const phsim_engine_type *phsim_engine_type_at(size_t i) {
  const phsim_engine_type *all[] = {phsim_engine_population, phsim_engine_order,
                                    phsim_engine_sampled, phsim_engine_flow};
  return i < sizeof all / sizeof all[0] ? all[i] : NULL;
}

const phsim_engine_type *phsim_engine_type_of(phsim_engine_kind kind) {
  const char *name = phsim_engine_name(kind);
  const phsim_engine_type *t;
  for (size_t i = 0; (t = phsim_engine_type_at(i)) != NULL; i++)
    if (strcmp(t->name, name) == 0) return t;
  return NULL;
}

static phsim_engine *engine_alloc(const phsim_config *cfg, int tracked) {
  const phsim_engine_type *type = phsim_engine_type_of(cfg->engine);
  if (type == NULL) return NULL;
  phsim_gsl_errors_off(); /* GSL's failures as statuses (phsim_gslerr.h) */
  phsim_engine *e = calloc(1, sizeof *e);
  if (e == NULL) return NULL;
  e->type = type;
  e->state = type->alloc(cfg);
  /* The turn of deterministic steps; a finite batch's steps turn with its
   * noise, and the flow has none. */
  if (type->turns && tracked) e->turn = phsim_turn_alloc(cfg);
  if (e->state == NULL) {
    phsim_engine_free(e);
    return NULL;
  }
  return e;
}

phsim_engine *phsim_engine_alloc(const phsim_config *cfg) { return engine_alloc(cfg, 1); }

phsim_engine *phsim_engine_alloc_untracked(const phsim_config *cfg) {
  return engine_alloc(cfg, 0);
}

void phsim_engine_free(phsim_engine *e) {
  if (e == NULL) return;
  if (e->state != NULL) e->type->free(e->state);
  phsim_turn_free(e->turn);
  free(e);
}

const phsim_engine_type *phsim_engine_type_get(const phsim_engine *e) { return e->type; }

/* Evaluate; on a fault, or a loss past PHSIM_LOSS_EXPLODED, say what. */
static int eval(phsim_engine *e) {
  double loss = NAN;
  int st = e->type->eval(e->state, &loss);
  if (st != PHSIM_OK) {
    snprintf(e->fault, sizeof e->fault, "%s", e->type->fault(e->state));
    return st;
  }
  if (fabs(loss) > PHSIM_LOSS_EXPLODED) {
    snprintf(e->fault, sizeof e->fault, "loss = %g exploded (beyond %g)", loss,
             PHSIM_LOSS_EXPLODED);
    return PHSIM_ENUM;
  }
  e->loss = loss;
  return PHSIM_OK;
}

const char *phsim_engine_fault(const phsim_engine *e) { return e->fault; }

static void note_turn(phsim_engine *e, unsigned long s) {
  if (e->turn == NULL) return;
  phsim_obs o;
  phsim_engine_observe(e, &o);
  phsim_turn_update(e->turn, s, o.A, o.R, o.E);
}

int phsim_engine_start(phsim_engine *e, const phsim_config *cfg,
                       const phsim_initial *init, gsl_rng *r,
                       char err[PHSIM_ERR_MAX]) {
  phsim_initial read = {NULL, NULL};
  if (init == NULL) {
    int st = phsim_initial_read(cfg, &read, err);
    if (st != PHSIM_OK) return st;
    init = &read;
  }
  e->type->start(e->state, cfg, init, r);
  phsim_initial_free(&read);
  if (eval(e) != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "numerical fault at the initial state: %s", e->fault);
    return PHSIM_ENUM;
  }
  note_turn(e, 0);
  phsim_head_peak_update(&e->peak, 0, e->type->head(e->state));
  return PHSIM_OK;
}

/* The largest one-step increase of the loss.  The flow itself need not
 * decrease the loss (the stop-gradient makes it no gradient flow), so this
 * is a measurement, not a fault. */
static void note_loss_rise(phsim_engine *e, unsigned long s, double before) {
  if (e->loss - before > e->loss_rise) {
    e->loss_rise = e->loss - before;
    e->loss_rise_step = s;
  }
}

double phsim_engine_turn(const phsim_engine *e, unsigned long *step) {
  if (e->turn == NULL) return NAN;
  return phsim_turn_max(e->turn, step);
}

phsim_head_peak phsim_engine_head_peak(const phsim_engine *e) { return e->peak; }

/* A continuous engine: one integration to `to`; a signal leaves it at its
 * last reading (step from). */
static int advance_continuous(phsim_engine *e, unsigned long from,
                              unsigned long to, unsigned long *fault_step) {
  int st = e->type->advance_to(e->state, to, &e->peak);
  if (st == PHSIM_EINTR) {
    *fault_step = from;
    return PHSIM_EINTR;
  }
  if (st != PHSIM_OK) {
    snprintf(e->fault, sizeof e->fault, "%s", e->type->fault(e->state));
    *fault_step = to;
    return PHSIM_ENUM;
  }
  phsim_head_peak_update(&e->peak, to, e->type->head(e->state));
  return PHSIM_OK;
}

int phsim_engine_advance(phsim_engine *e, unsigned long from, unsigned long to,
                         unsigned long *fault_step) {
  if (e->type->advance_to != NULL)
    return advance_continuous(e, from, to, fault_step);
  for (unsigned long s = from + 1; s <= to; s++) {
    const double before = e->loss;
    e->type->step(e->state);
    if (eval(e) != PHSIM_OK) {
      *fault_step = s;
      return PHSIM_ENUM;
    }
    note_loss_rise(e, s, before);
    note_turn(e, s);
    phsim_head_peak_update(&e->peak, s, e->type->head(e->state));
    /* The stop flag is one load of a sig_atomic_t: polled every step. */
    if (s < to && phsim_interrupted()) {
      *fault_step = s;
      return PHSIM_EINTR;
    }
  }
  return PHSIM_OK;
}

int phsim_engine_loads(const phsim_engine *e) { return e->type->load != NULL; }

int phsim_engine_resume(phsim_engine *e, const gsl_matrix *A, const gsl_matrix *R,
                        const gsl_matrix *E, unsigned long step,
                        const phsim_engine_record *rec) {
  if (e->type->load == NULL) return PHSIM_EINPUT;
  e->type->load(e->state, A, R, E, step);
  e->loss_rise = rec->loss_rise;
  e->loss_rise_step = rec->loss_rise_step;
  if (e->turn != NULL) phsim_turn_set_max(e->turn, rec->turn, rec->turn_step);
  e->peak = rec->peak;
  return eval(e);
}

double phsim_engine_loss_rise(const phsim_engine *e, unsigned long *step) {
  if (step != NULL) *step = e->loss_rise_step;
  return e->loss_rise;
}

void phsim_engine_observe(const phsim_engine *e, phsim_obs *o) {
  e->type->observe(e->state, o);
}

int phsim_engine_gradient(const phsim_engine *e, gsl_matrix *gW,
                          gsl_matrix *gE, char err[PHSIM_ERR_MAX]) {
  return e->type->gradient(e->state, gW, gE, err);
}
