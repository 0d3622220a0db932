/* phsim_version.h: which phsim this is.  The version is the project's
 * release number (Makefile: VERSION); the commit is the git commit the
 * build was made from, with "-dirty" when the work tree had changes, or
 * "unknown" outside a git checkout.  Both are fixed at build time. */
#ifndef PHSIM_VERSION_H
#define PHSIM_VERSION_H

const char *phsim_version(void);
const char *phsim_commit(void);

#endif
