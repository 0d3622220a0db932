/* pullend.c: the end of substitution by the pull, located to one step
 * (phsim_pullend.h). */
#include "phsim_pullend.h"

#include <math.h>
#include <stdlib.h>

#include "phsim_observe.h"

const double phsim_pull_kappa[PHSIM_PULL_KAPPAS] = {3, 10, 30};

/* What a state shows: nothing, the pull fallen kappa-fold against the peak,
 * w_i has learned a feature, the signed pull has changed sign since the
 * scan's start (a fall through zero can be narrower than a row), w_j* has
 * learned v_s (T1). */
enum { NONE, FALLEN, LEARNED, FLIPPED, STRONG };

/* What a scan stops at: the event against peak / kappa (and a change of
 * the pull's sign from `sign`, when not 0), or T1 (strong). */
typedef struct {
  double peak, kappa, sign;
  int strong;
} scan_rule;

/* The saved states (phsim_pullend_slot): */
enum {
  ROW,        /* the last logged row */
  PEAK_FROM,  /* the row before the row of the largest logged pull (or T1's) */
  START,      /* a scan's start, moving */
  PREV,       /* the scan's previous point */
  BEST_FROM,  /* the point before the scan's largest pull */
  BEST,       /* the scan's largest pull */
  PEAK        /* the pull's peak, found */
};

int phsim_pullend_init(phsim_pullend *p, const phsim_config *cfg) {
  *p = (phsim_pullend){.cfg = cfg, .located = 1, .refined = 1};
  for (size_t k = 0; k < PHSIM_PULL_KAPPAS; k++) p->step[k] = -1, p->value[k] = NAN;
  if (cfg->m != 2 || cfg->head != PHSIM_HEAD_OFFDIAG) {
    p->watching = 2;
    return PHSIM_OK;
  }
  int ok = 1;
  for (size_t i = 0; i < PHSIM_PULLEND_SLOTS; i++) {
    phsim_pullend_slot *s = &p->slot[i];
    s->A = gsl_matrix_alloc(2, cfg->K);
    s->R = gsl_matrix_alloc(2, 2);
    s->E = gsl_matrix_alloc(2, 2);
    ok = ok && s->A != NULL && s->R != NULL && s->E != NULL;
  }
  if (ok) return PHSIM_OK;
  phsim_pullend_free(p);
  p->watching = 2;
  return PHSIM_ENOMEM;
}

void phsim_pullend_free(phsim_pullend *p) {
  for (size_t i = 0; i < PHSIM_PULLEND_SLOTS; i++) {
    gsl_matrix_free(p->slot[i].A);
    gsl_matrix_free(p->slot[i].R);
    gsl_matrix_free(p->slot[i].E);
    p->slot[i] = (phsim_pullend_slot){NULL, NULL, NULL, 0};
  }
  phsim_engine_free(p->probe);
  p->probe = NULL;
}

/* Slot `to` holds the state (A, R, E) at `step`. */
static void put(phsim_pullend *p, int to, const gsl_matrix *A, const gsl_matrix *R,
                const gsl_matrix *E, unsigned long step) {
  gsl_matrix_memcpy(p->slot[to].A, A);
  gsl_matrix_memcpy(p->slot[to].R, R);
  gsl_matrix_memcpy(p->slot[to].E, E);
  p->slot[to].step = step;
}

/* ... a run's observed state, or another slot's. */
static void save(phsim_pullend *p, int to, const phsim_obs *o, unsigned long step) {
  put(p, to, o->A, o->R, o->E, step);
}

static void copy(phsim_pullend *p, int to, int from) {
  const phsim_pullend_slot *f = &p->slot[from];
  put(p, to, f->A, f->R, f->E, f->step);
}

static double pull_of(const phsim_pullend *p, const phsim_obs *o) {
  return fabs(gsl_matrix_get(o->gA, p->i, p->s));
}

/* Has w_i learned some feature (|cos(w_i, v_l)| >= threshold)? */
static int learned_any(const phsim_pullend *p, const phsim_obs *o) {
  for (size_t l = 0; l < p->cfg->K; l++)
    if (fabs(phsim_cosine(o->A, o->R, p->i, l)) >= p->cfg->threshold) return 1;
  return 0;
}

