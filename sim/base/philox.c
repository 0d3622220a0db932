/* philox.c: Philox4x32-10 words, uniforms and ziggurat normals
 * (phsim_philox.h). */
#include "phsim_philox.h"

#include <math.h>
#include <pthread.h>

#include <Random123/philox.h>

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
}

static inline uint32_t next32(phsim_philox *g) {
  if (g->used == 4) {
    phsim_philox_block(g->ctr, g->key, g->buf);
    g->ctr[0]++;
    g->used = 0;
  }
  return g->buf[g->used++];
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
 * 256 layers of equal area V under f(x) = exp(-x^2/2), x >= 0: zig_x[0] =
 * V / f(R) (the base layer with its tail, as a rectangle), zig_x[1] = R,
 * zig_x[i+1] = f^-1(f(zig_x[i]) + V / zig_x[i]), zig_x[256] = 0;
 * zig_r[i] = zig_x[i+1] / zig_x[i]. */
enum { ZIG_C = 256 };
static const double ZIG_R = 3.6541528853610088;
static double zig_x[ZIG_C + 1], zig_r[ZIG_C];
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
  for (int i = 0; i < ZIG_C; i++) zig_r[i] = zig_x[i + 1] / zig_x[i];
}

/* Uniform on (0, 1), never 0 (for the logarithms of the tail). */
static inline double uniform_pos(phsim_philox *g) {
  return ((double)(next64(g) >> 11) + 0.5) * 0x1.0p-53;
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

/* The rare path: the base layer's tail or a wedge's rejection test. */
static int zig_slow(phsim_philox *g, unsigned i, double u, double *out) {
  if (i == 0) {
    *out = zig_tail(g, u < 0.0);
    return 1;
  }
  const double x = u * zig_x[i];
  const double f0 = exp(-0.5 * (zig_x[i] * zig_x[i] - x * x));
  const double f1 = exp(-0.5 * (zig_x[i + 1] * zig_x[i + 1] - x * x));
  if (f1 + uniform53(next64(g)) * (f0 - f1) < 1.0) {
    *out = x;
    return 1;
  }
  return 0;
}

/* A 64-bit word gives the layer (its low 8 bits) and the uniform u in
 * [-1, 1) (its high 53 bits). */
static inline double zig_normal(phsim_philox *g) {
  for (;;) {
    const uint64_t w = next64(g);
    const unsigned i = (unsigned)(w & 0xffu);
    const double u = 2.0 * uniform53(w) - 1.0;
    if (fabs(u) < zig_r[i]) return u * zig_x[i];
    double x;
    if (zig_slow(g, i, u, &x)) return x;
  }
}

double phsim_philox_normal(phsim_philox *g) {
  pthread_once(&zig_once, zig_tables);
  return zig_normal(g);
}

void phsim_philox_normals(phsim_philox *g, double sigma, size_t n, double *x) {
  pthread_once(&zig_once, zig_tables);
  phsim_philox s = *g;
  for (size_t k = 0; k < n; k++) x[k] = sigma * zig_normal(&s);
  *g = s;
}
