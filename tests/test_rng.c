/* test_rng.c: the generator of radvar/rng.h (generator version 1).
 *
 * Known answers: Philox4x32-10 against Random123's tests/kat_vectors, and
 * Philox words, 64-bit uniforms and Gaussians (fast, wedge and tail paths of
 * the ziggurat) against an independent Python implementation written from
 * rng.h's description (tests/ref/make_rng_refs.py, which first checks its
 * Philox against Random123's vectors); the vectorised lanes against the
 * scalar draws; and the distribution: moments and a 42-bin histogram within
 * 5 standard errors of the normal law at a fixed seed (GSL randist/test.c). */
#include <gsl/gsl_cdf.h>

#include "check_util.h"
#include "radvar/rng.h"
#include "ref/rng_ref.h"

START_TEST(test_philox_known_answers)
{
    const struct philox_ref *ref = &philox_ref_table[_i];
    uint32_t out[4];
    radvar_rng_philox4x32_10(ref->ctr, ref->key, out);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(out[k] == ref->out[k], "vector %d word %d: %08x, expected %08x", _i, k, out[k],
                      ref->out[k]);
}
END_TEST

START_TEST(test_uniform_bits_known_answers)
{
    const struct uniform_ref *ref = &uniform_ref_table[_i];
    uint64_t got = radvar_rng_uniform_bits(ref->seed, ref->stream, ref->index);
    ck_assert_msg(got == ref->bits, "uniform_bits(%llu, %llu, %llu) = %016llx, expected %016llx",
                  (unsigned long long)ref->seed, (unsigned long long)ref->stream,
                  (unsigned long long)ref->index, (unsigned long long)got,
                  (unsigned long long)ref->bits);
}
END_TEST

START_TEST(test_gauss_known_answers)
{
    const struct gauss_ref *ref = &gauss_ref_table[_i];
    double x = radvar_rng_gauss(ref->seed, ref->stream, ref->index);
    ck_assert_msg(x == ref->value, "gauss(%llu, %llu, %llu) = %a, expected %a (%s path)",
                  (unsigned long long)ref->seed, (unsigned long long)ref->stream,
                  (unsigned long long)ref->index, x, ref->value, ref->path);
    /* the same draw through the other entry points */
    double filled[3];
    radvar_rng_gauss_fill(ref->seed, ref->stream, ref->index, 1, filled);
    ck_assert(filled[0] == ref->value);
    double even[1], odd[1];
    radvar_rng_gauss_pair_lanes(ref->seed, ref->stream, 1, ref->index >> 1, even, odd);
    ck_assert((ref->index & 1 ? odd[0] : even[0]) == ref->value);
}
END_TEST

START_TEST(test_fill_is_consecutive)
{
    double x[50];
    radvar_rng_gauss_fill(11, 3, 1000, 50, x);
    for (int i = 0; i < 50; i++)
        ck_assert(x[i] == radvar_rng_gauss(11, 3, 1000 + (uint64_t)i));
    radvar_rng_gauss_fill(11, 3, 1000, 0, NULL); /* nothing to do */
}
END_TEST

START_TEST(test_lanes_equal_scalar)
{
    /* the vectorised lanes give exactly the scalar draws, across lane blocks
     * (64 lanes) and whatever the rejections */
    enum { LANES = 200 };
    double even[LANES], odd[LANES];
    for (uint64_t pair = 0; pair < 300; pair += 7) {
        radvar_rng_gauss_pair_lanes(99, 12345, LANES, pair, even, odd);
        for (size_t l = 0; l < LANES; l++) {
            ck_assert(even[l] == radvar_rng_gauss(99, 12345 + l, 2 * pair));
            ck_assert(odd[l] == radvar_rng_gauss(99, 12345 + l, 2 * pair + 1));
        }
    }
    /* streams above 2^32 and large indices use every counter word */
    radvar_rng_gauss_pair_lanes(UINT64_MAX, (UINT64_C(1) << 40) - 3, 8, 1u << 30, even, odd);
    for (size_t l = 0; l < 8; l++)
        ck_assert(odd[l] == radvar_rng_gauss(UINT64_MAX, (UINT64_C(1) << 40) - 3 + l,
                                             (UINT64_C(1) << 31) + 1));
}
END_TEST

START_TEST(test_streams_and_seeds_differ)
{
    /* neighbouring seeds, streams and indices give unrelated draws */
    ck_assert(radvar_rng_gauss(1, 0, 0) != radvar_rng_gauss(2, 0, 0));
    ck_assert(radvar_rng_gauss(1, 0, 0) != radvar_rng_gauss(1, 1, 0));
    ck_assert(radvar_rng_gauss(1, 0, 0) != radvar_rng_gauss(1, 0, 1));
    ck_assert(radvar_rng_gauss(1, 0, 0) != radvar_rng_gauss(UINT64_C(1) << 32 | 1, 0, 0));
    ck_assert(radvar_rng_uniform_bits(1, 0, 0) != radvar_rng_uniform_bits(1, 0, 1));
}
END_TEST

