/* data.c: the patch data generator. */
#include "phsim_data.h"

#include <stdlib.h>
#include <string.h>

#include "phsim_philox.h"

phsim_batch *phsim_batch_alloc(size_t N, size_t P, size_t d) {
  phsim_batch *b = calloc(1, sizeof *b);
  if (b == NULL) return NULL;
  b->N = N;
  b->P = P;
  b->d = d;
  b->X = d > 0 ? gsl_matrix_alloc(N * P, d) : NULL;
  b->in_view1 = malloc(N * P);
  b->is_feature = malloc(N * P);
  b->label = malloc(N * sizeof *b->label);
  b->sign = malloc(N * sizeof *b->sign);
  b->amp = malloc(N * sizeof *b->amp);
  b->idx = malloc(P * sizeof *b->idx);
  return b;
}

phsim_batch *phsim_batch_alloc_streamed(size_t N, size_t P, size_t Pf, size_t d) {
  if (Pf >= P || N == 0 || d == 0) return NULL;
  phsim_batch *b = phsim_batch_alloc(N, P, 0);
  if (b == NULL) return NULL;
  b->d = d;
  b->X = gsl_matrix_alloc(N * (P - Pf), d);
  b->xrow = malloc(N * P * sizeof *b->xrow);
  b->xpatch = malloc(N * (P - Pf) * sizeof *b->xpatch);
  if (b->xrow == NULL || b->xpatch == NULL || b->X == NULL) {
    phsim_batch_free(b);
    return NULL;
  }
  return b;
}

void phsim_batch_free(phsim_batch *b) {
  if (b == NULL) return;
  if (b->X != NULL) gsl_matrix_free(b->X);
  free(b->xrow);
  free(b->xpatch);
  free(b->in_view1);
  free(b->is_feature);
  free(b->label);
  free(b->sign);
  free(b->amp);
  free(b->idx);
  free(b);
}

/* A sample's words, read 16 bits at a time where 16 bits suffice. */
typedef struct {
  phsim_philox g;
  uint32_t w;     /* the current word's unread half */
  unsigned left;  /* halves left in w */
} sample_bits;

static uint32_t half16(sample_bits *s) {
  if (s->left == 0) {
    s->w = phsim_philox_u32(&s->g);
    s->left = 2;
  }
  s->left--;
  const uint32_t h = s->w & 0xffffu;
  s->w >>= 16;
  return h;
}

/* Uniform on {0, ..., n-1}, exactly: Lemire's multiply with rejection on
 * 16 bits for n <= 2^16, else on a word. */
static uint32_t below(sample_bits *s, uint32_t n) {
  if (n > 0x10000u) return phsim_philox_below(&s->g, n);
  uint32_t prod = half16(s) * n;
  if ((prod & 0xffffu) < n) {
    const uint32_t threshold = (0x10000u - n) % n; /* 2^16 mod n */
    while ((prod & 0xffffu) < threshold) prod = half16(s) * n;
  }
  return prod >> 16;
}

/* flags[0..P) = 1 on a uniform subset of k of the P entries: partial
 * Fisher-Yates over idx (any permutation of 0..P-1 on entry) for the smaller
 * of the subset and its complement. */
static void uniform_subset(sample_bits *s, size_t P, size_t k, uint32_t *idx,
                           unsigned char *flags) {
  const int complement = 2 * k > P;
  const size_t draws = complement ? P - k : k;
  memset(flags, complement, P);
  for (size_t j = 0; j < draws; j++) {
    const size_t t = j + below(s, (uint32_t)(P - j));
    const uint32_t c = idx[t];
    idx[t] = idx[j];
    idx[j] = c;
    flags[c] = (unsigned char)!complement;
  }
}

/* The label: the first l with u < pi_0 + ... + pi_l (u uniform on [0, sum)). */
static size_t draw_label(phsim_philox *g, const double *cum, size_t K) {
  if (K == 1) return 0;
  const double u = phsim_philox_uniform(g) * cum[K - 1];
  size_t l = 0;
  while (l + 1 < K && !(u < cum[l])) l++;
  return l;
}

