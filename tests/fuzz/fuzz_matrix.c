/* fuzz_matrix.c: libFuzzer harness for the matrix-file reader (init_W,
 * init_E).  The first two bytes choose the expected shape (1..8 rows,
 * 1..8 columns); the rest is the file. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_matrix.h>

#include "phsim_io.h"

int phsim_fuzz_matrix(const uint8_t *data, size_t size) {
  if (size < 3) return 0;
  const size_t rows = 1 + data[0] % 8, cols = 1 + data[1] % 8;
  FILE *fp = fmemopen((void *)(data + 2), size - 2, "r");
  if (fp == NULL) return 0;
  gsl_matrix *A = NULL;
  char err[PHSIM_ERR_MAX];
  if (phsim_matrix_read_stream(fp, "fuzz.txt", rows, cols, &A, err) == PHSIM_OK)
    gsl_matrix_free(A);
  fclose(fp);
  return 0;
}

#ifndef PHSIM_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return phsim_fuzz_matrix(data, size);
}
#endif
