/* phsim_interrupt.h: SIGINT / SIGTERM ask a run or a sweep to stop at the
 * next logged step; what is complete is kept and marked "interrupted". */
#ifndef PHSIM_INTERRUPT_H
#define PHSIM_INTERRUPT_H

/* Install the handlers (idempotent). */
void phsim_interrupt_install(void);
/* Also stop the calling thread's work when *flag becomes nonzero (NULL:
 * watch nothing); a library caller's cancel button.  Per thread. */
void phsim_interrupt_watch(const volatile int *flag);
/* The calling thread's watched flag (NULL: none): a sweep's workers watch
 * their caller's. */
const volatile int *phsim_interrupt_watched(void);
/* Has a stop been requested (a signal, or the thread's watched flag)? */
int phsim_interrupted(void);
/* What asked to stop, for messages: "SIGINT", "SIGTERM", or "a stop
 * request" (the thread's watched flag). */
const char *phsim_interrupt_cause(void);
/* The signal received (0 if none). */
int phsim_interrupt_signal(void);

#endif
