/* phsim_sysmem.h: how much memory this process may use, asked of the
 * system, and checks of requests against it.
 *
 * Available: the system's free memory (sysconf(_SC_AVPHYS_PAGES) times the
 * page size), or MemAvailable of /proc/meminfo when that is larger (it also
 * counts caches the kernel can drop), capped by the cgroup's memory.max less
 * its memory.current (cgroup v2) and by RLIMIT_AS. */
#ifndef PHSIM_SYSMEM_H
#define PHSIM_SYSMEM_H

#include "phsim_config.h"

/* Bytes available (> 0), asked of the system at the first call. */
double phsim_memory_available(void);

/* PHSIM_OK if bytes fit in what is available; else PHSIM_EINPUT with
 * "WHAT need X GiB (B bytes); available: Y GiB; Z GiB too much" in err. */
int phsim_memory_check(double bytes, const char *what, char err[PHSIM_ERR_MAX]);

#endif
