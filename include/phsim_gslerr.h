/* phsim_gslerr.h: GSL's error handler, switched off once for the process.
 *
 * GSL reports a failure two ways: by the status its function returns, and
 * by calling its error handler first, whose default aborts the program
 * (SIGABRT, exit 134).  Some failures come from the data a run meets: a
 * Francis QR iteration that does not converge (gsl_eigen_nonsymm on a
 * stiffness Jacobian with entries near 1e100), a Cholesky factor of a
 * matrix that is not positive definite.  phsim checks the status of every
 * GSL call that can fail so and turns it into its own (a numerical fault:
 * PHSIM_ENUM, exit 4, or an undefined measure), so it switches the handler
 * off before its first such call: phsim_gsl_errors_off, called by every
 * module that makes one when it allocates.  The handler is process-wide
 * state, set once (pthread_once, so threads never race on it); a program
 * that links libphsim and wants GSL's abort back sets its own handler
 * after phsim's first allocation. */
#ifndef PHSIM_GSLERR_H
#define PHSIM_GSLERR_H

void phsim_gsl_errors_off(void);

#endif
