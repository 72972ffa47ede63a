#!/usr/bin/python3
"""Reference values for the error-estimate checks of the rectifications
under non-Gaussian noise: radvar_rectify_kurtosis_e and _from_rho_e,
radvar_noise_rho_mm_e, radvar_noise_mean_square_e and radvar_rectify_mm_e.

Run with Debian's python3-mpmath:  /usr/bin/python3 tests/ref/make_errest_refs.py
(or `make references`).  It writes tests/ref/errest_ref.h (committed).

Everything at 50 digits from the definitions, sharing nothing with the C
code but them:
  * the kurtosis E[e^4] of each noise by mpmath.quad over its density
    (Student t, Laplace, the Gaussian scale mixture), not the closed forms;
  * rho_mm = 2 E[X]^2 / Var[X] for X = sum_j w_j g_j^2, w_j = (1-b) b^j /
    (1-b^t) by age j, with Var[X] summed term by term: sum_j w_j^2 Var[g^2]
    for the i.i.d. models, the double sum sum_ij w_i w_j Cov(g_i^2, g_j^2),
    Cov = 2 s^4 F^(2|i-j|) + 4 mu^2 s^2 F^|i-j|, for ar1 (at t = inf the
    double sum in closed form, sum_ij b^(i+j) q^|i-j| = (1+qb)/((1-b^2)(1-qb)),
    checked against the direct sum truncated at b^j < 1e-40 for b = 0.9), and
    the O(t) sums over the scale path s_i = sigma (1 + i/tau)^-a for decay;
  * E[X] = mu^2 + sum_j w_j s_j^2;
  * r = sqrt(Var(rho_a)/Var(rho_b)) with Var[psi] from Theorem 1's Beta
    form (make_refs.var_psi): the kurtosis rectification at
    c rho_moment(t), c rho_inf, c = 2/(kappa-1); r_mm at rho_mm(t) and
    rho_mm(inf) (decay: rho_inf = 2/(1-b) - 1).
"""
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_refs import cnum, dbl, rho_moment_exact, var_psi  # noqa: E402

mp.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))


def kurtosis(spec):
    kind, p = spec
    if kind in ("normal", "ar1", "decay"):
        return mp.mpf(3)
    if kind == "student":
        nu = mp.mpf(p["nu"])
        if nu <= 4:
            return mp.inf
        dens = lambda x: mp.gamma((nu + 1) / 2) / (mp.sqrt(nu * mp.pi) * mp.gamma(nu / 2)) \
            * (1 + x * x / nu) ** (-(nu + 1) / 2)
    elif kind == "laplace":
        dens = lambda x: mp.exp(-abs(x)) / 2
    elif kind == "mixture":
        P, K = mp.mpf(p["p"]), mp.mpf(p["k"])
        nd = lambda x, s: mp.exp(-x * x / (2 * s * s)) / (s * mp.sqrt(2 * mp.pi))
        dens = lambda x: (1 - P) * nd(x, 1) + P * nd(x, K)
    m2 = 2 * mp.quad(lambda x: x ** 2 * dens(x), [0, 1, 10, mp.inf])
    m4 = 2 * mp.quad(lambda x: x ** 4 * dens(x), [0, 1, 10, mp.inf])
    return m4 / m2 ** 2


def weights(b, t):
    c = (1 - b) / (1 - b ** t)
    return [c * b ** j for j in range(int(t))]


def ar1_pair_sum(q, b):
    """sum_{i,j>=0} b^(i+j) q^|i-j| in closed form"""
    return (1 + q * b) / ((1 - b * b) * (1 - q * b))


def rho_mm_and_ex(spec, b, t, mu, sigma):
    kind, p = spec
    b, mu, sigma = mp.mpf(b), mp.mpf(mu), mp.mpf(sigma)
    s2 = sigma ** 2
    if kind == "ar1":
        F = mp.mpf(p["phi"])
        ex = mu ** 2 + s2
        cov = lambda d: 2 * s2 ** 2 * F ** (2 * d) + 4 * mu ** 2 * s2 * F ** d
        if t == mp.inf:
            c = 1 - b
            vx = c * c * (2 * s2 ** 2 * ar1_pair_sum(F * F, b) + 4 * mu ** 2 * s2 * ar1_pair_sum(F, b))
        else:
            w = weights(b, t)
            n = len(w)
            vx = mp.fsum(w[i] * w[j] * cov(abs(i - j)) for i in range(n) for j in range(n))
        return 2 * ex ** 2 / vx, ex
    if kind == "decay":
        a, tau = mp.mpf(p["a"]), mp.mpf(p["tau"])
        w = weights(b, t)
        n = int(t)
        si2 = [s2 * (1 + mp.mpf(n - j) / tau) ** (-2 * a) for j in range(n)]  # age j = step n - j
        ex = mu ** 2 + mp.fsum(w[j] * si2[j] for j in range(n))
        vx = mp.fsum(w[j] ** 2 * (2 * si2[j] ** 2 + 4 * mu ** 2 * si2[j]) for j in range(n))
        return 2 * ex ** 2 / vx, ex
    k = kurtosis(spec)
    ex = mu ** 2 + s2
    if k == mp.inf:
        return mp.mpf(0), ex
    var_g2 = s2 ** 2 * (k - 1) + 4 * mu ** 2 * s2
    sw2 = (1 - b) / (1 + b) if t == mp.inf else mp.fsum(x * x for x in weights(b, t))
    return 2 * ex ** 2 / (var_g2 * sw2), ex


