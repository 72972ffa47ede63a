#!/usr/bin/python3
"""Tests of the Python bridge (python/radvar), run by tests/test_python.sh:

    RADVAR_LIBRARY=build/lib/libradvar.so.0 PYTHONPATH=python \\
        /usr/bin/python3 tests/test_python.py build/bin/radvar

  - the package: its version against the header's, the library search, the
    check of the struct mirrors (a drifted mirror must fail);
  - the vectorised functions: element by element against direct calls of the
    C functions and against the values `radvar schedule` and `radvar theory`
    print (%.17g, so bit for bit), broadcasting, NaN outside the domain;
  - radvar.torch.Optimizer (with Debian's python3-torch): against
    torch.optim.Adam, AdamW, RAdam and SGD step for step on a small MLP with a
    cross-entropy loss (float64: relative difference <= 1e-12; float32: a few
    ulps, see test_torch_float32), against `radvar replay` for every other
    preset, method and knob (bit for bit: the same library computes both),
    the state_dict round trip (bit for bit), schedulers, parameter groups,
    closures, non-contiguous parameters, the errors.
Each test prints what it measured; the last line is 'N passed, N failed'.
"""
import copy
import ctypes
import io
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROG = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "bin", "radvar")

import radvar  # noqa: E402
from radvar import _lib  # noqa: E402

try:
    if os.environ.get("RADVAR_TEST_NO_TORCH"):
        raise ImportError("RADVAR_TEST_NO_TORCH is set")
    import torch
    import radvar.torch as rt
    HAVE_TORCH = True
    torch.set_num_threads(1)  # 2 cores shared; tiny tensors run faster on one thread
except ImportError:
    HAVE_TORCH = False

TESTS = []


def test(needs_torch=False, timing=False):
    def mark(f):
        TESTS.append((f, needs_torch, timing))
        return f
    return mark


def note(text):
    print("    " + text)


def same_bits(a, b):
    """equal arrays, NaN equal to NaN"""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, check=True, **kw).stdout


def read_table(text):
    """a radvar TSV table: header row, then numbers ('#' lines skipped)"""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return lines[0].split("\t"), np.loadtxt(io.StringIO("\n".join(lines[1:])), delimiter="\t",
                                            ndmin=2)


# ---------------------------------------------------------------- the package

@test()
def test_version():
    header = open(os.path.join(ROOT, "include", "radvar", "common.h")).read()
    want = re.search(r'#define RADVAR_VERSION "([^"]+)"', header).group(1)
    assert radvar.__version__ == want, (radvar.__version__, want)
    assert radvar.version() == want, (radvar.version(), want)
    assert radvar.dispatch_name() in ("avx2", "portable")
    note("package %s, library %s at %s (%s)" % (radvar.__version__, radvar.version(),
                                                 radvar.library_path, radvar.dispatch_name()))


@test()
def test_library_search():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"),
               RADVAR_LIBRARY="/nonexistent/libradvar.so.0")
    r = subprocess.run([sys.executable, "-c", "import radvar"], env=env, capture_output=True,
                       text=True)
    assert r.returncode != 0 and "RADVAR_LIBRARY" in r.stderr and "/nonexistent" in r.stderr, r.stderr
    # without RADVAR_LIBRARY, PYTHONPATH=python finds the build tree (when it is build/)
    build_lib = os.path.join(ROOT, "build", "lib", "libradvar.so.0")
    if os.path.realpath(radvar.library_path) == os.path.realpath(build_lib):
        env.pop("RADVAR_LIBRARY")
        out = run([sys.executable, "-c", "import radvar; print(radvar.library_path)"], env=env)
        assert os.path.realpath(out.strip()) == os.path.realpath(build_lib), out
        note("found without RADVAR_LIBRARY: %s" % out.strip())


@test()
def test_layout_drift_fails():
    from ctypes import c_char, c_double

    fields = list(_lib.Config._fields_)
    names = [n for n, _ in fields]
    swapped = list(fields)
    i, j = names.index("eps_root"), names.index("weight_decay")
    swapped[i], swapped[j] = fields[j], fields[i]
    drifts = {
        "two fields swapped": swapped,
        "a field missing": [f for f in fields if f[0] != "min_lr"],
        "a field added": fields[:-1] + [("added", c_double), fields[-1]],
        "a shorter array": fields[:-1] + [("preset", c_char * 24)],
        "an int as a double": [(n, c_double if n == "below" else t) for n, t in fields],
    }
    for what, f in drifts.items():
        mirror = type("Drifted", (ctypes.Structure,), {"_fields_": f})
        try:
            _lib._check_config_layout(mirror)
        except _lib.LayoutError:
            continue
        raise AssertionError("a mirror with %s passed the layout check" % what)
    _lib._check_config_layout()
    note("%d drifted mirrors of radvar_optim_config refused, the real one accepted" % len(drifts))


# ---------------------------------------------------- the vectorised functions

def direct(name, *args):
    f = getattr(_lib.lib, name)
    return f(*args)


# (python function, C function, sample arguments on a grid that crosses the
# domain's edges)
GRID_RHO = np.array([-1.0, 0.0, 1.0, 1.5, 2.0, 2.0000001, 3.0, 4.0, 4.5, 5.0, 10.0, 1e3, 1e8,
                     np.inf, np.nan])
GRID_B2 = np.array([-0.1, 0.0, 0.3, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0, np.nan])
GRID_T = np.array([0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.5, 10.0, 100.0, 1e4, 1e7, np.inf])
GRID_TAU2 = np.array([-1.0, 0.0, 0.5, 1.0, 3.0, np.inf])


