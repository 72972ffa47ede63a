"""radvar's closed forms, schedules, rectifications and exact moments over
numpy arrays.

Every function broadcasts its array arguments like a numpy ufunc and returns a
float64 array (a numpy scalar for scalar arguments), NaN outside the domain
and for NaN arguments, as the C library's plain forms do.  With err=True the
C library's _e form is called instead and a pair (value, error estimate) of
arrays comes back.

The loop over elements is np.frompyfunc around the ctypes call to the C
function: no compiled extension is needed, at a cost of a few hundred
nanoseconds of call overhead per element (README: the measured figures), which
is large against the closed forms themselves (tens of nanoseconds) but small
against Python loops and against the quadratures of exact_moments.
"""
import collections
import functools
from ctypes import POINTER, byref, c_double, c_int, c_uint64

import numpy as np

from radvar import _lib
from radvar._lib import SUCCESS, ExactMoments, Result, Threshold, lib


def _as_float(out):
    if isinstance(out, np.ndarray):
        return out.astype(np.float64)
    return np.float64(out)


class _Scalar:
    """the plain and _e forms of one C function of nargs doubles"""

    def __init__(self, name, nargs, lead=()):
        plain = getattr(lib, name)
        plain.restype = c_double
        plain.argtypes = [c_int] * len(lead) + [c_double] * nargs
        e = getattr(lib, name + "_e")
        e.restype = c_int
        e.argtypes = [c_int] * len(lead) + [c_double] * nargs + [POINTER(Result)]
        self.name = name
        self.plain = np.frompyfunc(functools.partial(plain, *lead) if lead else plain, nargs, 1)

        def one(*args):
            r = Result()
            e(*lead, *args, byref(r))
            return r.val, r.err

        self.e = np.frompyfunc(one, nargs, 2)

    def __call__(self, err, *args):
        # NaN and inf are the library's documented values outside the domain
        # and at its edges, not floating-point accidents: no numpy warnings
        with np.errstate(all="ignore"):
            if err:
                val, error = self.e(*args)
                return _as_float(val), _as_float(error)
            return _as_float(self.plain(*args))


def _scalar(name, nargs):
    return _Scalar(name, nargs)


# ---- theory (radvar/theory.h): psi^2 ~ Scale-inv-chi2(rho, tau2) ----
_mean_psi = _scalar("radvar_theory_mean_psi", 2)
_mean_psi2 = _scalar("radvar_theory_mean_psi2", 2)
_var_psi = _scalar("radvar_theory_var_psi", 2)
_var_psi_approx = _scalar("radvar_theory_var_psi_approx", 2)
_pdf_psi2 = _scalar("radvar_theory_pdf_psi2", 3)
_cdf_psi2 = _scalar("radvar_theory_cdf_psi2", 3)
_rho_from_var = _scalar("radvar_theory_rho_from_var", 2)


def mean_psi(rho, tau2=1.0, err=False):
    """E[psi] = sqrt(tau2 rho/2) Gamma((rho-1)/2)/Gamma(rho/2); rho > 1, 0 < tau2 < inf."""
    return _mean_psi(err, rho, tau2)


def mean_psi2(rho, tau2=1.0, err=False):
    """E[psi^2] = tau2 rho/(rho-2); rho > 2, 0 < tau2 < inf."""
    return _mean_psi2(err, rho, tau2)


def var_psi(rho, tau2=1.0, err=False):
    """Var[psi] of the paper's Theorem 1, without cancellation; rho > 2, 0 < tau2 < inf."""
    return _var_psi(err, rho, tau2)


def var_psi_approx(rho, tau2=1.0, err=False):
    """The paper's first-order rho tau2/(2 (rho-2)(rho-4)); rho > 4, 0 < tau2 < inf."""
    return _var_psi_approx(err, rho, tau2)


def pdf_psi2(x, rho, tau2=1.0, err=False):
    """Density of psi^2 ~ Scale-inv-chi2(rho, tau2) at x; rho > 0, 0 < tau2 < inf."""
    return _pdf_psi2(err, x, rho, tau2)


def cdf_psi2(x, rho, tau2=1.0, err=False):
    """Distribution function of psi^2 at x; rho > 0, 0 < tau2 < inf."""
    return _cdf_psi2(err, x, rho, tau2)


def rho_from_var(var, tau2=1.0, err=False):
    """The rho > 2 with Var[psi](rho, tau2) = var (Brent's method), see radvar/theory.h."""
    return _rho_from_var(err, var, tau2)


# ---- schedule (radvar/schedule.h) ----
_ema_decay_rate = _scalar("radvar_schedule_ema_decay_rate", 1)
_rho_inf = _scalar("radvar_schedule_rho_inf", 1)
_rho_t = _scalar("radvar_schedule_rho_t", 2)
_rho_moment = _scalar("radvar_schedule_rho_moment", 2)
_sma_length = _scalar("radvar_schedule_sma_length", 2)
_warmup_linear = _scalar("radvar_schedule_warmup_linear", 2)
_warmup_exp_untuned = _scalar("radvar_schedule_warmup_exp_untuned", 2)
_warmup_linear_untuned = _scalar("radvar_schedule_warmup_linear_untuned", 2)