/* The event against the peak `peak` and threshold kappa: learned first. */
static int event_at(const phsim_pullend *p, const phsim_obs *o, double peak, double kappa) {
  if (learned_any(p, o)) return LEARNED;
  /* the head feeds v_s into output i at least as strongly as w_i does */
  const double own = pow(fabs(gsl_matrix_get(o->A, p->i, p->s)), 3);
  const double fed = fabs(gsl_matrix_get(o->E, p->i, p->js)) *
                     pow(fabs(gsl_matrix_get(o->A, p->js, p->s)), 3);
  return peak > 0.0 && pull_of(p, o) * kappa <= peak && fed >= own ? FALLEN : NONE;
}

/* The probe: an engine of the run's type that takes a state (NULL when the
 * type cannot, or an EMA target is part of the state). */
static phsim_engine *probe(phsim_pullend *p) {
  if (p->probe == NULL && !p->probe_tried && p->cfg->ema == 0.0) {
    p->probe = phsim_engine_alloc_untracked(p->cfg);
    if (p->probe != NULL && !phsim_engine_loads(p->probe)) {
      phsim_engine_free(p->probe);
      p->probe = NULL;
    }
  }
  p->probe_tried = 1;
  return p->probe;
}

/* The probe at the state of slot START. */
static int restart(phsim_pullend *p) {
  const phsim_pullend_slot *s = &p->slot[START];
  const phsim_engine_record none = {.turn = NAN};
  return phsim_engine_resume(p->probe, s->A, s->R, s->E, s->step, &none) == PHSIM_OK;
}

/* The k-th of n points splitting (a, a + len]: a + floor(len k / n). */
static unsigned long point(unsigned long a, unsigned long len, unsigned long n, unsigned long k) {
  return a + len / n * k + len % n * k / n;
}

static double signed_pull(const phsim_pullend *p, const phsim_obs *o) {
  return gsl_matrix_get(o->gA, p->i, p->s);
}

static int stop_at(const phsim_pullend *p, const phsim_obs *o, const scan_rule *r) {
  if (r->strong)
    return fabs(phsim_cosine(o->A, o->R, p->js, p->s)) >= p->cfg->threshold ? STRONG : NONE;
  const int ev = event_at(p, o, r->peak, r->kappa);
  return ev == NONE && signed_pull(p, o) * r->sign < 0.0 ? FLIPPED : ev;
}

/* One pass of a scan: the probe from START through n points to hi; the
 * first where r stops becomes *hi (its observables in *o), START the point
 * before it: 1.  0: no point stopped; -1: the probe failed. */
static int scan_pass(phsim_pullend *p, unsigned long *hi, const scan_rule *r, phsim_obs *o) {
  if (!restart(p)) return -1;
  const unsigned long a = p->slot[START].step, len = *hi - a;
  const unsigned long n = len < PHSIM_PULLEND_SCAN ? len : PHSIM_PULLEND_SCAN;
  unsigned long last = a, fault;
  for (unsigned long k = 1; k <= n; k++) {
    const unsigned long q = point(a, len, n, k);
    if (phsim_engine_advance(p->probe, last, q, &fault) != PHSIM_OK) return -1;
    phsim_engine_observe(p->probe, o);
    if (stop_at(p, o, r) != NONE) {
      *hi = q;
      return 1;
    }
    save(p, START, o, q);
    last = q;
  }
  return 0;
}

/* The first step in (START, hi] where r stops, down to one step: *at, what
 * it shows, its observables in *o (the probe's); NONE: no step stops.  -1:
 * the probe failed, or a finer pass did not see the stop a coarser one saw
 * (the flow restarted elsewhere, within its tolerance). */
static int scan(phsim_pullend *p, unsigned long hi, const scan_rule *r, unsigned long *at,
                phsim_obs *o) {
  int passes = 0, got;
  while ((got = scan_pass(p, &hi, r, o)) == 1 && hi - p->slot[START].step > 1) passes++;
  if (got != 1) return got == 0 && passes == 0 ? NONE : -1;
  *at = hi;
  return stop_at(p, o, r);
}

