/* reduced_batch.c: many order-engine runs at once (phsim_reduced_batch.h).
 *
 * Every function below is the lane-wise image of one piece of
 * sim/model/popgrad.c (forward, backward) or sim/engines/reduced.c (the
 * step): the same expressions, with their operands in the same order and
 * the same association, in the same loop order wherever an entry is
 * accumulated, so that each lane rounds exactly as a single run does.
 * Products the single run forms on the fly from per-run constants (nu1 s6,
 * 2 kM1, ...) are formed once per lane here: the same product, the same
 * double.  The lane loops (EACH_LANE) have a constant trip count, no
 * branch, and lanes that never depend on each other (GCC ivdep: no alias
 * checks; unroll 1: kept as loops, which the vectoriser takes, rather than
 * unrolled into scalars first), so the compiler vectorises them.  GCC does
 * at -O2 only once sqrt need not set errno (the Makefile's -fno-math-errno
 * for this file: its value is the same, a negative D_j T_j is a fault
 * either way) and its cheapest cost model is relaxed (a vector loop
 * computes each lane exactly as the scalar one); nothing here changes a
 * rounding. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-tree-loop-distribute-patterns")
#endif
#include "phsim_reduced_batch.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "phsim_engine.h"
#include "phsim_turn.h"
#include "phsim_head.h"
#include "phsim_interrupt.h"
#include "phsim_popgrad.h"
#include "phsim_reduced_state.h"

#include "../base/kernel.h"

#define L PHSIM_BATCH_LANES
/* the loops over m and K: with m = K = 2 unrolled into straight code */
#define UNROLLED _Pragma("GCC unroll 4")
#define EACH_LANE(b) _Pragma("GCC ivdep") _Pragma("GCC unroll 1") for (size_t b = 0; b < L; b++)

typedef double lane[L];

/* One block of L lanes: every entry an array over the lanes. */
typedef struct {
  lane *A, *R, *E;               /* state: m x K, m x m, m x m (row-major) */
  lane *B, *Q, *M, *C, *EM;      /* forward: b = a^3, noise Gram, moments */
  lane *barM, *barQ, *S, *gA, *gE, *U, *tmp; /* backward and the step */
  lane *T, *N, *D, *rootDT, *rho, *gN, *gD;  /* m; rootDT: sqrt(D_j T_j) */
  lane *c;                                   /* K: c_l = pi_l alpha_l^6 */
  lane *kC, *kM1, *kM2, *kM1x2, *nu1s6, *nu2s6x15, *eta, *eta_E;
  lane *loss, *ok;               /* ok: 1 where the last eval is good */
  /* what engine.c records every step, per lane (steps held as doubles:
   * exact below 2^53) */
  lane *dx, *dnew;               /* the turn: the last step and this one, packed */
  lane *before, *rise, *rise_step, *turn, *turn_step, *peak, *peak_step;
  lane *live, *fault_step;       /* live: 1 while the lane advances */
  double **coord;                /* dim: phsim_reduced_pack's coordinates */
} block;

struct phsim_reduced_batch {
  size_t n, m, K, dim, nblocks;
  int have;                      /* the turn's history: 0, 1 or 2 states */
  double margin;                 /* PHSIM_TURN_MARGIN(dim) */
  phsim_head head;
  int isotropic, bn;
  block *blocks;
  unsigned char *trains;         /* m x m: phsim_head_trains, formed once */
  lane *arena;
  double **coords;               /* every block's coord */
};

int phsim_reduced_batch_accepts(const phsim_config *cfg) {
  return cfg->engine == PHSIM_ENGINE_ORDER && cfg->ema == 0.0 &&
         cfg->stopgrad == PHSIM_STOPGRAD_TRUE;
}

int phsim_reduced_batch_fits(const phsim_config *a, const phsim_config *b) {
  return phsim_reduced_batch_accepts(a) && phsim_reduced_batch_accepts(b) &&
         a->m == b->m && a->K == b->K && a->head == b->head &&
         a->noise == b->noise && a->norm == b->norm;
}

/* Lanes per block: the state, the work, the per-run constants, the
 * records. */
static size_t block_lanes(size_t m, size_t K, size_t dim) {
  return 3 * m * K + 12 * m * m + 7 * m + K + 10 + 2 * dim + 9;
}

