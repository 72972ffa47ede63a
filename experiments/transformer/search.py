#!/usr/bin/python3
"""Run reversal.py trainings one after another in this process, one TSV row per run.

The recommended suite (every optimizer, several seeds):

    /usr/bin/python3 experiments/transformer/search.py --scale default --log runs.tsv

A grid of your own (the options override the scale's settings):

    /usr/bin/python3 experiments/transformer/search.py --log runs.tsv --tag A \\
        --layers 8 --d-model 64 --ff 256 --batch 16 --lr 3e-3 --steps 300 --warmup 150 \\
        --optimizers adam,adam-warmup,radam --seeds 0,1,2

adam-warmup warms up linearly over --warmup steps.  adam-2k spends K =
--v-only-steps (default: --warmup) steps updating only v; with --fair2k moving
(the default, the paper's protocol) it then makes --steps parameter updates,
K + --steps steps in all; with --fair2k total it gets --steps steps in all.
steps_to_0.99 counts all steps, the v-only ones included.

Columns: final_train_loss is the mean training loss of the last 10 steps;
heldout_loss/heldout_acc are measured after training on a fixed batch of 1024
sequences; steps_to_0.99 is the first step at which the mean accuracy of the
last 10 training batches (fresh data, measured before each update) is >= 0.99;
escape_step is the first step at which the mean loss of the last 10 steps is
below 0.75 ln V (leaving chance); curve is that 10-step mean loss at 1/8, 2/8,
..., 8/8 of the run; seconds is wall time and cpu_seconds CPU time of the
training loop (1 thread).
"""

import argparse
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reversal as R  # noqa: E402

COLUMNS = ["tag", "optimizer", "seed", "layers", "d_model", "heads", "ff", "batch", "length",
           "vocab", "init", "ln", "lr", "beta2", "eps", "warmup", "v_only", "steps",
           "final_train_loss", "heldout_loss", "heldout_acc", "steps_to_0.99", "escape_step",
           "seconds", "cpu_seconds", "curve"]

ALL = "adam,adam-warmup,radam,radam-paper,radam-official,adam-eps,adam-2k"

# The recommended settings (SEARCH.md has the runs behind them).
SCALES = {
    "default": dict(layers=8, d_model=64, heads=4, ff=256, batch=16, length=16, vocab=16,
                    lr=3e-3, beta2=0.98, steps=300, warmup=150, seeds="0,1,2",
                    optimizers=ALL),
    "full": dict(layers=8, d_model=64, heads=4, ff=256, batch=32, length=16, vocab=16,
                 lr=3e-3, beta2=0.98, steps=600, warmup=300, seeds="0,1,2,3,4",
                 optimizers=ALL),
}

BUILTIN = dict(layers=R.DEFAULTS["layers"], d_model=R.DEFAULTS["d_model"],
               heads=R.DEFAULTS["heads"], ff=R.DEFAULTS["ff"], batch=R.DEFAULTS["batch"],
               length=R.DEFAULTS["length"], vocab=R.DEFAULTS["vocab"], lr=3e-3, beta2=0.999,
               steps=600, warmup=0, seeds="0,1,2", optimizers="adam,adam-warmup,radam")


def first_below(losses, level, window=R.ACC_WINDOW):
    s = 0.0
    for i, x in enumerate(losses):
        s += x
        if i >= window:
            s -= losses[i - window]
        if i >= window - 1 and s / window < level:
            return i + 1
    return None


