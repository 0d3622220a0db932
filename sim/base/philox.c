/* philox.c: Philox4x32-10 words, uniforms and ziggurat normals
 * (phsim_philox.h). */
#include "phsim_philox.h"

#include <math.h>
#include <pthread.h>

#include <Random123/philox.h>

#include "kernel.h"

void phsim_philox_block(const uint32_t ctr[4], const uint32_t key[2],
                        uint32_t out[4]) {
  philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  philox4x32_key_t k = {{key[0], key[1]}};
  philox4x32_ctr_t r = philox4x32(c, k);
  for (int i = 0; i < 4; i++) out[i] = r.v[i];
}

void phsim_philox_init(phsim_philox *g, uint64_t seed, unsigned stream,
                       uint64_t draw, uint64_t row) {
  g->key[0] = (uint32_t)seed;
  g->key[1] = (uint32_t)(seed >> 32);
  g->ctr[0] = 0;
  g->ctr[1] = (uint32_t)row;
  g->ctr[2] = (uint32_t)draw;
  g->ctr[3] = ((uint32_t)(stream & 0xffu) << 24) |
              ((uint32_t)((row >> 32) & 0xfffu) << 12) |
              (uint32_t)((draw >> 32) & 0xfffu);
  g->used = 4;
  g->side = 0x80000000u;
  g->side_used = 4;
}

/* g's block at counter word c0 (the other three words are g's). */
static inline void block_at(const phsim_philox *g, uint32_t c0, uint32_t out[4]) {
  const uint32_t c[4] = {c0, g->ctr[1], g->ctr[2], g->ctr[3]};
  phsim_philox_block(c, g->key, out);
}

static inline uint32_t next32(phsim_philox *g) {
  if (g->used == 4) {
    block_at(g, g->ctr[0]++, g->buf);
    g->used = 0;
  }
  return g->buf[g->used++];
}

/* The side stream: blocks from 2^31 on, for the ziggurat's rare path, so
 * that every candidate takes exactly one word of the main stream. */
static inline uint32_t side32(phsim_philox *g) {
  if (g->side_used == 4) {
    block_at(g, g->side++, g->side_buf);
    g->side_used = 0;
  }
  return g->side_buf[g->side_used++];
}

static inline uint64_t next64(phsim_philox *g) {
  uint64_t hi = next32(g);
  return hi << 32 | next32(g);
}

uint32_t phsim_philox_u32(phsim_philox *g) { return next32(g); }

static inline double uniform53(uint64_t w) {
  return (double)(w >> 11) * 0x1.0p-53;
}

double phsim_philox_uniform(phsim_philox *g) { return uniform53(next64(g)); }

uint32_t phsim_philox_below(phsim_philox *g, uint32_t n) {
  uint64_t prod = (uint64_t)next32(g) * n;
  if ((uint32_t)prod < n) {
    const uint32_t threshold = (uint32_t)(-n) % n; /* 2^32 mod n */
    while ((uint32_t)prod < threshold) prod = (uint64_t)next32(g) * n;
  }
  return (uint32_t)(prod >> 32);
}

/* ---- the ziggurat -------------------------------------------------------
 * 128 layers of equal area V under f(x) = exp(-x^2/2), x >= 0 (Marsaglia
 * and Tsang's R and GSL's layout): zig_x[0] = V / f(R) (the base layer with
 * its tail, as a rectangle), zig_x[1] = R, zig_x[i+1] = f^-1(f(zig_x[i]) +
 * V / zig_x[i]), zig_x[128] = 0.  One 32-bit word a normal, as GSL's
 * gsl_ran_gaussian_ziggurat takes it: the layer i from bits 0-6, the sign
 * from bit 7, a 24-bit uniform j from bits 8-31 (independent bits, unlike
 * Marsaglia and Tsang's RNOR); |x| = j 2^-24 zig_x[i] is accepted at once
 * when j 2^-24 < zig_x[i+1] / zig_x[i].  Indexed by the word's low byte
 * (layer and sign): zig_k = that ratio times 2^24, zig_w = +-zig_x[i] 2^-24,
 * so the sign costs no branch. */
enum { ZIG_C = 128 };
static const double ZIG_R = 3.442619855899;
static double zig_x[ZIG_C + 1], zig_f[ZIG_C + 1], zig_k[2 * ZIG_C], zig_w[2 * ZIG_C];
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_tables(void) {
  const double R = ZIG_R;
  double f = exp(-0.5 * R * R);
  const double V = R * f + 1.2533141373155002512 /* sqrt(pi / 2) */ * erfc(R / sqrt(2.0));
  zig_x[0] = V / f;
  zig_x[1] = R;
  for (int i = 2; i < ZIG_C; i++) {
    zig_x[i] = sqrt(-2.0 * log(V / zig_x[i - 1] + f));
    f = exp(-0.5 * zig_x[i] * zig_x[i]);
  }
  zig_x[ZIG_C] = 0.0;
  for (int i = 0; i <= ZIG_C; i++) zig_f[i] = exp(-0.5 * zig_x[i] * zig_x[i]);
  for (int b = 0; b < 2 * ZIG_C; b++) {
    const int i = b % ZIG_C;
    zig_k[b] = zig_x[i + 1] / zig_x[i] * 0x1.0p24;
    zig_w[b] = (b >= ZIG_C ? 1.0 : -1.0) * zig_x[i] * 0x1.0p-24;
  }
}

static inline uint64_t side64(phsim_philox *g) {
  uint64_t hi = side32(g);
  return hi << 32 | side32(g);
}