static void block_carve(block *k, lane *p, size_t m, size_t K, size_t dim) {
  lane **mk[] = {&k->A, &k->B, &k->gA};
  lane **mm[] = {&k->R, &k->E, &k->Q, &k->M, &k->C, &k->EM, &k->barM,
                 &k->barQ, &k->S, &k->gE, &k->U, &k->tmp};
  lane **vm[] = {&k->T, &k->N, &k->D, &k->rootDT, &k->rho, &k->gN, &k->gD};
  lane **one[] = {&k->kC, &k->kM1, &k->kM2, &k->kM1x2, &k->nu1s6,
                  &k->nu2s6x15, &k->eta, &k->eta_E, &k->loss, &k->ok};
  for (size_t i = 0; i < 3; i++, p += m * K) *mk[i] = p;
  for (size_t i = 0; i < 12; i++, p += m * m) *mm[i] = p;
  for (size_t i = 0; i < 7; i++, p += m) *vm[i] = p;
  k->c = p;
  p += K;
  for (size_t i = 0; i < 10; i++, p++) *one[i] = p;
  lane **rec[] = {&k->before, &k->rise, &k->rise_step, &k->turn, &k->turn_step,
                  &k->peak, &k->peak_step, &k->live, &k->fault_step};
  k->dx = p;
  k->dnew = p + dim;
  p += 2 * dim;
  for (size_t i = 0; i < 9; i++, p++) *rec[i] = p;
}

/* k->coord: the lanes of A, R's upper triangle and E's trained entries, in
 * phsim_reduced_pack's order (the turn's coordinates). */
static void block_coords(block *k, size_t m, size_t K, phsim_head head) {
  size_t i = 0;
  for (size_t j = 0; j < m * K; j++) k->coord[i++] = k->A[j];
  for (size_t r = 0; r < m; r++)
    for (size_t s = r; s < m; s++) k->coord[i++] = k->R[r * m + s];
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++)
      if (phsim_head_trains(head, r, s)) k->coord[i++] = k->E[r * m + s];
}

/* Block k's per-run constants but c, in one order for the two below. */
enum { NCONST = 8 };
static void constant_lanes(const block *k, lane *out[NCONST]) {
  lane *const all[NCONST] = {k->kC, k->kM1, k->kM2, k->kM1x2, k->nu1s6, k->nu2s6x15, k->eta,
                             k->eta_E};
  for (size_t i = 0; i < NCONST; i++) out[i] = all[i];
}

/* Lane b of block k gets cfg's constants, as phsim_model_init forms them. */
static void lane_constants(block *k, size_t b, const phsim_config *cfg) {
  phsim_model model;
  phsim_model_init(&model, cfg);
  const phsim_view_moments *vm = &model.vm;
  const double v[NCONST] = {vm->kC, vm->kM1, vm->kM2, 2.0 * vm->kM1, vm->nu1 * model.s6,
                            vm->nu2 * model.s6 * 15.0, cfg->eta, cfg->eta_E};
  lane *to[NCONST];
  constant_lanes(k, to);
  for (size_t i = 0; i < NCONST; i++) to[i][0][b] = v[i];
  for (size_t l = 0; l < cfg->K; l++) k->c[l][b] = model.c[l];
}

/* Lane b of block k gets lane a of block j's constants. */
static void copy_constants(block *k, size_t b, const block *j, size_t a, size_t K) {
  lane *to[NCONST], *from[NCONST];
  constant_lanes(k, to);
  constant_lanes(j, from);
  for (size_t i = 0; i < NCONST; i++) to[i][0][b] = from[i][0][a];
  for (size_t l = 0; l < K; l++) k->c[l][b] = j->c[l][a];
}

phsim_reduced_batch *phsim_reduced_batch_alloc(const phsim_config *const *cfgs,
                                               size_t n) {
  phsim_reduced_batch *bt = calloc(1, sizeof *bt);
  if (bt == NULL || n == 0) {
    free(bt);
    return NULL;
  }
  const size_t m = cfgs[0]->m, K = cfgs[0]->K;
  const size_t dim = phsim_reduced_dim(m, K, cfgs[0]->head), per = block_lanes(m, K, dim);
  *bt = (phsim_reduced_batch){.n = n, .m = m, .K = K, .dim = dim,
                              .nblocks = (n + L - 1) / L,
                              .head = cfgs[0]->head,
                              .isotropic = cfgs[0]->noise == PHSIM_NOISE_ISOTROPIC,
                              .bn = cfgs[0]->norm == PHSIM_NORM_BN,
                              .margin = PHSIM_TURN_MARGIN(dim)};
  bt->blocks = calloc(bt->nblocks, sizeof *bt->blocks);
  bt->arena = calloc(bt->nblocks * per, sizeof *bt->arena);
  bt->coords = calloc(bt->nblocks * dim, sizeof *bt->coords);
  bt->trains = calloc(m * m, 1);
  if (bt->blocks == NULL || bt->arena == NULL || bt->coords == NULL || bt->trains == NULL) {
    phsim_reduced_batch_free(bt);
    return NULL;
  }
  for (size_t i = 0; i < m * m; i++) bt->trains[i] = phsim_head_trains(bt->head, i / m, i % m);
  for (size_t i = 0; i < bt->nblocks; i++) {
    block_carve(&bt->blocks[i], bt->arena + i * per, m, K, dim);
    bt->blocks[i].coord = bt->coords + i * dim;
    block_coords(&bt->blocks[i], m, K, bt->head);
  }
  /* Padding lanes repeat the last run's constants (their state stays 0:
   * faulted, never read); a lane of the same configuration as the lane
   * before copies its constants (the same doubles, without another
   * phsim_model_init). */
  for (size_t i = 0; i < bt->nblocks * L; i++) {
    const phsim_config *cfg = cfgs[i < n ? i : n - 1];
    if (i > 0 && cfg == cfgs[i - 1 < n ? i - 1 : n - 1])
      copy_constants(&bt->blocks[i / L], i % L, &bt->blocks[(i - 1) / L], (i - 1) % L, K);
    else
      lane_constants(&bt->blocks[i / L], i % L, cfg);
  }
  return bt;
}

