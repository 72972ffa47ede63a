/* dispatch.h: how the hot loops pick their instruction set; private.
 *
 * A hot loop is written once as a static inline function and instantiated
 * twice: once for the baseline (portable) target and once with
 * RADVAR_TARGET_AVX2.  Both are compiled with -ffp-contract=off, so the
 * compiler never fuses a multiply and an add, and every element is computed
 * by the same IEEE operations in the same order: the two paths give the same
 * bits (tests/test_dispatch.sh compares them).  radvar_dispatch_avx2() says
 * which one to call (cpuid, overridden by RADVAR_DISPATCH=portable). */
#ifndef RADVAR_SRC_DISPATCH_H
#define RADVAR_SRC_DISPATCH_H

#if defined(__x86_64__) && defined(__GNUC__)
#define RADVAR_HAVE_AVX2_PATH 1
#define RADVAR_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define RADVAR_HAVE_AVX2_PATH 0
#define RADVAR_TARGET_AVX2
#endif

/* 1 when the AVX2 instantiations are to be called. */
int radvar_dispatch_avx2(void);

#endif
