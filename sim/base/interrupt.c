/* interrupt.c: a flag set by SIGINT / SIGTERM, and a caller's own stop
 * flag watched by the calling thread. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t received = 0;

static void on_signal(int sig) { received = sig; }

void phsim_interrupt_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* Thread-local: a library caller's run polls its own flag, not another
 * thread's. */
static _Thread_local const volatile int *watched = NULL;

void phsim_interrupt_watch(const volatile int *flag) { watched = flag; }

const volatile int *phsim_interrupt_watched(void) { return watched; }

int phsim_interrupted(void) { return received != 0 || (watched != NULL && *watched != 0); }

int phsim_interrupt_signal(void) { return (int)received; }

const char *phsim_interrupt_cause(void) {
  if (received == SIGINT) return "SIGINT";
  if (received == SIGTERM) return "SIGTERM";
  return "a stop request";
}