void phsim_reduced_batch_free(phsim_reduced_batch *b) {
  if (b == NULL) return;
  free(b->blocks);
  free(b->arena);
  free(b->coords);
  free(b->trains);
  free(b);
}

size_t phsim_reduced_batch_size(const phsim_reduced_batch *b) { return b->n; }

void phsim_reduced_batch_load(phsim_reduced_batch *bt, size_t i,
                              const gsl_matrix *A, const gsl_matrix *R,
                              const gsl_matrix *E) {
  block *k = &bt->blocks[i / L];
  const size_t b = i % L, m = bt->m, K = bt->K;
  for (size_t r = 0; r < m; r++) {
    for (size_t l = 0; l < K; l++) k->A[r * K + l][b] = gsl_matrix_get(A, r, l);
    for (size_t s = 0; s < m; s++) {
      k->R[r * m + s][b] = gsl_matrix_get(R, r, s);
      k->E[r * m + s][b] = gsl_matrix_get(E, r, s);
    }
  }
}

void phsim_reduced_batch_store(const phsim_reduced_batch *bt, size_t i,
                               gsl_matrix *A, gsl_matrix *R, gsl_matrix *E) {
  const block *k = &bt->blocks[i / L];
  const size_t b = i % L, m = bt->m, K = bt->K;
  for (size_t r = 0; r < m; r++) {
    for (size_t l = 0; l < K; l++) gsl_matrix_set(A, r, l, k->A[r * K + l][b]);
    for (size_t s = 0; s < m; s++) {
      gsl_matrix_set(R, r, s, k->R[r * m + s][b]);
      gsl_matrix_set(E, r, s, k->E[r * m + s][b]);
    }
  }
}

void phsim_reduced_batch_load_packed(phsim_reduced_batch *bt, size_t i, const double *y,
                                     const gsl_matrix *E) {
  block *k = &bt->blocks[i / L];
  const size_t b = i % L, m = bt->m;
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) k->E[r * m + s][b] = gsl_matrix_get(E, r, s);
  for (size_t c = 0; c < bt->dim; c++) k->coord[c][b] = y[c];
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < r; s++) k->R[r * m + s][b] = k->R[s * m + r][b];
}

void phsim_reduced_batch_store_packed(const phsim_reduced_batch *bt, size_t i, double *y) {
  const block *k = &bt->blocks[i / L];
  for (size_t c = 0; c < bt->dim; c++) y[c] = k->coord[c][i % L];
}

int phsim_reduced_batch_faulted(const phsim_reduced_batch *b, size_t i) {
  return b->blocks[i / L].ok[0][i % L] != 1.0;
}

double phsim_reduced_batch_loss(const phsim_reduced_batch *b, size_t i) {
  return b->blocks[i / L].loss[0][i % L];
}

double phsim_reduced_batch_rho(const phsim_reduced_batch *b, size_t i, size_t j) {
  return b->blocks[i / L].rho[j][i % L];
}

/* ---- forward (popgrad.c: forward) ------------------------------------- */

/* out = sum_l c_l X_rl Y_sl, from 0.0, l ascending (feature_product). */
PHSIM_INLINE void feature_product(size_t K, const lane *c, const lane *X, size_t r,
                            const lane *Y, size_t s, double *restrict out) {
  EACH_LANE(b) out[b] = 0.0;
  UNROLLED for (size_t l = 0; l < K; l++)
    EACH_LANE(b) out[b] += c[l][b] * X[r * K + l][b] * Y[s * K + l][b];
}

/* The noise Gram Q: R itself for orthogonal noise, else k->Q. */
PHSIM_INLINE lane *noise_gram(const phsim_reduced_batch *bt, block *k) {
  return bt->isotropic ? k->Q : k->R;
}

/* B = A^3 entrywise, Q = R + A A^T for isotropic noise (noise_gram_entry),
 * then M, C and T (T_j from M_jj's feature product: the same sum). */