def ema_decay_rate(beta2, err=False):
    """-ln(beta2), accurate near 1; 0 <= beta2 < 1."""
    return _ema_decay_rate(err, beta2)


def rho_inf(beta2, err=False):
    """rho_inf = 2/(1-beta2) - 1; 0 <= beta2 < 1."""
    return _rho_inf(err, beta2)


def rho_t(beta2, t, err=False):
    """rho_t = rho_inf - 2 t beta2^t/(1-beta2^t), without cancellation; t >= 1."""
    return _rho_t(err, beta2, t)


def rho_moment(beta2, t, err=False):
    """The second-moment dof 1/sum w_i^2 = rho_inf tanh(t lambda/2); t >= 1 (inf allowed)."""
    return _rho_moment(err, beta2, t)


def sma_length(beta2, t, err=False):
    """The SMA length solving the centre-of-mass equation numerically; t whole, >= 1."""
    return _sma_length(err, beta2, t)


def warmup_linear(t, tw, err=False):
    """min(t, tw)/tw; t >= 0, 1 <= tw < inf."""
    return _warmup_linear(err, t, tw)


def warmup_exp_untuned(beta2, t, err=False):
    """1 - exp(-(1-beta2) t) (Ma & Yarats 2021); t >= 0."""
    return _warmup_exp_untuned(err, beta2, t)


def warmup_linear_untuned(beta2, t, err=False):
    """min(1, (1-beta2) t/2) (Ma & Yarats 2021); t >= 0."""
    return _warmup_linear_untuned(err, beta2, t)


_WARMUP_KINDS = {"linear": 0, "exp_untuned": 1, "linear_untuned": 2}


def _choice(what, name, table):
    key = str(name).replace("-", "_")
    if key not in table:
        raise ValueError("%s: '%s' is not valid (valid: %s)"
                         % (what, name, ", ".join(k.replace("_", "-") for k in table)))
    return table[key]


_warmup_effective = {}


def warmup_effective_length(kind, beta2, tw=1.0, err=False):
    """sum_t (1 - w_t) of a warmup, in closed form; kind 'linear' (uses tw >= 1),
    'exp-untuned' or 'linear-untuned' (beta2 > 0)."""
    k = _choice("kind", kind, _WARMUP_KINDS)
    if k not in _warmup_effective:
        _warmup_effective[k] = _Scalar("radvar_schedule_warmup_effective_length", 2, lead=(k,))
    return _warmup_effective[k](err, beta2, tw)


# ---- rectify (radvar/rectify.h) ----
_rectify_paper = _scalar("radvar_rectify_paper", 2)
_rectify_paper_from_rho = _scalar("radvar_rectify_paper_from_rho", 2)
_rectify_sma_exact = _scalar("radvar_rectify_sma_exact", 2)
_rectify_sma_exact_from_rho = _scalar("radvar_rectify_sma_exact_from_rho", 2)
_rectify_moment = _scalar("radvar_rectify_moment", 2)


def r_t(beta2, t, err=False):
    """RAdam's r_t (paper, eq. 7) at (beta2, t); rho_t > 4, t >= 1.  Also rectify_paper."""
    return _rectify_paper(err, beta2, t)


rectify_paper = r_t


def rectify_paper_from_rho(rho_t, rho_inf, err=False):
    """The paper's r from the dofs; rho_t > 4 (may be inf), rho_inf > 4."""
    return _rectify_paper_from_rho(err, rho_t, rho_inf)


def rectify_sma_exact(beta2, t, err=False):
    """sqrt(Var(rho_inf)/Var(rho_t)) of Theorem 1; rho_t > 2, beta2 > 1/3."""
    return _rectify_sma_exact(err, beta2, t)


def rectify_sma_exact_from_rho(rho, rho_inf, err=False):
    """sqrt(Var(rho_inf)/Var(rho)); rho > 2, rho_inf > 2."""
    return _rectify_sma_exact_from_rho(err, rho, rho_inf)


def rectify_moment(beta2, t, err=False):
    """sqrt(Var(rho_inf)/Var(rho_moment)); rho_moment > 2, beta2 > 1/3."""
    return _rectify_moment(err, beta2, t)


def _rect_kind(kind):
    k = c_int()
    if lib.radvar_rectify_kind_from_name(str(kind).encode(), byref(k)) != SUCCESS:
        raise ValueError("kind: '%s' is not a rectification (valid: %s)"
                         % (kind, ", ".join(_lib.RECT_NAMES)))
    return k.value


_rectify_kinds = {}


