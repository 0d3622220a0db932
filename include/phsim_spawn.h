/* phsim_spawn.h: child processes without a shell.
 *
 * phsim never builds a command string: a child is started by fork and
 * execvp with an argument vector, so no byte of a path or of any other
 * datum is ever parsed by /bin/sh.  While the child runs, the parent polls
 * the stop flag (SIGINT / SIGTERM, phsim_interrupt.h) every 20 ms; when it
 * is set the child is sent SIGTERM (SIGKILL a second later if it is still
 * there) and reaped. */
#ifndef PHSIM_SPAWN_H
#define PHSIM_SPAWN_H

#include "phsim_config.h"

/* Run argv[0] (looked up in PATH) with argv, in directory cwd (NULL: the
 * current one), standard input from /dev/null, standard output and error
 * inherited.  Returns PHSIM_OK when it exits with status 0; PHSIM_EINTR when
 * the stop flag ended it; PHSIM_EIO with a message naming the program
 * otherwise (could not start, exit status, or signal). */
int phsim_spawn(const char *const argv[], const char *cwd,
                char err[PHSIM_ERR_MAX]);

#endif
