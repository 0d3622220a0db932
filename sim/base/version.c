/* version.c: the version and commit compiled in (phsim_version.h).  The
 * Makefile writes build/phsim_build.h (PHSIM_VERSION_STRING,
 * PHSIM_COMMIT_STRING) and rewrites it only when they change, so a new
 * commit rebuilds this file alone. */
#include "phsim_version.h"

#include "phsim_build.h"

const char *phsim_version(void) { return PHSIM_VERSION_STRING; }
const char *phsim_commit(void) { return PHSIM_COMMIT_STRING; }
