#!/usr/bin/python3
"""Reference values for the exact EMA moments under non-Gaussian noise
(radvar_exact_moments_ema_noise, radvar/exact.h), computed independently of
radvar's C code.

Run with Debian's python3-numpy, python3-mpmath (and nothing else):
    /usr/bin/python3 tests/ref/make_noise_refs.py     [--mc | --mc-only | --quick]
It writes tests/ref/noise_ref.h (committed, so `make check` needs no Python).
The full run takes about 5 minutes of CPU (16 minutes on the busy 2-core
machine it was made on); --mc adds a Monte Carlo cross-check of the
references, --mc-only runs the checks and the Monte Carlo without writing
the header, --quick computes a few rows only (a smoke test).

Method, chosen to share nothing with the C code but the definitions:
  X = sum_j w_j g_j^2, w_j = (1-b) b^j / (1-b^t) by age j, Y = X / E[X],
  g(s) = ln L_Y(s) + s = sum_j [ln phi_j(a_j) + a_j E[g_j^2]], a_j = s w_j / E[X]
  (for ar1 the sum does not split by j), and
      A = E[Y^-1] - 1 = int_0^inf e^-s expm1(g(s)) ds,
      B = E[Y^-1/2] - 1 = pi^-1/2 int_0^inf s^-1/2 e^-s expm1(g(s)) ds,
      E[psi] = (1+B)/sqrt(E[X]), E[psi^2] = (1+A)/E[X], Var[psi] = (A-2B-B^2)/E[X].
  Where g >= 1 the integrand is L_Y(s) - e^-s with ln L_Y summed from its own
  terms ln phi_j.
  * The s integrals: the trapezoidal rule in v = ln s, step 1/8 on
    [-60, 80] (the integrands are analytic for |Im v| < pi/2, so the error is
    about exp(-pi^2/0.125) = 5e-35 of the integrand's scale; outside the
    range they are below 1e-17 of A and B).  The C code uses adaptive
    Gauss-Kronrod (GSL QAGIU) in s.
  * normal, decay, mixture: ln phi_j in closed form, summed term by term in
    80-bit long double (numpy.longdouble): ln phi of a Gaussian with variance
    v and mean mu is -log1p(2 a v)/2 - a mu^2/(1 + 2 a v); for the mixture
    ln phi = log1p((1-P) expm1(l_1) + P expm1(l_2)).  The long double sums
    carry about 1e-19 s of absolute error into g, 1e-15 of A.
  * ar1: the Gaussian integral over the precision matrix
    M = R^-1 + 2 sigma^2 diag(a) (R_ij = F^|i-j|), with ln det M - ln det R^-1
    from the LDL' pivots r_j of the tridiagonal M, newest gradient first, and
    the mean term from forward-eliminated right-hand sides, in long double:
      ln L = -1/2 sum_j log1p((r_j - r0_j)/r0_j) - mu^2 a'M^-1 R^-1 1
    (r0_j: the pivots of R^-1).  The C code runs a Kalman filter in covariance
    form, oldest first, with per-step non-negative terms.  Checked against
    dense 40-digit mpmath determinants and solves at t <= 16 (printed).
  * student, laplace: phi(a) by quadrature over the noise density in x (the C
    code mixes Gaussians over the scale instead): E[D(a g^2)],
    D(z) = e^-z - 1 + z, for ln H = ln(log1pmx(E[D] - x) + E[D]) (x = a E[X]),
    and E[exp(-a g^2)] for ln phi, by double-exponential rules (exp-sinh on
    half-lines, tanh-sinh between the density's centre and the zero of g,
    step 1/512) in float64, on a grid u = ln x in [-100, 85], step 1/16; terms
    are then interpolated in u by 12-point Lagrange polynomials (error below
    1e-17 for functions analytic in |Im u| < pi/2).  The tables are checked
    (printed) against mpmath.quad at 30 digits on and between the grid
    points, against Laplace's method at large u (student) and against the
    closed form with erfc (laplace); the moments of student with mu = 0 at
    t = 3, 4 against a fully mpmath computation with Tricomi's U function.
  Checked this way, the values carry about 1e-15 relative error (up to
  5e-15 in Var, where it cancels), far below the 1e-8 the tests require and
  below the tolerances of tests/test_noise.c.  normal is compared with
  tests/ref/exact_ref.h (40-digit mpmath); --mc compares every model with a
  Monte Carlo of 400,000 EMA runs at two points, in standard errors.
"""
import math
import os
import sys
import time