static void bernoulli_mask(phsim_philox *g, size_t P, unsigned char *view) {
  uint32_t w = 0;
  for (size_t p = 0; p < P; p++) {
    if (p % 32 == 0) w = phsim_philox_u32(g);
    view[p] = (unsigned char)(w & 1u);
    w >>= 1;
  }
}

void phsim_batch_draw_structure(phsim_batch *b, const phsim_config *cfg,
                                uint64_t draw) {
  const size_t P = b->P, K = cfg->K;
  double cum[PHSIM_MAX_K], acc = 0.0;
  for (size_t l = 0; l < K; l++) cum[l] = acc += cfg->pi[l];
  uint32_t *idx = b->idx; /* from the identity at every draw */
  for (size_t p = 0; p < P; p++) idx[p] = (uint32_t)p;
  for (size_t i = 0; i < b->N; i++) {
    sample_bits sb = {.left = 0};
    phsim_philox_init(&sb.g, cfg->seed, PHSIM_STREAM_STRUCTURE, draw, i);
    b->label[i] = draw_label(&sb.g, cum, K);
    b->sign[i] = (half16(&sb) & 1u) ? 1 : -1;
    b->amp[i] = b->sign[i] * cfg->alpha[b->label[i]];
    uniform_subset(&sb, P, cfg->Pf, idx, b->is_feature + i * P);
    unsigned char *view = b->in_view1 + i * P;
    if (cfg->mask == PHSIM_MASK_HALF) uniform_subset(&sb, P, P / 2, idx, view);
    else bernoulli_mask(&sb.g, P, view);
  }
}

void phsim_noise_project(phsim_noise noise, size_t K, double *x) {
  if (noise == PHSIM_NOISE_ORTHOGONAL) memset(x, 0, K * sizeof *x);
}

void phsim_batch_fill_row(const phsim_batch *b, const phsim_config *cfg,
                          uint64_t draw, size_t row, double *x) {
  const size_t d = b->d;
  if (b->is_feature[row]) {
    const size_t i = row / b->P;
    memset(x, 0, d * sizeof *x);
    x[b->label[i]] = b->amp[i];
    return;
  }
  /* Orthogonal noise: Pi g has zeros on the K feature coordinates and
   * independent N(0, sigma^2) on the others, so only those are drawn. */
  const size_t k0 = cfg->noise == PHSIM_NOISE_ORTHOGONAL ? cfg->K : 0;
  phsim_philox g;
  phsim_philox_init(&g, cfg->seed, PHSIM_STREAM_NOISE, draw, row);
  memset(x, 0, k0 * sizeof *x);
  phsim_philox_normals(&g, cfg->sigma, d - k0, x + k0);
}

/* xrow and xpatch for the drawn masks: the noise patches in view 1, then
 * the others, each in row order. */
static void stream_order(phsim_batch *b) {
  size_t q = 0;
  for (int view1 = 1; view1 >= 0; view1--)
    for (size_t row = 0; row < b->N * b->P; row++)
      if (!b->is_feature[row] && (b->in_view1[row] != 0) == view1) {
        b->xrow[row] = q;
        b->xpatch[q++] = row;
      }
}

void phsim_batch_fill_patches(phsim_batch *b, const phsim_config *cfg,
                              uint64_t draw) {
  if (b->xrow == NULL) {
    for (size_t row = 0; row < b->N * b->P; row++)
      phsim_batch_fill_row(b, cfg, draw, row, gsl_matrix_ptr(b->X, row, 0));
    return;
  }
  stream_order(b);
  for (size_t q = 0; q < b->X->size1; q++)
    phsim_batch_fill_row(b, cfg, draw, b->xpatch[q], gsl_matrix_ptr(b->X, q, 0));
}

void phsim_batch_draw(phsim_batch *b, const phsim_config *cfg, uint64_t draw) {
  phsim_batch_draw_structure(b, cfg, draw);
  phsim_batch_fill_patches(b, cfg, draw);
}