PHSIM_INLINE void forward_moments(const phsim_reduced_batch *bt, block *k, size_t m,
                                  size_t K) {
  const lane *restrict A = k->A, *restrict R = k->R;
  lane *restrict B = k->B, *restrict Q = noise_gram(bt, k), *restrict M = k->M;
  lane *restrict C = k->C, *restrict T = k->T;
  UNROLLED for (size_t i = 0; i < m * K; i++) EACH_LANE(b) B[i][b] = A[i][b] * A[i][b] * A[i][b];
  if (bt->isotropic)
    UNROLLED for (size_t r = 0; r < m; r++)
      UNROLLED for (size_t s = 0; s < m; s++) {
        EACH_LANE(b) Q[r * m + s][b] = R[r * m + s][b];
        UNROLLED for (size_t l = 0; l < K; l++)
          EACH_LANE(b) Q[r * m + s][b] += A[r * K + l][b] * A[s * K + l][b];
      }
  lane fp;
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t s = 0; s < m; s++) {
      const double *qrr = Q[r * m + r], *qss = Q[s * m + s], *qrs = Q[r * m + s];
      feature_product(K, k->c, B, r, B, s, fp);
      EACH_LANE(b) {
        const double noise = 9.0 * qrr[b] * qss[b] * qrs[b] +
                             6.0 * qrs[b] * qrs[b] * qrs[b];
        M[r * m + s][b] = k->kM1[0][b] * fp[b] + k->nu1s6[0][b] * noise;
      }
      /* the target is the online state (stop-gradient, no EMA): Bt = B */
      EACH_LANE(b) C[r * m + s][b] = k->kC[0][b] * fp[b];
      if (r == s)
        EACH_LANE(b)
        T[r][b] = k->kM2[0][b] * fp[b] + k->nu2s6x15[0][b] * qrr[b] * qrr[b] * qrr[b];
    }
}

/* EM = E M, N_j, D_j, rho_j, the loss, and which lanes are good: D_j, T_j
 * and D_j T_j within [DBL_MIN, DBL_MAX] (popgrad's tests, which say the
 * same), a finite loss within PHSIM_LOSS_EXPLODED (the engine's). */
PHSIM_INLINE void forward_correlations(const phsim_reduced_batch *bt, block *k, size_t m,
                                       size_t K) {
  (void)K;
  const lane *restrict E = k->E, *restrict M = k->M, *restrict C = k->C;
  lane *restrict EM = k->EM, *restrict N = k->N, *restrict D = k->D;
  lane *restrict rho = k->rho;
  double *restrict loss = k->loss[0], *restrict ok = k->ok[0];
  EACH_LANE(b) loss[b] = 0.0, ok[b] = 1.0;
  UNROLLED for (size_t j = 0; j < m; j++) {
    lane n, dd;
    EACH_LANE(b) n[b] = 0.0, dd[b] = 0.0;
    UNROLLED for (size_t r = 0; r < m; r++) {
      lane em;
      EACH_LANE(b) em[b] = 0.0;
      UNROLLED for (size_t s = 0; s < m; s++)
        EACH_LANE(b) em[b] += E[j * m + s][b] * M[s * m + r][b];
      EACH_LANE(b) {
        EM[j * m + r][b] = em[b];
        n[b] += E[j * m + r][b] * C[r * m + j][b];
        dd[b] += em[b] * E[j * m + r][b];
      }
    }
    /* (the tests with & rather than &&, the norm's branch outside the lane
     * loop: the loops stay free of branches, which vectorising needs) */
    EACH_LANE(b) {
      const double t = k->T[j][b], dt = dd[b] * t;
      const int good = (dd[b] >= DBL_MIN) & (dd[b] <= DBL_MAX) & (t >= DBL_MIN) &
                       (t <= DBL_MAX) & (dt >= DBL_MIN) & (dt <= DBL_MAX);
      ok[b] = good ? ok[b] : 0.0;
      N[j][b] = n[b];
      D[j][b] = dd[b];
      k->rootDT[j][b] = sqrt(dt);
      rho[j][b] = n[b] / k->rootDT[j][b];
    }
    if (bt->bn) EACH_LANE(b) loss[b] += 2.0 * (1.0 - rho[j][b]);
    else EACH_LANE(b) loss[b] += dd[b] - 2.0 * n[b] + k->T[j][b];
  }
  EACH_LANE(b) ok[b] = fabs(loss[b]) <= PHSIM_LOSS_EXPLODED ? ok[b] : 0.0;
}

/* ---- backward (popgrad.c: backward) ------------------------------------ */