def run_one(tag, name, seed, model, lr, beta2=0.999, eps=1e-8, warmup=0, v_only_steps=None,
            fair2k="moving", steps=300):
    """Train once; return the row (a list in COLUMNS order).

    model: dict with layers, d_model, heads, ff, batch, length, vocab and
    optionally layer_init, norm_first."""
    k = v_only_steps if v_only_steps is not None else warmup
    warm = warmup if name == "adam-warmup" else 0
    v_only = k if name == "adam-2k" else 0
    total = steps + v_only if (name == "adam-2k" and fair2k == "moving") else steps
    eps_used = 1e-4 if (name == "adam-eps" and eps == 1e-8) else eps
    make = R.optimizer_factory(name, lr, 0.9, beta2, eps_used, warmup=warm, v_only_steps=v_only)
    cfg = dict(model, steps=total, seed=seed)
    r = R.train(cfg, make)
    ls = r["loss"]
    n = len(ls)
    curve = ",".join(f"{statistics.fmean(ls[max(0, j - 10):j]):.3g}"
                     for j in [max(1, (n * q) // 8) for q in range(1, 9)])
    esc = first_below(ls, 0.75 * math.log(r["config"]["vocab"]))
    c = r["config"]
    return [tag, name, seed, c["layers"], c["d_model"], c["heads"], c["ff"], c["batch"],
            c["length"], c["vocab"], c["layer_init"], "pre" if c["norm_first"] else "post", lr,
            beta2, f"{eps_used:g}", warm, v_only, total, f"{r['final_train_loss']:.4g}",
            f"{r['heldout_loss']:.4g}", f"{r['heldout_acc']:.4g}",
            r["steps_to_target"] if r["steps_to_target"] is not None else "never",
            esc if esc is not None else "never", f"{r['seconds']:.1f}",
            f"{r['cpu_seconds']:.1f}", curve]


def summary(rows):
    """Per optimizer: runs reaching 0.99, median steps to 0.99 over those, median final loss."""
    out = ["optimizer\treached_0.99\tmedian_steps_to_0.99\tmedian_final_train_loss\tcpu_seconds"]
    i_opt, i_hit, i_loss, i_cpu = (COLUMNS.index(c) for c in (
        "optimizer", "steps_to_0.99", "final_train_loss", "cpu_seconds"))
    names = list(dict.fromkeys(r[i_opt] for r in rows))
    for name in names:
        rs = [r for r in rows if r[i_opt] == name]
        hit = [int(r[i_hit]) for r in rs if r[i_hit] != "never"]
        med = f"{statistics.median(hit):g}" if hit else "-"
        loss = statistics.median(float(r[i_loss]) for r in rs)
        cpu = sum(float(r[i_cpu]) for r in rs)
        out.append(f"{name}\t{len(hit)}/{len(rs)}\t{med}\t{loss:.4g}\t{cpu:.1f}")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", required=True, help="TSV file to append the rows to")
    ap.add_argument("--tag", default=None, help="label of the rows (default: the scale)")
    ap.add_argument("--scale", choices=sorted(SCALES), default=None,
                    help="the recommended settings; other options override them")
    ap.add_argument("--optimizers", help=f"comma-separated, from {','.join(R.OPTIMIZERS)}")
    ap.add_argument("--seeds")
    ap.add_argument("--lr", type=float)
    ap.add_argument("--beta2", type=float)
    ap.add_argument("--eps", type=float, default=1e-8, help="adam-eps uses 1e-4 unless set")
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--v-only-steps", type=int, default=None)
    ap.add_argument("--fair2k", choices=["moving", "total"], default="moving")
    ap.add_argument("--steps", type=int)
    ap.add_argument("--layer-init", choices=["clone", "independent"], default="clone")
    ap.add_argument("--pre-ln", action="store_true")
    for k in ("layers", "d_model", "heads", "ff", "batch", "length", "vocab"):
        ap.add_argument("--" + k.replace("_", "-"), type=int)
    a = ap.parse_args()
    base = dict(SCALES[a.scale] if a.scale else BUILTIN)
    for k in base:
        if getattr(a, k, None) is not None:
            base[k] = getattr(a, k)
    tag = a.tag or a.scale
    if tag is None:
        ap.error("--tag is required without --scale")
    names = base["optimizers"].split(",")
    for n in names:
        if n not in R.OPTIMIZERS:
            ap.error(f"unknown optimizer {n!r} (valid: {','.join(R.OPTIMIZERS)})")
    if "adam-warmup" in names and base["warmup"] <= 0:
        ap.error("adam-warmup needs --warmup > 0")
    model = {k: base[k] for k in ("layers", "d_model", "heads", "ff", "batch", "length", "vocab")}
    model.update(layer_init=a.layer_init, norm_first=a.pre_ln)
    rows = []
    new = not os.path.exists(a.log)
    with open(a.log, "a") as f:
        if new:
            f.write("\t".join(COLUMNS) + "\n")
        for seed in [int(s) for s in base["seeds"].split(",")]:
            for name in names:
                row = run_one(tag, name, seed, model, base["lr"], base["beta2"], a.eps,
                              base["warmup"], a.v_only_steps, a.fair2k, base["steps"])
                rows.append(row)
                line = "\t".join(str(x) for x in row)
                f.write(line + "\n")
                f.flush()
                print(line, flush=True)
    print()
    print(summary(rows))


if __name__ == "__main__":
    main()
