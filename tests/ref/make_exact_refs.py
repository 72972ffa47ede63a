#!/usr/bin/python3
"""Reference values for the exact EMA moments (radvar/exact.h), computed
independently of radvar's C code.

Run with Debian's python3-mpmath and python3-numpy:
    /usr/bin/python3 tests/ref/make_exact_refs.py     (or `make references`)
It writes tests/ref/exact_ref.h and tests/ref/exact_small_ref.h (committed,
so `make check` needs no Python); --small-beta2-only writes the second only.

Method, straight from the definitions and none of the C code's rearrangements:
  X = sum_j w_j g_j^2, w_j = (1-b) b^j / (1-b^t), g_j ~ N(mu, sigma^2),
  L(s) = prod_j (1 + 2 s w_j sigma^2)^(-1/2) exp(-s w_j mu^2/(1 + 2 s w_j sigma^2)),
  E[X^-1] = int_0^inf L(s) ds, E[X^-1/2] = pi^-1/2 int_0^inf s^-1/2 L(s) ds,
  Var[psi] = E[X^-1] - E[X^-1/2]^2   (the plain, cancelling difference).
The integrals are mpmath.quad (tanh-sinh) over s = z / E[X], split at
z = 1, 10, 100.  ln L(s) is summed term by term:
  - with up to 200 terms, in mpmath at 40 digits, and Var[psi] is the plain
    difference above (40 digits leave 25 after any cancellation here);
  - beyond, in float64 (numpy, then math.fsum: exact summation of the rounded
    terms), terms with w_j < 1e-40 w_0 dropped (they change ln L by less than
    1e-38).  A float64 ln L cannot carry the plain difference, which cancels
    by a factor up to 1e9 (mu = 2, sigma = 0.01: Var[psi]/E[psi^2] ~ 1e-9), so
    this path integrates the excess over the mean instead: with Y = X/E[X] and
    g(s) = ln L_Y(s) + s = sum_j [(y_j - log1p(y_j))/2 + mu^2/(2 sigma^2) y_j^2/(1+y_j)],
    y_j = 2 s sigma^2 w_j / E[X] (y - log1p(y) by its series below 1e-3),
      A = E[Y^-1] - 1 = int e^-s expm1(g) ds,
      B = E[Y^-1/2] - 1 = pi^-1/2 int s^-1/2 e^-s expm1(g) ds,
      Var[psi] = (A - 2B - B^2) / E[X].
    g is good to about 1e-12 relative, and so are the moments: far inside the
    1e-8 that the tests require.
"""
import math
import os
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 40
HERE = os.path.dirname(os.path.abspath(__file__))
MP_TERMS = 200


def weights(b, t):
    lam = -math.log(b)
    jmax = t
    cutoff = math.ceil(40 * math.log(10) / lam) + 1  # w_j / w_0 < 1e-40 beyond
    return min(jmax, cutoff)


def log_laplace_mp(s, b, t, mu, sigma, n):
    b = mp.mpf(b)
    c = (1 - b) / (1 - b ** t)
    total = mp.mpf(0)
    s2 = mp.mpf(sigma) ** 2
    m2 = mp.mpf(mu) ** 2
    w = c
    for _ in range(n):
        y = 2 * s * w * s2
        total += -mp.log1p(y) / 2 - s * w * m2 / (1 + y)
        w *= b
    return total


def excess_float(z, b, t, mu, sigma, n):
    """(g(z), ln L_Y(z)) for Y = X / E[X], g = ln L_Y + z, both summed exactly
    in float64 from their own terms (neither as the other plus or minus z)."""
    z = float(z)
    c = (1 - b) / -math.expm1(t * math.log(b))
    w = c * np.exp(-np.arange(n) * -math.log(b))
    m = sigma * sigma + mu * mu
    y = 2 * z * sigma * sigma * w / m
    small = y < 1e-3
    ys = y[small]
    y_minus_log1p = np.empty_like(y)
    y_minus_log1p[small] = ys * ys * (0.5 - ys * (1 / 3 - ys * (0.25 - ys / 5)))
    y_minus_log1p[~small] = y[~small] - np.log1p(y[~small])
    r_mu = mu * mu / (2 * sigma * sigma)
    g_terms = 0.5 * y_minus_log1p + r_mu * y * y / (1 + y)
    log_l_terms = -0.5 * np.log1p(y) - r_mu * y / (1 + y)
    return mp.mpf(math.fsum(g_terms.tolist())), mp.mpf(math.fsum(log_l_terms.tolist()))


def laplace_excess(z, b, t, mu, sigma, n):
    """e^-z expm1(g(z)) = L_Y(z) - e^-z, from whichever form keeps its digits:
    expm1(g) while g < 1, exp(ln L) - e^-z beyond (where e^-z is the smaller)."""
    g, log_l = excess_float(z, b, t, mu, sigma, n)
    if g < 1:
        return mp.exp(-z) * mp.expm1(g)
    return mp.exp(log_l) - mp.exp(-z)


def moments(b, t, mu, sigma):
    n = weights(b, t)
    pts = [0, 1, 10, 100, mp.inf]
    if n <= MP_TERMS:
        m = mp.mpf(sigma) ** 2 + mp.mpf(mu) ** 2
        f1 = lambda z: mp.exp(log_laplace_mp(z / m, b, t, mu, sigma, n)) / m
        fh = lambda z: mp.exp(log_laplace_mp(z / m, b, t, mu, sigma, n)) / mp.sqrt(z / m) / m
        e_inv = mp.quad(f1, pts)
        e_inv_half = mp.quad(fh, pts) / mp.sqrt(mp.pi)
        return e_inv_half, e_inv, e_inv - e_inv_half ** 2
    with mp.workdps(20):
        m = mp.mpf(sigma) ** 2 + mp.mpf(mu) ** 2
        fa = lambda z: laplace_excess(z, b, t, mu, sigma, n)
        fb = lambda z: fa(z) / mp.sqrt(z) if z > 0 else mp.mpf(0)
        a = mp.quad(fa, pts)
        bb = mp.quad(fb, pts) / mp.sqrt(mp.pi)
        return (1 + bb) / mp.sqrt(m), (1 + a) / m, (a - 2 * bb - bb * bb) / m


