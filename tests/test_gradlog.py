#!/usr/bin/python3
"""Tests of radvar.gradlog (python/radvar/gradlog.py), run by tests/test_python.sh:

    RADVAR_LIBRARY=build/lib/libradvar.so.0 PYTHONPATH=python \\
        /usr/bin/python3 tests/test_gradlog.py build/bin/radvar

  - log2_histogram against the C library's radvar_gradstats_log2_hist_f32 on
    float32 values of every binade, subnormals and zeros (the same counts);
  - the coordinates: those `radvar train` logs for its perceptron, for the
    same layer sizes and seed (with the Fashion-MNIST data);
  - with Debian's python3-torch: a small MLP trained with
    radvar.torch.Optimizer (float32) and logged; `radvar replay` on the
    gradient log gives back the logged parameters bit for bit; the same with
    torch.optim.Adam to a few ulps (float32) and 1e-12 (float64), as its
    kernels round differently; the histogram counts every parameter once and
    its zeros are the parameters that did not move; `radvar gradients` reads
    the log.
Without PyTorch the torch tests are skipped, with a message.  The last line
is 'N passed, N failed'.
"""
import ctypes
import io
import os
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROG = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(HERE), "build", "bin", "radvar")
DATA = os.environ.get("DATA", "/usr/share/datasets/fashion-mnist")
QUICK = bool(os.environ.get("RADVAR_TEST_QUICK"))

import radvar  # noqa: E402
import radvar.gradlog as gl  # noqa: E402
from radvar import _lib  # noqa: E402

try:
    if os.environ.get("RADVAR_TEST_NO_TORCH"):
        raise ImportError("RADVAR_TEST_NO_TORCH is set")
    import torch
    import radvar.torch as rt
    HAVE_TORCH = True
    torch.set_num_threads(1)
except ImportError:
    HAVE_TORCH = False

TESTS = []


def test(needs_torch=False, needs_data=False):
    def mark(f):
        TESTS.append((f, needs_torch, needs_data))
        return f
    return mark


def note(text):
    print("    " + text)


def run(args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def table(path_or_text, text=False):
    """(header, rows as float64) of a radvar table; '#' lines skipped"""
    src = path_or_text if text else open(path_or_text).read()
    lines = [ln for ln in src.splitlines() if ln and not ln.startswith("#")]
    return lines[0].split("\t"), np.loadtxt(io.StringIO("\n".join(lines[1:])), delimiter="\t", ndmin=2)


def coord_lines(path):
    """[(layer name, index)] from the '# coords cA-cB:' lines of a log"""
    out = []
    for line in open(path):
        if line.startswith("# coords c"):
            for item in line.split(":", 1)[1].split():
                name, index = item.rsplit(":", 1)
                out.append((name, int(index)))
    return out


@test()
def test_histogram_against_c():
    rng = np.random.default_rng(5)
    x = np.concatenate([
        (rng.standard_normal(5000) * np.exp2(rng.integers(-150, 128, 5000))).astype(np.float32),
        np.array([0.0, -0.0, 2 ** -149, 2 ** -126, np.finfo(np.float32).max, 1.0, 0.75], dtype=np.float32),
        np.ldexp(np.float32(1), np.arange(-149, 128)).astype(np.float32)])
    x = x[np.isfinite(x)]
    f = _lib.lib.radvar_gradstats_log2_hist_f32
    f.restype = None
    f.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64),
                  ctypes.c_void_p]
    counts = np.zeros(gl.BIN_MAX - gl.BIN_MIN + 1, dtype=np.uint64)
    zeros = ctypes.c_uint64(0)
    xs = np.ascontiguousarray(x)
    f(xs.ctypes.data, xs.size, counts.ctypes.data, ctypes.byref(zeros), None)
    py, pz = gl.log2_histogram(x)
    assert np.array_equal(py, counts.astype(np.int64)) and pz == zeros.value, (pz, zeros.value)
    # an independent check for the normal numbers: floor(log2) in long double
    nz = np.abs(x[(x != 0) & (np.abs(x) >= 2 ** -126)]).astype(np.longdouble)
    assert np.array_equal(np.bincount((np.floor(np.log2(nz)).astype(int) - gl.BIN_MIN), minlength=277)
                          [:277], gl.log2_histogram(x[np.abs(x) >= 2 ** -126])[0])
    note("%d float32 values (every binade, subnormals, zeros): the same counts as the C library" % x.size)


