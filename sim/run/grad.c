/* grad.c: the gradient at the initial state, computed on a thread of its
 * own, written as streamed JSON. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_grad.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phsim_engine.h"
#include "phsim_interrupt.h"
#include "phsim_reduced_state.h"
#include "phsim_sysmem.h"
#include "phsim_validate.h"

typedef struct {
  const phsim_config *cfg;
  phsim_engine *engine;
  gsl_rng *rng;
  gsl_matrix *gW, *gE;
  int status;
  char err[PHSIM_ERR_MAX];
  pthread_mutex_t lock;
  pthread_cond_t finished;
  int done;
} grad_job;

static void *compute(void *arg) {
  grad_job *j = arg;
  j->status = phsim_engine_start(j->engine, j->cfg, NULL, j->rng, j->err);
  if (j->status == PHSIM_OK) j->status = phsim_engine_gradient(j->engine, j->gW, j->gE, j->err);
  pthread_mutex_lock(&j->lock);
  j->done = 1;
  pthread_cond_signal(&j->finished);
  pthread_mutex_unlock(&j->lock);
  return NULL;
}

static int stopped(char err[PHSIM_ERR_MAX], const char *when) {
  if (!phsim_interrupted()) return 0;
  snprintf(err, PHSIM_ERR_MAX, "interrupted by %s %s; nothing written",
           phsim_interrupt_cause(), when);
  return 1;
}

/* A real as jansson writes it with JSON_REAL_PRECISION(17): %.17g, ".0"
 * when it would read back as an integer, no '+' or leading zeros in the
 * exponent; null when not finite. */
static void put_real(FILE *out, double x) {
  if (!isfinite(x)) {
    fputs("null", out);
    return;
  }
  char buf[40];
  snprintf(buf, sizeof buf, "%.17g", x);
  if (strpbrk(buf, ".e") == NULL) strcat(buf, ".0");
  char *start = strchr(buf, 'e');
  if (start != NULL) {
    start++;
    char *end = start + 1;
    if (*start == '-') start++;
    while (*end == '0') end++;
    if (end != start) memmove(start, end, strlen(end) + 1);
  }
  fputs(buf, out);
}

static int put_matrix(FILE *out, const gsl_matrix *X, char err[PHSIM_ERR_MAX]) {
  fputc('[', out);
  for (size_t i = 0; i < X->size1; i++) {
    if (stopped(err, "while writing")) return PHSIM_EINTR;
    fputs(i ? ",[" : "[", out);
    for (size_t k = 0; k < X->size2; k++) {
      if (k) fputc(',', out);
      put_real(out, gsl_matrix_get(X, i, k));
    }
    fputc(']', out);
  }
  fputc(']', out);
  return PHSIM_OK;
}

static int put_json(const grad_job *j, FILE *out, char err[PHSIM_ERR_MAX]) {
  phsim_obs o;
  phsim_engine_observe(j->engine, &o);
  fputs("{\"loss\":", out);
  put_real(out, o.loss);
  fputs(",\"rho\":[", out);
  for (size_t k = 0; k < j->cfg->m; k++) {
    if (k) fputc(',', out);
    put_real(out, gsl_vector_get(o.rho, k));
  }
  fputs("],\"grad_W\":", out);
  int st = put_matrix(out, j->gW, err);
  if (st == PHSIM_OK) fputs(",\"grad_E\":", out);
  if (st == PHSIM_OK) st = put_matrix(out, j->gE, err);
  if (st == PHSIM_OK) fputs("}\n", out);
  return st;
}

/* What grad cannot do, said before anything is allocated. */
static int refuse_up_front(const phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  const double md = (double)cfg->m * (double)cfg->d;
  const int reduced = cfg->engine == PHSIM_ENGINE_ORDER || cfg->engine == PHSIM_ENGINE_FLOW;
  if (reduced && md > PHSIM_REDUCED_MAX_WEIGHTS && cfg->init_W[0] == '\0') {
    snprintf(err, PHSIM_ERR_MAX,
             "engine '%s' starts from (A, R) drawn directly when m d > %.0f (here %.0f): there "
             "is no W to report dL/dW for; allowed: smaller m d, or init_W",
             phsim_engine_name(cfg->engine), PHSIM_REDUCED_MAX_WEIGHTS, md);
    return PHSIM_EINPUT;
  }
  char what[160];
  snprintf(what, sizeof what, "grad with m = %zu, d = %zu (the engine and dL/dW)", cfg->m, cfg->d);
  return phsim_memory_check(phsim_config_memory_bytes(cfg) + 8.0 * md, what, err);
}

/* Wait for j's thread, polling the stop flag every 20 ms; 1 when stopped.
 * The thread's end wakes the wait: a small gradient returns in its own
 * time (a library caller makes thousands). */
static int wait_done(grad_job *j, char err[PHSIM_ERR_MAX]) {
  int stop = 0;
  pthread_mutex_lock(&j->lock);
  while (!j->done && !(stop = stopped(err, "before the gradient was computed"))) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 20000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&j->finished, &j->lock, &until);
  }
  pthread_mutex_unlock(&j->lock);
  return stop;
}

/* A gradient this small (about m^2 (m + d) <= 10^7 operations: under
 * 10 ms) is computed on the calling thread: a thread of its own, there to
 * keep a stop request answered during minutes of work at m = 4096, would
 * cost more than the gradient (a binding calls it thousands of times). */
static int cheap(const phsim_config *cfg) {
  const double m = (double)cfg->m, d = (double)cfg->d;
  return m * m * (m + d) <= 1e7 && cfg->engine != PHSIM_ENGINE_SAMPLED;
}

/* The job under way: on a stop the thread keeps it until the process
 * ends, so it lives on the heap and stays reachable from here (one per
 * calling thread: grads on different threads do not share it). */
static _Thread_local grad_job *running;

int phsim_grad_write(const phsim_config *cfg, FILE *out, char err[PHSIM_ERR_MAX]) {
  int st = refuse_up_front(cfg, err);
  if (st != PHSIM_OK) return st;
  grad_job *j = calloc(1, sizeof *j);
  if (j == NULL) return PHSIM_ENOMEM;
  j->cfg = cfg;
  pthread_mutex_init(&j->lock, NULL);
  pthread_cond_init(&j->finished, NULL);
  j->engine = phsim_engine_alloc(cfg);
  j->rng = phsim_config_rng(cfg);
  j->gW = gsl_matrix_alloc(cfg->m, cfg->d);
  j->gE = gsl_matrix_alloc(cfg->m, cfg->m);
  running = j;
  pthread_t th;
  if (cheap(cfg) || pthread_create(&th, NULL, compute, j) != 0) compute(j);
  else {
    if (wait_done(j, err)) return PHSIM_EINTR; /* the thread dies with us */
    pthread_join(th, NULL);
  }
  st = j->status;
  if (st != PHSIM_OK) snprintf(err, PHSIM_ERR_MAX, "%s", j->err);
  else st = put_json(j, out, err);
  gsl_matrix_free(j->gW);
  gsl_matrix_free(j->gE);
  gsl_rng_free(j->rng);
  phsim_engine_free(j->engine);
  pthread_cond_destroy(&j->finished);
  pthread_mutex_destroy(&j->lock);
  free(j);
  running = NULL;
  return st;
}