import mpmath as mp
import numpy as np

LD = np.longdouble
HERE = os.path.dirname(os.path.abspath(__file__))

B2 = [0.9, 0.99, 0.999]
TS = [3, 4, 10, 100, 1000, 6000]
MUS = [0.0, 0.5]
SIGMA = 1.0
SPECS = ["normal", "student:nu=3", "student:nu=5", "student:nu=30", "laplace",
         "mixture:p=0.1,k=5", "ar1:phi=0.5", "ar1:phi=-0.3", "ar1:phi=0.9",
         "decay:a=0.5,tau=100"]

# nodes exactly representable (an inexact step would jitter them by 1e-14)
V_H = 0.125
V = -60.0 + V_H * np.arange(1121)  # [-60, 80]


def parse(spec):
    name, _, rest = spec.partition(":")
    params = {}
    if rest:
        for item in rest.split(","):
            k, v = item.split("=")
            params[k] = float(v)
    return name, params


# ---------------------------------------------------------------- integrals

def moments(g1, g2, m):
    """A, B by the trapezoidal rule in v = ln s from g (g1) and ln L_Y (g2)."""
    s = np.exp(V.astype(LD))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        exc = np.where(g1 < 1, np.exp(-s) * np.expm1(np.minimum(g1, 1)), np.exp(g2) - np.exp(-s))
    a = LD(V_H) * np.sum(s * exc)
    b = LD(V_H) * np.sum(np.sqrt(s) * exc) / np.sqrt(LD(math.pi))
    m = LD(m)
    return (1 + b) / np.sqrt(m), (1 + a) / m, (a - 2 * b - b * b) / m


def ema_weights(b2, t):
    b = LD(b2)
    c = (1 - b) / (1 - b ** t)
    return c * b ** np.arange(t, dtype=LD)


def chunks(n, size):
    for i in range(0, n, size):
        yield slice(i, min(n, i + size))


# ------------------------------------------------- closed-form i.i.d. terms

def gauss_logphi(a, var, mu):
    """ln E exp(-a (mu + sqrt(var) Z)^2)."""
    y = 2 * a * var
    return -np.log1p(y) / 2 - a * mu * mu / (1 + y)