/* gN, gD (gT is not needed with the stop-gradient), gE and barM. */
PHSIM_INLINE void backward_head(const phsim_reduced_batch *bt, block *k, size_t m,
                                size_t K) {
  (void)K;
  const lane *restrict E = k->E, *restrict C = k->C, *restrict EM = k->EM;
  lane *restrict gN = k->gN, *restrict gD = k->gD, *restrict gE = k->gE;
  lane *restrict barM = k->barM;
  /* with bn: gN_j = -2 / sqrt(D_j T_j) (the root of the forward pass: the
   * same double), gD_j = rho_j / D_j */
  UNROLLED for (size_t j = 0; j < m; j++) {
    if (bt->bn)
      EACH_LANE(b) gN[j][b] = -2.0 / k->rootDT[j][b], gD[j][b] = k->rho[j][b] / k->D[j][b];
    else
      EACH_LANE(b) gN[j][b] = -2.0, gD[j][b] = 1.0;
  }
  /* gE on the entries the head trains (the step reads no other) */
  UNROLLED for (size_t j = 0; j < m; j++)
    UNROLLED for (size_t r = 0; r < m; r++)
      if (bt->trains[j * m + r])
        EACH_LANE(b)
        gE[j * m + r][b] = gN[j][b] * C[r * m + j][b] + 2.0 * gD[j][b] * EM[j * m + r][b];
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t s = 0; s < m; s++) {
      lane acc;
      EACH_LANE(b) acc[b] = 0.0;
      UNROLLED for (size_t j = 0; j < m; j++)
        EACH_LANE(b) acc[b] += E[j * m + r][b] * gD[j][b] * E[j * m + s][b];
      EACH_LANE(b) barM[r * m + s][b] = acc[b];
    }
}

/* gA from C and M; barQ by the product rule; S = barQ + barQ^T; the
 * isotropic S A term. */
PHSIM_INLINE void backward_weights(const phsim_reduced_batch *bt, block *k, size_t m,
                                   size_t K) {
  const lane *restrict E = k->E, *restrict A = k->A, *restrict B = k->B;
  const lane *restrict barM = k->barM, *restrict Q = noise_gram(bt, k), *restrict gN = k->gN;
  lane *restrict gA = k->gA, *restrict barQ = k->barQ, *restrict S = k->S;
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t l = 0; l < K; l++) {
      lane fromC, fromM;
      EACH_LANE(b) fromC[b] = 0.0, fromM[b] = 0.0;
      UNROLLED for (size_t j = 0; j < m; j++)
        EACH_LANE(b) {
          fromC[b] += gN[j][b] * E[j * m + r][b] * B[j * K + l][b];
          fromM[b] += barM[r * m + j][b] * B[j * K + l][b];
        }
      EACH_LANE(b) {
        const double a = A[r * K + l][b];
        gA[r * K + l][b] = 3.0 * a * a * k->c[l][b] *
                           (k->kC[0][b] * fromC[b] + k->kM1x2[0][b] * fromM[b]);
      }
    }
  UNROLLED for (size_t i = 0; i < m * m; i++) EACH_LANE(b) barQ[i][b] = 0.0;
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t s = 0; s < m; s++)
      EACH_LANE(b) {
        const double cm = k->nu1s6[0][b] * barM[r * m + s][b];
        const double qrr = Q[r * m + r][b], qss = Q[s * m + s][b], qrs = Q[r * m + s][b];
        barQ[r * m + r][b] += cm * 9.0 * qss * qrs;
        barQ[s * m + s][b] += cm * 9.0 * qrr * qrs;
        barQ[r * m + s][b] += cm * (9.0 * qrr * qss + 18.0 * qrs * qrs);
      }
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t s = 0; s < m; s++)
      EACH_LANE(b) S[r * m + s][b] = barQ[r * m + s][b] + barQ[s * m + r][b];
  if (!bt->isotropic) return;
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t l = 0; l < K; l++) {
      lane acc;
      EACH_LANE(b) acc[b] = 0.0;
      UNROLLED for (size_t s = 0; s < m; s++) EACH_LANE(b) acc[b] += S[r * m + s][b] * A[s * K + l][b];
      EACH_LANE(b) gA[r * K + l][b] += acc[b];
    }
}

PHSIM_INLINE void eval_block(const phsim_reduced_batch *bt, block *k, size_t m,
                             size_t K) {
  forward_moments(bt, k, m, K);
  forward_correlations(bt, k, m, K);
  backward_head(bt, k, m, K);
  backward_weights(bt, k, m, K);
}

/* ---- the step (reduced.c: phsim_reduced_step) -------------------------- */

/* R = U R U^T as reduced.c's congruence: tmp = U R by gslcblas dgemm
 * (NoTrans, NoTrans: k outer, i, then j; a zero U_ik is skipped, which
 * adding +0.0 reproduces: the sums start at +0.0 and are never -0.0), then
 * R's upper triangle = tmp U^T (NoTrans, Trans: each entry one sum over k
 * from 0.0; the lower triangle, which reduced.c forms and then overwrites
 * with the upper's mirror, is not formed), then the mirror.  dR: each upper
 * entry's change (new - old), in phsim_reduced_pack's order. */