/* The first step in (START, b] with the event against the peak and
 * kappa: its event (NONE: none there) and |E_{i j*}|.  Where the pull
 * changes sign without the event the scan goes on from there.  0 when the
 * probe cannot say. */
static int locate_event(phsim_pullend *p, unsigned long b, double kappa, unsigned long *at,
                        int *ev, double *e_at) {
  scan_rule r = {p->peak, kappa, 0.0, 0};
  phsim_obs o;
  for (int flips = 0; flips < PHSIM_PULLEND_SCAN; flips++) {
    if (!restart(p)) return 0;
    phsim_engine_observe(p->probe, &o);
    r.sign = signed_pull(p, &o);
    const int what = p->slot[START].step < b ? scan(p, b, &r, at, &o) : NONE;
    if (what < 0) return 0;
    if (what != FLIPPED) {
      *ev = what;
      *e_at = fabs(gsl_matrix_get(o.E, p->i, p->js));
      return 1;
    }
    save(p, START, &o, *at); /* through zero without the event: on */
  }
  return 0;
}

/* One pass of the peak's search: the probe from START through n points to
 * hi, the largest pull among them in BEST (value *best), the point before
 * it in BEST_FROM and the one after in *after.  0: the probe failed. */
static int peak_pass(phsim_pullend *p, unsigned long hi, double *best, unsigned long *after) {
  if (!restart(p)) return 0;
  copy(p, PREV, START);
  const unsigned long a = p->slot[START].step, len = hi - a;
  const unsigned long n = len < PHSIM_PULLEND_SCAN ? len : PHSIM_PULLEND_SCAN;
  unsigned long fault;
  *best = -1.0;
  *after = hi;
  phsim_obs o;
  for (unsigned long k = 1; k <= n; k++) {
    const unsigned long q = point(a, len, n, k);
    if (phsim_engine_advance(p->probe, p->slot[PREV].step, q, &fault) != PHSIM_OK) return 0;
    phsim_engine_observe(p->probe, &o);
    if (pull_of(p, &o) > *best) {
      *best = pull_of(p, &o);
      copy(p, BEST_FROM, PREV);
      save(p, BEST, &o, q);
      *after = k < n ? point(a, len, n, k + 1) : hi;
    }
    save(p, PREV, &o, q);
  }
  return 1;
}

/* The largest pull over (START, hi], searched by passes of
 * PHSIM_PULLEND_SCAN points, each narrowed to the two sub-intervals around
 * the last pass's largest (the pull's spike is taken to be single-peaked
 * at the scale of a pass's spacing), until every step is a point: its
 * value, its state in BEST.  0: the probe failed. */
static int search_peak(phsim_pullend *p, unsigned long hi, double *best) {
  unsigned long after;
  for (;;) {
    const unsigned long len = hi - p->slot[START].step;
    if (!peak_pass(p, hi, best, &after)) return 0;
    if (len <= PHSIM_PULLEND_SCAN) return 1;
    copy(p, START, BEST_FROM);
    hi = after;
  }
}

/* The rows have shown the peak (row b's pull below the largest logged,
 * at row r*): the largest pull over (PEAK_FROM, b], PEAK_FROM the row
 * before r*, searched by the probe; its value the peak from now on (the
 * bracket's start if that is larger), its state in PEAK. */
static void refine_peak(phsim_pullend *p, unsigned long b) {
  double best;
  p->refined = 1;
  copy(p, START, PEAK_FROM);
  if (probe(p) == NULL || !search_peak(p, b, &best)) {
    p->located = 0; /* the rows' peak */
    return;
  }
  p->refined_at = b;
  copy(p, PEAK, best > p->peak_from_pull ? BEST : PEAK_FROM);
  p->peak = fmax(best, p->peak_from_pull);
}

/* Threshold k at the row b (observables o), where the row shows the event
 * ev or the pull's sign has changed since the last row: the first step
 * with the event after the last row (after the peak, if it was found at
 * this row), to a step where the probe can, else the row's. */
