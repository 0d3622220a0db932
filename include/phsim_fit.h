/* phsim_fit.h: least-squares fits of one CSV column against another
 * (gsl_fit_linear), optionally in log-log, over the rows that pass filters:
 * the exponents of the scaling experiments. */
#ifndef PHSIM_FIT_H
#define PHSIM_FIT_H

#include <stddef.h>

#include "phsim_config.h"

typedef struct {
  double slope, intercept, slope_se, r2;
  size_t n;          /* rows used */
  size_t skipped;    /* rows filtered in but with an empty / non-positive
                        (log) value */
} phsim_fit_result;

/* filters: "col=value" (string equality), "col>=x" or "col<=x" (numeric),
 * nfilters of them. */
int phsim_fit_csv(const char *path, const char *xcol, const char *ycol,
                  int loglog, const char *const *filters, size_t nfilters,
                  phsim_fit_result *res, char err[PHSIM_ERR_MAX]);

#endif
