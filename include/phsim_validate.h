/* phsim_validate.h: is a configuration one phsim can run?  The cross-key
 * rules (Pf <= P, K <= d, pi sums to 1, the moments' range, the engines'
 * limits), the memory a run needs against what the machine has, and the
 * init files (read, shape-checked, finite).  Run once after every
 * assignment and before any work; messages name the key, the value and
 * what is allowed. */
#ifndef PHSIM_VALIDATE_H
#define PHSIM_VALIDATE_H

#include "phsim_config.h"
#include "phsim_initial.h"

/* Cross-key checks (Pf <= P, K <= d, pi sums to 1, memory, files), run once
 * after every assignment and before any work.  The init files are read as
 * a check (phsim_config_validate_initial keeps them). */
int phsim_config_validate(const phsim_config *cfg, char err[PHSIM_ERR_MAX]);
/* The same without reading the init files. */
int phsim_config_validate_keys(const phsim_config *cfg, char err[PHSIM_ERR_MAX]);
/* Bytes a run of cfg holds at most (W and its copies, the m x m matrices,
 * the sampled engine's batch): what validate checks against the memory
 * the system has available. */
double phsim_config_memory_bytes(const phsim_config *cfg);
/* The cross-key checks alone, without the memory of this machine and the
 * init files: for configurations read back from results. */
int phsim_config_check(const phsim_config *cfg, char err[PHSIM_ERR_MAX]);

/* phsim_config_validate, keeping the matrices it read in init (empty on
 * an error; the caller frees it). */
int phsim_config_validate_initial(const phsim_config *cfg, phsim_initial *init,
                                  char err[PHSIM_ERR_MAX]);

#endif