def rectify(kind, beta2, t, err=False):
    """The rectification of kind 'paper', 'sma-exact' or 'moment' at (beta2, t)."""
    k = _rect_kind(kind)
    if k not in _rectify_kinds:
        _rectify_kinds[k] = _Scalar("radvar_rectify", 2, lead=(k,))
    return _rectify_kinds[k](err, beta2, t)


def _threshold(spec):
    """A radvar_rectify_threshold: 'paper' (rho_t > 4), 'official' (>= 5),
    'pytorch' (> 5), a number x (rho_t > x) or a pair (x, 'gt' | 'ge')."""
    if isinstance(spec, Threshold):
        return spec
    if isinstance(spec, str):
        if spec not in ("paper", "official", "pytorch"):
            raise ValueError("threshold: '%s' is not valid (valid: paper, official, pytorch, a "
                             "number, or (number, 'gt' | 'ge'))" % spec)
        named = Threshold.in_dll(lib, "radvar_rectify_threshold_" + spec)
        return Threshold(named.name, named.rho_min, named.cmp)
    if isinstance(spec, tuple) and len(spec) == 2:
        x, cmp = spec
        return Threshold(b"custom", float(x),
                         _choice("threshold comparison", cmp, {"gt": 0, "ge": 1}))
    return Threshold(b"custom", float(spec), 0)


threshold = _threshold


def rectify_first_step(beta2, threshold="pytorch"):
    """The first step t at which the threshold applies, as a float64 array
    (exact below 2^53); NaN where it never does (RADVAR_EDOM)."""
    th = _threshold(threshold)
    f = lib.radvar_rectify_first_step

    def one(b):
        t = c_uint64()
        return float(t.value) if f(b, byref(th), byref(t)) == SUCCESS else float("nan")

    with np.errstate(all="ignore"):
        return _as_float(np.frompyfunc(one, 1, 1)(beta2))


_eff = lib.radvar_rectify_effective_warmup_e
_eff.restype = c_int
_eff.argtypes = [c_int, c_double, POINTER(Threshold), POINTER(Result)]


def rectify_effective_warmup(beta2, kind="paper", threshold="pytorch", err=False):
    """sum_t (1 - w_t) of a rectification used as a warmup (w_t = 0 before the
    threshold applies, r_t of kind after); 0 < beta2 < 1."""
    k = _rect_kind(kind)
    th = _threshold(threshold)

    def one(b):
        r = Result()
        _eff(k, b, byref(th), byref(r))
        return r.val, r.err

    with np.errstate(all="ignore"):
        val, error = np.frompyfunc(one, 1, 2)(beta2)
    return (_as_float(val), _as_float(error)) if err else _as_float(val)


# ---- exact (radvar/exact.h) ----
Moments = collections.namedtuple("Moments",
                                 "mean_psi mean_psi2 var_psi abs_err evaluations status")
Moments.__doc__ = """Exact moments of psi: E[psi], E[psi^2], Var[psi], the estimated
absolute error of var_psi, the integrand evaluations and the status
(0 success, 1 RADVAR_EDOM: NaN values, 2 RADVAR_EMAXITER: the best values found)."""


def _moments_one(beta2, t, mu, sigma):
    r = ExactMoments()
    st = lib.radvar_exact_moments_ema(beta2, t, mu, sigma, byref(r))
    return r.mean_psi, r.mean_psi2, r.var_psi, r.abs_err, r.evaluations, st


_moments_ufunc = np.frompyfunc(_moments_one, 4, 6)


def exact_moments(beta2, t, mu=0.0, sigma=1.0):
    """Exact E[psi], E[psi^2], Var[psi] of the EMA at step t (a whole number
    >= 3, or inf for the stationary EMA; t = 2 gives E[psi] only) with
    gradients N(mu, sigma^2), by quadrature: a Moments of arrays."""
    with np.errstate(all="ignore"):
        out = _moments_ufunc(beta2, t, mu, sigma)
    kinds = (np.float64, np.float64, np.float64, np.float64, np.int64, np.int64)
    if isinstance(out[0], np.ndarray):
        return Moments(*(o.astype(k) for o, k in zip(out, kinds)))
    return Moments(*(k(o) for o, k in zip(out, kinds)))


def exact_moments_weights(w, mu=0.0, sigma=1.0):
    """Exact moments of psi = (sum_i w_i g_i^2)^(-1/2) for weights w (1-D, every
    w_i > 0; 3 or more for E[psi^2] and Var[psi]): a Moments of scalars."""
    a = np.ascontiguousarray(w, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError("w: must be one-dimensional (got shape %s)" % (a.shape,))
    r = ExactMoments()
    st = lib.radvar_exact_moments_weights(a.ctypes.data_as(POINTER(c_double)), a.size, float(mu),
                                          float(sigma), byref(r))
    return Moments(np.float64(r.mean_psi), np.float64(r.mean_psi2), np.float64(r.var_psi),
                   np.float64(r.abs_err), np.int64(r.evaluations), np.int64(st))