PHSIM_INLINE void congruence(size_t m, const lane *restrict U, lane *restrict R,
                       lane *restrict tmp, lane *restrict dR) {
  UNROLLED for (size_t i = 0; i < m * m; i++) EACH_LANE(b) tmp[i][b] = 0.0;
  UNROLLED for (size_t kk = 0; kk < m; kk++)
    UNROLLED for (size_t i = 0; i < m; i++)
      UNROLLED for (size_t j = 0; j < m; j++) {
        /* the product in a loop of its own: a multiply inside the select
         * could trap, which keeps GCC from vectorising it */
        lane p;
        EACH_LANE(b) p[b] = U[i * m + kk][b] * R[kk * m + j][b];
        EACH_LANE(b) tmp[i * m + j][b] += U[i * m + kk][b] != 0.0 ? p[b] : 0.0;
      }
  size_t c = 0;
  UNROLLED for (size_t i = 0; i < m; i++)
    UNROLLED for (size_t j = i; j < m; j++, c++) {
      lane acc;
      EACH_LANE(b) acc[b] = 0.0;
      UNROLLED for (size_t kk = 0; kk < m; kk++)
        EACH_LANE(b) acc[b] += tmp[i * m + kk][b] * U[j * m + kk][b];
      EACH_LANE(b) dR[c][b] = acc[b] - R[i * m + j][b], R[i * m + j][b] = acc[b];
    }
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t s = 0; s < r; s++) EACH_LANE(b) R[r * m + s][b] = R[s * m + r][b];
}

/* The step; into k->dnew each packed coordinate's change, new - old: the
 * double turn.c forms as y - x from the states before and after. */
PHSIM_INLINE void step_block(const phsim_reduced_batch *bt, block *k, size_t m,
                             size_t K) {
  const double *restrict eta = k->eta[0], *restrict eta_E = k->eta_E[0];
  lane *restrict A = k->A, *restrict U = k->U, *restrict E = k->E, *d = k->dnew;
  UNROLLED for (size_t j = 0; j < m * K; j++)
    EACH_LANE(b) {
      const double a = A[j][b] - eta[b] * k->gA[j][b];
      d[j][b] = a - A[j][b], A[j][b] = a;
    }
  /* U = I - eta S: S scaled by -eta (gsl_matrix_scale), then 1 added on
   * the diagonal */
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t s = 0; s < m; s++) {
      EACH_LANE(b) U[r * m + s][b] = k->S[r * m + s][b] * -eta[b];
      if (r == s) EACH_LANE(b) U[r * m + s][b] += 1.0;
    }
  congruence(m, U, k->R, k->tmp, d + m * K);
  size_t c = m * K + m * (m + 1) / 2;
  UNROLLED for (size_t r = 0; r < m; r++)
    UNROLLED for (size_t s = 0; s < m; s++)
      if (bt->trains[r * m + s]) {
        lane *dE = d + c++;
        EACH_LANE(b) {
          const double e = E[r * m + s][b] - eta_E[b] * k->gE[r * m + s][b];
          dE[0][b] = e - E[r * m + s][b], E[r * m + s][b] = e;
        }
      }
}

/* ---- what engine.c records every step, lane by lane --------------------- */

/* The turn (turn.c: phsim_turn_update) at `step`, its sums exactly as
 * there: this step's change d (k->dnew: y - x, packed in
 * phsim_reduced_pack's order) against the last one's (k->dx), scaled per
 * block (big: A's largest |a|, from 1e-300; R's largest |entry|; E's scale
 * is 1, and dividing by 1 is exact), the two sums in that order.  A lane's
 * largest turn changes only where the turn is new: where turn_below_max
 * shows that no lane's can be, these sums and their two divisions per
 * coordinate are not formed at all. */
PHSIM_INLINE void turn_exact(const phsim_reduced_batch *bt, block *k, size_t nA,
                             size_t nAR, const lane *big, double step) {
  lane prev, change;
  EACH_LANE(b) prev[b] = 0.0, change[b] = 0.0;
  UNROLLED for (size_t i = 0; i < nAR; i++) {
    const double *restrict d = k->dnew[i], *restrict old = k->dx[i], *restrict s = big[i >= nA];
    EACH_LANE(b) {
      prev[b] += (old[b] / s[b]) * (old[b] / s[b]);
      change[b] += ((d[b] - old[b]) / s[b]) * ((d[b] - old[b]) / s[b]);
    }
  }
  for (size_t i = nAR; i < bt->dim; i++) {
    const double *restrict d = k->dnew[i], *restrict old = k->dx[i];
    EACH_LANE(b) {
      prev[b] += old[b] * old[b];
      change[b] += (d[b] - old[b]) * (d[b] - old[b]);
    }
  }
  double *restrict turn = k->turn[0], *restrict at = k->turn_step[0];
  EACH_LANE(b) {
    const double t = sqrt(change[b] / prev[b]);
    const int up = (k->live[0][b] != 0.0) & (sqrt(prev[b]) > PHSIM_TURN_MIN_STEP) &
                   !(t <= turn[b]);
    turn[b] = up ? t : turn[b];
    at[b] = up ? step : at[b];
  }
}

