/* initial.c: the initial state's files (phsim_initial.h). */
#include "phsim_initial.h"

#include <stdio.h>

#include "phsim_io.h"

/* Read an init file (NULL when path is empty); with unit_diagonal, every
 * E_jj must be 1. */
static int read_file(const char *key, const char *path, size_t rows,
                     size_t cols, int unit_diagonal, gsl_matrix **out,
                     char err[PHSIM_ERR_MAX]) {
  *out = NULL;
  if (path[0] == '\0') return PHSIM_OK;
  gsl_matrix *A = NULL;
  char msg[PHSIM_ERR_MAX];
  int st = phsim_matrix_read(path, rows, cols, &A, msg);
  if (st != PHSIM_OK)
    snprintf(err, PHSIM_ERR_MAX, "key '%s': %.400s", key, msg);
  for (size_t j = 0; st == PHSIM_OK && unit_diagonal && j < rows; j++)
    if (gsl_matrix_get(A, j, j) != 1.0) {
      snprintf(err, PHSIM_ERR_MAX,
               "key '%s': file '%.200s' has E_%zu%zu = %.17g with head = offdiag; allowed: "
               "1 on the diagonal (offdiag trains the off-diagonal entries of a head whose "
               "diagonal is the identity's), or head = full or fixed",
               key, path, j + 1, j + 1, gsl_matrix_get(A, j, j));
      st = PHSIM_EINPUT;
    }
  if (st == PHSIM_OK) *out = A;
  else gsl_matrix_free(A);
  return st;
}

int phsim_initial_read(const phsim_config *cfg, phsim_initial *init,
                       char err[PHSIM_ERR_MAX]) {
  init->W = init->E = NULL;
  int st = read_file("init_W", cfg->init_W, cfg->m, cfg->d, 0, &init->W, err);
  if (st == PHSIM_OK)
    st = read_file("init_E", cfg->init_E, cfg->m, cfg->m,
                   cfg->head == PHSIM_HEAD_OFFDIAG, &init->E, err);
  if (st != PHSIM_OK) phsim_initial_free(init);
  return st;
}

void phsim_initial_free(phsim_initial *init) {
  gsl_matrix_free(init->W);
  gsl_matrix_free(init->E);
  init->W = init->E = NULL;
}
