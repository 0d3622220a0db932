/* phsim_fit.h: least-squares fits of one CSV column against another
 * (gsl_fit_linear), optionally in log-log, over the rows that pass filters:
 * the exponents of the scaling experiments.  In log-log a second regressor
 * ln ln x can be added (gsl_multifit_linear_tsvd): ln y = a + b ln x + c ln ln x,
 * a power with a log factor x^b (ln x)^c, whose c and its standard error say
 * whether the data ask for the factor (the nested model without it is
 * c = 0). */
#ifndef PHSIM_FIT_H
#define PHSIM_FIT_H

#include <stddef.h>

#include "phsim_config.h"

/* flags */
#define PHSIM_FIT_LOGLOG 1 /* fit ln y on ln x (an exponent) */
#define PHSIM_FIT_LNLN 2   /* with LOGLOG: the term c ln ln x as well (rows
                              with x <= 1, where ln ln x is undefined, are
                              skipped) */

typedef struct {
  double slope, intercept, slope_se, r2;
  double lnln, lnln_se; /* c and its standard error (PHSIM_FIT_LNLN; else NAN) */
  size_t n;          /* rows used */
  size_t skipped;    /* rows filtered in but with an empty / non-positive
                        (log) value */
} phsim_fit_result;

/* filters: "col=value" (string equality), "col>=x" or "col<=x" (numeric),
 * nfilters of them; flags: PHSIM_FIT_*. */
int phsim_fit_csv(const char *path, const char *xcol, const char *ycol,
                  int flags, const char *const *filters, size_t nfilters,
                  phsim_fit_result *res, char err[PHSIM_ERR_MAX]);

#endif
