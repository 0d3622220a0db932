/* engine.c: dispatch to the four engines behind one interface. */
#include "phsim_engine.h"

#include <math.h>
#include <stdlib.h>

#include "phsim_fidelity.h"
#include "phsim_flow.h"
#include "phsim_interrupt.h"
#include "phsim_order.h"
#include "phsim_pop.h"
#include "phsim_sampled.h"

struct phsim_engine {
  phsim_engine_kind kind;
  phsim_pop *pop;
  phsim_order *order;
  phsim_sampled *sampled;
  phsim_flow *flow;
  phsim_turn *turn;            /* gradient descent's turn (population, order) */
  double loss;                 /* at the last evaluated state */
  double loss_rise;            /* largest loss increase from one step to the next */
  unsigned long loss_rise_step;
  char fault[160];
};

static void note_turn(phsim_engine *e, unsigned long s);

void phsim_head_peak_update(phsim_head_peak *peak, unsigned long step,
                            const gsl_matrix *E) {
  for (size_t i = 0; i < E->size1; i++)
    for (size_t j = 0; j < E->size2; j++) {
      double x = fabs(gsl_matrix_get(E, i, j) - (i == j ? 1.0 : 0.0));
      if (x > peak->value) {
        peak->value = x;
        peak->step = step;
      }
    }
}

phsim_engine *phsim_engine_alloc(const phsim_config *cfg) {
  phsim_engine *e = calloc(1, sizeof *e);
  if (e == NULL) return NULL;
  e->kind = cfg->engine;
  switch (cfg->engine) {
  case PHSIM_ENGINE_POPULATION: e->pop = phsim_pop_alloc(cfg); break;
  case PHSIM_ENGINE_ORDER: e->order = phsim_order_alloc(cfg); break;
  case PHSIM_ENGINE_SAMPLED: e->sampled = phsim_sampled_alloc(cfg); break;
  case PHSIM_ENGINE_FLOW: e->flow = phsim_flow_alloc(cfg); break;
  }
  /* The turn of deterministic steps; a finite batch's steps turn with its
   * noise, and the flow has none. */
  if (cfg->engine == PHSIM_ENGINE_POPULATION || cfg->engine == PHSIM_ENGINE_ORDER)
    e->turn = phsim_turn_alloc(cfg);
  return e;
}

void phsim_engine_free(phsim_engine *e) {
  if (e == NULL) return;
  phsim_pop_free(e->pop);
  phsim_order_free(e->order);
  phsim_sampled_free(e->sampled);
  phsim_flow_free(e->flow);
  phsim_turn_free(e->turn);
  free(e);
}

/* The closed-form workspace of the engine, NULL for the sampled one. */
static const phsim_popgrad_workspace *closed_form(const phsim_engine *e) {
  switch (e->kind) {
  case PHSIM_ENGINE_POPULATION: return e->pop->pg;
  case PHSIM_ENGINE_ORDER: return e->order->pg;
  case PHSIM_ENGINE_FLOW: return e->flow->o->pg;
  case PHSIM_ENGINE_SAMPLED: return NULL;
  }
  return NULL;
}

static int eval_engine(phsim_engine *e) {
  switch (e->kind) {
  case PHSIM_ENGINE_POPULATION: return phsim_pop_eval(e->pop);
  case PHSIM_ENGINE_ORDER: return phsim_order_eval(e->order);
  case PHSIM_ENGINE_SAMPLED: return phsim_sampled_eval(e->sampled);
  case PHSIM_ENGINE_FLOW: return phsim_order_eval(e->flow->o);
  }
  return PHSIM_ENUM;
}