@test()
def test_functions_against_c():
    from ctypes import c_double
    cases = [
        (radvar.mean_psi, "radvar_theory_mean_psi", (GRID_RHO[:, None], GRID_TAU2)),
        (radvar.mean_psi2, "radvar_theory_mean_psi2", (GRID_RHO[:, None], GRID_TAU2)),
        (radvar.var_psi, "radvar_theory_var_psi", (GRID_RHO[:, None], GRID_TAU2)),
        (radvar.var_psi_approx, "radvar_theory_var_psi_approx", (GRID_RHO[:, None], GRID_TAU2)),
        (radvar.pdf_psi2, "radvar_theory_pdf_psi2", (np.array([-1, 0, 0.5, 1, 2.0])[:, None], GRID_RHO, 1.5)),
        (radvar.cdf_psi2, "radvar_theory_cdf_psi2", (np.array([-1, 0, 0.5, 1, 2.0])[:, None], GRID_RHO, 1.5)),
        (radvar.rho_from_var, "radvar_theory_rho_from_var", (np.array([-1, 0, 1e-3, 0.1, 1.0, 10.0]), 1.0)),
        (radvar.ema_decay_rate, "radvar_schedule_ema_decay_rate", (GRID_B2,)),
        (radvar.rho_inf, "radvar_schedule_rho_inf", (GRID_B2,)),
        (radvar.rho_t, "radvar_schedule_rho_t", (GRID_B2[:, None], GRID_T)),
        (radvar.rho_moment, "radvar_schedule_rho_moment", (GRID_B2[:, None], GRID_T)),
        (radvar.sma_length, "radvar_schedule_sma_length", (GRID_B2[:, None], GRID_T[:-1])),
        (radvar.warmup_linear, "radvar_schedule_warmup_linear", (GRID_T[:, None], np.array([0.5, 1.0, 100.0]))),
        (radvar.warmup_exp_untuned, "radvar_schedule_warmup_exp_untuned", (GRID_B2[:, None], GRID_T)),
        (radvar.warmup_linear_untuned, "radvar_schedule_warmup_linear_untuned", (GRID_B2[:, None], GRID_T)),
        (radvar.r_t, "radvar_rectify_paper", (GRID_B2[:, None], GRID_T)),
        (radvar.rectify_paper_from_rho, "radvar_rectify_paper_from_rho", (GRID_RHO[:, None], GRID_RHO)),
        (radvar.rectify_sma_exact, "radvar_rectify_sma_exact", (GRID_B2[:, None], GRID_T)),
        (radvar.rectify_sma_exact_from_rho, "radvar_rectify_sma_exact_from_rho", (GRID_RHO[:, None], GRID_RHO)),
        (radvar.rectify_moment, "radvar_rectify_moment", (GRID_B2[:, None], GRID_T)),
    ]
    total = nans = 0
    for fn, cname, args in cases:
        got = fn(*args)
        val, err = fn(*args, err=True)
        shape = np.broadcast(*[np.asarray(a) for a in args]).shape
        assert got.shape == shape and got.dtype == np.float64, (cname, got.shape, shape)
        f = getattr(_lib.lib, cname)
        fe = getattr(_lib.lib, cname + "_e")
        for idx in np.ndindex(shape):
            a = [float(np.broadcast_to(np.asarray(x, dtype=float), shape)[idx]) for x in args]
            want = f(*a)
            r = _lib.Result()
            status = fe(*a, ctypes.byref(r))
            assert same_bits(got[idx], want), (cname, a, got[idx], want)
            assert same_bits(val[idx], r.val) and same_bits(err[idx], r.err), (cname, a)
            # outside the domain: NaN and a status, never a silent number
            if status == _lib.EDOM:
                assert math.isnan(got[idx]), (cname, a, got[idx])
            if any(math.isnan(x) for x in a):
                assert math.isnan(got[idx]), (cname, "NaN in, not NaN out", a, got[idx])
            total += 1
            nans += math.isnan(got[idx])
        # a scalar gives a numpy scalar
        s = fn(*[np.asarray(x, dtype=float).flat[-2 if np.size(x) > 1 else 0] for x in args])
        assert isinstance(s, np.float64), (cname, type(s))
    assert f.restype is c_double
    note("%d functions, %d values bit for bit equal to the C calls (plain and _e), %d NaN "
         "outside the domain" % (len(cases), total, nans))


@test()
def test_domain_edges():
    nan = np.isnan
    assert nan(radvar.var_psi(2.0)) and nan(radvar.var_psi(1.5)) and not nan(radvar.var_psi(2.5))
    assert nan(radvar.mean_psi(1.0)) and not nan(radvar.mean_psi(1.01))
    assert nan(radvar.var_psi(3.0, tau2=0.0)) and nan(radvar.var_psi(3.0, tau2=-1.0))
    assert nan(radvar.var_psi_approx(4.0)) and not nan(radvar.var_psi_approx(4.0001))
    assert nan(radvar.rho_t(1.0, 10)) and nan(radvar.rho_t(0.9, 0.5)) and radvar.rho_t(0.9, 1) == 1.0
    assert nan(radvar.rho_inf(1.0)) and nan(radvar.rho_inf(-0.5))
    r = radvar.r_t(0.999, np.arange(1, 8))
    assert nan(r[:4]).all() and not nan(r[4:]).any(), r  # rho_t > 4 from t = 5
    assert nan(radvar.warmup_linear(-1.0, 10)) and nan(radvar.warmup_linear(5, 0.5))
    first = radvar.rectify_first_step([0.5, 0.9, 0.999], "pytorch")
    assert nan(first[0]) and first[1] == 6 and first[2] == 6, first
    assert radvar.rectify_first_step(0.999, "paper") == 5
    assert radvar.rectify_first_step(0.999, (5.0, "ge")) == 6
    m = radvar.exact_moments(0.999, [1, 2, 2.5, 3, np.inf], mu=0.0, sigma=1.0)
    assert list(m.status) == [_lib.EDOM, _lib.EDOM, _lib.EDOM, 0, 0], m.status
    assert nan(m.mean_psi[0]) and not nan(m.mean_psi[1]) and nan(m.var_psi[1]) and nan(m.mean_psi[2])
    assert not nan(m.var_psi[3:]).any()
    bad = radvar.exact_moments(0.9, 10, sigma=0.0)
    assert bad.status == _lib.EDOM and nan(bad.var_psi)
    for f, args in [(radvar.rectify, ("exact", 0.9, 10)), (radvar.warmup_effective_length, ("cosine", 0.9)),
                    (radvar.rectify_first_step, (0.9, "tfa"))]:
        try:
            f(*args)
        except ValueError as e:
            assert "not valid" in str(e) or "not a rectification" in str(e), e
        else:
            raise AssertionError("%s%r did not raise" % (f.__name__, args))
    note("NaN and RADVAR_EDOM at the domain edges of theory, schedule, rectify and exact")