/* Uniform on (0, 1), never 0 (for the logarithms of the tail). */
static inline double uniform_pos(phsim_philox *g) {
  return ((double)(side64(g) >> 11) + 0.5) * 0x1.0p-53;
}

/* |x| > R with the normal's tail density (Marsaglia 1964). */
static double zig_tail(phsim_philox *g, int negative) {
  double x, y;
  do {
    x = log(uniform_pos(g)) / ZIG_R;
    y = log(uniform_pos(g));
  } while (-2.0 * y < x * x);
  return negative ? x - ZIG_R : ZIG_R - x;
}

/* The rare path for x = +-j 2^-24 zig_x[i] outside layer i's rectangle: the
 * base layer's tail, or a wedge's test y < f(x) for y uniform between
 * f(zig_x[i]) and f(zig_x[i+1]); its uniforms from the side stream. */
static int zig_slow(phsim_philox *g, unsigned i, double x, double *out) {
  if (i == 0) {
    *out = zig_tail(g, x < 0.0);
    return 1;
  }
  const double y = zig_f[i] + uniform53(side64(g)) * (zig_f[i + 1] - zig_f[i]);
  if (y < exp(-0.5 * x * x)) {
    *out = x;
    return 1;
  }
  return 0;
}

/* The word's candidate: +-j 2^-24 zig_x[i]; *fast when it is accepted. */
static inline double zig_candidate(uint32_t w, unsigned *i, int *fast) {
  const unsigned b = w & 0xffu;
  const double j = (double)(w >> 8);
  *i = b & 0x7fu;
  *fast = j < zig_k[b];
  return j * zig_w[b];
}

static inline double zig_normal(phsim_philox *g) {
  for (;;) {
    unsigned i;
    int fast;
    const double x = zig_candidate(next32(g), &i, &fast);
    double y;
    if (fast) return x;
    if (zig_slow(g, i, x, &y)) return y;
  }
}

double phsim_philox_normal(phsim_philox *g) {
  pthread_once(&zig_once, zig_tables);
  return zig_normal(g);
}

/* ---- many normals: BLK blocks at a time -----------------------------------
 * The same rounds as Random123's philox4x32 (checked bit for bit by
 * test_philox.c) on BLK consecutive counters in separate arrays, so that
 * the compiler vectorises them; one word a candidate as in zig_normal, so
 * the numbers are those of the one-at-a-time path. */
enum { BLK = 8 };

/* nb <= BLK blocks (a constant where inlined). */
PHSIM_INLINE void philox_blocks_n(unsigned nb, const uint32_t ctr[4],
                               const uint32_t key[2], uint32_t *out) {
  uint32_t x0[BLK], x1[BLK], x2[BLK], x3[BLK], k0 = key[0], k1 = key[1];
  for (unsigned b = 0; b < nb; b++) {
    x0[b] = ctr[0] + b;
    x1[b] = ctr[1];
    x2[b] = ctr[2];
    x3[b] = ctr[3];
  }
  for (int r = 0; r < 10; r++) {
    for (unsigned b = 0; b < nb; b++) {
      const uint64_t p0 = (uint64_t)0xD2511F53u * x0[b];
      const uint64_t p1 = (uint64_t)0xCD9E8D57u * x2[b];
      const uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1[b] ^ k0;
      const uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3[b] ^ k1;
      x1[b] = (uint32_t)p1;
      x3[b] = (uint32_t)p0;
      x0[b] = y0;
      x2[b] = y2;
    }
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  for (unsigned b = 0; b < nb; b++) {
    out[4 * b] = x0[b];
    out[4 * b + 1] = x1[b];
    out[4 * b + 2] = x2[b];
    out[4 * b + 3] = x3[b];
  }
}

/* 8 blocks for long runs of normals, 4 for short ones (a sample's few). */
static void philox_blocks8(const uint32_t ctr[4], const uint32_t key[2],
                           uint32_t *out) {
  philox_blocks_n(8, ctr, key, out);
}

static void philox_blocks4(const uint32_t ctr[4], const uint32_t key[2],
                           uint32_t *out) {
  philox_blocks_n(4, ctr, key, out);
}

/* Normals from the words w[0..nw) of the main stream into x[0..n) until
 * n are made; how many words it took (*k: how many made). */
static unsigned normals_of_words(phsim_philox *g, const uint32_t *w,
                                 unsigned nw, double sigma, size_t n, double *x,
                                 size_t *k) {
  unsigned j = 0;
  for (; j < nw && *k < n; j++) {
    unsigned i;
    int fast;
    const double c = zig_candidate(w[j], &i, &fast);
    double y;
    if (fast) x[(*k)++] = sigma * c;
    else if (zig_slow(g, i, c, &y)) x[(*k)++] = sigma * y;
  }
  return j;
}

void phsim_philox_normals(phsim_philox *g, double sigma, size_t n, double *x) {
  pthread_once(&zig_once, zig_tables);
  size_t k = 0;
  while (k < n && g->used < 4) x[k++] = sigma * zig_normal(g);
  uint32_t w[4 * BLK];
  while (k < n) {
    const unsigned nb = n - k > 2 * BLK ? BLK : BLK / 2;
    if (nb == BLK) philox_blocks8(g->ctr, g->key, w);
    else philox_blocks4(g->ctr, g->key, w);
    const unsigned j = normals_of_words(g, w, 4 * nb, sigma, n, x, &k);
    /* Past the blocks used up; a block begun becomes g's buffer. */
    g->ctr[0] += j / 4;
    if (j % 4 != 0) {
      for (int t = 0; t < 4; t++) g->buf[t] = w[4 * (j / 4) + t];
      g->used = j % 4;
      g->ctr[0]++;
    }
  }
}
