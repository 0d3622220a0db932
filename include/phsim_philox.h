/* phsim_philox.h: counter-based random numbers for the sampled engine's
 * batches (sim/model/data.c, sim/model/projected.c).
 *
 * The generator is Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel
 * random numbers: as easy as 1, 2, 3", SC11; Random123's philox.h, Debian's
 * librandom123-dev; it passes TestU01's BigCrush there): a keyed bijection of
 * a 128-bit counter.  The key is the configuration's seed and the counter
 * (stream, draw, row, block), so the numbers of one row of one batch are a
 * pure function of (seed, stream, draw, row): independent of the order in
 * which rows are generated, of threads, and of what other rows consumed.
 *
 * Why not GSL's: gsl_rng (MT19937) is a sequential stream, so a batch's
 * noise depends on everything drawn before it, and each word costs an
 * indirect call; GSL's ziggurat (gsl_ran_gaussian_ziggurat) pulls its words
 * through that call.  Normals here are the ziggurat of Marsaglia and Tsang
 * (2000) with GSL's layout (128 layers; one 32-bit word a normal: 7 bits of
 * layer, a sign bit and a 24-bit uniform, independent bits, as in
 * gsl_ran_gaussian_ziggurat), its wedges and tail tested exactly in double
 * precision, tables computed once: the method and
 * resolution of GSL's.  Each candidate takes one word of the row's stream
 * (blocks 0, 1, ...); the rare wedge and tail tests take their uniforms
 * from a side stream of the same row (blocks 2^31, ...), so the loop over
 * the main words has no dependence on the rare path.  Their law is checked against gsl_cdf_ugaussian_P in
 * tests/test_philox.c (chi-square, Kolmogorov-Smirnov, moments, tail). */
#ifndef PHSIM_PHILOX_H
#define PHSIM_PHILOX_H

#include <stddef.h>
#include <stdint.h>

/* The streams of the sampled engine: one per kind of number. */
enum {
  PHSIM_STREAM_STRUCTURE = 1, /* a sample's label, sign, feature set, mask */
  PHSIM_STREAM_NOISE = 2,     /* a noise patch in full (d normals) */
  PHSIM_STREAM_PROJECTION = 3,/* a noise patch's projections (m normals) */
  PHSIM_STREAM_XI = 4         /* a row of draw = projected's Xi (d normals) */
};

typedef struct {
  uint32_t key[2];
  uint32_t ctr[4]; /* block, row, draw, stream | row and draw high bits */
  uint32_t buf[4]; /* the current block's words */
  unsigned used;   /* words of buf consumed */
  uint32_t side;   /* the side stream's next block (from 2^31 on) */
  uint32_t side_buf[4];
  unsigned side_used;
} phsim_philox;

/* One Philox4x32-10 block: out = philox(ctr, key). */
void phsim_philox_block(const uint32_t ctr[4], const uint32_t key[2],
                        uint32_t out[4]);

/* The words of (seed, stream, draw, row), from block 0.  row < 2^44 and
 * draw < 2^44. */
void phsim_philox_init(phsim_philox *g, uint64_t seed, unsigned stream,
                       uint64_t draw, uint64_t row);
uint32_t phsim_philox_u32(phsim_philox *g);
/* Uniform on [0, 1) with 53 random bits. */
double phsim_philox_uniform(phsim_philox *g);
/* Uniform on {0, ..., n-1}, exactly (Lemire's multiply with rejection);
 * n >= 1. */
uint32_t phsim_philox_below(phsim_philox *g, uint32_t n);
/* One N(0, 1). */
double phsim_philox_normal(phsim_philox *g);
/* x[0..n) = sigma N(0, 1), the same numbers as n calls of
 * phsim_philox_normal times sigma. */
void phsim_philox_normals(phsim_philox *g, double sigma, size_t n, double *x);

#endif
