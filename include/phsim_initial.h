/* phsim_initial.h: the initial state's files, read once.
 *
 * init_W (m x d) and init_E (m x m) are read, shape-checked and checked for
 * finite entries by phsim_matrix_read (phsim_io.h); with head = offdiag every
 * E_jj must be 1 (the head mode trains only the off-diagonal).  They are
 * read once per run: phsim_config_validate_initial (phsim_validate.h) validates and keeps
 * them, the run (phsim_run_opts.initial) starts its engine and its twin
 * from them; a run given none reads them itself.  A sweep reads them when
 * it plans (a check before any work) and once in each point's run.  A field of NULL means "not given": W is drawn,
 * E is the identity. */
#ifndef PHSIM_INITIAL_H
#define PHSIM_INITIAL_H

#include <gsl/gsl_matrix.h>

#include "phsim_config.h"

typedef struct {
  gsl_matrix *W; /* m x d from init_W, or NULL: drawn */
  gsl_matrix *E; /* m x m from init_E, or NULL: the identity */
} phsim_initial;

/* Read cfg's init_W and init_E into init (the fields of unset keys NULL).
 * PHSIM_EINPUT / PHSIM_EIO with err naming the key; init is then empty. */
int phsim_initial_read(const phsim_config *cfg, phsim_initial *init,
                       char err[PHSIM_ERR_MAX]);
void phsim_initial_free(phsim_initial *init);


#endif