@test()
def test_functions_against_cli():
    b2 = 0.999
    head, tab = read_table(run([PROG, "schedule", "--beta2", repr(b2), "--t", "1:3000",
                                "--warmup", "500"]))
    col = {name: tab[:, k] for k, name in enumerate(head)}
    t = col["t"]
    checks = {"rho_t": radvar.rho_t(b2, t), "sma_length": radvar.sma_length(b2, t),
              "r_t": radvar.r_t(b2, t), "r_t_sma_exact": radvar.rectify_sma_exact(b2, t),
              "r_t_moment": radvar.rectify_moment(b2, t),
              "warmup_linear": radvar.warmup_linear(t, 500),
              "warmup_exp_untuned": radvar.warmup_exp_untuned(b2, t),
              "warmup_linear_untuned": radvar.warmup_linear_untuned(b2, t)}
    for name, ours in checks.items():
        assert same_bits(ours, col[name]), (name, np.nanmax(np.abs(ours - col[name])))
    rho = np.array([2.5, 3.0, 4.5, 7.0, 100.0, 12345.678])
    head, tab = read_table(run([PROG, "theory", "--rho", ",".join(repr(x) for x in rho),
                                "--tau2", "0.25"]))
    col = {name: tab[:, k] for k, name in enumerate(head)}
    for name, ours in {"E_psi": radvar.mean_psi(rho, 0.25), "E_psi2": radvar.mean_psi2(rho, 0.25),
                       "var_psi": radvar.var_psi(rho, 0.25),
                       "var_psi_approx": radvar.var_psi_approx(rho, 0.25)}.items():
        assert same_bits(ours, col[name]), (name, ours, col[name])
    note("radvar schedule (3000 steps, 8 columns) and radvar theory (4 columns): bit for bit")


@test()
def test_exact_moments():
    m = radvar.exact_moments(np.array([0.9, 0.99])[:, None], np.array([3, 10, np.inf]), mu=0.5)
    assert m.var_psi.shape == (2, 3) and m.evaluations.dtype == np.int64
    for idx in np.ndindex(2, 3):
        r = _lib.ExactMoments()
        st = _lib.lib.radvar_exact_moments_ema([0.9, 0.99][idx[0]], [3, 10, np.inf][idx[1]], 0.5,
                                                1.0, ctypes.byref(r))
        assert st == m.status[idx] and same_bits(
            [r.mean_psi, r.mean_psi2, r.var_psi, r.abs_err, r.evaluations],
            [m.mean_psi[idx], m.mean_psi2[idx], m.var_psi[idx], m.abs_err[idx], m.evaluations[idx]])
    # E[psi^2] of equal weights w: psi^-2 = chi2(n)/n, E[psi^2] = n/(n-2)
    w = radvar.exact_moments_weights(np.ones(5) / 5)
    assert w.status == 0 and abs(w.mean_psi2 - 5.0 / 3.0) < 1e-10 * 5 / 3, w
    note("exact_moments: 6 (beta2, t) pairs bit for bit; weights: E[psi^2] = n/(n-2) to %.1e"
         % abs(w.mean_psi2 / (5.0 / 3.0) - 1))


@test(timing=True)
def test_function_cost():
    x = np.linspace(2.5, 1e4, 50000)
    cost = {}
    for name, f, args in [("rho_inf", radvar.rho_inf, (np.linspace(0, 0.999, 50000),)),
                          ("var_psi", radvar.var_psi, (x,)),
                          ("r_t", radvar.r_t, (0.999, x)),
                          ("var_psi err=True", lambda a: radvar.var_psi(a, err=True), (x,))]:
        best = math.inf
        for _ in range(2):
            t0 = time.perf_counter()
            f(*args)
            best = min(best, time.perf_counter() - t0)
        cost[name] = best / x.size * 1e9
    f = _lib.lib.radvar_schedule_rho_inf
    xs = np.linspace(0, 0.999, 50000).tolist()
    t0 = time.perf_counter()
    for v in xs:
        f(v)
    cost["bare ctypes call, Python loop"] = (time.perf_counter() - t0) / len(xs) * 1e9
    note("per element: " + ", ".join("%s %.0f ns" % kv for kv in cost.items()))


# ------------------------------------------------------------- the optimizer

def mlp(dtype, seed=0, hidden=24):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(10, hidden), torch.nn.ReLU(),
                               torch.nn.Linear(hidden, hidden), torch.nn.Tanh(),
                               torch.nn.Linear(hidden, 4)).to(dtype)