static void end_at(phsim_pullend *p, size_t k, unsigned long b, const phsim_obs *o, int ev) {
  unsigned long at = b;
  double e = fabs(gsl_matrix_get(o->E, p->i, p->js));
  copy(p, START, p->refined_at == b ? PEAK : ROW);
  if (b - p->slot[START].step >= 2 &&
      (probe(p) == NULL || !locate_event(p, b, phsim_pull_kappa[k], &at, &ev, &e)) && ev == FALLEN)
    p->located = 0; /* an end recorded at the row */
  if (ev == LEARNED) {
    p->watching = 2;
  } else if (ev == FALLEN) {
    p->step[k] = (long)at;
    p->value[k] = e;
  }
}

/* The last row (or T1) in ROW, with its pull and its sign. */
static void keep_row(phsim_pullend *p, const phsim_obs *o, unsigned long step) {
  save(p, ROW, o, step);
  p->row_pull = pull_of(p, o);
  p->row_sign = signed_pull(p, o);
}

/* A new largest pull `pull` (at a row, or at T1 itself, then kept in ROW):
 * its bracket starts at ROW, the peak to be found. */
static void new_peak(phsim_pullend *p, double pull) {
  copy(p, PEAK_FROM, ROW);
  p->peak_from_pull = p->row_pull;
  p->peak = pull;
  p->refined = 0;
}

/* From T1, first shown at row b (phsim_phases.h): the watched neuron; T1
 * itself located to a step by the probe from the last row where it can
 * (so that the peak, and the ends, do not depend on which row shows T1),
 * the pull's first peak bracketed from there. */
static void start_watch(phsim_pullend *p, const phsim_phases *ph, unsigned long b,
                        const phsim_obs *o) {
  p->watching = 1;
  p->js = (size_t)ph->strong_neuron;
  p->i = 1 - p->js;
  p->s = ph->strong;
  const scan_rule strong = {0.0, 0.0, 0.0, 1};
  unsigned long at = b;
  phsim_obs t1;
  copy(p, START, ROW);
  const int between = p->have_row && b - p->slot[ROW].step >= 2; /* T1 between rows */
  const int found = between && probe(p) != NULL && scan(p, b, &strong, &at, &t1) == STRONG;
  if (between && !found) p->located = 0;
  if (found && at < b) keep_row(p, &t1, at);
  else keep_row(p, o, b);
  new_peak(p, p->row_pull);
}

void phsim_pullend_row(phsim_pullend *p, const phsim_phases *ph, unsigned long step,
                       const phsim_obs *o) {
  if (p->watching == 2) return;
  if (p->watching == 0 && ph->T1 == (long)step) start_watch(p, ph, step, o);
  if (p->watching == 0) { /* before T1: the last row, for T1's scan */
    save(p, ROW, o, step);
    p->have_row = 1;
    return;
  }
  const double pull = pull_of(p, o);
  /* w_i learned a feature by this row: the pull may have spiked and
   * fallen since the last row */
  const int learned = learned_any(p, o);
  if (learned && pull > p->peak) new_peak(p, pull);
  if (!p->refined && (pull < p->peak || learned)) refine_peak(p, step);
  const int flipped = signed_pull(p, o) * p->row_sign < 0.0;
  for (size_t k = 0; k < PHSIM_PULL_KAPPAS && p->watching == 1; k++)
    if (p->step[k] < 0) {
      const int ev = event_at(p, o, p->peak, phsim_pull_kappa[k]);
      if (ev != NONE || flipped) end_at(p, k, step, o, ev);
    }
  if (p->step[PHSIM_PULL_KAPPAS - 1] >= 0) p->watching = 2;
  if (pull > p->peak) new_peak(p, pull);
  keep_row(p, o, step);
}

void phsim_pullend_summary(const phsim_pullend *p, const long *learn_step,
                           phsim_summary_phases *out) {
  /* w_i learned v_s (collapse): its pull fell as it escaped, no end */
  const int collapse = p->watching > 0 && learn_step[p->i * p->cfg->K + p->s] >= 0;
  int any = 0;
  for (size_t k = 0; k < PHSIM_PULL_KAPPAS; k++) {
    out->pull_step[k] = collapse ? -1 : p->step[k];
    out->pull_E[k] = collapse ? NAN : p->value[k];
    any = any || out->pull_step[k] >= 0;
  }
  out->pull_to_one_step = any ? p->located : -1;
}