@test(needs_data=True)
def test_coordinates_like_train():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "g.tsv")
        run([PROG, "train", "--data", DATA, "--method", "adam", "--lr", "1e-3", "--epochs", "1",
             "--batch", "32", "--train-size", "64", "--test-size", "10", "--hidden", "32", "--seed", "11",
             "--log-grads", path, "--log-coords", "24"])
        want = coord_lines(path)
    names = ["W1", "b1", "W2", "b2"]
    got = [(names[layer], index) for layer, index in gl.choose_coords([32 * 784, 32, 320, 10], 24, 11)]
    assert got == want, (got[:6], want[:6])
    note("24 coordinates of a 784-32-10 perceptron, seed 11: the same as radvar train --log-grads")


def mlp(dtype, hidden=16):
    torch.manual_seed(3)
    return torch.nn.Sequential(torch.nn.Linear(20, hidden), torch.nn.ReLU(),
                               torch.nn.Linear(hidden, 5)).to(dtype)


def data(t, dtype):
    g = torch.Generator().manual_seed(1000 + t)
    x = torch.randn(32, 20, generator=g, dtype=dtype) * 2
    y = torch.randint(0, 5, (32,), generator=g)
    return x, y


def train_logged(model, opt, steps, d, dtype, coords=24, hist_every=7):
    paths = {k: os.path.join(d, k + ".tsv") for k in ("grads", "params", "hist")}
    moved = []
    with gl.GradientLogger(model, paths["grads"], params=paths["params"], hist=paths["hist"],
                           coords=coords, seed=2, hist_every=hist_every) as log:
        for t in range(steps):
            x, y = data(t, dtype)
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            before = torch.cat([p.detach().reshape(-1).clone() for p in model.parameters()])
            log.before_step()
            opt.step()
            log.after_step()
            after = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
            if t % hist_every == 0:
                moved.append((t + 1, int((after == before).sum())))
    return paths, moved


def replay(paths, args, n):
    head, rows = table(run([PROG, "replay", *args, "--input", paths["grads"]]), text=True)
    return rows[:, 1:1 + n]


@test(needs_torch=True)
def test_replay_radvar_optimizer_bit_for_bit():
    steps = 15 if QUICK else 60
    for kw, args in [(dict(method="radam", lr=1e-2), ["--method", "radam", "--lr", "1e-2"]),
                     (dict(method="adam", lr=3e-2, weight_decay=1e-3),
                      ["--method", "adam", "--lr", "3e-2", "--weight-decay", "1e-3"]),
                     (dict(method="radam", preset="official", lr=1e-2),
                      ["--method", "radam", "--preset", "official", "--lr", "1e-2"])]:
        model = mlp(torch.float32)
        opt = rt.Optimizer(model.parameters(), **kw)
        with tempfile.TemporaryDirectory() as d:
            paths, _ = train_logged(model, opt, steps, d, torch.float32)
            head, logged = table(paths["params"])
            assert head[0] == "step" and logged.shape == (steps + 1, 25), logged.shape
            got = replay(paths, args + ["--dtype", "float32"], 24)
            assert np.array_equal(got, logged[1:, 1:]), (kw, np.abs(got - logged[1:, 1:]).max())
            # the gradient log's first row: the initial values (step 0 of the params log)
            _, g = table(paths["grads"])
            assert np.array_equal(g[0], logged[0, 1:]) and g.shape == (steps + 1, 24)
        note("%-50s %d steps x 24 coordinates: radvar replay gives back the logged parameters bit for bit"
             % (" ".join(args), steps))


@test(needs_torch=True)
def test_replay_torch_optim():
    steps = 15 if QUICK else 60
    for dtype, tol in ((torch.float32, 8 * 2.0 ** -23), (torch.float64, 1e-12)):
        model = mlp(dtype)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        with tempfile.TemporaryDirectory() as d:
            paths, _ = train_logged(model, opt, steps, d, dtype)
            _, logged = table(paths["params"])
            name = "float32" if dtype == torch.float32 else "float64"
            got = replay(paths, ["--method", "adam", "--lr", "1e-2", "--dtype", name], 24)
            err = np.max(np.abs(got - logged[1:, 1:]) / np.maximum(np.abs(logged[1:, 1:]), 1))
            assert err <= tol, (name, err)
        note("torch.optim.Adam %s, %d steps: radvar replay within %.2g (|diff| / max(|p|, 1); "
             "tolerance %.2g)" % (name, steps, err, tol))