/* Whether every live lane's turn is surely at most its largest so far
 * (then turn_exact would change nothing): phsim_turn_surely_below on the
 * sums with each block's 1 / big formed once (phsim_turn.h says why that
 * is a proof). */
PHSIM_INLINE int turn_below_max(const phsim_reduced_batch *bt, const block *k,
                                size_t nA, size_t nAR, const lane *big) {
  lane inv[2], prev, change, below;
  EACH_LANE(b) inv[0][b] = 1.0 / big[0][b], inv[1][b] = 1.0 / big[1][b];
  EACH_LANE(b) prev[b] = 0.0, change[b] = 0.0;
  UNROLLED for (size_t i = 0; i < nAR; i++) {
    const double *restrict d = k->dnew[i], *restrict old = k->dx[i], *restrict s = inv[i >= nA];
    EACH_LANE(b) {
      const double p = old[b] * s[b], c = (d[b] - old[b]) * s[b];
      prev[b] += p * p, change[b] += c * c;
    }
  }
  for (size_t i = nAR; i < bt->dim; i++) {
    const double *restrict d = k->dnew[i], *restrict old = k->dx[i];
    EACH_LANE(b) {
      const double c = d[b] - old[b];
      prev[b] += old[b] * old[b], change[b] += c * c;
    }
  }
  EACH_LANE(b) {
    const int sure = phsim_turn_surely_below(prev[b], change[b], k->turn[0][b], bt->margin);
    below[b] = (k->live[0][b] == 0.0) | sure;
  }
  int all = 1;
  for (size_t b = 0; b < L; b++) all &= below[b] != 0.0;
  return all;
}

/* What engine.c's turn records after `step`: the largest turn (from the
 * third state on), then this step's change kept as the last (the two
 * arrays swapped: the next step writes over the older). */
PHSIM_INLINE void record_turn(const phsim_reduced_batch *bt, block *k, size_t m,
                              size_t K, double step) {
  const size_t nA = m * K, nAR = nA + m * (m + 1) / 2;
  lane big[2];
  /* fmax(big, v) is v > big ? v : big here: big > 0 is never NaN, and a
   * NaN v leaves big either way */
  EACH_LANE(b) big[0][b] = 1e-300, big[1][b] = 1e-300;
  UNROLLED for (size_t i = 0; i < nAR; i++) {
    const double *restrict y = k->coord[i];
    double *restrict g = big[i >= nA];
    EACH_LANE(b) g[b] = fabs(y[b]) > g[b] ? fabs(y[b]) : g[b];
  }
  if (bt->have > 1 && !turn_below_max(bt, k, nA, nAR, big))
    turn_exact(bt, k, nA, nAR, big, step);
  lane *const last = k->dx;
  k->dx = k->dnew, k->dnew = last;
}

/* The loss's rise from the last step and the head's peak
 * (phsim_head_peak_update: max |E_ij - delta_ij|, the first step it was
 * reached), in lanes that are live.  After the first record only the
 * trained entries of E are read: the others never change, and the peak
 * already holds them. */
PHSIM_INLINE void record_rise_peak(const phsim_reduced_batch *bt, block *k, size_t m,
                                   double step) {
  const double *restrict live = k->live[0], *restrict loss = k->loss[0];
  double *restrict before = k->before[0], *restrict rise = k->rise[0];
  double *restrict rise_at = k->rise_step[0], *restrict peak = k->peak[0];
  double *restrict peak_at = k->peak_step[0];
  EACH_LANE(b) {
    const double r = loss[b] - before[b];
    const int up = (live[b] != 0.0) & (r > rise[b]);
    rise[b] = up ? r : rise[b];
    rise_at[b] = up ? step : rise_at[b];
    before[b] = loss[b];
  }
  UNROLLED for (size_t i = 0; i < m; i++)
    UNROLLED for (size_t j = 0; j < m; j++) {
      if (bt->have > 0 && !bt->trains[i * m + j]) continue;
      const double *restrict e = k->E[i * m + j];
      EACH_LANE(b) {
        const double x = fabs(e[b] - (i == j ? 1.0 : 0.0));
        const int up = (live[b] != 0.0) & (x > peak[b]);
        peak[b] = up ? x : peak[b];
        peak_at[b] = up ? step : peak_at[b];
      }
    }
}

