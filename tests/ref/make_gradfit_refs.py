#!/usr/bin/python3
"""Reference values for the noise-model fits of radvar/gradstats.h
(radvar_gradstats_fit_model / _fit_all; tests/test_gradstats.c) and for
`radvar gradients` (tests/test_gradients.sh).

    /usr/bin/python3 tests/ref/make_gradfit_refs.py
        writes tests/ref/gradfit_ref.h, tests/ref/gradients_synthetic.tsv
        and tests/ref/gradients_synthetic_expected.tsv

Six synthetic series with known noise are drawn with NumPy (fixed seeds; the
values are written out, so C reads the very same doubles): Gaussian,
Student-t (nu = 4), AR(1) (phi = 0.6), a scale mixture (p = 0.1, k = 6),
Laplace, and a decaying scale (a = 0.8, tau = 30).  For each series and each
of the six models, the maximum of the likelihood the header documents is
found independently of the C code: the log-likelihoods are written here
from scipy.stats' densities (checked against them in float64), maximised
first by scipy.optimize in float64, then refined with mpmath at 30 digits
(findroot on the score, the derivative taken by mpmath) -- or, where the
maximum lies on the boundary of the allowed range (nu -> inf, k -> 1,
a -> 0), taken there.  The BIC then names the best model.  Runs in about a
minute.

The CLI test log (gradients_synthetic.tsv) holds three of the series as
coordinates c0 (Gaussian), c1 (Student-t) and c2 (AR(1)) in replay's format
(an initial row, then one gradient row per step), and the expected file
their statistics (scipy.stats) and fits.
"""
import math
import os

import mpmath as mp
import numpy as np
from scipy import optimize, special, stats

mp.mp.dps = 30
HERE = os.path.dirname(os.path.abspath(__file__))

NU_MIN, NU_MAX, K_MAX, PHI_MAX = 2.01, 1e6, 1e3, 0.9999
A_MAX, TAU_MIN, TAU_MAX = 50.0, 1e-3, 1e6
KINDS = ["normal", "student", "laplace", "mixture", "ar1", "decay"]
PARAMS = {"normal": 2, "student": 3, "laplace": 2, "mixture": 4, "ar1": 3, "decay": 4}


def series():
    out = []
    r = np.random.default_rng(31001)
    out.append(("gaussian", 0.02 + 0.5 * r.standard_normal(1000)))
    r = np.random.default_rng(31002)
    out.append(("student4", 1e-4 + 1e-3 * r.standard_t(4, 1000)))
    r = np.random.default_rng(31003)
    e = np.empty(1000)
    e[0] = r.standard_normal()
    for t in range(1, 1000):
        e[t] = 0.6 * e[t - 1] + math.sqrt(1 - 0.36) * r.standard_normal()
    out.append(("ar1", -0.3 + 0.2 * e))
    r = np.random.default_rng(31004)
    s = np.where(r.random(1000) < 0.1, 6.0, 1.0)
    out.append(("mixture", 2.0 * s * r.standard_normal(1000)))
    r = np.random.default_rng(31005)
    out.append(("laplace", 0.5 + r.laplace(0.0, 1.0, 600)))
    r = np.random.default_rng(31006)
    t = np.arange(1, 401)
    out.append(("decay", 2.0 * (1 + t / 30.0) ** -0.8 * r.standard_normal(400)))
    return out


# ---- the log-likelihoods, float64 (scipy) for the search, mpmath for the answer

def standardise(x):
    mu = math.fsum(x) / len(x)
    s = math.sqrt(math.fsum((v - mu) ** 2 for v in x) / len(x))
    return mu, s, (np.asarray(x) - mu) / s


def ll64(kind, z, theta, t=None):
    if kind == "normal":
        return stats.norm.logpdf(z).sum()
    if kind == "laplace":
        return stats.laplace.logpdf(z, scale=1 / math.sqrt(2)).sum()
    if kind == "student":
        nu = theta[0]
        sc = math.sqrt((nu - 2) / nu)
        return stats.t.logpdf(z, nu, scale=sc).sum()
    if kind == "mixture":
        p, k = theta
        c = 1 / math.sqrt(1 - p + p * k * k)
        return np.logaddexp(math.log1p(-p) + stats.norm.logpdf(z, scale=c),
                            math.log(p) + stats.norm.logpdf(z, scale=c * k)).sum()
    if kind == "ar1":
        phi = theta[0]
        sd = math.sqrt(1 - phi * phi)
        return stats.norm.logpdf(z[0]) + stats.norm.logpdf(z[1:], loc=phi * z[:-1], scale=sd).sum()
    if kind == "decay":
        a, tau = theta
        r = (1 + t / tau) ** -a
        s2 = np.mean(z * z / (r * r))
        return stats.norm.logpdf(z, scale=math.sqrt(s2) * r).sum()
    raise ValueError(kind)