def cnum(x):
    s = mp.nstr(x, 20, min_fixed=-4, max_fixed=16)
    return s + ".0" if "e" not in s and "." not in s else s


# ---- small beta2 (exact_small_ref.h) ----
# With beta2 < 0.01 the weights differ by factors 1/beta2: L(s) falls like
# s^-1/2, s^-1, s^-3/2 over decades of s each, and E[psi^2] grows like
# beta2^-1/2 ln(1/beta2).  Here every one of the t <= 10 terms is kept (the
# 1e-40 cutoff above would drop the third weight, without which E[X^-1] is
# infinite), at 30 digits, and mpmath.quad runs over every decade of s from
# 1e-2/w_0 up to hi = 1e3/w_k (k = min(t-1, 4)), and over the tail beyond in
# u = s/hi.
SMALL_BETA2 = [1e-3, 1e-5, 1e-8, 1e-20, 1e-50]
SMALL_T = [3, 10]
SMALL_MU = [0.0, 0.5]


def small_moments(b, t, mu):
    with mp.workdps(30):
        b = mp.mpf(b)
        c = (1 - b) / (1 - b ** t)
        w = [c * b ** j for j in range(t)]
        m2 = mp.mpf(mu) ** 2

        def lap(s):
            return mp.exp(mp.fsum(-mp.log1p(2 * s * wj) / 2 - s * wj * m2 / (1 + 2 * s * wj) for wj in w))
        lo, hi = mp.mpf("1e-2") / w[0], mp.mpf(1000) / w[min(t - 1, 4)]
        pts, x = [mp.mpf(0)], lo
        while x < hi:
            pts.append(x)
            x *= 10
        pts.append(hi)
        # the tail in u = s/hi (a map of unit scale from hi itself misses it)
        e_inv = mp.quad(lap, pts) + hi * mp.quad(lambda u: lap(hi * u), [1, mp.inf])
        e_inv_half = (mp.quad(lambda s: lap(s) / mp.sqrt(s), pts)
                      + mp.sqrt(hi) * mp.quad(lambda u: lap(hi * u) / mp.sqrt(u), [1, mp.inf])) / mp.sqrt(mp.pi)
        return e_inv_half, e_inv, e_inv - e_inv_half ** 2


def write_small():
    path = os.path.join(HERE, "exact_small_ref.h")
    rows = []
    for b in SMALL_BETA2:
        for t in SMALL_T:
            for mu in SMALL_MU:
                e1, e2, v = small_moments(b, t, mu)
                rows.append((b, t, mu, 1.0, e1, e2, v))
                print(b, t, mu, mp.nstr(v, 12), file=sys.stderr, flush=True)
    with open(path, "w") as f:
        f.write("/* exact_small_ref.h: generated by tests/ref/make_exact_refs.py (mpmath %s); "
                "do not edit.\n * Exact moments of psi_t for the EMA with beta2 < 0.01 "
                "(sigma = 1), every term kept, 30 digits. */\n" % mp.__version__)
        f.write("static const struct exact_ref exact_small_ref_table[] = {\n")
        for r in rows:
            f.write("    {" + ", ".join(cnum(mp.mpf(x)) for x in r) + "},\n")
        f.write("};\n")
    print("wrote", path, len(rows), "rows")


def main():
    write_small()
    if "--small-beta2-only" in sys.argv:
        return 0
    rows = []
    keep = {}
    old = os.path.join(HERE, "exact_ref.h")
    if "--float-only" in sys.argv and os.path.exists(old):
        # the 40-digit rows do not change; recompute the float64-path rows only
        for line in open(old):
            line = line.strip()
            if line.startswith("{"):
                v = line.strip("{},").split(", ")
                keep[(float(v[0]), int(float(v[1])), float(v[2]), float(v[3]))] = [mp.mpf(x) for x in v]
    for b in [0.9, 0.99, 0.999, 0.9999]:
        for t in [3, 4, 10, 100, 1000, 10000, 100000]:
            for mu in [0.0, 0.5, 2.0]:
                for sigma in [1.0, 0.01]:
                    key = (b, t, mu, sigma)
                    if key in keep and weights(b, t) <= MP_TERMS:
                        rows.append(tuple(keep[key]))
                        continue
                    e1, e2, v = moments(b, t, mu, sigma)
                    rows.append((b, t, mu, sigma, e1, e2, v))
                    print(b, t, mu, sigma, mp.nstr(v, 12), file=sys.stderr, flush=True)
    path = os.path.join(HERE, "exact_ref.h")
    with open(path, "w") as f:
        f.write("/* exact_ref.h: generated by tests/ref/make_exact_refs.py (mpmath %s, numpy %s); "
                "do not edit.\n * Exact moments of psi_t for the EMA of squared N(mu, sigma^2) "
                "gradients. */\n" % (mp.__version__, np.__version__))
        f.write("static const struct exact_ref {\n    double beta2, t, mu, sigma, mean_psi, "
                "mean_psi2, var_psi;\n} exact_ref_table[] = {\n")
        for r in rows:
            f.write("    {" + ", ".join(cnum(mp.mpf(x)) for x in r) + "},\n")
        f.write("};\n")
    print("wrote", path, len(rows), "rows")


if __name__ == "__main__":
    sys.exit(main())
