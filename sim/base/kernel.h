/* kernel.h: how phsim's hot loops are compiled (internal: included by the
 * sources of the kernels, not installed).  One place for what weights.c,
 * batchgrad.c, projected.c, reduced_batch.c and philox.c each defined. */
#ifndef PHSIM_KERNEL_H
#define PHSIM_KERNEL_H

/* A helper compiled into its caller, so that with a constant m its loops
 * unroll and its sums stay in registers. */
#if defined(__GNUC__)
#define PHSIM_INLINE static inline __attribute__((always_inline))
#else
#define PHSIM_INLINE static inline
#endif

/* A function compiled twice, in AVX2 where the processor has it (chosen
 * when the program loads) and SSE2 otherwise; no rounding changes:
 * -std=c11 keeps GCC from fusing a multiply and an add
 * (-ffp-contract=off), and the AVX2 clone has no FMA.
 * -DPHSIM_NO_TARGET_CLONES builds the baseline alone (how the baseline's
 * bits are checked on a machine with AVX2). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    !defined(PHSIM_NO_TARGET_CLONES)
#define PHSIM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PHSIM_CLONES
#endif

/* call(M) with M the constant m for m = 1..4, each compiled for its own m;
 * the statement `other` for any other m. */
#define PHSIM_PER_M(call, m, other) \
  switch (m) {                      \
    case 1: call(1); break;         \
    case 2: call(2); break;         \
    case 3: call(3); break;         \
    case 4: call(4); break;         \
    default: other;                 \
  }

#endif