def llmp(kind, z, theta=(), t=None):
    """the same at mpmath precision, written from the densities' formulas"""
    n = len(z)
    L2PI = mp.log(2 * mp.pi) / 2
    if kind == "normal":
        return -mp.fsum(v * v for v in z) / 2 - n * L2PI
    if kind == "laplace":
        return -n * mp.log(2) / 2 - mp.sqrt(2) * mp.fsum(abs(v) for v in z)
    if kind == "student":
        nu = theta[0]
        m = nu - 2
        c = mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(mp.pi * m) / 2
        return n * c - (nu + 1) / 2 * mp.fsum(mp.log1p(v * v / m) for v in z)
    if kind == "mixture":
        p, k = theta
        c2 = 1 / (1 - p + p * k * k)
        ck2 = c2 * k * k
        return mp.fsum(mp.log((1 - p) * mp.exp(-v * v / (2 * c2)) / mp.sqrt(c2)
                              + p * mp.exp(-v * v / (2 * ck2)) / mp.sqrt(ck2)) for v in z) - n * L2PI
    if kind == "ar1":
        phi = theta[0]
        q = 1 - phi * phi
        ss = mp.fsum((z[i] - phi * z[i - 1]) ** 2 for i in range(1, n))
        return -n * L2PI - (n - 1) * mp.log(q) / 2 - z[0] ** 2 / 2 - ss / (2 * q)
    if kind == "decay":
        a, tau = theta
        lr = [-a * mp.log1p(ti / tau) for ti in t]
        s2 = mp.fsum(v * v * mp.exp(-2 * l) for v, l in zip(z, lr)) / n
        return -n * L2PI - mp.fsum(lr) - n * mp.log(s2) / 2 - mp.mpf(n) / 2
    raise ValueError(kind)


def decay_sigma2(z, a, tau, t):
    return mp.fsum(v * v * (1 + ti / tau) ** (2 * a) for v, ti in zip(z, t)) / len(z)


