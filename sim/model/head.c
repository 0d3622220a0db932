/* head.c: the prediction head's rules (phsim_head.h). */
#include "phsim_head.h"

#include <math.h>

void phsim_head_init(const gsl_matrix *E0, gsl_matrix *E) {
  if (E0 == NULL) gsl_matrix_set_identity(E);
  else gsl_matrix_memcpy(E, E0);
}

int phsim_head_trains(phsim_head head, size_t i, size_t j) {
  return head == PHSIM_HEAD_FULL || (head == PHSIM_HEAD_OFFDIAG && i != j);
}

void phsim_head_step(phsim_head head, double eta_E, const gsl_matrix *gE,
                     gsl_matrix *E) {
  if (head == PHSIM_HEAD_FIXED) return;
  for (size_t i = 0; i < E->size1; i++)
    for (size_t j = 0; j < E->size2; j++)
      if (phsim_head_trains(head, i, j))
        *gsl_matrix_ptr(E, i, j) -= eta_E * gsl_matrix_get(gE, i, j);
}

void phsim_head_peak_update(phsim_head_peak *peak, unsigned long step,
                            const gsl_matrix *E) {
  for (size_t i = 0; i < E->size1; i++)
    for (size_t j = 0; j < E->size2; j++) {
      double x = fabs(gsl_matrix_get(E, i, j) - (i == j ? 1.0 : 0.0));
      if (x > peak->value) {
        peak->value = x;
        peak->step = step;
      }
    }
}

double phsim_E_minus_I(const gsl_matrix *E) {
  double acc = 0.0;
  for (size_t i = 0; i < E->size1; i++)
    for (size_t j = 0; j < E->size2; j++) {
      double x = gsl_matrix_get(E, i, j) - (i == j ? 1.0 : 0.0);
      acc += x * x;
    }
  return sqrt(acc);
}
