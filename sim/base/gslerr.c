/* gslerr.c: GSL's error handler off, once (phsim_gslerr.h). */
#include "phsim_gslerr.h"

#include <pthread.h>

#include <gsl/gsl_errno.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void switch_off(void) { gsl_set_error_handler_off(); }

void phsim_gsl_errors_off(void) { pthread_once(&once, switch_off); }
