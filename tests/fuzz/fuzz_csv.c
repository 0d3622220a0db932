/* fuzz_csv.c: libFuzzer harness for the CSV reader (phsim_csv), alone when
 * the first byte is even, else as the sweep-table reader (phsim_sweep_table)
 * against a small sweep of seed x head x eta_E; the rest is the file. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "phsim_csv.h"
#include "phsim_sweepio.h"

static int small_sweep(phsim_sweep *s) {
  char err[PHSIM_ERR_MAX];
  static const char *const grids[] = {"seed=1:2:2", "head=offdiag,fixed", "eta_E=0.05,0.1"};
  memset(s, 0, sizeof *s);
  phsim_config_default(&s->base);
  s->shard_i = s->shard_n = 1;
  for (size_t k = 0; k < 3; k++) {
    if (phsim_grid_parse(grids[k], &s->base, &s->grids[k], err) != PHSIM_OK) return 0;
    s->ngrids++;
  }
  return phsim_sweep_check_grids(s, err) == PHSIM_OK;
}

int phsim_fuzz_csv(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  FILE *fp = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "r");
  if (fp == NULL) return 0;
  char err[PHSIM_ERR_MAX];
  if (data[0] % 2 == 0) {
    phsim_csv c;
    if (size > 1 && phsim_csv_open_stream(&c, fp, "fuzz.csv", err) == PHSIM_OK) {
      while (phsim_csv_next(&c, err) == 1)
        for (size_t i = 0; i < c.ncols; i++) (void)strlen(c.field[i]);
      phsim_csv_close(&c);
    }
  } else {
    phsim_sweep s;
    phsim_sweep_table t;
    if (small_sweep(&s) && size > 1 &&
        phsim_sweep_table_open_stream(&t, fp, "fuzz.csv", &s, 1 + data[0] / 2 % 2, 2, err) == PHSIM_OK) {
      while (phsim_sweep_table_next(&t, err) == 1)
        if (t.index >= s.npoints) __builtin_trap();
      phsim_sweep_table_close(&t);
    }
    phsim_sweep_free(&s);
  }
  fclose(fp);
  return 0;
}

#ifndef PHSIM_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return phsim_fuzz_csv(data, size);
}
#endif