def fit(kind, x):
    """(theta, loglik of x as mpf, sigma) for one model"""
    n = len(x)
    mu, s, z64 = standardise(x)
    t64 = np.arange(1, n + 1, dtype=float)
    zm = [(mp.mpf(float(v)) - mp.mpf(mu)) / mp.mpf(s) for v in x]
    tm = [mp.mpf(i + 1) for i in range(n)]
    jac = n * mp.log(mp.mpf(s))
    normal = llmp("normal", zm)
    # the float64 densities agree with the mpmath formulas (a check of both)
    for kind2, th in (("student", (5.0,)), ("mixture", (0.2, 3.0)), ("ar1", (0.3,)),
                      ("decay", (0.5, 40.0)), ("laplace", ()), ("normal", ())):
        a64 = ll64(kind2, z64, th, t64)
        amp = llmp(kind2, zm, [mp.mpf(v) for v in th], tm)
        assert abs(a64 - float(amp)) <= 1e-9 * abs(a64), (kind2, a64, amp)
    sigma = s
    if kind in ("normal", "laplace"):
        return (), llmp(kind, zm) - jac, sigma
    if kind == "student":
        f = lambda u: -ll64("student", z64, (2 + math.exp(u),))
        r = optimize.minimize_scalar(f, bounds=(math.log(NU_MIN - 2), math.log(NU_MAX - 2)),
                                     method="bounded", options={"xatol": 1e-9})
        nu0 = 2 + math.exp(r.x)
        if nu0 > 0.5 * NU_MAX:
            theta = (mp.mpf(NU_MAX),)
        else:
            g = lambda nu: mp.diff(lambda v: llmp("student", zm, (v,)), nu)
            theta = (mp.findroot(g, mp.mpf(nu0)),)
        ll = llmp("student", zm, theta)
        if ll <= normal:
            theta = (mp.mpf(NU_MAX),)
            ll = llmp("student", zm, theta)
        return theta, ll - jac, sigma
    if kind == "ar1":
        f = lambda w: -ll64("ar1", z64, (math.tanh(w),))
        r = optimize.minimize_scalar(f, bounds=(-5, 5), method="bounded", options={"xatol": 1e-10})
        g = lambda phi: mp.diff(lambda v: llmp("ar1", zm, (v,)), phi)
        theta = (mp.findroot(g, mp.mpf(math.tanh(r.x))),)
        return theta, llmp("ar1", zm, theta) - jac, sigma
    if kind == "mixture":
        # (logit p, ln ln k) with k in [1, K_MAX]
        def f(y):
            p, k = special.expit(y[0]), math.exp(math.exp(y[1]))
            return -ll64("mixture", z64, (p, k)) if 0 < p < 1 else 1e300
        grid = sorted((f((math.log(p / (1 - p)), math.log(math.log(k)))), p, k)
                      for p in (0.003, 0.01, 0.05, 0.1, 0.3, 0.5, 0.8) for k in (1.2, 1.5, 3, 6, 20, 100))
        bounds = [(-30, 30), (-12, math.log(math.log(K_MAX)))]
        best = min((optimize.minimize(f, (math.log(p / (1 - p)), math.log(math.log(k))), method="L-BFGS-B",
                                      bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-10})
                    for _, p, k in grid[:3]), key=lambda r: r.fun)
        p0, k0 = special.expit(best.x[0]), math.exp(math.exp(best.x[1]))
        if -best.fun <= float(normal) + 1e-9 or k0 < 1 + 1e-4:
            return (mp.mpf("0.5"), mp.mpf(1)), normal - jac, sigma
        if k0 >= K_MAX * (1 - 1e-6):
            k = mp.mpf(K_MAX)
            g = lambda p: mp.diff(lambda v: llmp("mixture", zm, (v, k)), p)
            theta = (mp.findroot(g, mp.mpf(p0)), k)
        else:
            F = lambda p, k: [mp.diff(lambda a: llmp("mixture", zm, (a, k)), p),
                              mp.diff(lambda b: llmp("mixture", zm, (p, b)), k)]
            theta = tuple(mp.findroot(F, (mp.mpf(p0), mp.mpf(k0)), tol=1e-26))
        return theta, llmp("mixture", zm, theta) - jac, sigma
    if kind == "decay":
        # (ln a, ln tau) in [ln 1e-12, ln A_MAX] x [ln(TAU_MIN n), ln(TAU_MAX n)]
        lo_t, hi_t = math.log(TAU_MIN * n), math.log(TAU_MAX * n)
        def f(y):
            return -ll64("decay", z64, (math.exp(y[0]), math.exp(y[1])), t64)
        grid = sorted((f((math.log(a), math.log(tau * n))), a, tau * n)
                      for a in (0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
                      for tau in (1e-3, 1e-2, 0.1, 1, 10, 100))
        bounds = [(math.log(1e-12), math.log(A_MAX)), (lo_t, hi_t)]
        best = min((optimize.minimize(f, (math.log(a), math.log(tau)), method="L-BFGS-B", bounds=bounds,
                                      options={"ftol": 1e-15, "gtol": 1e-10})
                    for _, a, tau in grid[:4]), key=lambda r: r.fun)
        a0, tau0 = math.exp(best.x[0]), math.exp(best.x[1])
        if -best.fun <= float(normal) + 1e-9 or a0 < 1e-6:
            return (mp.mpf(0), mp.mpf(n)), normal - jac, sigma
        at_a = a0 >= A_MAX * (1 - 1e-6)
        at_t = best.x[1] <= lo_t + 1e-6 or best.x[1] >= hi_t - 1e-6
        if at_a and at_t:
            theta = (mp.mpf(A_MAX), mp.exp(mp.mpf(best.x[1])))
        elif at_a:  # the exponential limit a, tau -> inf: the maximum over tau
            a = mp.mpf(A_MAX)
            g = lambda tau: mp.diff(lambda v: llmp("decay", zm, (a, v), tm), tau)
            theta = (a, mp.findroot(g, mp.mpf(tau0)))
        elif at_t:  # the power limit tau -> 0 (or tau large): the maximum over a
            tau = TAU_MIN * n if best.x[1] <= lo_t + 1e-6 else TAU_MAX * n
            tau = mp.mpf(tau)
            g = lambda a: mp.diff(lambda v: llmp("decay", zm, (v, tau), tm), a)
            theta = (mp.findroot(g, mp.mpf(a0)), tau)
        else:
            F = lambda a, tau: [mp.diff(lambda v: llmp("decay", zm, (v, tau), tm), a),
                                mp.diff(lambda v: llmp("decay", zm, (a, v), tm), tau)]
            theta = tuple(mp.findroot(F, (mp.mpf(a0), mp.mpf(tau0)), tol=1e-26))
        sigma = s * float(mp.sqrt(decay_sigma2(zm, theta[0], theta[1], tm)))
        return theta, llmp("decay", zm, theta, tm) - jac, sigma
    raise ValueError(kind)


def main():
    header = ["/* gradfit_ref.h: generated by tests/ref/make_gradfit_refs.py -- do not edit.",
              " * Synthetic series (NumPy, fixed seeds) and the maximum-likelihood fit of each",
              " * noise model (scipy.optimize, then mpmath findroot on the score at 30 digits). */",
              "#ifndef RADVAR_GRADFIT_REF_H", "#define RADVAR_GRADFIT_REF_H", "#include <stddef.h>", ""]
    table = []
    allx = series()
    fits = {}
    for name, x in allx:
        header.append("static const double gradfit_series_%s[%d] = {" % (name, len(x)))
        for i in range(0, len(x), 4):
            header.append("    " + ", ".join("%.17g" % v for v in x[i:i + 4]) + ",")
        header.append("};")
        n = len(x)
        res = {}
        for kind in KINDS:
            theta, ll, sigma = fit(kind, x)
            bic = -2 * ll + PARAMS[kind] * mp.log(n)
            res[kind] = (theta, ll, sigma, bic)
            print("%-9s %-8s theta %s loglik %s" % (name, kind, [mp.nstr(v, 12) for v in theta],
                                                    mp.nstr(ll, 15)))
        best = min(KINDS, key=lambda k: res[k][3])
        print("%-9s best by BIC: %s" % (name, best))
        fits[name] = (res, best)
        for kind in KINDS:
            theta, ll, sigma, bic = res[kind]
            th = [mp.nstr(v, 20) for v in theta] + ["0"] * (2 - len(theta))
            table.append('    {"%s", gradfit_series_%s, %d, RADVAR_NOISE_%s, %s, %s, %.17g, %s, %s},'
                         % (name, name, n, kind.upper(), th[0], th[1], sigma, mp.nstr(ll, 20),
                            "1" if kind == best else "0"))
    header += ["", "struct gradfit_ref {", "    const char *name;", "    const double *x;",
               "    size_t n;", "    int kind;", "    double theta0, theta1; /* nu | p, k | phi | a, tau */",
               "    double sigma, loglik;", "    int best; /* the smallest BIC of its series */", "};", "",
               "static const struct gradfit_ref gradfit_ref_table[] = {"]
    header += table
    header += ["};", "", "#endif", ""]
    with open(os.path.join(HERE, "gradfit_ref.h"), "w") as f:
        f.write("\n".join(header))

    # the CLI test: three series as the coordinates of one log
    cols = [x for name, x in allx if name in ("gaussian", "student4", "ar1")]
    names = [name for name, x in allx if name in ("gaussian", "student4", "ar1")]
    n = min(len(c) for c in cols)
    cols = [np.asarray(c[:n]) for c in cols]
    with open(os.path.join(HERE, "gradients_synthetic.tsv"), "w") as f:
        f.write("# synthetic gradient log made by tests/ref/make_gradfit_refs.py:\n")
        f.write("# c0 Gaussian, c1 Student-t nu = 4, c2 AR(1) phi = 0.6 (first %d values of each)\n" % n)
        f.write("c0\tc1\tc2\n")
        f.write("0.5\t-0.25\t1\n")  # the initial values (not gradients)
        for i in range(n):
            f.write("\t".join("%.17g" % c[i] for c in cols) + "\n")
    with open(os.path.join(HERE, "gradients_synthetic_expected.tsv"), "w") as f:
        f.write("# expected statistics of gradients_synthetic.tsv (scipy.stats, float64) and the\n")
        f.write("# best model by BIC with its parameters (mpmath, 30 digits), per coordinate\n")
        f.write("coord\tn\tmean\tsd\tkurtosis\tlag1_autocorr\tskewness\tnormality_p\tmodel\ttheta0\ttheta1\n")
        for k, (name, c) in enumerate(zip(names, cols)):
            x = c
            d = x - x.mean()
            lag1 = float(np.sum(d[:-1] * d[1:]) / np.sum(d * d))
            res, best = {}, None
            for kind in KINDS:
                theta, ll, sigma = fit(kind, x)
                res[kind] = (theta, -2 * ll + PARAMS[kind] * mp.log(n))
            best = min(KINDS, key=lambda kk: res[kk][1])
            th = [float(v) for v in res[best][0]] + [float("nan")] * (2 - len(res[best][0]))
            f.write("%d\t%d\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%d\t%.17g\t%.17g\n" % (
                k, n, x.mean(), x.std(ddof=1), stats.kurtosis(x, fisher=False), lag1, stats.skew(x),
                stats.normaltest(x).pvalue, KINDS.index(best), th[0], th[1]))


if __name__ == "__main__":
    main()
