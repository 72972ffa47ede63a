#!/usr/bin/python3
"""Reference values for generator version 2 (tests/test_generator.c).

Run with Debian's python3-numpy, -scipy and -mpmath:
    /usr/bin/python3 tests/ref/make_generator_refs.py [--check]
It rewrites tests/ref/generator_ref.h (committed, so that `make check` needs no
Python) and prints the transform's measured properties (the README's figures).

Independent of the C code:
  - Philox4x32-10 in Python integers from the definition (Salmon et al. 2011),
    checked against Random123's known-answer vectors;
  - the single-precision Box-Muller transform re-implemented in NumPy float32,
    operation by operation in the order rng_v2_impl.h documents (every float32
    operation is IEEE-rounded on its own, no fused multiply-add), so its values
    must equal the C code's bit for bit;
  - the exact Box-Muller map at the same grid point, R = sqrt(-2 ln u),
    u = (a + 1/2) 2^-32, theta = (o + (r + 1/2) 2^-23) pi/4, in float64
    (log1p where u is near 1) and, for the edge words, in mpmath at 40 digits:
    the float32 transform is within a few float32 ulp of it everywhere;
  - a small simulation (EMA moments of psi_t) from those normals in float64;
  - how much the single precision of the draws moves the per-step moments of
    psi_t (the same words through the exact map instead), printed.
"""
import math
import os
import sys

import mpmath as mp
import numpy as np
from scipy import special

HERE = os.path.dirname(os.path.abspath(__file__))
M32 = 0xFFFFFFFF
TAG = 0x02000000

# ---------------------------------------------------------------- Philox


def philox4x32_10(ctr, key):
    c = list(ctr)
    k0, k1 = key
    for rnd in range(10):
        if rnd:
            k0 = (k0 + 0x9E3779B9) & M32
            k1 = (k1 + 0xBB67AE85) & M32
        p0 = 0xD2511F53 * c[0]
        p1 = 0xCD9E8D57 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k0) & M32, p1 & M32,
             ((p0 >> 32) ^ c[3] ^ k1) & M32, p0 & M32]
    return c


