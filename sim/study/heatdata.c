/* heatdata.c: the heat maps' cells: per facet and (x, y) cell the mean
 * of a metric over the flow-faithful runs (plotdata.h). */
#include "plotdata.h"

#include <math.h>
#include <stdlib.h>

/* The facet (combination of the values of the third and later keys) of
 * point idx, and the number of facets. */
size_t phsim_facet_of(const sweep_data *d, size_t idx, size_t *nf) {
  size_t facet = 0;
  *nf = 1;
  for (size_t k = 2; k < d->nkeys; k++) {
    const phsim_grid *g = &d->s.grids[d->key[k]];
    facet = facet * g->n + phsim_sweep_value_index(&d->s, idx, d->key[k]);
    *nf *= g->n;
  }
  return facet;
}


int phsim_heat_cells_fill(heat_cells *hc, const sweep_data *d, const heat_metric *hm,
                          size_t nf) {
  const phsim_grid *gx = &d->s.grids[d->key[0]], *gy = &d->s.grids[d->key[1]];
  const size_t ncells = gx->n * gy->n * nf;
  *hc = (heat_cells){calloc(ncells, sizeof(double)), calloc(ncells, sizeof(double)),
                     calloc(ncells, sizeof(double)), calloc(ncells, sizeof(double))};
  if (!hc->sum || !hc->cnt || !hc->tot || !hc->unf) return PHSIM_ENOMEM;
  for (size_t r = 0; r < d->nrows; r++) {
    const sweep_row *row = &d->rows[r];
    double v = hm->T3 ? row->v[M_T3] : row->features;
    size_t f = phsim_facet_of(d, row->idx, &nf);
    size_t cell = (f * gx->n + phsim_sweep_value_index(&d->s, row->idx, d->key[0])) * gy->n +
                  phsim_sweep_value_index(&d->s, row->idx, d->key[1]);
    if (!row->ok) continue;
    if (row->faithful == 0) { hc->unf[cell] += 1; continue; }
    hc->tot[cell] += 1;
    if (isnan(v) || (hm->logscale && !(v > 0))) continue;
    hc->sum[cell] += hm->logscale ? log10(v) : v;
    hc->cnt[cell] += 1;
  }
  return PHSIM_OK;
}

void phsim_heat_cells_free(heat_cells *hc) {
  free(hc->sum), free(hc->cnt), free(hc->tot), free(hc->unf);
}

void phsim_heat_range(const heat_cells *hc, size_t ncells, double *lo, double *hi) {
  double a = INFINITY, b = -INFINITY;
  for (size_t c = 0; c < ncells; c++)
    if (hc->cnt[c] > 0) a = fmin(a, hc->sum[c] / hc->cnt[c]), b = fmax(b, hc->sum[c] / hc->cnt[c]);
  *lo = a < b ? a : a - 0.5;
  *hi = a < b ? b : b + 0.5;
}