def g_independent(w, m, logphi_fn, second_moment):
    """g and ln L_Y on the v grid, term by term: logphi_fn(a) -> ln phi per term."""
    g1 = np.empty(len(V), dtype=LD)
    g2 = np.empty(len(V), dtype=LD)
    s_all = np.exp(V.astype(LD))
    for sl in chunks(len(V), max(1, 400000 // len(w))):
        a = s_all[sl, None] * w[None, :] / LD(m)
        lp = logphi_fn(a)
        g2[sl] = np.sum(lp, axis=1)
        g1[sl] = np.sum(lp + a * second_moment, axis=1)
    return g1, g2


def ref_gaussian_scales(b2, t, mu, sigma, scale2):
    """Independent N(mu, sigma^2 scale2_j) terms (normal: scale2 = 1)."""
    w = ema_weights(b2, t)
    var = LD(sigma) ** 2 * scale2
    m = float(np.sum(w * (var + LD(mu) ** 2)))
    second = var + LD(mu) ** 2
    g1, g2 = g_independent(w, m, lambda a: gauss_logphi(a, var, LD(mu)), second)
    return moments(g1, g2, m)


def ref_normal(b2, t, mu, sigma, _):
    return ref_gaussian_scales(b2, t, mu, sigma, LD(1))


def ref_decay(b2, t, mu, sigma, p):
    i = t - np.arange(t, dtype=LD)  # the step of the gradient of age j
    scale2 = (1 + i / LD(p["tau"])) ** (-2 * LD(p["a"]))
    return ref_gaussian_scales(b2, t, mu, sigma, scale2)


def ref_mixture(b2, t, mu, sigma, p):
    P, K = LD(p["p"]), LD(p["k"])
    c2 = 1 / (1 - P + P * K * K)
    v1, v2 = LD(sigma) ** 2 * c2, LD(sigma) ** 2 * c2 * K * K
    mu = LD(mu)

    def logphi(a):
        q = (1 - P) * np.expm1(gauss_logphi(a, v1, mu)) + P * np.expm1(gauss_logphi(a, v2, mu))
        return np.log1p(q)
    w = ema_weights(b2, t)
    m = float(LD(sigma) ** 2 + mu * mu)
    g1, g2 = g_independent(w, m, logphi, LD(sigma) ** 2 + mu * mu)
    return moments(g1, g2, m)


# -------------------------------------------------------------------- ar1

def ar1_terms(a, F, mu, sigma):
    """g and ln L_Y for rows of a (ages j = 0.. newest first) from the LDL'
    pivots r_j of M = R^-1 + 2 sigma^2 diag(a), in the dtype of a:
      ln L = -1/2 sum_j log1p((r_j - r0_j)/r0_j) - mu^2 a'M^-1 R^-1 1
    (the mean term -mu^2 1'a + 1/2 c'M^-1 c, c = 2 mu sigma a, rewritten with
    diag(a) - 2 sigma^2 diag(a) M^-1 diag(a) = diag(a) M^-1 R^-1 so that it does
    not cancel at large s), a'M^-1 q = sum_j at_j qt_j / r_j with at, qt
    forward-eliminated."""
    dt = a.dtype
    F = dt.type(F)
    mu, sigma = dt.type(mu), dt.type(sigma)
    n = a.shape[1]
    k = 1 / (1 - F * F)          # r0_j for j < n-1
    e2 = F * F * k * k            # squared off-diagonal of R^-1
    e = -F * k
    lg = np.zeros(a.shape[0], dtype=dt)   # sum log1p(delta/r0)
    amq = np.zeros(a.shape[0], dtype=dt)  # a'M^-1 R^-1 1
    sa = np.zeros(a.shape[0], dtype=dt)
    delta = r = at = qt = None
    for j in range(n):
        aj = a[:, j]
        r0 = k if j < n - 1 else dt.type(1)
        qj = 1 / (1 + F) if j in (0, n - 1) else (1 - F) / (1 + F)  # row sums of R^-1
        if n == 1:
            qj = dt.type(1)
        if j == 0:
            delta_new = 2 * sigma * sigma * aj
            at_new, qt_new = aj, qj + 0 * aj
        else:
            delta_new = 2 * sigma * sigma * aj + e2 * delta / (k * r)  # r0_(j-1) = k
            at_new = aj - (e / r) * at
            qt_new = qj - (e / r) * qt
        r_new = r0 + delta_new
        lg += np.log1p(delta_new / r0)
        amq += at_new * qt_new / r_new
        sa += aj
        delta, r, at, qt = delta_new, r_new, at_new, qt_new
    log_l = -lg / 2 - mu * mu * amq
    g = -lg / 2 + sigma * sigma * sa + mu * mu * (sa - amq)
    return g, log_l


def ref_ar1(b2, t, mu, sigma, p):
    w = ema_weights(b2, t)
    m = sigma * sigma + mu * mu
    s_all = np.exp(V.astype(LD))
    g1 = np.empty(len(V), dtype=LD)
    g2 = np.empty(len(V), dtype=LD)
    for sl in chunks(len(V), 200):
        a = s_all[sl, None] * w[None, :] / LD(m)
        g1[sl], g2[sl] = ar1_terms(a, p["phi"], mu, sigma)
    return moments(g1, g2, m)


def check_ar1_dense():
    """The pivot recursion against dense determinants and solves in mpmath."""
    worst = 0.0
    with mp.workdps(40):
        for F in [0.5, -0.3, 0.9]:
            for t in [1, 3, 7, 16]:
                for mu in [0.0, 0.5]:
                    w = ema_weights(0.9, t)
                    R = mp.matrix(t, t)
                    for i in range(t):
                        for j in range(t):
                            R[i, j] = mp.mpf(F) ** abs(i - j)
                    for s in [0.01, 0.7, 30.0, 1e6]:
                        a = [mp.mpf(s) * mp.mpf(str(x)) / (1 + mp.mpf(mu) ** 2) for x in w]
                        I2 = mp.eye(t) + 2 * R * mp.diag(a)
                        c = mp.matrix([2 * mu * x for x in a])
                        Mi = R ** -1 + 2 * mp.diag(a)
                        dense = -mp.log(mp.det(I2)) / 2 + (c.T * mp.lu_solve(Mi, c))[0] / 2 - mu * mu * sum(a)
                        aa = np.array([[LD(str(x)) for x in a]], dtype=LD)
                        _, rec = ar1_terms(aa, F, mu, 1.0)
                        recm = mp.mpf(np.format_float_scientific(rec[0], precision=21))
                        worst = max(worst, float(abs(recm - dense) / abs(dense)))
    print("ar1: pivot recursion against dense 40-digit determinants (t <= 16), worst relative "
          "difference %.1e" % worst)


# ------------------------------------------- student and laplace one-step

U_STEP = 1.0 / 16  # exact, so that the grid is exactly equispaced
U_GRID = -100.0 + U_STEP * np.arange(185 * 16 + 1)  # [-100, 85]
DE_H = 1.0 / 512


def de_half_line():
    """exp-sinh rule on [0, inf): offsets d from the endpoint and weights."""
    k = int(round(5.0 / DE_H))
    tau = DE_H * np.arange(-k, k + 1)
    d = np.exp(np.pi / 2 * np.sinh(tau))  # from e^-116 to e^116
    return d, DE_H * np.pi / 2 * np.cosh(tau) * d


def de_interval(length):
    """tanh-sinh rule on [p, p + length]: offsets from both ends (each exact
    near its own end) and weights."""
    k = int(4.7 / DE_H)  # offsets down to e^-170: below the narrowest peak
    tau = DE_H * np.arange(-k, k + 1)
    w = np.pi / 2 * np.sinh(tau)
    half = length / 2
    dl = 2 * half / (1 + np.exp(-2 * w))
    dr = 2 * half / (1 + np.exp(2 * w))
    wt = DE_H * half * np.pi / 2 * np.cosh(tau) / np.cosh(w) ** 2
    ok = (dl > 0) & (dr > 0) & (wt > 0)
    return dl[ok], dr[ok], wt[ok]


def d_fun(z):
    """e^-z - 1 + z >= 0 for z >= 0, without cancellation."""
    out = np.empty_like(z)
    small = z < 0.25
    zs = z[small]
    acc = np.zeros_like(zs)
    for k in range(20, 1, -1):  # sum_{k>=2} (-1)^k z^(k-2) / k!
        acc = acc * zs + (-1.0) ** k / math.factorial(k)
    out[small] = zs * zs * acc
    out[~small] = np.expm1(-z[~small]) + z[~small]
    return out


def log1pmx(q):
    out = np.empty_like(q)
    small = np.abs(q) < 0.25
    qs = q[small]
    acc = np.zeros_like(qs)
    for k in range(60, 1, -1):
        acc = acc * qs + (-1.0) ** (k + 1) / k
    out[small] = acc * qs * qs
    out[~small] = np.log1p(q[~small]) - q[~small]
    return out


class OneStep:
    """ln H (u <= 0) and ln phi (u > 0) of a noise density on U_GRID."""

    def __init__(self, name, p, mu, sigma):
        self.mu, self.sigma = mu, sigma
        self.m = sigma * sigma + mu * mu
        if name == "student":
            nu = p["nu"]
            self.sp = sigma * math.sqrt((nu - 2) / nu)
            with mp.workdps(40):  # (a float64 difference of lgammas would lose 5e-15)
                lc = float(mp.loggamma((nu + 1) / mp.mpf(2)) - mp.loggamma(nu / mp.mpf(2))
                           - mp.log(nu * mp.pi) / 2)
            # in long double: (nu+1)/2 log1p(x^2/nu) is large, and its float64
            # rounding would reach the density's relative accuracy
            self.logf = lambda x: LD(lc) - LD(nu + 1) / 2 * np.log1p(LD(1) * x * x / nu)
            self.mp_f = lambda x: mp.exp(mp.loggamma((nu + 1) / mp.mpf(2)) - mp.loggamma(nu / mp.mpf(2))) \
                / mp.sqrt(nu * mp.pi) * (1 + x * x / nu) ** (-(nu + 1) / mp.mpf(2))
        else:  # laplace(0, 1/sqrt(2)): unit variance
            self.sp = sigma
            self.logf = lambda x: -0.5 * math.log(2) - math.sqrt(2) * np.abs(x)  # (e^-sqrt2|x|)/sqrt2
            self.mp_f = lambda x: mp.exp(-mp.sqrt(2) * abs(x)) / mp.sqrt(2)
        # nodes x (for the density) and g = mu + sp x, each computed from the
        # offset to its nearest breakpoint, so that g keeps its relative
        # accuracy near its zero c = -mu/sp, where exp(-a g^2) peaks for large a
        c = -mu / self.sp
        d, wd = de_half_line()
        lo, hi = min(0.0, c), max(0.0, c)
        xs = [lo - d, hi + d]
        gs = [mu + self.sp * (lo - d) if lo == 0.0 else -self.sp * d,
              mu + self.sp * (hi + d) if hi == 0.0 else self.sp * d]
        ws = [wd, wd]
        if hi > lo:
            dl, dr, wi = de_interval(hi - lo)
            xs.append(np.where(dl < dr, lo + dl, hi - dr))
            # g from the end at c (exact near c), or from 0 (no cancellation there)
            g_from_lo = self.sp * dl if lo == c else mu + self.sp * (lo + dl)
            g_from_hi = -self.sp * dr if hi == c else mu + self.sp * (hi - dr)
            gs.append(np.where(dl < dr, g_from_lo, g_from_hi))
            ws.append(wi)
        self.x = np.concatenate(xs)
        self.w = np.array(np.concatenate(ws) * np.exp(self.logf(self.x)), dtype=float)
        self.g2 = np.concatenate(gs) ** 2
        # two tables, so that no interpolation stencil mixes them: ln H for
        # u <= 1 (used for u <= 0), ln phi for u >= -1 (used for u > 0)
        self.tab_h = np.full(len(U_GRID), np.nan)
        self.tab_p = np.full(len(U_GRID), np.nan)
        for sl in chunks(len(U_GRID), 64):
            u = U_GRID[sl]
            a = np.exp(u) / self.m
            z = a[:, None] * self.g2[None, :]
            x = np.exp(u)
            if u[0] <= 1:
                ed = (d_fun(z) * self.w[None, :]).sum(axis=1)
                with np.errstate(invalid="ignore"):
                    self.tab_h[sl] = np.where(u <= 1, np.log(log1pmx(np.where(u <= 1, ed - x, 0.0)) + ed), np.nan)
            if u[-1] >= -1:
                with np.errstate(under="ignore", divide="ignore"):
                    ep = (np.exp(-z) * self.w[None, :]).sum(axis=1)
                    self.tab_p[sl] = np.where(u >= -1, np.log(ep), np.nan)
        self.table = np.where(U_GRID <= 0, self.tab_h, self.tab_p)  # the grid values

    def mp_check(self, us):
        """the grid values against mpmath.quad at 30 digits"""
        worst = 0.0
        for u in us:
            i = int(round((u - U_GRID[0]) / U_STEP))
            ref = self.mp_value(U_GRID[i])
            worst = max(worst, abs(ref - self.table[i]) / abs(ref))
        return worst

    def interp_check(self, us):
        """the interpolated tables, between grid points, against mpmath.quad"""
        worst = 0.0
        for u in us:
            ref = self.mp_value(u)
            val = self.log_h(np.array([u]))[0] if u <= 0 else self.interp(np.array([u]))[0]
            worst = max(worst, abs(ref - val) / abs(ref))
        return worst

    def mp_value(self, u):
        """ln H (u <= 0) or ln phi (u > 0) by mpmath.quad at 30 digits
        (integrands scaled to O(1): mpmath's convergence test is absolute)"""
        with mp.workdps(30):
            a = mp.exp(mp.mpf(u)) / self.m
            mu, sp = mp.mpf(self.mu), mp.mpf(self.sp)
            c = -mu / sp
            # decades around the density's centre and around the zero of g
            pts = {mp.mpf(0), c}
            for q in [c, mp.mpf(0)]:
                d = mp.mpf(1) / 64
                while d < 100 * max(1 / mp.sqrt(a), 10):
                    pts.update([q - d, q + d])
                    d *= 4
            pts = [-mp.inf] + sorted(pts) + [mp.inf]

            def dfun(z):
                if z < mp.mpf(1) / 8:
                    return sum((-z) ** k / mp.factorial(k) for k in range(2, 60))
                return mp.expm1(-z) + z
            x = a * self.m
            if u <= 0:
                scale = dfun(a)
                ed = scale * mp.quad(lambda xx: self.mp_f(xx) * dfun(a * (mu + sp * xx) ** 2) / scale, pts)
                with mp.workdps(90):
                    return float(mp.log(mp.log1p(ed - x) + x))
            return float(mp.log(mp.quad(lambda xx: self.mp_f(xx) * mp.exp(-a * (mu + sp * xx) ** 2), pts)))

    def laplace_closed_form_check(self, us):
        """laplace: phi in closed form, (I+ + I-)/(2 beta) with
        I+- = exp(+-mu/beta + 1/(4 a beta^2)) sqrt(pi/a)/2 erfc(1/(2 beta sqrt a) +- sqrt(a) mu),
        beta = sigma/sqrt 2, at 150 digits (e^(z^2) erfc(z) cancels: z^2 ~ e^-u) (grid and
        off-grid u)"""
        worst = 0.0
        with mp.workdps(150):
            for u in us:
                a = mp.exp(mp.mpf(u)) / self.m
                beta, mu = mp.mpf(self.sigma) / mp.sqrt(2), mp.mpf(self.mu)
                z = 1 / (2 * beta * mp.sqrt(a))
                half = mp.sqrt(mp.pi / a) / 2
                phi = (mp.exp(mu / beta + z * z) * half * mp.erfc(z + mp.sqrt(a) * mu)
                       + mp.exp(-mu / beta + z * z) * half * mp.erfc(z - mp.sqrt(a) * mu)) / (2 * beta)
                ref = float(mp.log(mp.log(phi) + a * self.m)) if u <= 0 else float(mp.log(phi))
                val = self.log_h(np.array([u]))[0] if u <= 0 else self.interp(np.array([u]))[0]
                worst = max(worst, abs(ref - val) / abs(ref))
        return worst

    def asymptotic_check(self, us):
        """ln phi = ln(f_g(0) sqrt(pi/a)) (1 + O(1/a)) for large a (Laplace's method)"""
        worst = 0.0
        with mp.workdps(30):
            for u in us:
                i = int(round((u - U_GRID[0]) / U_STEP))
                a = mp.exp(mp.mpf(U_GRID[i])) / self.m
                c = -mp.mpf(self.mu) / self.sp
                ref = mp.log(self.mp_f(c) / self.sp * mp.sqrt(mp.pi / a))
                worst = max(worst, abs(float(ref) - self.table[i]) / abs(float(ref)))
        return worst

    def interp(self, u, table=None):
        """12-point Lagrange interpolation of a table at u (array): ln phi by
        default, valid for u >= 0."""
        if table is None:
            table = self.tab_p
        npt = 12
        i0 = np.clip(np.floor((u - U_GRID[0]) / U_STEP).astype(np.int64) - npt // 2 + 1, 0, len(U_GRID) - npt)
        f = (u - U_GRID[i0]) / U_STEP  # exact: the nodes are dyadic and near u
        # equispaced barycentric weights
        bw = np.array([(-1) ** k * math.comb(npt - 1, k) for k in range(npt)], dtype=float)
        num = np.zeros_like(u)
        den = np.zeros_like(u)
        exact = np.full(u.shape, -1, dtype=np.int64)
        for k in range(npt):
            dk = f - k
            hit = dk == 0
            exact[hit] = k
            dk = np.where(hit, 1.0, dk)
            c = bw[k] / dk
            num += c * table[i0 + k]
            den += c
        out = num / den
        hit = exact >= 0
        out[hit] = table[i0[hit] + exact[hit]]
        return out

    def log_h(self, u):
        """ln H, u <= 0; continued linearly below the grid"""
        lo = U_GRID[0]
        slope = (self.tab_h[1] - self.tab_h[0]) / U_STEP
        out = self.interp(np.maximum(u, lo), self.tab_h)
        return np.where(u < lo, self.tab_h[0] + slope * (u - lo), out)


def spec_of(p):
    return p["name"] + "".join(":%s=%g" % (k, v) for k, v in p.items() if k != "name")


def ref_onestep(b2, t, mu, sigma, p, os_cache={}):
    key = (p["name"], tuple(sorted(p.items())), mu, sigma)
    if key not in os_cache:
        t0 = time.time()
        os_cache[key] = OneStep(p["name"], p, mu, sigma)
        ost = os_cache[key]
        chk = ost.mp_check([-40.0, -8.0, -1.0, 0.0, 2.0])
        off = ost.interp_check([-7.771, -0.123, -0.01, 0.013, 0.21, 3.333])
        if p["name"] == "laplace":
            asym = ost.laplace_closed_form_check([-90.0, -33.3, -7.771, -0.123, 0.0, 0.013, 3.333, 40.0, 80.0])
            what = "the closed form (erfc) at u = -90 .. 80"
        else:
            asym = ost.asymptotic_check([40.0, 80.0])
            what = "ln(f_g(0) sqrt(pi/a)) at u = 40, 80"
        print("one-step table %s mu=%g (%.0f s): against mpmath.quad at u = -40, -8, -1, 0, 2: worst "
              "relative difference %.1e; interpolated between the grid points: %.1e; against %s: %.1e"
              % (spec_of(p), mu, time.time() - t0, chk, off, what, asym), flush=True)
    ost = os_cache[key]
    w = np.array(ema_weights(b2, t), dtype=float)
    m = ost.m
    g1 = np.empty(len(V), dtype=LD)
    g2 = np.empty(len(V), dtype=LD)
    for sl in chunks(len(V), max(1, 400000 // t)):
        u = V[sl, None] + np.log(w)[None, :]  # u = ln x_j, x_j = a_j E[X] = s w_j
        low = u <= 0
        h = np.where(low, np.exp(ost.log_h(np.minimum(u, 0.0))), 0.0)
        lp = np.where(low, 0.0, ost.interp(np.maximum(u, 0.0)))
        x = np.exp(np.minimum(u, 700.0))
        # ln phi = H - x on the low part, the table above
        g1[sl] = np.sum(np.where(low, h, lp + x), axis=1, dtype=LD)
        g2[sl] = np.sum(np.where(low, LD(1) * h - x, lp), axis=1, dtype=LD)
    return moments(g1, g2, m)


def check_student_hyperu():
    """student, mu = 0, t = 3 and 4: the reference against a fully mpmath
    computation, with phi(a) = Gamma((nu+1)/2)/Gamma(nu/2) z^(nu/2)
    U((nu+1)/2, nu/2+1, z), z = a sigma^2 (nu-2) (Tricomi's U; the chi-square
    mixture of Gaussians in closed form) and mpmath.quad over s."""
    worst = 0.0
    with mp.workdps(30):
        for nu, t in [(5, 3), (3, 4)]:
            b2 = mp.mpf(0.9)
            c = (1 - b2) / (1 - b2 ** t)
            w = [c * b2 ** j for j in range(t)]
            k = mp.gamma((nu + 1) / mp.mpf(2)) / mp.gamma(nu / mp.mpf(2))

            def phi(a):
                z = a * (nu - 2)
                return k * z ** (nu / mp.mpf(2)) * mp.hyperu((nu + 1) / mp.mpf(2), nu / mp.mpf(2) + 1, z)

            def excess(s):
                return mp.fprod(phi(s * x) for x in w) - mp.exp(-s)
            pts = [0, 0.01, 0.1, 1, 3, 10, 30, 100, 10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6, 10 ** 8,
                   10 ** 12, mp.inf]
            bb = mp.quad(lambda s: excess(s) / mp.sqrt(s), pts) / mp.sqrt(mp.pi)
            aa = mp.quad(excess, pts)
            r = reference("student:nu=%d" % nu, 0.9, t, 0.0)
            for x, y in zip(r, [1 + bb, 1 + aa, aa - 2 * bb - bb * bb]):
                worst = max(worst, abs(float(x) / y - 1))
    print("student, mu = 0, (nu, t) = (5, 3), (3, 4), beta2 = 0.9: against mpmath with Tricomi's U, "
          "worst relative difference %.1e" % worst)


REFS = {"normal": ref_normal, "decay": ref_decay, "mixture": ref_mixture, "ar1": ref_ar1,
        "student": ref_onestep, "laplace": ref_onestep}


def reference(spec, b2, t, mu, sigma=SIGMA):
    name, p = parse(spec)
    p = dict(p, name=name) if name in ("student", "laplace") else p
    return REFS[name](b2, t, mu, sigma, p)


# ------------------------------------------------------------ Monte Carlo

def monte_carlo(spec, b2, t, mu, n=400000, seed=1):
    name, p = parse(spec)
    rng = np.random.default_rng(seed)
    w = (1 - b2) * b2 ** (t - np.arange(1, t + 1)) / (1 - b2 ** t)  # step i = 1..t
    psi = []
    for _ in range(n // 20000):
        size = (20000, t)
        if name == "normal":
            e = rng.standard_normal(size)
        elif name == "student":
            nu = p["nu"]
            e = rng.standard_t(nu, size) * math.sqrt((nu - 2) / nu)
        elif name == "laplace":
            e = rng.laplace(0.0, 1 / math.sqrt(2), size)
        elif name == "mixture":
            c = 1 / math.sqrt(1 - p["p"] + p["p"] * p["k"] ** 2)
            e = rng.standard_normal(size) * c * np.where(rng.random(size) < p["p"], p["k"], 1.0)
        elif name == "ar1":
            F = p["phi"]
            z = rng.standard_normal(size)
            e = np.empty(size)
            e[:, 0] = z[:, 0]
            for i in range(1, t):
                e[:, i] = F * e[:, i - 1] + math.sqrt(1 - F * F) * z[:, i]
        else:  # decay
            steps = np.arange(1, t + 1)
            e = rng.standard_normal(size) * (1 + steps / p["tau"]) ** (-p["a"])
        g = mu + SIGMA * e
        psi.append(1 / np.sqrt((g * g) @ w))
    psi = np.concatenate(psi)
    mean, var = psi.mean(), psi.var()
    c4 = ((psi - mean) ** 4).mean()
    return mean, math.sqrt(var / len(psi)), var, math.sqrt(max(c4 - var * var, 0) / len(psi))


def main():
    quick = "--quick" in sys.argv
    t_start = time.time()
    check_ar1_dense()
    # normal against the 40-digit references of make_exact_refs.py
    old = {}
    for line in open(os.path.join(HERE, "exact_ref.h")):
        line = line.strip()
        if line.startswith("{"):
            v = [float(x) for x in line.strip("{},").split(", ")]
            old[(v[0], v[1], v[2], v[3])] = v[4:]
    worst = 0.0
    for b2 in [0.9, 0.99, 0.999]:
        for t in [3, 4, 10, 100, 1000]:
            for mu in [0.0, 0.5]:
                r = reference("normal", b2, t, mu)
                o = old[(b2, t, mu, 1.0)]
                worst = max(worst, max(abs(float(x) / y - 1) for x, y in zip(r, o)))
    print("normal against exact_ref.h (40-digit mpmath): worst relative difference %.2e" % worst)
    check_student_hyperu()
    if "--mc" in sys.argv or "--mc-only" in sys.argv:
        print("Monte Carlo (400000 trials; differences in standard errors):")
        for spec in SPECS:
            for (b2, t, mu) in [(0.9, 10, 0.0), (0.99, 100, 0.5)]:
                e1, _, v = [float(x) for x in reference(spec, b2, t, mu)]
                m, sm, mv, sv = monte_carlo(spec, b2, t, mu)
                print("  %-22s b2=%-5g t=%-4d mu=%-3g E[psi] %+.2f se, Var[psi] %+.2f se"
                      % (spec, b2, t, mu, (m - e1) / sm, (mv - v) / sv), flush=True)
    if "--mc-only" in sys.argv:
        return 0
    rows = []
    specs = SPECS if not quick else ["student:nu=3", "ar1:phi=0.9"]
    for spec in specs:
        for b2 in B2 if not quick else [0.999]:
            for t in TS if not quick else [10, 1000]:
                for mu in MUS:
                    t0 = time.time()
                    r = reference(spec, b2, t, mu)
                    rows.append((spec, b2, t, mu, SIGMA) + tuple(r))
                    print("%-22s %-6g %-5d %-4g var %s  (%.1f s)" % (spec, b2, t, mu,
                          np.format_float_scientific(r[2], 12), time.time() - t0), file=sys.stderr, flush=True)
    elapsed = time.time() - t_start
    print("%d rows in %.0f s" % (len(rows), elapsed))
    if quick:
        return 0
    path = os.path.join(HERE, "noise_ref.h")

    def num(x):
        return np.format_float_scientific(LD(x), precision=19, unique=False)
    with open(path, "w") as f:
        f.write("/* noise_ref.h: generated by tests/ref/make_noise_refs.py (numpy %s, mpmath %s) in %.0f s;\n"
                " * do not edit.  Exact moments of psi_t for the EMA of squared mu + sigma e gradients under\n"
                " * the noise models of radvar/noise.h, from long double sums and the trapezoidal rule in\n"
                " * ln s (see the script for the method); about 1e-15 relative accuracy. */\n"
                % (np.__version__, mp.__version__, elapsed))
        f.write("static const struct noise_ref {\n    const char *spec;\n    double beta2, t, mu, sigma, "
                "mean_psi, mean_psi2, var_psi;\n} noise_ref_table[] = {\n")
        for r in rows:
            f.write('    {"%s", %r, %d.0, %r, %r, %s, %s, %s},\n'
                    % (r[0], r[1], r[2], r[3], r[4], num(r[5]), num(r[6]), num(r[7])))
        f.write("};\n")
    print("wrote", path, len(rows), "rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
