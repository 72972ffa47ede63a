#!/usr/bin/python3
"""Golden trajectories of the official RAdam code (LiyuanLucasLiu/RAdam) through its history.

    /usr/bin/python3 tests/golden/make_golden_official.py DIR
        run each version's RAdam class from DIR/radam_<date>.py and write
        tests/golden/official_<date>_<case>.tsv
    /usr/bin/python3 tests/golden/make_golden_official.py --check BIN
        replay every committed official_*.tsv with BIN (bin/radvar), with the
        knobs of its '# radvar replay' line and over a grid of RAdam knobs, and
        print the worst |radvar - official| / max(|p|, 1) (needs no PyTorch; a
        match is within 8 float32 ulps, as make_golden.py's float32 cases)

Nothing of the official repository is kept here.  DIR holds its radam.py as it was
at each commit, extracted by the user from a clone:

    git clone https://github.com/LiyuanLucasLiu/RAdam && cd RAdam && mkdir -p DIR
    git show ca2d9f7b35506adeae71d345b93b43b7e9e5a99b:radam.py       > DIR/radam_2019-08-08.py
    git show 524aa5667e1cbeef767f4dd16bcc764ed9a68066:radam.py       > DIR/radam_2019-08-15.py
    git show ca0afbc6427da19c63eb304e8251f92ca436c673:radam.py       > DIR/radam_2019-08-16.py
    git show 373b3e405c7f8d24fe068aee0472e5c3ae231cdc:radam.py       > DIR/radam_2019-10-10.py
    git show d9fd30a337894c4003768561d45e8730dbd41333:radam/radam.py > DIR/radam_2021-07-31.py

The versions (RAdam.step only; N = N_sma = rho_t, computed in double):
  2019-08-08 ca2d9f7  rectified when N > 5, else p -= lr/(1-b1^t) m; p -= wd lr p every step
  2019-08-15 524aa56  step size chosen by N > 5 but the update branch by N > 4: for
                      4 < N <= 5 (t = 5 at b2 = 0.99, 0.999) p -= lr/(1-b1^t) m/(sqrt(v)+eps)
  2019-08-16 ca0afbc  N >= 5 in both places, otherwise as 2019-08-08
  2019-10-10 373b3e4  degenerated_to_sgd=True (default): as 2019-08-16 (lr now applied
                      outside the cached step size since 1d146e5, 2019-09-02); wd and the
                      write-back only on steps taken; False: no step below
  2021-07-31 d9fd30a  default degenerated_to_sgd=False (the file of the pip package of
                      2020-01, radam/radam.py at 688cb1e, is 28ff517 of 2019-10-15: default True)
Every version keeps m and v in float32 and computes the update in float32
(p.data.float(), grad.float(), then p.data.copy_): with float64 parameters the
trajectory is a float32 one stored in float64, so the "float64" files hold
float32 values (and the parameters before the first step taken are the
untouched float64 values).

Files: 2019-08-08 b0.999, b0.99_wd; 2019-08-15 b0.999, b0.99_wd; 2019-08-16
b0.999; 2019-10-10 (default degenerated_to_sgd=True) b0.99_wd, b0.999_wd;
2021-07-31 b0.999, b0.99_wd, b0.999_wd, b0.999_f32 (float32 parameters).  With
one parameter group, 2019-08-08, 2019-08-16, 2019-10-10 (default) and the
2020-01 package give bit-identical trajectories (rho_t never equals 5 exactly
here, and the lr moved out of the cached step size rounds to the same float32).
A version no radvar knob reproduces says so in its second '#' line instead of a
'# radvar replay' line.

The gradients and hyper-parameters are those of make_golden.py's cases of the
same name (imported from it, same seeds), so official_<date>_b0.999.tsv and
radam_b0.999.tsv (torch.optim.RAdam) see the same gradients.  2,000 steps, 4
parameters, one parameter group (the step-size cache of RAdam, 10 entries keyed
by step % 10, then never hits and equals a per-step computation).

Torch compatibility: the old files use the deprecated overloads add_(Number,
Tensor), addcmul_(Number, Tensor, Tensor), addcdiv_(Number, Tensor, Tensor);
torch 1.13 (Debian's python3-torch) still accepts them and only warns, so the
files run unmodified; this script silences those UserWarnings.
"""
import ast
import importlib.util
import itertools
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ from importing make_golden
sys.path.insert(0, HERE)
import make_golden  # noqa: E402  (the gradient generator, STEPS, N, the cases)

STEPS = make_golden.STEPS
N = make_golden.N