def data(seed=1):
    """a classification task: 512 points labelled by a random teacher network"""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(512, 10, generator=g, dtype=torch.float64)
    teacher = torch.randn(10, 4, generator=g, dtype=torch.float64)
    y = (torch.tanh(x @ teacher) + 0.3 * torch.randn(512, 4, generator=g, dtype=torch.float64)).argmax(1)
    return x, y


X, Y = (data() if HAVE_TORCH else (None, None))
BATCH = 32


def batch(t, dtype):
    k = (t * BATCH) % X.shape[0]
    return X[k:k + BATCH].to(dtype), Y[k:k + BATCH]


def loss_of(model, t, dtype):
    x, y = batch(t, dtype)
    return torch.nn.functional.cross_entropy(model(x), y)


def train_step(model, opt, t, dtype):
    opt.zero_grad()
    loss = loss_of(model, t, dtype)
    loss.backward()
    opt.step()
    return loss.item()


def flat(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


# RADVAR_TEST_QUICK=1 (the sanitizer build, where a step is ten times slower):
# fewer steps, no timings
QUICK = bool(os.environ.get("RADVAR_TEST_QUICK"))
STEPS = 40 if QUICK else 300

# (torch class, torch kwargs, radvar kwargs)
TORCH_CASES = [
    ("Adam", dict(lr=1e-2), dict(method="adam", lr=1e-2)),
    ("Adam", dict(lr=3e-3, betas=(0.8, 0.99), weight_decay=1e-2), dict(method="adam", lr=3e-3, betas=(0.8, 0.99), weight_decay=1e-2)),
    ("Adam", dict(lr=1e-2, amsgrad=True), dict(method="adam", lr=1e-2, amsgrad=True)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1), dict(method="adamw", lr=1e-2, weight_decay=0.1)),
    ("AdamW", dict(lr=3e-3, eps=1e-6, amsgrad=True), dict(method="adamw", lr=3e-3, eps=1e-6, amsgrad=True)),
    ("RAdam", dict(lr=1e-2), dict(method="radam", lr=1e-2)),
    ("RAdam", dict(lr=1e-2, betas=(0.9, 0.99), weight_decay=1e-2), dict(method="radam", preset="pytorch", lr=1e-2, betas=(0.9, 0.99), weight_decay=1e-2)),
    ("RAdam", dict(lr=3e-3, betas=(0.9, 0.9), eps=1e-6), dict(method="radam", lr=3e-3, betas=(0.9, 0.9), eps=1e-6)),
    ("SGD", dict(lr=0.05, momentum=0.9), dict(method="sgd", lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3), dict(method="sgd", lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
]


def label(case):
    cls, kw, _ = case
    return "%s(%s)" % (cls, ", ".join("%s=%s" % kv for kv in kw.items()))


def rel_diffs(a, b, starts):
    """max over tensors of |a - b|_inf / |a|_inf, and max over elements of
    |a - b| / |a| (a: the reference), for flat numpy vectors of the tensors
    beginning at starts"""
    d, m = np.abs(a - b), np.abs(a)
    norm = np.max(np.maximum.reduceat(d, starts) / np.maximum.reduceat(m, starts))
    with np.errstate(all="ignore"):
        elem = np.nan_to_num(d / m, nan=0.0, posinf=0.0).max()
    return norm, elem


def starts_of(model):
    sizes = [p.numel() for p in model.parameters()]
    return np.cumsum([0] + sizes[:-1])


@test(needs_torch=True)
def test_torch_float64():
    """Each optimizer trains its own model: the gradients come from its own
    parameters, so any difference feeds back through the model.  Relative
    difference: per tensor, the largest |p - p_torch| over the largest
    |p_torch|, at every step."""
    dtype = torch.float64
    lines, worst_all = [], 0.0
    for case in TORCH_CASES:
        cls, kw, rkw = case
        a, b = mlp(dtype), mlp(dtype)
        oa = getattr(torch.optim, cls)(a.parameters(), foreach=False, **kw)
        ob = rt.Optimizer(b.parameters(), **rkw)
        starts = starts_of(a)
        worst = worst_elem = 0.0
        for t in range(STEPS):
            train_step(a, oa, t, dtype)
            lb = train_step(b, ob, t, dtype)
            norm, elem = rel_diffs(flat(a).numpy(), flat(b).numpy(), starts)
            worst, worst_elem = max(worst, norm), max(worst_elem, elem)
        assert worst <= 1e-12, (label(case), worst)
        worst_all = max(worst_all, worst)
        lines.append("%-58s %.2g (elementwise %.2g); loss %.3f" % (label(case), worst, worst_elem, lb))
    for line in lines:
        note(line)
    note("float64, %d steps, batch %d, MLP 10-24-24-4 (964 parameters), cross-entropy: worst "
         "relative difference %.2g (tolerance 1e-12)" % (STEPS, BATCH, worst_all))


def ulps32(a, b, ref):
    """max |a - b| in float32 ulps of |ref| (float32 tensors)"""
    _, e = torch.frexp(ref.detach().abs().clamp(min=2.0 ** -126))
    return ((a - b).detach().double().abs() * torch.ldexp(torch.ones_like(ref, dtype=torch.float64),
                                                        24 - e)).max().item()


@test(needs_torch=True)
def test_torch_float32():
    """float32: ATen's vector kernels fuse some multiply-adds (FMA) and round
    some scalars to float where radvar rounds them at other points (as for
    tests/golden), so a step may differ in the last bit of an operation.
    Both optimizers are fed the same gradients (those of torch's model: a
    model fed its own gradients amplifies a last-bit difference like any
    perturbation of its initial weights, which measures the model), and
    measured two ways:
      one step: before every step radvar's parameters and state are set to
      torch's (through the live state views), so that each step starts
      equal.  Per tensor, |p - p_torch|_inf in ulps of |p_torch|_inf: at
      most 1 rounding of the update and 1 of the parameter, so tolerance 2.
      Elementwise, in ulps of max(|p_before|, |p_after|), it is reported, not
      bounded: where m = b1 m + (1 - b1) g nearly cancels, an FMA's unrounded
      product changes m by a fraction of an ulp of the terms, which is
      several ulps of m, of the update and (when the update is as large as
      the parameter) of the parameter;
      free run: the difference after all the steps, per tensor in ulps of
      |p_torch|_inf (tolerance 8, as tests/golden)."""
    dtype = torch.float32
    ulp = 2.0 ** -23
    lines, worst_all = [], [0.0, 0.0, 0.0]
    for case in TORCH_CASES:
        cls, kw, rkw = case
        a = mlp(dtype)
        pas = list(a.parameters())
        b = [p.detach().clone() for p in pas]
        c = [p.detach().clone() for p in pas]
        oa = getattr(torch.optim, cls)(pas, foreach=False, **kw)
        ob, oc = rt.Optimizer(b, **rkw), rt.Optimizer(c, **rkw)
        worst = [0.0, 0.0, 0.0]  # one step per tensor, one step elementwise, free run
        for t in range(STEPS):
            oa.zero_grad()
            loss_of(a, t, dtype).backward()
            for pa, pb, pc in zip(pas, b, c):
                pb.grad, pc.grad = pa.grad.clone(), pa.grad.clone()
                if t > 0:  # one step: start from torch's parameters and state
                    pb.detach().copy_(pa.detach())
                    sa, sb = oa.state[pa], ob.state[pb]
                    for key in sb:
                        if key != "step" and sa.get(key) is not None:
                            sb[key].copy_(sa[key])
            before = [pa.detach().clone() for pa in pas]
            oa.step()
            ob.step()
            oc.step()
            for pa, pb, pc, p0 in zip(pas, b, c, before):
                worst[0] = max(worst[0], ((pa - pb).abs().max() / (ulp * pa.abs().max())).item())
                worst[1] = max(worst[1], ulps32(pa, pb, torch.maximum(p0.abs(), pa.abs())))
                if t == STEPS - 1:
                    worst[2] = max(worst[2], ((pa - pc).abs().max() / (ulp * pa.abs().max())).item())
        # the free run: one-step differences of <= 1 ulp enter the contracting
        # moment updates and the running sum of the parameter; measured <= 3
        assert worst[0] <= 2 and worst[2] <= 8, (label(case), worst)
        worst_all = [max(x, y) for x, y in zip(worst_all, worst)]
        lines.append("%-58s one step %.2g ulps (elementwise %.2g); after %d steps %.2g ulps"
                     % (label(case), worst[0], worst[1], STEPS, worst[2]))
    for line in lines:
        note(line)
    note("float32, same gradients: one step worst %.2g ulps of |p|_inf (tolerance 2), "
         "elementwise %.2g ulps; free run worst %.2g ulps of |p|_inf (tolerance 8)"
         % tuple(worst_all))


# replay: the other presets, methods and knobs, bit for bit with the program
REPLAY_CASES = [
    dict(method="radam", preset="paper", lr=1e-2),
    dict(method="radam", preset="official", lr=1e-2, weight_decay=1e-2),
    dict(method="radam", preset="official", lr=1e-2, weight_decay=1e-2, dtype="float32"),
    dict(method="radam", preset="official-2019-10-10", lr=1e-2, betas=(0.9, 0.99)),
    dict(method="radam", preset="official-2019-08-08", lr=1e-2),
    dict(method="radam", preset="optax", lr=1e-2, eps_root=1e-12, nesterov=True),
    dict(method="radam", preset="tfa", lr=1e-2, weight_decay=1e-3, total_steps=300,
         warmup_proportion=0.1, min_lr=1e-4, amsgrad=True),
    dict(method="radam", preset="pytorch", lr=1e-2, rect="moment", wd_kind="decoupled", weight_decay=1e-2),
    dict(method="radam", preset="pytorch", lr=1e-2, rect="sma-exact", below="skip"),
    dict(method="radam", preset="paper", lr=1e-2, threshold=8, threshold_cmp="ge",
         eps_placement="sqrt-v", dtype="float32"),
    dict(method="sgd", lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3),
    dict(method="adam-warmup", lr=1e-2, warmup_steps=50),
    dict(method="adam-2k", lr=1e-2, v_only_steps=40, betas=(0.9, 0.99)),
    dict(method="adam-eps", lr=1e-2),
    dict(method="adam-eps", lr=1e-2, eps=1e-3, dtype="float32"),
]
REPLAY_STEPS = 30 if QUICK else 100


def replay_args(case):
    args = []
    for k, v in case.items():
        if k == "dtype":
            args += ["--dtype", v]
        elif k == "betas":
            args += ["--beta1", repr(v[0]), "--beta2", repr(v[1])]
        elif k in ("nesterov", "amsgrad"):
            args += ["--" + k] if v else []
        elif k == "warmup_steps":
            args += ["--warmup", str(v)]
        else:
            args += ["--" + k.replace("_", "-"), v if isinstance(v, str) else repr(v)]
    return args


@test(needs_torch=True)
def test_against_replay():
    lines = []
    for case in REPLAY_CASES:
        kw = dict(case)
        dtype = torch.float32 if kw.pop("dtype", "float64") == "float32" else torch.float64
        model = mlp(dtype, hidden=8)  # 196 parameters: the text the program reads stays short
        init = flat(model).double().numpy().copy()
        opt = rt.Optimizer(model.parameters(), **kw)
        grads, params, diags = [], [], []
        for t in range(REPLAY_STEPS):
            opt.zero_grad()
            loss_of(model, t, dtype).backward()
            grads.append(torch.cat([p.grad.reshape(-1) for p in model.parameters()]).double().numpy().copy())
            opt.step()
            params.append(flat(model).double().numpy().copy())
            diags.append(opt.diagnostics()[0])
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
            for row in [init] + grads:  # repr: the shortest text that reads back exactly
                f.write("\t".join(map(repr, row.tolist())) + "\n")
            path = f.name
        try:
            head, tab = read_table(run([PROG, "replay", *replay_args(case), "--input", path]))
        finally:
            os.unlink(path)
        n = init.size
        assert tab.shape == (REPLAY_STEPS, n + 6), tab.shape
        assert same_bits(tab[:, 1:1 + n], np.array(params)), case
        d = np.array([[x.rho_t, x.r_t, x.rectified, x.lr_adaptive, x.lr_momentum] for x in diags])
        assert same_bits(tab[:, n + 1:], d), (case, tab[:3, n + 1:], d[:3])
        assert same_bits(tab[:, 0], [x.step for x in diags])
        moved = sum(x.moved for x in diags)
        lines.append("%-95s bit for bit (%d moved, %d rectified)"
                     % (" ".join(replay_args(case)), moved, sum(x.rectified for x in diags)))
    for line in lines:
        note(line)
    note("%d configurations x %d steps x %d parameters: parameters and diagnostics bit for bit "
         "equal to radvar replay" % (len(REPLAY_CASES), REPLAY_STEPS, init.size))


ROUND_TRIP_CASES = [
    (dict(method="radam", lr=1e-2, weight_decay=1e-2), "float64"),
    (dict(method="adam", lr=1e-2, amsgrad=True), "float64"),
    (dict(method="adamw", lr=1e-2), "float32"),
    (dict(method="sgd", lr=0.05, momentum=0.9), "float64"),
    (dict(method="radam", preset="tfa", lr=1e-2, total_steps=300, amsgrad=True), "float64"),
    (dict(method="adam-2k", lr=1e-2, v_only_steps=120), "float64"),
    (dict(method="radam", preset="official", lr=1e-2), "float32"),
    (dict(method="radam", lr=1e-2, rect="kurtosis"), "float64"),
]


@test(needs_torch=True)
def test_state_dict_round_trip():
    half = 30 if QUICK else 150
    for kw, dtype_name in ROUND_TRIP_CASES:
        dtype = getattr(torch, dtype_name)
        a = mlp(dtype)
        oa = rt.Optimizer(a.parameters(), **kw)
        for t in range(half):
            train_step(a, oa, t, dtype)
        buf = io.BytesIO()
        torch.save({"model": a.state_dict(), "opt": oa.state_dict()}, buf)
        for t in range(half, 2 * half):
            train_step(a, oa, t, dtype)
        buf.seek(0)
        saved = torch.load(buf)
        b = mlp(dtype, seed=123)
        b.load_state_dict(saved["model"])
        ob = rt.Optimizer(b.parameters(), **kw)
        ob.load_state_dict(saved["opt"])
        for t in range(half, 2 * half):
            train_step(b, ob, t, dtype)
        assert torch.equal(flat(a), flat(b)), (kw, (flat(a) - flat(b)).abs().max().item())
        sa, sb = oa.state_dict()["state"], ob.state_dict()["state"]
        for k in sa:
            assert sa[k].keys() == sb[k].keys() and sa[k]["step"] == sb[k]["step"] == 2 * half
            for key in sa[k]:
                if key != "step":
                    assert torch.equal(sa[k][key], sb[k][key]), (kw, key)
    # the state survives the optimizer (views keep the C state alive)
    sd = oa.state_dict()
    want = sd["state"][0]["exp_avg"].clone()
    del oa
    import gc
    gc.collect()
    assert torch.equal(sd["state"][0]["exp_avg"], want)
    note("%d configurations: save at step %d (torch.save), load into a fresh model and "
         "optimizer, %d more steps: parameters and state bit for bit" % (len(ROUND_TRIP_CASES), half, half))


@test(needs_torch=True)
def test_torch_state_interchange():
    """torch.optim.Adam's state_dict loads into radvar's Adam and back"""
    dtype = torch.float64
    a = mlp(dtype)
    oa = torch.optim.Adam(a.parameters(), lr=1e-2, amsgrad=True, foreach=False)
    for t in range(100):
        train_step(a, oa, t, dtype)
    b = copy.deepcopy(a)
    ob = rt.Optimizer(b.parameters(), method="adam", lr=1e-2, amsgrad=True)
    ob.load_state_dict(oa.state_dict())
    c = copy.deepcopy(a)
    oc = torch.optim.Adam(c.parameters(), lr=1e-2, amsgrad=True, foreach=False)
    worst = 0.0
    for t in range(100, 300):
        train_step(a, oa, t, dtype)
        train_step(b, ob, t, dtype)
        if t == 199:  # and radvar's state back into torch
            c.load_state_dict(b.state_dict())
            oc.load_state_dict(ob.state_dict())
        if t >= 200:
            train_step(c, oc, t, dtype)
            worst = max(worst, ((flat(a) - flat(c)).abs().max() / flat(a).abs().max()).item())
        worst = max(worst, ((flat(a) - flat(b)).abs().max() / flat(a).abs().max()).item())
    assert worst <= 1e-12, worst
    note("torch Adam -> radvar at step 100 -> torch at step 200: within %.2g of torch throughout" % worst)


@test(needs_torch=True)
def test_scheduler_groups_closure():
    dtype = torch.float64
    # an lr scheduler changes group['lr'] between steps: the state is kept
    a, b = mlp(dtype), mlp(dtype)
    oa = torch.optim.RAdam(a.parameters(), lr=1e-2, foreach=False)
    ob = rt.Optimizer(b.parameters(), method="radam", lr=1e-2)
    sa = torch.optim.lr_scheduler.OneCycleLR(oa, max_lr=2e-2, total_steps=200, cycle_momentum=True)
    sb = torch.optim.lr_scheduler.OneCycleLR(ob, max_lr=2e-2, total_steps=200, cycle_momentum=True)
    worst = 0.0
    for t in range(200):
        train_step(a, oa, t, dtype)
        train_step(b, ob, t, dtype)
        sa.step()
        sb.step()
        worst = max(worst, ((flat(a) - flat(b)).abs().max() / flat(a).abs().max()).item())
    assert worst <= 1e-12, worst
    note("OneCycleLR (lr and beta1 change every step) against torch RAdam: %.2g" % worst)
    # parameter groups = separate optimizers
    a, b = mlp(dtype), mlp(dtype)
    pa = list(a.parameters())
    oa = rt.Optimizer([{"params": pa[:2]}, {"params": pa[2:4], "lr": 3e-3, "amsgrad": True,
                                            "method": "adam"},
                       {"params": pa[4:], "preset": "official", "threshold": 4}],
                      method="radam", lr=1e-2)
    pb = list(b.parameters())
    obs = [rt.Optimizer(pb[:2], method="radam", lr=1e-2),
           rt.Optimizer(pb[2:4], method="adam", lr=3e-3, amsgrad=True),
           rt.Optimizer(pb[4:], method="radam", preset="official", threshold=4, lr=1e-2)]
    for t in range(100):
        oa.zero_grad()
        loss_of(a, t, dtype).backward()
        oa.step()
        for o in obs:
            o.zero_grad()
        loss_of(b, t, dtype).backward()
        for o in obs:
            o.step()
    assert torch.equal(flat(a), flat(b))
    assert oa.config(2)["threshold"] == 4 and oa.config(2)["preset"] == "official"
    d = oa.diagnostics()
    assert d[1].rho_t != d[1].rho_t and d[0].rectified and d[2].rectified
    # a closure, as torch.optim takes it
    a = mlp(dtype)
    o = rt.Optimizer(a.parameters(), method="adam", lr=1e-2)

    def closure():
        o.zero_grad()
        loss = loss_of(a, 0, dtype)
        loss.backward()
        return loss

    l0 = o.step(closure).item()
    l1 = o.step(closure).item()
    assert l1 < l0 and o.diagnostics()[0].step == 2
    note("3 parameter groups (radam/pytorch, adam+amsgrad, radam/official threshold 4) = 3 "
         "optimizers bit for bit; closure returns the loss")


@test(needs_torch=True)
def test_noncontiguous_and_errors():
    # a transposed (non-contiguous) parameter gives the bits of a contiguous one
    torch.manual_seed(3)
    w = torch.randn(5, 7, dtype=torch.float64)
    p1 = torch.nn.Parameter(w.clone())
    p2 = torch.nn.Parameter(torch.empty(7, 5, dtype=torch.float64).t())  # column-major
    with torch.no_grad():
        p2.copy_(w)
    assert not p2.is_contiguous()
    o1 = rt.Optimizer([p1], method="radam", lr=1e-2)
    o2 = rt.Optimizer([p2], method="radam", lr=1e-2)
    for t in range(50):
        g = torch.sin(w * (t + 1))
        p1.grad, p2.grad = g.clone(), g.clone()
        o1.step()
        o2.step()
    assert torch.equal(p1, p2) and not p2.is_contiguous()
    assert torch.equal(o1.state[p1]["exp_avg"], o2.state[p2]["exp_avg"])
    # the library's messages
    p = [torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))]
    bad = [
        (dict(method="radam", threshold_cmp="gte"), "threshold_cmp: 'gte' is not valid (valid: gt, ge)"),
        (dict(method="radam", frobnicate=1), "frobnicate: 'frobnicate' is not a knob of the optimizer"),
        (dict(method="adam", lr=-1.0), "lr: -1.0 is out of range: must be >= 0"),
        (dict(method="adam", betas=(0.9, 1.0)), "beta2: 1.0 is out of range: must be in [0, 1)"),
        (dict(method="adam-2k", v_only_steps=2.5), "v_only_steps: '2.5' is not a whole number"),
        (dict(method="radam", rect="exact"), "rect: 'exact' is not valid (valid: paper, sma-exact, moment, kurtosis)"),
        (dict(method="radam", amsgrad="maybe"), "amsgrad: 'maybe' is not valid (valid: 0, 1, false, true)"),
        (dict(method="adamax"), "method: 'adamax' is not a method"),
        (dict(method="adam", preset="paper"), "preset: applies to method 'radam' only"),
        (dict(method="radam", preset="keras"), "preset: 'keras' is not valid"),
        (dict(method="radam", preset="optax", weight_decay=0.1), "is not applied by the optax preset"),
    ]
    for kw, msg in bad:
        try:
            rt.Optimizer(p, **kw)
        except ValueError as e:
            assert msg in str(e), (kw, str(e), msg)
        else:
            raise AssertionError("%r did not raise" % kw)
    # every knob name the bridge forwards from a parameter group is one the library knows
    cfg = _lib.Config()
    _lib.lib.radvar_optim_defaults(3, ctypes.byref(cfg))
    for k in _lib.KNOBS:
        why = ctypes.create_string_buffer(256)
        value = {"threshold_cmp": "ge", "below": "skip", "eps_placement": "sqrt-v", "wd_kind": "l2",
                 "rect": "paper", "nesterov": "0", "amsgrad": "0", "warmup_steps": "10"}.get(k, "0")
        assert _lib.lib.radvar_optim_config_set(ctypes.byref(cfg), k.encode(), value.encode(), why, 256) == 0, (k, why.value)
    # a bad group setting fails when the group is added
    o = rt.Optimizer(p, method="adam")
    try:
        o.add_param_group({"params": [torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))],
                           "eps": -1})
    except ValueError as e:
        assert "eps: -1 is out of range" in str(e) and len(o.param_groups) == 1, e
    else:
        raise AssertionError("a bad group was accepted")
    # a NaN gradient is refused and changes nothing
    q = torch.nn.Parameter(torch.ones(4, dtype=torch.float64))
    o = rt.Optimizer([q], method="adam", lr=0.1)
    q.grad = torch.ones(4, dtype=torch.float64)
    o.step()
    before, m = q.detach().clone(), o.state[q]["exp_avg"].clone()
    q.grad = torch.tensor([1.0, float("nan"), 1.0, 1.0], dtype=torch.float64)
    try:
        o.step()
    except FloatingPointError:
        pass
    else:
        raise AssertionError("a NaN gradient was accepted")
    assert torch.equal(q, before) and torch.equal(o.state[q]["exp_avg"], m) and o.state[q]["step"] == 1
    # only float32 / float64 CPU tensors
    h = torch.nn.Parameter(torch.zeros(3, dtype=torch.float16))
    h.grad = torch.zeros(3, dtype=torch.float16)
    try:
        rt.Optimizer([h], method="adam").step()
    except TypeError as e:
        assert "float16" in str(e)
    else:
        raise AssertionError("float16 was accepted")
    note("%d bad settings raise ValueError with the library's message; NaN gradient refused, "
         "nothing changed; float16 refused; non-contiguous = contiguous bit for bit" % len(bad))