def check_ar1_closed_form():
    b, F = mp.mpf("0.9"), mp.mpf("0.5")
    n = int(mp.ceil(-40 / mp.log10(b)))
    for q in (F, F * F):
        direct = mp.fsum(b ** (i + j) * q ** abs(i - j) for i in range(n) for j in range(n))
        rel = abs(direct / ar1_pair_sum(q, b) - 1)
        print("ar1 closed form vs direct sum, q = %s: relative difference %s" % (q, mp.nstr(rel, 3)))
        assert rel < mp.mpf("1e-35")


def ratio(rho_a, rho_b):
    """sqrt(Var(rho_a) / Var(rho_b)) with Var from Theorem 1 (NaN unless both > 2)"""
    if not (rho_a > 2 and rho_b > 2):
        return mp.nan
    return mp.sqrt(var_psi(rho_a) / var_psi(rho_b))


def kurtosis_rows():
    rows = []
    for b in ("0.9", "0.99", "0.999", "0.9999"):
        bd = dbl(b)
        rinf = 2 / (1 - bd) - 1
        for t in (3, 10, 50, 200, 1000, 10 ** 5):
            rm = rho_moment_exact(bd, t)
            for kappa in ("1.5", "3", "4.2", "9", "30"):
                kd = dbl(kappa)
                c = 2 / (kd - 1)
                # the _from_rho form at the doubles nearest rho_moment and rho_inf
                rmd, rinfd = dbl(rm), dbl(rinf)
                rf = ratio(c * rinfd, c * rmd)
                r = ratio(c * rinf, c * rm)
                if mp.isnan(r):
                    continue
                rows.append((bd, t, kd, rmd, rinfd, r, rf))
    return rows


SPECS = [
    ("normal", ("normal", {})),
    ("student:nu=5", ("student", {"nu": 5})),
    ("student:nu=12.5", ("student", {"nu": "12.5"})),
    ("student:nu=3", ("student", {"nu": 3})),
    ("laplace", ("laplace", {})),
    ("mixture:p=0.1,k=4", ("mixture", {"p": "0.1", "k": 4})),
    ("ar1:phi=0.5", ("ar1", {"phi": "0.5"})),
    ("ar1:phi=-0.8", ("ar1", {"phi": "-0.8"})),
    ("decay:a=1,tau=10", ("decay", {"a": 1, "tau": 10})),
    ("decay:a=0.3,tau=100", ("decay", {"a": "0.3", "tau": 100})),
]


def mm_rows():
    rows = []
    for name, spec in SPECS:
        p = {k: dbl(v) for k, v in spec[1].items()}
        spec = (spec[0], p)
        for b in ("0.9", "0.99"):
            bd = dbl(b)
            for mu, sigma in (("0", "1"), ("0.5", "2")):
                mud, sd = dbl(mu), dbl(sigma)
                if spec[0] == "decay":
                    rinf_mm = 2 / (1 - bd) - 1
                else:
                    rinf_mm = rho_mm_and_ex(spec, bd, mp.inf, mud, sd)[0]
                for t in (1, 3, 10, 40, 150):
                    rt, ex = rho_mm_and_ex(spec, bd, t, mud, sd)
                    r = ratio(rinf_mm, rt)
                    rows.append((name, bd, t, mud, sd, rt, ex, r))
                if spec[0] != "decay":
                    rows.append((name, bd, mp.inf, mud, sd, rinf_mm, rho_mm_and_ex(spec, bd, mp.inf, mud, sd)[1],
                                 mp.mpf(1)))
    return rows


def main():
    check_ar1_closed_form()
    path = os.path.join(HERE, "errest_ref.h")
    krows = kurtosis_rows()
    mrows = mm_rows()
    with open(path, "w") as f:
        f.write("/* errest_ref.h: generated by tests/ref/make_errest_refs.py with mpmath %s at "
                "%d digits; do not edit.\n" % (mp.__version__, mp.mp.dps))
        f.write(" * kurtosis_ref: r = sqrt(Var(c rho_inf)/Var(c rho_moment(t))), c = 2/(kappa-1), "
                "Theorem 1's Beta form;\n * r_from_rho the same at the doubles rho_moment and rho_inf "
                "of the row.\n * mm_ref: rho_mm(t) = 2 E[X]^2/Var[X] and E[X] summed from the "
                "definitions, r_mm = sqrt(Var(rho_mm(inf))/Var(rho_mm(t)))\n * (NAN outside the "
                "domain).  See the script for the method. */\n")
        f.write("static const struct kurtosis_ref {\n    double beta2, t, kappa, rho_moment, rho_inf, "
                "r, r_from_rho;\n} kurtosis_ref_table[] = {\n")
        for row in krows:
            f.write("    {" + ", ".join(cnum(v) for v in row) + "},\n")
        f.write("};\n\nstatic const struct mm_ref {\n    const char *spec;\n    double beta2, t, mu, "
                "sigma, rho_mm, mean_square, r_mm;\n} mm_ref_table[] = {\n")
        for row in mrows:
            f.write('    {"%s", ' % row[0] + ", ".join(cnum(v) for v in row[1:]) + "},\n")
        f.write("};\n")
    print("wrote", path, len(krows), "+", len(mrows), "rows")


if __name__ == "__main__":
    sys.exit(main())