# make_golden case name -> (settings, dtype); the seed is make_golden's (1000 + index)
BASE = {c[0]: c for c in make_golden.CASES}
SEED = {c[0]: 1000 + k for k, c in enumerate(make_golden.CASES)}

# case suffix -> make_golden case it shares gradients and hyper-parameters with
CASE_SOURCE = {"b0.999": "radam_b0.999", "b0.99_wd": "radam_b0.99_wd",
               "b0.999_wd": "radam_b0.999_wd", "b0.999_f32": "radam_b0.999_f32"}

# date, commit, path in the repository, cases, best radvar knobs (None: none reproduces it)
COMMON = ["--method", "radam", "--preset", "official", "--threshold", "5",
          "--eps-placement", "sqrt-v", "--wd-kind", "decoupled-taken"]
VERSIONS = [
    ("2019-08-08", "ca2d9f7b35506adeae71d345b93b43b7e9e5a99b", "radam.py", ["b0.999", "b0.99_wd"],
     COMMON + ["--threshold-cmp", "gt", "--below", "momentum"]),
    ("2019-08-15", "524aa5667e1cbeef767f4dd16bcc764ed9a68066", "radam.py", ["b0.999", "b0.99_wd"],
     None),
    ("2019-08-16", "ca0afbc6427da19c63eb304e8251f92ca436c673", "radam.py", ["b0.999"],
     COMMON + ["--threshold-cmp", "ge", "--below", "momentum"]),
    ("2019-10-10", "373b3e405c7f8d24fe068aee0472e5c3ae231cdc", "radam.py", ["b0.99_wd", "b0.999_wd"],
     COMMON + ["--threshold-cmp", "ge", "--below", "momentum"]),
    ("2021-07-31", "d9fd30a337894c4003768561d45e8730dbd41333", "radam/radam.py",
     ["b0.999", "b0.99_wd", "b0.999_wd", "b0.999_f32"],
     COMMON + ["--threshold-cmp", "ge", "--below", "skip"]),
]
NOT_REPRODUCIBLE = {
    "2019-08-15": "for 4 < rho_t <= 5 the update is p -= lr/(1-b1^t) m/(sqrt(v)+eps): "
                  "adaptive, without r_t and without sqrt(1-b2^t); no radvar knob gives it",
}


def load(directory, date):
    path = os.path.join(directory, "radam_%s.py" % date)
    spec = importlib.util.spec_from_file_location("official_radam_" + date.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_official(module, case, seed):
    """The official RAdam on one parameter tensor, as make_golden.run_torch."""
    name, method, cls, kwargs, dtype = case
    tdtype = torch.float32 if dtype == "float32" else torch.float64
    init = np.array([0.5, -1.5, 2.0, 1e-2])
    p = torch.tensor(init, dtype=tdtype, requires_grad=True)
    opt = module.RAdam([p], **kwargs)
    grads = torch.tensor(make_golden.gradients(seed), dtype=tdtype)
    rows = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="This overload of", category=UserWarning)
        for t in range(STEPS):
            p.grad = grads[t].clone()
            opt.step()
            rows.append((t + 1, grads[t].double().numpy(), p.detach().double().numpy().copy()))
    return init.astype(np.float32).astype(np.float64) if dtype == "float32" else init, rows


def replay_args(knobs, case):
    name, method, cls, kwargs, dtype = case
    # the official code computes in float32 whatever the parameters' dtype
    return knobs + ["--dtype", "float32", "--lr", repr(kwargs["lr"]),
                    "--beta1", repr(kwargs["betas"][0]), "--beta2", repr(kwargs["betas"][1]),
                    "--eps", repr(kwargs["eps"]),
                    "--weight-decay", repr(kwargs.get("weight_decay", 0.0))]


def write(directory):
    torch.set_num_threads(1)
    for date, commit, path, cases, knobs in VERSIONS:
        module = load(directory, date)
        for suffix in cases:
            base = BASE[CASE_SOURCE[suffix]]
            case = (base[0], "radam", "RAdam", base[3], base[4])
            seed = SEED[base[0]]
            init, rows = run_official(module, case, seed)
            out = os.path.join(HERE, "official_%s_%s.tsv" % (date, suffix))
            with open(out, "w") as f:
                f.write("# golden trajectory: LiyuanLucasLiu/RAdam %s:%s (%s) RAdam(%s), torch %s\n"
                        % (commit[:7], path, date, case[3], torch.__version__))
                if knobs is None:
                    f.write("# radvar: not reproducible (%s); closest: radvar replay %s\n"
                            % (NOT_REPRODUCIBLE[date],
                               " ".join(replay_args(COMMON + ["--threshold-cmp", "gt", "--below",
                                                              "momentum"], case))))
                else:
                    f.write("# radvar replay %s\n" % " ".join(replay_args(knobs, case)))
                f.write("# seed: %d (make_golden.py case %s), steps: %d, parameters: %d, dtype: %s"
                        " (the official code computes in float32)\n"
                        % (seed, base[0], STEPS, N, case[4]))
                f.write("init\t" + "\t".join("%.17g" % x for x in init) + "\n")
                for t, g, p in rows:
                    f.write("%d\t%s\t%s\n" % (t, "\t".join("%.17g" % x for x in g),
                                              "\t".join("%.17g" % x for x in p)))
            print("wrote", out)
    return 0