START_TEST(test_gauss_distribution)
{
    /* 2e6 draws: mean, variance and fourth moment within 5 standard errors
     * of 0, 1 and 3, and every bin of a 40-bin histogram on [-4, 4] (plus the
     * two tails) within 5 standard errors of the normal cdf (GSL's
     * randist/test.c).  A fixed seed: the outcome is the same on every run;
     * 5 sigma is the margin that a correct generator passes for about all
     * seeds (each comparison fails with probability 6e-7). */
    enum { PAIRS = 4000, LANES = 250, BINS = 42 };
    static double even[LANES], odd[LANES];
    double count[BINS] = {0}, s1 = 0, s2 = 0, s4 = 0, n = 0;
    for (uint64_t pair = 0; pair < PAIRS; pair++) {
        radvar_rng_gauss_pair_lanes(2024, 0, LANES, pair, even, odd);
        for (size_t l = 0; l < 2 * LANES; l++) {
            double x = l < LANES ? even[l] : odd[l - LANES];
            s1 += x;
            s2 += x * x;
            s4 += x * x * x * x;
            n++;
            int b = x < -4 ? 0 : x >= 4 ? BINS - 1 : 1 + (int)floor((x + 4) / 0.2);
            if (x >= -4 && x < 4 && b > BINS - 2) /* rounding just below 4 */
                b = BINS - 2;
            count[b]++;
        }
    }
    ck_assert_msg(fabs(s1 / n) < 5 * sqrt(1 / n), "mean %g", s1 / n);
    ck_assert_msg(fabs(s2 / n - 1) < 5 * sqrt(2 / n), "variance %g", s2 / n);
    ck_assert_msg(fabs(s4 / n - 3) < 5 * sqrt(96 / n), "fourth moment %g", s4 / n);
    double worst = 0;
    for (int b = 0; b < BINS; b++) {
        double lo = b == 0 ? -INFINITY : -4 + 0.2 * (b - 1), hi = b == BINS - 1 ? INFINITY : -4 + 0.2 * b;
        double p = gsl_cdf_ugaussian_P(hi) - gsl_cdf_ugaussian_P(lo);
        double expected = n * p, sd = sqrt(n * p * (1 - p));
        worst = fmax(worst, fabs(count[b] - expected) / sd);
        ck_assert_msg(fabs(count[b] - expected) < 5 * sd + 1, "bin %d [%g, %g): %g vs %g", b, lo,
                      hi, count[b], expected);
    }
    printf("gauss: 2e6 draws, mean %+.2f se, variance %+.2f se, worst of %d bins %.2f se\n",
           (s1 / n) / sqrt(1 / n), (s2 / n - 1) / sqrt(2 / n), BINS, worst);
}
END_TEST

START_TEST(test_uniform_bits_distribution)
{
    /* each of the 64 bits is set in half of 1e5 draws, within 5 sigma */
    enum { N = 100000 };
    double ones[64] = {0};
    for (uint64_t i = 0; i < N; i++) {
        uint64_t u = radvar_rng_uniform_bits(77, 1, i);
        for (int k = 0; k < 64; k++)
            ones[k] += (double)((u >> k) & 1);
    }
    for (int k = 0; k < 64; k++)
        ck_assert_msg(fabs(ones[k] - N / 2.0) < 5 * sqrt(N / 4.0), "bit %d set %g times", k, ones[k]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *kat = tcase_create("KnownAnswers");
    tcase_add_loop_test(kat, test_philox_known_answers, 0, (int)N_ELEMS(philox_ref_table));
    tcase_add_loop_test(kat, test_uniform_bits_known_answers, 0, (int)N_ELEMS(uniform_ref_table));
    tcase_add_loop_test(kat, test_gauss_known_answers, 0, (int)N_ELEMS(gauss_ref_table));
    tcase_add_test(kat, test_fill_is_consecutive);
    tcase_add_test(kat, test_lanes_equal_scalar);
    tcase_add_test(kat, test_streams_and_seeds_differ);
    suite_add_tcase(s, kat);
    TCase *dist = tcase_create("Distribution");
    tcase_add_test(dist, test_gauss_distribution);
    tcase_add_test(dist, test_uniform_bits_distribution);
    tcase_set_timeout(dist, 120);
    suite_add_tcase(s, dist);
    return run_suite(s);
}
