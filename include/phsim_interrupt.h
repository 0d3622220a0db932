/* phsim_interrupt.h: SIGINT / SIGTERM ask a run or a sweep to stop at the
 * next logged step; what is complete is kept and marked "interrupted". */
#ifndef PHSIM_INTERRUPT_H
#define PHSIM_INTERRUPT_H

/* Install the handlers (idempotent). */
void phsim_interrupt_install(void);
/* Has a stop been requested? */
int phsim_interrupted(void);
/* The signal received (0 if none). */
int phsim_interrupt_signal(void);

#endif