@test(needs_torch=True)
def test_diagnostics():
    q = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    lr, b1, b2 = 1e-3, 0.9, 0.999
    o = rt.Optimizer([q], method="radam", lr=lr)
    for t in range(1, 12):
        q.grad = torch.full((3,), 0.1 * t, dtype=torch.float64)
        o.step()
        d = o.diagnostics(q)
        assert o.diagnostics()[0].step == t and d.step == t and d.lr == lr and d.moved
        assert d.rho_t == radvar.rho_t(b2, t)
        assert d.rectified == (d.rho_t > 5), (t, d)
        if d.rectified:
            assert d.r_t == radvar.r_t(b2, t)
            want, got, other = lr * d.r_t / (1 - b1 ** t) * math.sqrt(1 - b2 ** t), d.lr_adaptive, d.lr_momentum
        else:
            assert math.isnan(d.r_t)
            want, got, other = lr / (1 - b1 ** t), d.lr_momentum, d.lr_adaptive
        assert abs(got - want) <= 4e-16 * want and math.isnan(other), (t, d, want)
    note("rho_t, r_t bit for bit with radvar.rho_t / radvar.r_t; rectified from t = 6; "
         "the step size (lr_adaptive, or lr_momentum below the threshold) within 4e-16")


@test(needs_torch=True, timing=True)
def test_step_overhead():
    """per-step cost against torch.optim on a small model (gradients fixed,
    so only the optimizers are timed)"""
    torch.set_num_threads(1)
    rows = []
    for widths in ((10, 24, 24, 4), (256, 256, 256, 10)):
        layers = []
        for i in range(len(widths) - 1):
            layers += [torch.nn.Linear(widths[i], widths[i + 1]), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        n = sum(p.numel() for p in model.parameters())
        for p in model.parameters():
            p.grad = torch.randn_like(p) * 1e-2
        for name, make in [("torch.optim.Adam", lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=False)),
                           ("torch.optim.Adam foreach", lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=True)),
                           ("torch.optim.RAdam", lambda ps: torch.optim.RAdam(ps, lr=1e-3, foreach=False)),
                           ("radvar adam", lambda ps: rt.Optimizer(ps, method="adam", lr=1e-3)),
                           ("radvar radam", lambda ps: rt.Optimizer(ps, method="radam", lr=1e-3))]:
            opt = make(model.parameters())
            for _ in range(20):
                opt.step()
            best = math.inf
            for _ in range(5):
                t0 = time.perf_counter()
                for _ in range(50):
                    opt.step()
                best = min(best, (time.perf_counter() - t0) / 50)
            rows.append("%-26s %d tensors, %7d parameters: %7.1f us/step" % (name, len(list(model.parameters())), n, best * 1e6))
    for r in rows:
        note(r)


def main():
    passed = failed = skipped = 0
    for f, needs_torch, timing in TESTS:
        if (needs_torch and not HAVE_TORCH) or (timing and QUICK):
            skipped += 1
            continue
        print("-- %s" % f.__name__)
        t0 = time.perf_counter()
        try:
            f()
        except Exception:  # noqa: BLE001 -- report every failure, go on
            failed += 1
            print("FAIL %s" % f.__name__)
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print("ok   %s (%.1f s)" % (f.__name__, time.perf_counter() - t0))
    if skipped:
        why = []
        if not HAVE_TORCH:
            why.append("RADVAR_TEST_NO_TORCH is set" if os.environ.get("RADVAR_TEST_NO_TORCH")
                       else "PyTorch (python3-torch) is not installed")
        if QUICK:
            why.append("timings are not measured with RADVAR_TEST_QUICK")
        print("%d tests skipped: %s" % (skipped, "; ".join(why)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