KAT = [  # Random123 kat_vectors, philox4x32 10 rounds: ctr, key, expected
    ((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
    ((M32,) * 4, (M32, M32), (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
    ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
     (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)),
]
for ctr, key, want in KAT:
    assert tuple(philox4x32_10(ctr, key)) == want, "Philox does not match Random123"


def words(seed, stream, index):
    """The Philox words of normal `index` of `stream` under `seed`."""
    ctr = ((index >> 2) & M32, TAG, stream & M32, (stream >> 32) & M32)
    return philox4x32_10(ctr, (seed & M32, (seed >> 32) & M32))

# ------------------------------------------------- the transform in float32


F = np.float32
SQRTHF = F(0.707106781186547524)
ONE_MINUS_SQRTHF = F(0.292893218813452476)
LOG_C1 = F(-2.12194440e-4)
LOG_C2 = F(0.693359375)
ANGLE_STEP = F(F(0.785398163397448310) * F(2.0 ** -23))
LQ1, LQ2, LQ3, LQ4 = F(2.0) / F(3.0), F(0.4), F(2.0) / F(7.0), F(2.0) / F(9.0)
SP0, SP1, SP2 = F(-1.9515295891E-4), F(8.3321608736E-3), F(-1.6666654611E-1)
CP0, CP1, CP2 = F(2.443315711809948E-005), F(-1.388731625493765E-003), F(4.166664568298827E-002)


def radius32(a):
    a = np.asarray(a, dtype=np.uint32)
    top = (a >> np.uint32(31)).astype(bool)
    e = np.where(top, ~a, a).astype(np.int64)          # < 2^31
    x = (e.astype(F) + F(0.5)) * F(2.0 ** -32)
    # u >= 1/2: ln(1 - x)
    big = x > ONE_MINUS_SQRTHF
    k_top = np.where(big, -1, 0)
    f_top = np.where(big, F(1.0) - (x + x), -x)
    # u < 1/2: x = m 2^k
    xb = x.view(np.uint32)
    m = ((xb & np.uint32(0x007fffff)) | np.uint32(0x3f000000)).view(F)
    small = m < SQRTHF
    k_bot = (xb >> np.uint32(23)).astype(np.int64) - 126 - small.astype(np.int64)
    f_bot = np.where(small, (m + m) - F(1.0), m - F(1.0))
    f = np.where(top, f_top, f_bot).astype(F)
    fk = np.where(top, k_top, k_bot).astype(F)
    q = f / (F(2.0) + f)
    w = q * q
    p = w * LQ4 + LQ3
    p = p * w + LQ2
    p = p * w + LQ1
    y = (q * w) * p
    y = y + fk * LOG_C1
    r = (q + q) + y
    r = r + fk * LOG_C2
    return np.sqrt(r * F(-2.0))


def pair32(a, b):
    """(n0, n1) in float32 for words a, b (arrays)."""
    radius = radius32(a)
    b = np.asarray(b, dtype=np.uint32)
    o = b >> np.uint32(29)
    j = (b >> np.uint32(6)) & np.uint32(0x007fffff)
    j = np.where(o & np.uint32(1), j ^ np.uint32(0x007fffff), j).astype(np.int64)
    x = (j.astype(F) + F(0.5)) * ANGLE_STEP
    zz = x * x
    s = (((SP0 * zz + SP1) * zz + SP2) * zz) * x + x
    c = (((CP0 * zz + CP1) * zz + CP2) * zz) * zz
    c = c - F(0.5) * zz
    c = c + F(1.0)
    swap = ((o + np.uint32(1)) >> np.uint32(1)) & np.uint32(1)
    cs = np.where(swap, s, c).astype(F)
    sn = np.where(swap, c, s).astype(F)
    cneg = ((o + np.uint32(2)) >> np.uint32(2)) & np.uint32(1)
    sneg = o >> np.uint32(2)
    cs = np.where(cneg, -cs, cs).astype(F)
    sn = np.where(sneg, -sn, sn).astype(F)
    return radius * cs, radius * sn


def normal32(seed, stream, index):
    w = words(seed, stream, index)
    h = (index & 3) >> 1
    n0, n1 = pair32(np.array([w[2 * h]]), np.array([w[2 * h + 1]]))
    return (n0 if index & 1 == 0 else n1)[0]

# ---------------------------------------------- the exact map at the grid


def angle(b):
    b = np.asarray(b, dtype=np.uint64)
    o = (b >> np.uint64(29)).astype(np.float64)
    r = ((b >> np.uint64(6)) & np.uint64(0x007fffff)).astype(np.float64)
    return (o + (r + 0.5) * 2.0 ** -23) * (math.pi / 4)


def exact64(a, b):
    a = np.asarray(a, dtype=np.uint64).astype(np.float64)
    u = (a + 0.5) * 2.0 ** -32
    lnu = np.where(u < 0.5, np.log(u), np.log1p(-((2.0 ** 32 - 1 - a) + 0.5) * 2.0 ** -32))
    radius = np.sqrt(-2.0 * lnu)
    th = angle(b)
    return radius * np.cos(th), radius * np.sin(th)


def exact_mp(a, b):
    mp.mp.dps = 40
    u = (mp.mpf(a) + mp.mpf(1) / 2) / mp.mpf(2) ** 32
    radius = mp.sqrt(-2 * mp.log(u))
    o, r = b >> 29, (b >> 6) & 0x7fffff
    th = (o + (mp.mpf(r) + mp.mpf(1) / 2) / mp.mpf(2) ** 23) * mp.pi / 4
    return radius * mp.cos(th), radius * mp.sin(th)


def ulp32(x):
    x = np.abs(np.asarray(x, dtype=np.float64))
    e = np.floor(np.log2(np.maximum(x, 2.0 ** -126)))
    return 2.0 ** (e - 23)


def edge_words():
    a_edges = [0, 1, 2, 3, 7, 0xff, 0xffff, 0x7fffff, 0x800000, 0xffffff, 0x1000000,
               0x4afb0ccc, 0x4afb0ccd, 0x7fffffff, 0x80000000, 0x80000001, 0xb504f333,
               0xb504f334, 0xfffffeff, 0xfffffffe, 0xffffffff]
    b_edges = []
    for o in range(8):
        for r in (0, 1, 0x3fffff, 0x400000, 0x7ffffe, 0x7fffff):
            b_edges.append((o << 29) | (r << 6) | (0x2a if r & 1 else 0))
    pairs = [(a, b) for a in a_edges for b in (b_edges[0], b_edges[5], b_edges[17], b_edges[-1])]
    pairs += [(0x9e3779b9, b) for b in b_edges]
    return pairs

# --------------------------------------------------- a small simulation


def simulate(seed, trials, steps, beta2, mu, sigma, chunk=256):
    """EMA moments of psi_t (mean, M2, M3, M4 over the trials) at every step,
    from the float32 normals, in float64, pooled exactly (two passes over all
    trials, not the engine's chunk tree: the C test compares with a relative
    tolerance)."""
    g = np.empty((steps, trials), dtype=np.float64)
    for i in range(trials):
        for blk in range((steps + 3) // 4):
            w = words(seed, i, 4 * blk)
            n0, n1 = pair32(np.array([w[0], w[2]]), np.array([w[1], w[3]]))
            vals = [n0[0], n1[0], n0[1], n1[1]]
            for s in range(4):
                t = 4 * blk + s
                if t < steps:
                    g[t, i] = float(vals[s])
    v = np.zeros(trials)
    out = []
    for t in range(1, steps + 1):
        z = mu + sigma * g[t - 1]
        v = beta2 * v + (1.0 - beta2) * (z * z)
        bc = -math.expm1(t * math.log(beta2))
        psi = np.sqrt(bc / v)
        mean = math.fsum(psi) / trials
        d = psi - mean
        out.append((t, mean, math.fsum(d ** 2), math.fsum(d ** 3), math.fsum(d ** 4)))
    return out

def float_vs_exact(trials=4000, steps=400, beta2=0.999, seed=7):
    """The per-step mean and M2 of psi_t from the float32 draws against those
    from the exact map of the same words: the largest relative differences
    over t >= 1 and t >= 5."""
    a = np.empty((steps // 2, trials), dtype=np.uint32)
    b = np.empty_like(a)
    for i in range(trials):
        for blk in range(steps // 4):
            a[2 * blk, i], b[2 * blk, i], a[2 * blk + 1, i], b[2 * blk + 1, i] = words(seed, i, 4 * blk)
    n0, n1 = pair32(a.ravel(), b.ravel())
    x0, x1 = exact64(a.ravel(), b.ravel())

    def steps_of(u, v):  # draws 4p, 4p+1 from the pair (w0, w1), 4p+2, 4p+3 from (w2, w3)
        u, v = u.reshape(steps // 2, trials), v.reshape(steps // 2, trials)
        g = np.empty((steps, trials))
        g[0::4], g[1::4], g[2::4], g[3::4] = u[0::2], v[0::2], u[1::2], v[1::2]
        return g

    out = []
    for g in (steps_of(n0.astype(np.float64), n1.astype(np.float64)), steps_of(x0, x1)):
        v, res = np.zeros(trials), []
        for t in range(1, steps + 1):
            v = beta2 * v + (1.0 - beta2) * g[t - 1] ** 2
            psi = np.sqrt(-math.expm1(t * math.log(beta2)) / v)
            d = psi - psi.mean()
            res.append((psi.mean(), (d * d).sum()))
        out.append(res)
    return [(lo, max(abs(f[0] / e[0] - 1) for f, e in zip(out[0][lo - 1:], out[1][lo - 1:])),
             max(abs(f[1] / e[1] - 1) for f, e in zip(out[0][lo - 1:], out[1][lo - 1:]))) for lo in (1, 5)]

# ------------------------------------------------------------------ main


def hexf(x):
    return float(x).hex()


def main():
    check_only = "--check" in sys.argv
    rng = np.random.default_rng(20261128)
    n = 4_000_000
    a = rng.integers(0, 2 ** 32, n, dtype=np.uint64).astype(np.uint32)
    b = rng.integers(0, 2 ** 32, n, dtype=np.uint64).astype(np.uint32)
    # the grid's extremes are part of the sample
    ea, eb = zip(*edge_words())
    a = np.concatenate([a, np.array(ea, dtype=np.uint32)])
    b = np.concatenate([b, np.array(eb, dtype=np.uint32)])
    n0, n1 = pair32(a, b)
    x0, x1 = exact64(a, b)
    err = np.concatenate([np.abs(n0 - x0) / ulp32(x0), np.abs(n1 - x1) / ulp32(x1)])
    rel = np.concatenate([np.abs(n0 / x0 - 1), np.abs(n1 / x1 - 1)])
    rad = radius32(a).astype(np.float64)
    xr = np.sqrt(-2.0 * np.where((a.astype(np.float64) + 0.5) * 2.0 ** -32 < 0.5,
                                 np.log((a.astype(np.float64) + 0.5) * 2.0 ** -32),
                                 np.log1p(-((2.0 ** 32 - 1 - a.astype(np.float64)) + 0.5) * 2.0 ** -32)))
    rerr = np.abs(rad / xr - 1)
    print("transform vs the exact Box-Muller map at the grid point, %d pairs:" % len(a))
    print("  normals: max %.2f float32 ulp, max relative error %.3g" % (err.max(), rel.max()))
    print("  radius:  max relative error %.3g" % rerr.max())
    assert err.max() < 8 and rel.max() < 1e-6
    for aa, bb in edge_words():
        m0, m1 = exact_mp(aa, bb)
        g0, g1 = pair32(np.array([aa]), np.array([bb]))
        for got, want in ((g0[0], m0), (g1[0], m1)):
            assert abs(float(got) - float(want)) <= 8 * float(ulp32(float(want))), (aa, bb, got, want)
    # properties
    r_max = float(radius32(np.array([0]))[0])
    r_min = float(radius32(np.array([0xffffffff]))[0])
    x_min = float((F(0.5) * ANGLE_STEP))
    s_min = math.sin(x_min)
    p_beyond = float(mp.erfc(mp.mpf(r_max) / mp.sqrt(2)))
    p_r_below = float(-mp.expm1(-mp.mpf(1e-3) ** 2 / 2))
    print("largest |normal| %.6f (R at a = 0, exact %.6f); P(|Z| > it) = %.3g per draw"
          % (r_max, math.sqrt(33 * 2 * math.log(2)), p_beyond))
    print("smallest R %.6g (2^-16 = %.6g), smallest |sin|, |cos| on the grid %.3g;"
          " smallest possible |normal| %.3g" % (r_min, 2.0 ** -16, s_min, r_min * s_min))
    print("P(R < 1e-3) = %.3g; the radius keeps its relative precision there (see above)" % p_r_below)
    print("no zero among the sample: %s" % (not np.any(n0 == 0) and not np.any(n1 == 0)))
    # moments of the sample (a sanity check, not a test)
    allv = np.concatenate([n0, n1]).astype(np.float64)
    print("sample of %d: mean %.3g, variance %.6f, kurtosis %.5f" % (len(allv), allv.mean(), allv.var(),
                                                                     np.mean(allv ** 4) / allv.var() ** 2))
    for lo, dm, d2 in float_vs_exact():
        print("psi_t from the float32 draws vs the exact map of the same words (4000 trials, "
              "beta2 0.999), t >= %d: mean %.2g, M2 %.2g relative" % (lo, dm, d2))
    if check_only:
        return

    kat = [(1, 0, i) for i in range(8)] + [
        (1, 1, 0), (20261128, 7, 123456789), (2 ** 64 - 1, 2 ** 40 - 3, 2 ** 33 - 1),
        (0x123456789abcdef, 2 ** 32 + 5, 4 * 1000 + 2), (42, 255, 5999), (42, 256, 5999)]
    sim_cfg = dict(seed=9, trials=300, steps=11, beta2=0.9, mu=0.25, sigma=1.5)
    sim = simulate(**sim_cfg)
    path = os.path.join(HERE, "generator_ref.h")
    with open(path, "w") as f:
        f.write("/* generator_ref.h: generated by tests/ref/make_generator_refs.py (NumPy %s,\n"
                " * mpmath %s); do not edit.  Generator version 2: Philox4x32-10 in Python\n"
                " * integers, Box-Muller in NumPy float32 (the same operations as the C code),\n"
                " * the exact map in float64/mpmath. */\n" % (np.__version__, mp.__version__))
        f.write("#include <stdint.h>\n\n")
        f.write("/* radvar_rng_normal_v2(seed, stream, index) */\n")
        f.write("static const struct { uint64_t seed, stream, index; float value; } v2_kat[] = {\n")
        for seed, stream, index in kat:
            f.write("    {UINT64_C(%d), UINT64_C(%d), UINT64_C(%d), %sf},\n"
                    % (seed, stream, index, hexf(normal32(seed, stream, index))))
        f.write("};\n\n")
        f.write("/* the transform of words (a, b): (n0, n1) in float32, and the exact map\n"
                " * at that grid point (mpmath, 17 digits) */\n")
        f.write("static const struct { uint32_t a, b; float n0, n1; double exact0, exact1; } v2_pairs[] = {\n")
        for aa, bb in edge_words():
            g0, g1 = pair32(np.array([aa]), np.array([bb]))
            m0, m1 = exact_mp(aa, bb)
            f.write("    {0x%08xu, 0x%08xu, %sf, %sf, %s, %s},\n"
                    % (aa, bb, hexf(g0[0]), hexf(g1[0]), mp.nstr(m0, 17), mp.nstr(m1, 17)))
        f.write("};\n\n")
        f.write("/* radvar_sim, EMA, generator 2: seed %(seed)d, %(trials)d trials, %(steps)d steps,\n"
                " * beta2 %(beta2)g, mu %(mu)g, sigma %(sigma)g, every step: t, mean, M2, M3, M4 of psi_t\n"
                " * (pooled in float64 with math.fsum) */\n" % sim_cfg)
        f.write("#define V2_SIM_SEED %d\n#define V2_SIM_TRIALS %d\n#define V2_SIM_STEPS %d\n"
                "#define V2_SIM_BETA2 %r\n#define V2_SIM_MU %r\n#define V2_SIM_SIGMA %r\n"
                % (sim_cfg["seed"], sim_cfg["trials"], sim_cfg["steps"], sim_cfg["beta2"],
                   sim_cfg["mu"], sim_cfg["sigma"]))
        f.write("static const double v2_sim[][5] = {\n")
        for row in sim:
            f.write("    {%d, %s},\n" % (row[0], ", ".join("%.17g" % x for x in row[1:])))
        f.write("};\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
