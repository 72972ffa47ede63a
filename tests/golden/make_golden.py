#!/usr/bin/python3
"""Golden optimizer trajectories from PyTorch (Debian's python3-torch).

    /usr/bin/python3 tests/golden/make_golden.py            write tests/golden/*.tsv
    /usr/bin/python3 tests/golden/make_golden.py --check BIN  compare BIN (bin/radvar)
                                                              live against PyTorch

Each case runs torch.optim.{RAdam,Adam,AdamW} (foreach=False, the CPU
default) for 2,000 steps on a parameter vector of 4 values, with gradients
from a fixed NumPy generator (heavy-tailed, with occasional scale jumps and a
sign-changing mean, so that every branch of the update is exercised).  A golden
file holds the settings in '#' lines, then the initial parameter row, then one
row per step: t, the 4 gradients, the 4 parameters after the step -- all
printed with %.17g (float32 values are exact in it).
"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 2000
N = 4

# name, method, torch class, kwargs, dtype
CASES = [
    ("radam_b0.9", "radam", "RAdam", dict(lr=1e-2, betas=(0.9, 0.9), eps=1e-8), "float64"),
    ("radam_b0.99", "radam", "RAdam", dict(lr=1e-2, betas=(0.9, 0.99), eps=1e-8), "float64"),
    ("radam_b0.999", "radam", "RAdam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8), "float64"),
    ("radam_b0.999_wd", "radam", "RAdam", dict(lr=3e-3, betas=(0.8, 0.999), eps=1e-6, weight_decay=0.05), "float64"),
    ("radam_b0.99_wd", "radam", "RAdam", dict(lr=1e-2, betas=(0.9, 0.99), eps=1e-8, weight_decay=1e-3), "float64"),
    ("adam_b0.9", "adam", "Adam", dict(lr=1e-2, betas=(0.9, 0.9), eps=1e-8), "float64"),
    ("adam_b0.999_wd", "adam", "Adam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01), "float64"),
    ("adam_amsgrad", "adam", "Adam", dict(lr=1e-2, betas=(0.9, 0.99), eps=1e-8, amsgrad=True), "float64"),
    ("adamw_b0.99", "adamw", "AdamW", dict(lr=1e-2, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1), "float64"),
    ("adamw_b0.999", "adamw", "AdamW", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01), "float64"),
    ("radam_b0.999_f32", "radam", "RAdam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01), "float32"),
    ("adam_b0.99_f32", "adam", "Adam", dict(lr=1e-2, betas=(0.9, 0.99), eps=1e-8), "float32"),
    ("adamw_b0.999_f32", "adamw", "AdamW", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01), "float32"),
]


def gradients(seed):
    rng = np.random.default_rng(seed)
    g = rng.standard_t(df=3, size=(STEPS, N))
    scale = np.where(rng.random((STEPS, 1)) < 0.01, 30.0, 1.0)
    mean = 0.3 * np.sin(np.arange(STEPS) / 150.0)[:, None]
    return (g * scale + mean) * np.array([1.0, 0.1, 10.0, 1e-3])


def run_torch(case, seed):
    name, method, cls, kwargs, dtype = case
    tdtype = torch.float32 if dtype == "float32" else torch.float64
    init = np.array([0.5, -1.5, 2.0, 1e-2])
    p = torch.tensor(init, dtype=tdtype, requires_grad=True)
    opt = getattr(torch.optim, cls)([p], foreach=False, **kwargs)
    grads = torch.tensor(gradients(seed), dtype=tdtype)
    rows = []
    for t in range(STEPS):
        p.grad = grads[t].clone()
        opt.step()
        rows.append((t + 1, grads[t].double().numpy(), p.detach().double().numpy().copy()))
    return init.astype(np.float32).astype(np.float64) if dtype == "float32" else init, rows


def replay_args(case):
    name, method, cls, kwargs, dtype = case
    args = ["--method", method, "--dtype", dtype, "--lr", repr(kwargs["lr"]),
            "--beta1", repr(kwargs["betas"][0]), "--beta2", repr(kwargs["betas"][1]),
            "--eps", repr(kwargs["eps"]), "--weight-decay", repr(kwargs.get("weight_decay", 0.0))]
    if method == "radam":
        args += ["--preset", "pytorch"]
    if kwargs.get("amsgrad"):
        args += ["--amsgrad"]
    return args


def write(case, seed):
    init, rows = run_torch(case, seed)
    name = case[0]
    path = os.path.join(HERE, name + ".tsv")
    with open(path, "w") as f:
        f.write("# golden trajectory: torch.optim.%s(foreach=False) %s, torch %s\n"
                % (case[2], case[3], torch.__version__))
        f.write("# radvar replay %s\n" % " ".join(replay_args(case)))
        f.write("# seed: %d, steps: %d, parameters: %d, dtype: %s\n" % (seed, STEPS, N, case[4]))
        f.write("init\t" + "\t".join("%.17g" % x for x in init) + "\n")
        for t, g, p in rows:
            f.write("%d\t%s\t%s\n" % (t, "\t".join("%.17g" % x for x in g),
                                      "\t".join("%.17g" % x for x in p)))
    print("wrote", path)


def check(binary):
    worst_all = 0.0
    for k, case in enumerate(CASES):
        init, rows = run_torch(case, 1000 + k)
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
            f.write("\t".join("%.17g" % x for x in init) + "\n")
            for t, g, p in rows:
                f.write("\t".join("%.17g" % x for x in g) + "\n")
            path = f.name
        out = subprocess.run([binary, "replay", *replay_args(case), "--input", path],
                             capture_output=True, text=True, check=True).stdout
        os.unlink(path)
        ours = [list(map(float, line.split("\t")[1:1 + N])) for line in out.splitlines()
                if line and line[0].isdigit()]
        worst = max(abs(a - b) / max(abs(b), 1.0)
                    for (t, g, p), q in zip(rows, ours) for a, b in zip(q, p))
        # float32: ATen's vector kernels fuse some products (FMA) and round scalars
        # to float where radvar rounds them at other points; each step may differ
        # by an ulp or two and the contracting moment updates do not amplify it
        # (measured: at most 1 ulp), so 8 ulps of max(|p|, 1)
        tol = 1e-12 if case[4] == "float64" else 8 * 2.0 ** -23
        status = "ok" if worst <= tol else "FAIL"
        worst_all = max(worst_all, worst if case[4] == "float64" else 0)
        print("%-20s %s  worst |radvar - torch| / max(|torch|, 1) = %.3g (tolerance %.0e)  %s"
              % (case[0], case[4], worst, tol, status))
        if status == "FAIL":
            return 1
    print("conformance: %d cases against torch %s, all within tolerance" % (len(CASES), torch.__version__))
    return 0


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        return check(sys.argv[2])
    torch.set_num_threads(1)
    for k, case in enumerate(CASES):
        write(case, 1000 + k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
