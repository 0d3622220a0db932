/* slots.c: computation slots and their watchdog (slots.h). */
#define _POSIX_C_SOURCE 200809L
#include "slots.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "phsim_interrupt.h"

/* How often the watchdog looks, in seconds. */
#define WATCH_PERIOD 0.02

struct serve_slot {
  int busy;
  int fd;
  struct timespec deadline;
  volatile int stop; /* SLOT_*: the computing thread watches it */
};

struct serve_slots {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t watchdog;
  int quit;   /* the watchdog ends */
  int halted; /* no computation any more */
  unsigned n;
  serve_slot *slot;
};

/* Has the peer closed its end (or reset it)?  A request's bytes are read
 * already: an orderly close reads as 0 bytes. */
static int peer_gone(int fd) {
  char c;
  ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* t + seconds. */
static void advance(struct timespec *t, double seconds) {
  double whole = (double)(long)seconds;
  t->tv_sec += (time_t)whole;
  t->tv_nsec += (long)((seconds - whole) * 1e9);
  if (t->tv_nsec >= 1000000000L) {
    t->tv_sec++;
    t->tv_nsec -= 1000000000L;
  }
}

static int later(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec : a->tv_nsec > b->tv_nsec;
}

static void watch_slots(serve_slots *s) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  for (unsigned i = 0; i < s->n; i++) {
    serve_slot *t = &s->slot[i];
    if (!t->busy || t->stop != SLOT_RUNNING) continue;
    if (later(&now, &t->deadline)) t->stop = SLOT_TIME_UP;
    else if (peer_gone(t->fd)) t->stop = SLOT_CLIENT_GONE;
  }
}

static void *watchdog(void *arg) {
  serve_slots *s = arg;
  pthread_mutex_lock(&s->lock);
  while (!s->quit) {
    watch_slots(s);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    advance(&until, WATCH_PERIOD);
    pthread_cond_timedwait(&s->wake, &s->lock, &until);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

serve_slots *serve_slots_alloc(unsigned n) {
  serve_slots *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  s->n = n;
  s->slot = calloc(n, sizeof *s->slot);
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->wake, NULL);
  if (s->slot == NULL || pthread_create(&s->watchdog, NULL, watchdog, s) != 0) {
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s->slot);
    free(s);
    return NULL;
  }
  return s;
}

void serve_slots_free(serve_slots *s) {
  if (s == NULL) return;
  pthread_mutex_lock(&s->lock);
  s->quit = 1;
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
  pthread_join(s->watchdog, NULL);
  pthread_cond_destroy(&s->wake);
  pthread_mutex_destroy(&s->lock);
  free(s->slot);
  free(s);
}

void serve_slots_halt(serve_slots *s) {
  pthread_mutex_lock(&s->lock);
  s->halted = 1;
  for (unsigned i = 0; i < s->n; i++)
    if (s->slot[i].busy) s->slot[i].stop = SLOT_HALTED;
  pthread_mutex_unlock(&s->lock);
}

serve_slot *serve_slot_take(serve_slots *s, int fd, double seconds) {
  serve_slot *t = NULL;
  pthread_mutex_lock(&s->lock);
  for (unsigned i = 0; i < s->n && t == NULL && !s->halted; i++)
    if (!s->slot[i].busy) t = &s->slot[i];
  if (t != NULL) {
    t->busy = 1;
    t->fd = fd;
    t->stop = SLOT_RUNNING;
    clock_gettime(CLOCK_MONOTONIC, &t->deadline);
    advance(&t->deadline, seconds);
    phsim_interrupt_watch(&t->stop);
  }
  pthread_mutex_unlock(&s->lock);
  return t;
}

unsigned serve_slots_taken(serve_slots *s) {
  unsigned n = 0;
  pthread_mutex_lock(&s->lock);
  for (unsigned i = 0; i < s->n; i++) n += s->slot[i].busy != 0;
  pthread_mutex_unlock(&s->lock);
  return n;
}

int serve_slot_state(const serve_slot *slot) { return slot->stop; }

void serve_slot_give(serve_slots *s, serve_slot *slot) {
  phsim_interrupt_watch(NULL);
  pthread_mutex_lock(&s->lock);
  slot->busy = 0;
  pthread_mutex_unlock(&s->lock);
}
