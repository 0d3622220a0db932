/* example.c: phsim as a library (phsim.h).  A run of the reduced engine at
 * d = 1000 on the teach preset: a few of its logged rows as they come, then
 * what its summary says.
 *
 *   make example && build/example
 *   cc example.c $(pkg-config --cflags --libs phsim)   (installed) */
#include <stdio.h>

#include "phsim.h"

/* Every logged row passes here (4 a decade of steps); print one a decade. */
static void on_row(void *ctx, const phsim_row *row) {
  size_t *rows = ctx;
  if ((*rows)++ % 4 != 0) return;
  printf("step %7lu  loss %.6f  cos(w_1, v_1) %+.4f  cos(w_2, v_2) %+.4f  E_12 %+.4f\n",
         row->step, row->loss, row->cos[0], row->cos[row->K + 1], row->E[1]);
}

int main(void) {
  static const char *const settings[][2] = {
      {"engine", "order"}, {"d", "1000"}, {"steps", "400000"}, {"log_per_decade", "4"}};
  char err[PHSIM_ERR_MAX];
  printf("phsim %s (commit %s)\n", phsim_version(), phsim_commit());
  phsim_setup *s = phsim_setup_alloc();
  if (s == NULL) return PHSIM_ENOMEM;
  int st = PHSIM_OK;
  for (size_t i = 0; i < sizeof settings / sizeof settings[0] && st == PHSIM_OK; i++)
    st = phsim_setup_set(s, settings[i][0], settings[i][1], err);
  size_t rows = 0;
  phsim_summary sum;
  if (st == PHSIM_OK) st = phsim_setup_run(s, NULL, on_row, &rows, &sum, err);
  if (st == PHSIM_OK || st == PHSIM_ENUM) {
    printf("%zu rows; status %s; features learned %zu of %zu (outcome %s); T1 %ld, T2 %ld "
           "(-1: not reached)\n",
           rows, phsim_summary_status_name(sum.status), sum.features_learned, sum.cfg.K,
           sum.outcome, sum.phases.T1, sum.phases.T2);
    phsim_summary_free(&sum);
  } else {
    fprintf(stderr, "example: %s\n", err);
  }
  phsim_setup_free(s);
  return st;
}