/* Lanes whose evaluation at `step` faulted stop; how many did. */
PHSIM_INLINE size_t retire_faulted(block *k, double step) {
  double *restrict live = k->live[0], *restrict at = k->fault_step[0];
  lane fault;
  EACH_LANE(b) {
    const int f = (live[b] != 0.0) & (k->ok[0][b] != 1.0);
    fault[b] = f;
    at[b] = f ? step : at[b];
    live[b] = f ? 0.0 : live[b];
  }
  size_t n = 0;
  for (size_t b = 0; b < L; b++) n += fault[b] != 0.0;
  return n;
}

/* ---- the drivers --------------------------------------------------------- */

/* What blocks_do does to each block, in this order. */
enum { DO_STEP = 1, DO_EVAL = 2, DO_RECORD = 4 };

/* Block k's step, evaluation and records after the evaluation at `step`
 * (as `what` says); how many of its lanes faulted there (retired). */
PHSIM_INLINE size_t block_do(const phsim_reduced_batch *bt, block *k, size_t m,
                             size_t K, int what, double step) {
  if (what & DO_STEP) step_block(bt, k, m, K);
  if (what & DO_EVAL) eval_block(bt, k, m, K);
  if (!(what & DO_RECORD)) return 0;
  const size_t faulted = retire_faulted(k, step);
  record_rise_peak(bt, k, m, step);
  record_turn(bt, k, m, K, step);
  return faulted;
}

/* block_do over every block, one block at a time (its lanes stay in the
 * cache from the step to the records).  Compiled once for m = K = 2 (the
 * loops over m and K unrolled: E4 and the defaults) and once for any m, K;
 * and each of those for AVX2 (4 lanes a vector) besides the baseline
 * (SSE2, 2), chosen when the program loads by what the processor has.
 * Vector width changes no rounding: a lane sees the same operations either
 * way, and -std=c11 keeps GCC from contracting a * b + c into a fused
 * multiply-add (-ffp-contract=off; the AVX2 clone has no FMA anyway). */
PHSIM_CLONES static size_t blocks_do(phsim_reduced_batch *bt, int what,
                                     unsigned long step) {
  size_t faulted = 0;
  if (bt->m == 2 && bt->K == 2)
    for (size_t i = 0; i < bt->nblocks; i++)
      faulted += block_do(bt, &bt->blocks[i], 2, 2, what, (double)step);
  else
    for (size_t i = 0; i < bt->nblocks; i++)
      faulted += block_do(bt, &bt->blocks[i], bt->m, bt->K, what, (double)step);
  if (what & DO_RECORD) bt->have += bt->have < 2;
  return faulted;
}

void phsim_reduced_batch_eval(phsim_reduced_batch *bt) { blocks_do(bt, DO_EVAL, 0); }

void phsim_reduced_batch_step(phsim_reduced_batch *bt) { blocks_do(bt, DO_STEP, 0); }

void phsim_reduced_batch_start(phsim_reduced_batch *bt) {
  for (size_t i = 0; i < bt->nblocks; i++) {
    block *k = &bt->blocks[i];
    EACH_LANE(b) k->live[0][b] = 1.0;
  }
  bt->have = 0;
  phsim_reduced_batch_eval(bt);
  for (size_t i = 0; i < bt->nblocks; i++) {
    block *k = &bt->blocks[i];
    EACH_LANE(b) k->before[0][b] = k->loss[0][b];
  }
  blocks_do(bt, DO_RECORD, 0);
}

int phsim_reduced_batch_advance(phsim_reduced_batch *bt, unsigned long from,
                                unsigned long to, unsigned long *reached) {
  for (unsigned long s = from + 1; s <= to; s++) {
    *reached = s;
    if (blocks_do(bt, DO_STEP | DO_EVAL | DO_RECORD, s) > 0) return PHSIM_ENUM;
    /* the stop flag, polled every step as phsim_engine_advance does */
    if (s < to && phsim_interrupted()) return PHSIM_EINTR;
  }
  *reached = to;
  return PHSIM_OK;
}

int phsim_reduced_batch_live(const phsim_reduced_batch *b, size_t i) {
  return b->blocks[i / L].live[0][i % L] != 0.0;
}

void phsim_reduced_batch_retire(phsim_reduced_batch *b, size_t i) {
  b->blocks[i / L].live[0][i % L] = 0.0;
}

phsim_engine_record phsim_reduced_batch_record(const phsim_reduced_batch *bt, size_t i) {
  const block *k = &bt->blocks[i / L];
  const size_t b = i % L;
  return (phsim_engine_record){
      .loss_rise = k->rise[0][b], .loss_rise_step = (unsigned long)k->rise_step[0][b],
      .turn = k->turn[0][b], .turn_step = (unsigned long)k->turn_step[0][b],
      .peak = {k->peak[0][b], (unsigned long)k->peak_step[0][b]}};
}