# ---- --check: replay the committed files over a grid of knobs ----

GRID = {
    "--threshold": ["5", "4"],
    "--threshold-cmp": ["gt", "ge"],
    "--below": ["momentum", "skip"],
    "--eps-placement": ["sqrt-v", "sqrt-vhat"],
    "--wd-kind": ["decoupled-taken", "decoupled", "l2"],
    "--dtype": ["float32", "float64"],
}
# the official code computes in float32: a match is within 8 float32 ulps of
# max(|p|, 1), the tolerance of make_golden.py's float32 cases
TOL = 8 * 2.0 ** -23


def read_golden(path):
    settings, rows, init, recorded = {}, [], None, None
    with open(path) as f:
        for line in f:
            if line.startswith("# golden trajectory:"):
                text = line.split("RAdam(", 1)[1].rsplit(")", 1)[0]
                settings = ast.literal_eval(text)  # the kwargs dict written by write()
            elif line.startswith("# radvar replay "):
                recorded = line.split()[3:]
            elif line.startswith("init"):
                init = [float(x) for x in line.split("\t")[1:]]
            elif line[0] != "#":
                v = [float(x) for x in line.split("\t")]
                rows.append((v[1:1 + N], v[1 + N:1 + 2 * N]))
    return settings, init, rows, recorded


def replay(binary, args, init, rows):
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write("\t".join("%.17g" % x for x in init) + "\n")
        for g, p in rows:
            f.write("\t".join("%.17g" % x for x in g) + "\n")
        path = f.name
    out = subprocess.run([binary, "replay", *args, "--input", path],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(path)
    ours = [list(map(float, line.split("\t")[1:1 + N])) for line in out.splitlines()
            if line and line[0].isdigit()]
    worst, at = 0.0, 0
    for t, ((g, p), q) in enumerate(zip(rows, ours), 1):
        e = max(abs(a - b) / max(abs(b), 1.0) for a, b in zip(q, p))
        if e > worst:
            worst, at = e, t
    return worst, at


def check(binary):
    files = sorted(x for x in os.listdir(HERE) if x.startswith("official_") and x.endswith(".tsv"))
    for name in files:
        kw, init, rows, recorded = read_golden(os.path.join(HERE, name))
        print(name)
        if recorded:
            worst, at = replay(binary, recorded, init, rows)
            print("  recorded knobs: worst %.3g (step %d)%s" % (worst, at, "" if worst <= TOL else "  FAIL"))
        base = ["--method", "radam", "--preset", "official",
                "--lr", repr(kw["lr"]), "--beta1", repr(kw["betas"][0]),
                "--beta2", repr(kw["betas"][1]), "--eps", repr(kw["eps"]),
                "--weight-decay", repr(kw.get("weight_decay", 0.0))]
        results = []
        for combo in itertools.product(*GRID.values()):
            worst, at = replay(binary, base + [x for pair in zip(GRID, combo) for x in pair], init, rows)
            results.append((worst, at, dict(zip(GRID, combo))))
        best = min(results, key=lambda r: r[0])
        print("  best of the grid: worst %.3g (step %d): %s"
              % (best[0], best[1], " ".join("%s %s" % kv for kv in best[2].items())))
        matching = [r[2] for r in results if r[0] <= TOL]
        if matching:
            print("  within 8 float32 ulps (%d of %d combinations): %s"
                  % (len(matching), len(results),
                     "; ".join("%s %s" % (k, "|".join(sorted({m[k] for m in matching}))) for k in GRID)))
        else:
            print("  no combination within 8 float32 ulps")
        f64 = min((r for r in results if r[2]["--dtype"] == "float64"), key=lambda r: r[0])
        print("  best with --dtype float64: worst %.3g (step %d)" % (f64[0], f64[1]))
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        return check(sys.argv[2])
    if len(sys.argv) == 2 and not sys.argv[1].startswith("-"):
        return write(sys.argv[1])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