/* Evaluate; on a fault, or a loss past PHSIM_LOSS_EXPLODED, say what. */
static int eval(phsim_engine *e) {
  const phsim_popgrad_workspace *pg = closed_form(e);
  int st = eval_engine(e);
  double loss = pg ? pg->loss : e->sampled->ws->loss;
  if (st != PHSIM_OK) {
    snprintf(e->fault, sizeof e->fault, "%s", pg ? pg->fault : e->sampled->ws->fault);
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

static void step(phsim_engine *e) {
  switch (e->kind) {
  case PHSIM_ENGINE_POPULATION: phsim_pop_step(e->pop); return;
  case PHSIM_ENGINE_ORDER: phsim_order_step(e->order); return;
  case PHSIM_ENGINE_SAMPLED: phsim_sampled_step(e->sampled); return;
  case PHSIM_ENGINE_FLOW: return; /* advances by integration */
  }
}

static const gsl_matrix *head_of(const phsim_engine *e) {
  switch (e->kind) {
  case PHSIM_ENGINE_POPULATION: return e->pop->E;
  case PHSIM_ENGINE_ORDER: return e->order->E;
  case PHSIM_ENGINE_SAMPLED: return e->sampled->E;
  case PHSIM_ENGINE_FLOW: return e->flow->o->E;
  }
  return NULL;
}

int phsim_engine_start(phsim_engine *e, const phsim_config *cfg, gsl_rng *r,
                       char err[PHSIM_ERR_MAX]) {
  int st = PHSIM_OK;
  switch (e->kind) {
  case PHSIM_ENGINE_POPULATION: st = phsim_pop_init(e->pop, cfg, r, err); break;
  case PHSIM_ENGINE_ORDER: st = phsim_order_init(e->order, cfg, r, err); break;
  case PHSIM_ENGINE_SAMPLED: st = phsim_sampled_init(e->sampled, cfg, r, err); break;
  case PHSIM_ENGINE_FLOW: st = phsim_flow_init(e->flow, cfg, r, err); break;
  }
  if (st != PHSIM_OK) return st;
  if (eval(e) != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "numerical fault at the initial state: %s", e->fault);
    return PHSIM_ENUM;
  }
  note_turn(e, 0);
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

static void note_turn(phsim_engine *e, unsigned long s) {
  if (e->turn == NULL) return;
  phsim_obs o;
  phsim_engine_observe(e, &o);
  phsim_turn_update(e->turn, s, o.A, o.R, o.E);
}

double phsim_engine_turn(const phsim_engine *e, unsigned long *step) {
  if (e->turn == NULL) return NAN;
  return phsim_turn_max(e->turn, step);
}

int phsim_engine_advance(phsim_engine *e, unsigned long from, unsigned long to,
                         phsim_head_peak *peak, unsigned long *fault_step) {
  if (e->kind == PHSIM_ENGINE_FLOW) {
    /* The flow updates peak at each of its accepted internal points. */
    int st = phsim_flow_advance_to(e->flow, to, peak);
    /* A signal: the flow stopped within one internal step and is back at
     * its last reading (step from), evaluated. */
    if (st == PHSIM_EINTR) {
      *fault_step = from;
      return PHSIM_EINTR;
    }
    if (st != PHSIM_OK) {
      snprintf(e->fault, sizeof e->fault, "%.120s before t = %g",
               e->flow->fault[0] != '\0' ? e->flow->fault : "the ODE integrator failed",
               e->flow->o->eta * (double)to);
      *fault_step = to;
      return PHSIM_ENUM;
    }
    phsim_head_peak_update(peak, to, e->flow->o->E);
    return PHSIM_OK;
  }
  for (unsigned long s = from + 1; s <= to; s++) {
    const double before = e->loss;
    step(e);
    if (eval(e) != PHSIM_OK) {
      *fault_step = s;
      return PHSIM_ENUM;
    }
    note_loss_rise(e, s, before);
    note_turn(e, s);
    phsim_head_peak_update(peak, s, head_of(e));
    /* The stop flag is one load of a sig_atomic_t: polled every step. */
    if (s < to && phsim_interrupted()) {
      *fault_step = s;
      return PHSIM_EINTR;
    }
  }
  return PHSIM_OK;
}

double phsim_engine_loss_rise(const phsim_engine *e, unsigned long *step) {
  if (step != NULL) *step = e->loss_rise_step;
  return e->loss_rise;
}

void phsim_engine_observe(const phsim_engine *e, phsim_obs *o) {
  const phsim_popgrad_workspace *pg = NULL;
  switch (e->kind) {
  case PHSIM_ENGINE_POPULATION:
    pg = e->pop->pg;
    *o = (phsim_obs){&e->pop->A.matrix, e->pop->R, e->pop->E, pg->M, pg->gA,
                     pg->rho, pg->loss};
    return;
  case PHSIM_ENGINE_ORDER:
  case PHSIM_ENGINE_FLOW: {
    const phsim_order *ord = e->kind == PHSIM_ENGINE_ORDER ? e->order : e->flow->o;
    pg = ord->pg;
    *o = (phsim_obs){ord->A, ord->R, ord->E, pg->M, pg->gA, pg->rho, pg->loss};
    return;
  }
  case PHSIM_ENGINE_SAMPLED: {
    phsim_sampled *s = e->sampled;
    phsim_sampled_moments(s);
    *o = (phsim_obs){&s->A.matrix, s->R, s->E, s->M, &s->gA.matrix, s->ws->rho,
                     s->ws->loss};
    return;
  }
  }
}

int phsim_engine_gradient(const phsim_engine *e, gsl_matrix *gW,
                          gsl_matrix *gE, char err[PHSIM_ERR_MAX]) {
  const phsim_order *ord = NULL;
  switch (e->kind) {
  case PHSIM_ENGINE_POPULATION:
    phsim_grad_W(e->pop->pg->gA, e->pop->pg->S, e->pop->W, gW);
    gsl_matrix_memcpy(gE, e->pop->pg->gE);
    return PHSIM_OK;
  case PHSIM_ENGINE_SAMPLED:
    gsl_matrix_memcpy(gW, e->sampled->ws->gW);
    gsl_matrix_memcpy(gE, e->sampled->ws->gE);
    return PHSIM_OK;
  case PHSIM_ENGINE_ORDER: ord = e->order; break;
  case PHSIM_ENGINE_FLOW: ord = e->flow->o; break;
  }
  if (ord->W0 == NULL) {
    snprintf(err, PHSIM_ERR_MAX,
             "engine '%s' started from (A, R) drawn directly (m d > %.0f): "
             "there is no W to report dL/dW for; allowed: smaller m d, or "
             "init_W",
             phsim_engine_name(e->kind), PHSIM_ORDER_MAX_WEIGHTS);
    return PHSIM_EINPUT;
  }
  /* At the start the reduced state is that of W0: dL/dW = gA V^T + S W0 Pp. */
  phsim_grad_W(ord->pg->gA, ord->pg->S, ord->W0, gW);
  gsl_matrix_memcpy(gE, ord->pg->gE);
  return PHSIM_OK;
}
