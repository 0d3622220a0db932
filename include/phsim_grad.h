/* phsim_grad.h: `phsim grad`, the loss, rho and the gradients at the
 * initial state, as JSON.
 *
 * The computation runs on a thread of its own while the calling thread
 * polls the stop flag every 20 ms: with a large m the closed form takes
 * minutes (O(m^3)), and SIGINT / SIGTERM still end grad within a second
 * (PHSIM_EINTR, nothing written).  The output is streamed row by row
 * (reals as jansson writes them with 17 digits), so that a large m x d
 * gradient never exists twice in memory; the stop flag is polled between
 * rows too. */
#ifndef PHSIM_GRAD_H
#define PHSIM_GRAD_H

#include <stdio.h>

#include "phsim_config.h"

/* Write {"loss", "rho", "grad_W", "grad_E"} for cfg (validated) to out.
 * Refuses up front (PHSIM_EINPUT) what cannot be computed or held: a reduced
 * engine started from (A, R) (m d beyond PHSIM_ORDER_MAX_WEIGHTS, no
 * init_W: there is no W), or dL/dW beyond the memory available. */
int phsim_grad_write(const phsim_config *cfg, FILE *out, char err[PHSIM_ERR_MAX]);

#endif