@test(needs_torch=True)
def test_histogram_file():
    model = mlp(torch.float32, hidden=64)
    n = sum(p.numel() for p in model.parameters())
    opt = rt.Optimizer(model.parameters(), method="adam-2k", lr=1e-2, v_only_steps=10)
    with tempfile.TemporaryDirectory() as d:
        paths, moved = train_logged(model, opt, 22, d, torch.float32, hist_every=7)
        text = open(paths["hist"]).read()
        head, rows = table(paths["hist"])
    assert head == ["step", "bin", "grad_count", "update_count"]
    steps = sorted(set(rows[:, 0]))
    assert steps == [1, 8, 15, 22], steps
    for s, unmoved in moved:
        r = rows[rows[:, 0] == s]
        assert r.shape[0] == 278 and r[0, 1] == -150 and np.array_equal(r[1:, 1], np.arange(-149, 128))
        assert r[:, 2].sum() == n and r[:, 3].sum() == n
        assert r[0, 3] == unmoved, (s, r[0, 3], unmoved)  # zeros: the parameters that did not move
    # adam-2k: nothing moves during its first 10 steps
    assert rows[(rows[:, 0] == 8), 3][0] == n and rows[(rows[:, 0] == 15), 3][0] < n
    assert "# bins: floor(log2 |x|) from -149 to 127" in text
    note("%d parameters, histograms at steps 1, 8, 15, 22: every parameter counted once; "
         "update zeros = parameters that did not move (all of them during Adam-2k's v-only steps)" % n)


@test(needs_torch=True)
def test_gradients_reads_python_logs():
    model = mlp(torch.float32)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    with tempfile.TemporaryDirectory() as d:
        paths, _ = train_logged(model, opt, 40, d, torch.float32)
        head, rows = table(run([PROG, "gradients", "--input", paths["grads"], "--t", "10"]), text=True)
        names = [c for c in coord_lines(paths["grads"])]
    assert rows.shape == (24, len(head)) and head[:6] == ["coord", "n", "mean", "sd", "kurtosis",
                                                          "lag1_autocorr"]
    assert np.all(rows[:, 1] == 40)
    assert names[0][0] == "0.weight" and names[1][0] == "0.bias" and names[2][0] == "2.weight"
    note("radvar gradients reads the Python log: 24 coordinates x 40 steps; '# coords' name "
         "the layers as named_parameters() does")


@test()
def test_csv_loads_in_pandas():
    try:
        import pandas as pd
    except ImportError:
        note("skipped: pandas (python3-pandas) is not installed")
        return
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(HERE, "ref", "gradients_synthetic.tsv")
        stats = os.path.join(d, "g.csv")
        summary = os.path.join(d, "s.csv")
        run([PROG, "gradients", "--input", log, "--format", "csv", "--t", "10,100", "--output", stats,
             "--summary-output", summary])
        a, b = pd.read_csv(stats), pd.read_csv(summary)
    assert list(a.columns[:6]) == ["coord", "n", "mean", "sd", "kurtosis", "lag1_autocorr"]
    assert all(str(t) in ("float64", "int64") for t in a.dtypes), a.dtypes
    assert a.shape == (3, 24) and list(a["model"]) == [0, 1, 4] and a["nu"].isna().tolist() == [True, False, True]
    assert b.shape[0] == 1 and b["n_student"][0] == 1
    note("radvar gradients --format csv and its summary load in pandas without options: "
         "numeric columns, nan as NaN")


def main():
    passed = failed = skipped = 0
    why = set()
    have_data = os.path.exists(os.path.join(DATA, "train-images-idx3-ubyte.gz"))
    for f, needs_torch, needs_data in TESTS:
        if needs_torch and not HAVE_TORCH:
            skipped += 1
            why.add("PyTorch (python3-torch) is not installed" if not os.environ.get("RADVAR_TEST_NO_TORCH")
                    else "RADVAR_TEST_NO_TORCH is set")
            continue
        if needs_data and not have_data:
            skipped += 1
            why.add("no Fashion-MNIST data in %s" % DATA)
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
        print("%d tests skipped: %s" % (skipped, "; ".join(sorted(why))))
    print("gradlog: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    _ = radvar
    sys.exit(main())
