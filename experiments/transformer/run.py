#!/usr/bin/python3
"""The Transformer experiment: sequence reversal with a deep post-LN encoder,
trained with every optimizer of radvar through the Python bridge.

    PYTHONPATH=python /usr/bin/python3 experiments/transformer/run.py \\
        --scale default --out out/data/transformer --jobs 2

Every optimizer is radvar's own step (radvar.torch.Optimizer), not torch.optim:

  adam            method adam, eps 1e-8
  adam-warmup     method adam-warmup: lr min(t, W)/W over the first W steps
  radam-paper     method radam, preset paper    (rho_t > 4, momentum step below, eps on sqrt(v_hat))
  radam-official  method radam, preset official (rho_t >= 5, no step below, eps on sqrt(v))
  radam-pytorch   method radam, preset pytorch  (rho_t > 5, momentum step below: torch.optim.RAdam)
  adam-eps        method adam-eps: Adam with eps = 1e-4 (the paper's value)
  adam-2k         method adam-2k: the first K steps update only v; then S parameter
                  updates, K + S steps in all (the paper's protocol: the same
                  number of updates as the others, K extra steps that do not move
                  the parameters).  K = W.

Scales (lr 3e-3 and betas (0.9, 0.98) for all; SEARCH.md has the search behind them):
  default  batch 16, S = 300 steps, W = K = 150, seeds 0-2  (21 runs)
  full     batch 32, S = 600 steps, W = K = 300, seeds 0-4  (35 runs)

The runs are shared among --jobs worker processes, each on one thread; every
run seeds its own weights and data, so the results do not depend on the number
of workers or on which worker ran a run.  The bridge is checked against
torch.optim first (radam-pytorch against torch.optim.RAdam, adam against
torch.optim.Adam, float64, on this model).

Files written to --out:
  run_OPT_sSEED.tsv    step loss accuracy lr moved: the training batch's loss and
                       accuracy before the update, the step's scheduled lr, and
                       whether the parameters moved
  gstats_OPT_sSEED.tsv (adam, adam-warmup, adam-eps) every stat_every steps, over
                       all parameters: the median |g|, the fractions of |g| below
                       2^-30 and of exact zeros; the median sqrt(v_hat) after the
                       step and the fraction of coordinates where sqrt(v_hat) < 1e-4
                       (where Adam-eps's eps dominates the denominator)
  hist_OPT_sSEED.tsv   (adam, adam-warmup, first seed) histograms of log2|g| and of
                       log2|update| (radvar.gradlog's format: step bin grad_count
                       update_count), every hist_every steps
  grads_OPT_sSEED.tsv  (the same runs) the gradients of 100 coordinates, one in each
                       parameter tensor, at every step (radvar.gradlog; radvar
                       replay's input format, for radvar gradients)
  runs.tsv             one row per run (the table of runs)
  reached.tsv          step, then per optimizer the fraction of its runs that reached
                       accuracy 0.99 by that step (headed "name (k/n)")
  bridge_check.tsv     the bridge against torch.optim on this model
  summary.tsv          per optimizer: runs reaching 0.99, median steps, final losses
  checks.tsv           the claims, measured in this run (check measured target ok)
"""

import argparse
import math
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reversal as R  # noqa: E402  (sets the thread variables before torch loads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import radvar  # noqa: E402,F401
import radvar.torch  # noqa: E402

from radvar.gradlog import GradientLogger  # noqa: E402

OPTIMIZERS = ["adam", "adam-warmup", "radam-paper", "radam-official", "radam-pytorch",
              "adam-eps", "adam-2k"]
LR, BETAS, EPS, EPS_ADAM_EPS = 3e-3, (0.9, 0.98), 1e-8, 1e-4
SCALES = {
    "default": dict(batch=16, steps=300, warmup=150, seeds=[0, 1, 2], hist_every=10, stat_every=10),
    "full": dict(batch=32, steps=600, warmup=300, seeds=[0, 1, 2, 3, 4], hist_every=10,
                 stat_every=20),
}
HIST_OPTIMIZERS = ("adam", "adam-warmup")  # the heat maps (the paper's Figure 2), first seed
STAT_OPTIMIZERS = ("adam", "adam-warmup", "adam-eps")  # gstats: the checks read these
LOG_COORDS = 100  # coordinates logged for radvar gradients: one in each of the 100 tensors
TINY = 2.0 ** -30


def optimizer_kwargs(name, warmup):
    """radvar.torch.Optimizer's arguments for an optimizer of the experiment"""
    common = dict(lr=LR, betas=BETAS, eps=EPS)
    if name == "adam":
        return dict(common, method="adam")
    if name == "adam-warmup":
        return dict(common, method="adam-warmup", warmup_steps=warmup)
    if name.startswith("radam-"):
        return dict(common, method="radam", preset=name.split("-", 1)[1])
    if name == "adam-eps":
        return dict(common, method="adam-eps", eps=EPS_ADAM_EPS)
    if name == "adam-2k":
        return dict(common, method="adam-2k", v_only_steps=warmup)
    raise ValueError("unknown optimizer %r" % name)


# ---------------------------------------------------------------- one run


def run_one(job):
    """Train one (optimizer, seed); write its files; return its summary row (dict)."""
    name, seed, sc, out = job["optimizer"], job["seed"], job["sc"], job["out"]
    s_updates, w = sc["steps"], sc["warmup"]
    total = s_updates + (w if name == "adam-2k" else 0)
    kw = optimizer_kwargs(name, w)
    holder = {}

    def make(params):
        holder["opt"] = radvar.torch.Optimizer(params, **kw)
        return holder["opt"]

    tag = "%s_s%d" % (name, seed)
    rows = []
    gstats = []
    loggers = []

    def grad_hook(step, model):
        if step == 1 and name in HIST_OPTIMIZERS and seed == sc["seeds"][0]:
            loggers.append(GradientLogger(model, os.path.join(out, "grads_%s.tsv" % tag),
                                          hist=os.path.join(out, "hist_%s.tsv" % tag),
                                          coords=LOG_COORDS, seed=1, hist_every=sc["hist_every"]))
        for lg in loggers:
            lg.before_step()
        if name in STAT_OPTIMIZERS and ((step - 1) % sc["stat_every"] == 0 or step == total):
            a = np.abs(np.concatenate([p.grad.detach().reshape(-1).numpy()
                                       for p in model.parameters()]))
            holder["g"] = (step, float(np.median(a)), float(np.mean(a < TINY)),
                           float(np.mean(a == 0)))

    def after_step(step, model):
        for lg in loggers:
            lg.after_step()
        if holder.get("g") and holder["g"][0] == step:
            opt = holder["opt"]
            bc2 = 1.0 - BETAS[1] ** step
            v = np.concatenate([opt.state[p]["exp_avg_sq"].reshape(-1).numpy()
                                for p in model.parameters()])
            sv = np.sqrt(v / bc2)
            gstats.append(holder["g"] + (float(np.median(sv)), float(np.mean(sv < EPS_ADAM_EPS))))
            holder["g"] = None

    def log(step, loss, acc, lr):
        d = holder["opt"].diagnostics()[0]
        rows.append("%d\t%.9g\t%.6g\t%.9g\t%d" % (step, loss, acc, d.lr, int(d.moved)))

    c0 = time.process_time()
    try:
        r = R.train(dict(batch=sc["batch"], steps=total, seed=seed), make, log=log,
                    grad_hook=grad_hook, after_step=after_step)
    except FloatingPointError:  # the bridge refused a NaN or infinite gradient: diverged
        r = dict(loss=[float("nan")], final_train_loss=float("nan"), heldout_loss=float("nan"),
                 heldout_acc=float("nan"), steps_to_target=None, seconds=float("nan"),
                 config=dict(vocab=R.DEFAULTS["vocab"]))
    for lg in loggers:
        lg.close()
    with open(os.path.join(out, "run_%s.tsv" % tag), "w") as f:
        f.write("# optimizer %s seed %d: radvar.torch.Optimizer(%s)\n"
                % (name, seed, ", ".join("%s=%r" % kv for kv in sorted(kw.items()))))
        f.write("step\tloss\taccuracy\tlr\tmoved\n" + "\n".join(rows) + "\n")
    if gstats:
        with open(os.path.join(out, "gstats_%s.tsv" % tag), "w") as f:
            f.write("step\tmedian_abs_g\tfrac_below_2^-30\tfrac_zero\tmedian_sqrt_vhat\t"
                    "frac_sqrt_vhat_below_1e-4\n")
            for st in gstats:
                f.write("%d\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\n" % st)
    esc = first_below(r["loss"], 0.75 * math.log(r["config"]["vocab"]))
    return dict(optimizer=name, seed=seed, steps=total, updates=s_updates,
                final_loss=r["final_train_loss"], heldout_loss=r["heldout_loss"],
                heldout_acc=r["heldout_acc"], steps_to=r["steps_to_target"], left_chance=esc,
                seconds=r["seconds"], cpu_seconds=time.process_time() - c0)


def first_below(losses, level, window=R.ACC_WINDOW):
    """first step whose mean loss over the last `window` steps is below level"""
    s = 0.0
    for i, x in enumerate(losses):
        s += x
        if i >= window:
            s -= losses[i - window]
        if i >= window - 1 and s / window < level:
            return i + 1
    return None


# ---------------------------------------------------------------- the bridge check


def bridge_check(job):
    """radvar.torch.Optimizer against torch.optim on this model, in float64, over
    job["steps"] steps from the same initial weights and batches.  "shared": both
    optimizers get the same gradients (those of radvar's copy), so the difference
    is the optimizers' own (rounding); "free": each copy of the model trains on its
    own gradients, so the rounding differences also pass through the network."""
    out = []
    c0 = time.process_time()
    R.setup_torch()
    for ours, theirs, label in [
            (dict(method="radam", preset="pytorch"), torch.optim.RAdam,
             "radam preset pytorch vs torch.optim.RAdam"),
            (dict(method="adam"), torch.optim.Adam, "adam vs torch.optim.Adam")]:
        worst = {}
        for mode in ("shared", "free"):
            models = []
            for _ in range(2):
                torch.manual_seed(0)
                models.append(R.Reverser(16, 16, 64, 4, 256, 8).double())
            opts = [radvar.torch.Optimizer(models[0].parameters(), lr=LR, betas=BETAS, eps=EPS,
                                           **ours),
                    theirs(models[1].parameters(), lr=LR, betas=BETAS, eps=EPS)]
            gen = torch.Generator().manual_seed(R.DATA_SEED_OFFSET)
            w = 0.0
            for _ in range(job["steps"]):
                x, y = R.reversal_batch(gen, 16, 16, 16)
                for k, (m, o) in enumerate(zip(models, opts)):
                    o.zero_grad(set_to_none=True)
                    if mode == "free" or k == 0:
                        torch.nn.functional.cross_entropy(m(x).reshape(-1, 16),
                                                          y.reshape(-1)).backward()
                    else:
                        for pa, pb in zip(models[0].parameters(), m.parameters()):
                            pb.grad = pa.grad.clone()
                for m, o in zip(models, opts):
                    o.step()
                for pa, pb in zip(models[0].parameters(), models[1].parameters()):
                    w = max(w, (pa - pb).abs().max().item() / pb.abs().max().item())
            worst[mode] = w
        out.append((label, job["steps"], worst["shared"], worst["free"]))
    return dict(rows=out, cpu_seconds=time.process_time() - c0)


# ---------------------------------------------------------------- radvar gradients


def analyse_gradients(radvar_bin, out, tag, window):
    """radvar gradients on a run's logged coordinates, in windows of `window`
    steps; the rows of its pooled summary (one per window) as dicts"""
    summary = os.path.join(out, "gradients_summary_%s.tsv" % tag)
    subprocess.run([radvar_bin, "gradients", "--input", os.path.join(out, "grads_%s.tsv" % tag),
                    "--beta2", repr(BETAS[1]), "--t", "10,100", "--window", str(window),
                    "--summary-output", summary,
                    "--output", os.path.join(out, "gradients_%s.tsv" % tag)], check=True)
    with open(summary) as f:
        lines = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")]
    return [dict(zip(lines[0], row)) for row in lines[1:]]


# ---------------------------------------------------------------- the tables


def median_or_dash(xs, fmt="%g"):
    return fmt % statistics.median(xs) if xs else "-"


def write_tables(out, rows, bridge, sc, wall, cpu, load, grads):
    n_seeds = len(sc["seeds"])
    by = {o: sorted([r for r in rows if r["optimizer"] == o], key=lambda r: r["seed"])
          for o in OPTIMIZERS}
    by = {o: rs for o, rs in by.items() if rs}

    def fmt_step(x):
        return "never" if x is None else str(x)

    with open(os.path.join(out, "runs.tsv"), "w") as f:
        f.write("optimizer\tseed\tsteps\tupdates\tfinal_loss\theldout_loss\theldout_acc\t"
                "steps_to_0.99\tleft_chance\tcpu_seconds\twall_seconds\n")
        for o, rs in by.items():
            for r in rs:
                f.write("%s\t%d\t%d\t%d\t%.4g\t%.4g\t%.4g\t%s\t%s\t%.1f\t%.1f\n" % (
                    o, r["seed"], r["steps"], r["updates"], r["final_loss"], r["heldout_loss"],
                    r["heldout_acc"], fmt_step(r["steps_to"]), fmt_step(r["left_chance"]),
                    r["cpu_seconds"], r["seconds"]))
    # the fraction of runs at accuracy 0.99 by step N
    last = max(r["steps"] for r in rows)
    with open(os.path.join(out, "reached.tsv"), "w") as f:
        # the headers carry the counts, for the figure's key: "adam (0/3)"
        f.write("step\t" + "\t".join(
            "%s (%d/%d)" % (o, sum(1 for r in rs if r["steps_to"] is not None), len(rs))
            for o, rs in by.items()) + "\n")
        for t in range(0, last + 1):
            f.write("%d\t%s\n" % (t, "\t".join(
                "%.6g" % (sum(1 for r in rs if r["steps_to"] is not None and r["steps_to"] <= t)
                          / len(rs)) for rs in by.values())))
    with open(os.path.join(out, "bridge_check.tsv"), "w") as f:
        f.write("check\tsteps\tmax_rel_diff_shared_gradients\tmax_rel_diff_free_running\n")
        for label, steps, shared, free in bridge["rows"]:
            f.write("%s\t%d\t%.3g\t%.3g\n" % (label, steps, shared, free))

    def reached(o):
        return sum(1 for r in by.get(o, []) if r["steps_to"] is not None)

    def med_steps(o):
        return median_or_dash([r["steps_to"] for r in by.get(o, []) if r["steps_to"] is not None])

    with open(os.path.join(out, "summary.tsv"), "w") as f:
        f.write("optimizer\truns\treached_0.99\tmedian_steps_to_0.99\tmedian_final_loss\t"
                "cpu_seconds\n")
        for o, rs in by.items():
            f.write("%s\t%d\t%d\t%s\t%.4g\t%.1f\n" % (
                o, len(rs), reached(o), med_steps(o),
                statistics.median(r["final_loss"] for r in rs),
                sum(r["cpu_seconds"] for r in rs)))

    # gradient statistics: tiny gradients (the paper's Figure 2), median |g|, sqrt(v_hat)
    def gst(o, seed):
        p = os.path.join(out, "gstats_%s_s%d.tsv" % (o, seed))
        with open(p) as f:
            next(f)
            return [[float(x) for x in line.split("\t")] for line in f if line.strip()]

    def mean(xs):
        return sum(xs) / len(xs) if xs else float("nan")

    seeds = sc["seeds"]
    tiny = {o: (mean([gst(o, s)[0][2] for s in seeds]), mean([gst(o, s)[-1][2] for s in seeds]))
            for o in ("adam", "adam-warmup")}
    tiny_max = {o: mean([max(row[2] for row in gst(o, s)) for s in seeds])
                for o in ("adam", "adam-warmup")}
    med_g1 = statistics.median(gst("adam", s)[0][1] for s in seeds)
    # over the first 50 steps of Adam-eps: median |g|, median sqrt(v_hat), where eps dominates
    early = [row for s in seeds for row in gst("adam-eps", s) if row[0] <= 50]
    med_g_early = statistics.median(row[1] for row in early)
    med_sv_early = statistics.median(row[4] for row in early)
    frac_eps_early = mean([row[5] for row in early])
    allrows = [row for s in seeds for row in gst("adam-eps", s)]
    med_g_all = statistics.median(row[1] for row in allrows)
    n = n_seeds
    a, wu, k2, ae = reached("adam"), reached("adam-warmup"), reached("adam-2k"), reached("adam-eps")
    radam = {p: reached("radam-" + p) for p in ("paper", "official", "pytorch")}
    W = sc["warmup"]
    S = sc["steps"]

    def verdict_rescue(x, ref_adam, ref_all):
        # the paper: the remedy trains the model that Adam cannot
        if x == ref_all and x > ref_adam:
            return "held"
        if x > ref_adam:
            return "partly"
        return "did not hold"

    checks = []
    checks.append(("transformer: %d runs (%s, seeds %s), %d worker processes of 1 thread, wall / "
                   "CPU time (load average %.1f at the start, %.1f at the end)"
                   % (len(rows), "batch %d, %d updates, W = K = %d" % (sc["batch"], S, W),
                      ",".join(map(str, seeds)), sc["jobs"], load[0], load[1]),
                   "%.0f s / %.0f s" % (wall, cpu),
                   "(default scale: about 2 minutes of wall time)", "yes"))
    for label, steps, shared, free in bridge["rows"]:
        checks.append(("bridge: %s on this model, float64, %d steps from the same weights and "
                       "batches, the same gradients: max relative parameter difference (each on "
                       "its own gradients: %.2g)" % (label, steps, free), "%.3g" % shared,
                       "<= 1e-13", "yes" if shared <= 1e-13 else "NO"))
    checks.append((
        "claim 3, warmup as variance reduction: runs reaching accuracy 0.99 in %d updates: Adam "
        "%d/%d, Adam with linear warmup (W = %d) %d/%d (median step %s)"
        % (S, a, n, W, wu, n, med_steps("adam-warmup")),
        "held" if (wu == n and a < n / 2) else ("partly" if wu > a else "did not hold"),
        "(warmup trains every run; Adam fails in most)", "finding"))
    ratio = tiny["adam"][1] / tiny["adam-warmup"][1] if tiny["adam-warmup"][1] > 0 else float("inf")
    checks.append((
        "claim 3, the gradient histograms (the paper's Figure 2): fraction of abs(g) < 2^-30 at step "
        "1 and at the last step, mean over seeds: Adam %.3g -> %.3g (largest %.3g), warmup %.3g "
        "-> %.3g (largest %.3g)" % (tiny["adam"][0], tiny["adam"][1], tiny_max["adam"],
                                    tiny["adam-warmup"][0], tiny["adam-warmup"][1],
                                    tiny_max["adam-warmup"]),
        "held" if tiny["adam"][1] > 0.05 and ratio >= 5 else
        ("partly" if tiny["adam"][1] > tiny["adam-warmup"][1] else "did not hold"),
        "(without warmup the gradients collapse towards 0: Adam's last fraction > 0.05 and >= 5 "
        "times warmup's)", "finding"))
    checks.append((
        "claim 3, Adam-2k (K = W = %d v-only steps, then the same %d updates: %d steps in all): "
        "runs reaching 0.99: Adam-2k %d/%d, Adam %d/%d, warmup %d/%d"
        % (W, S, S + W, k2, n, a, n, wu, n),
        verdict_rescue(k2, a, n), "(Adam-2k trains every run, as warmup does)", "finding"))
    checks.append((
        "claim 3, Adam-eps (eps = 1e-4): runs reaching 0.99: %d/%d (Adam %d/%d); median abs(g) at "
        "step 1 %.2g, over the run %.2g; steps 1-50: median abs(g) %.2g, median sqrt(v_hat) %.2g, "
        "fraction of coordinates with sqrt(v_hat) < eps %.2f"
        % (ae, n, a, n, med_g1, med_g_all, med_g_early, med_sv_early, frac_eps_early),
        verdict_rescue(ae, a, n), "(Adam-eps trains every run, as warmup does)", "finding"))
    rs_all = [radam[p] for p in ("paper", "official", "pytorch")]
    meds = {p: [r["steps_to"] for r in by["radam-" + p] if r["steps_to"] is not None]
            for p in radam}
    wmed = [r["steps_to"] for r in by["adam-warmup"] if r["steps_to"] is not None]
    held_p = {p: radam[p] >= wu and radam[p] > a and meds[p] and wmed
              and statistics.median(meds[p]) <= 1.25 * statistics.median(wmed) for p in radam}
    nheld = sum(bool(v) for v in held_p.values())
    checks.append((
        "RAdam against warmup: runs reaching 0.99 (median step): paper %d/%d (%s), official %d/%d "
        "(%s), pytorch %d/%d (%s); Adam with warmup W = %d %d/%d (%s)"
        % (radam["paper"], n, med_steps("radam-paper"), radam["official"], n,
           med_steps("radam-official"), radam["pytorch"], n, med_steps("radam-pytorch"), W, wu, n,
           med_steps("adam-warmup")),
        "held" if nheld == 3 else ("mixed" if nheld > 0 else
                                   ("partly" if max(rs_all) > a else "did not hold")),
        "(each preset reaches 0.99 as often as warmup, median step within 25% of warmup's; "
        "mixed: some presets do)", "finding"))
    if grads:
        ga, gw = grads["adam"][0], grads["adam-warmup"][0]
        checks.append((
            "radvar gradients on the logged coordinates (%s, one in each parameter tensor; seed %d), "
            "steps 1-%d, Adam / Adam with warmup: median kurtosis; fraction of coordinates where "
            "Gaussian noise is rejected (p < 0.01); median Var[psi_100] of the noise model BIC "
            "chose over the Gaussian's; models chosen (normal, student, laplace, mixture, ar1, "
            "decay)" % (ga["coords"], seeds[0], sc["window"]),
            "%.3g / %.3g; %.2f / %.2f; %.3g / %.3g; %s / %s" % (
                float(ga["kurtosis_median"]), float(gw["kurtosis_median"]),
                float(ga["normality_rejected"]), float(gw["normality_rejected"]),
                float(ga["ratio_median_t100"]), float(gw["ratio_median_t100"]),
                ",".join(ga["n_" + m] for m in ("normal", "student", "laplace", "mixture", "ar1",
                                                 "decay")),
                ",".join(gw["n_" + m] for m in ("normal", "student", "laplace", "mixture", "ar1",
                                                 "decay"))),
            "(finding)", "finding"))
    with open(os.path.join(out, "checks.tsv"), "w") as f:
        f.write("check\tmeasured\ttarget\tok\n")
        for c in checks:
            f.write("\t".join(c) + "\n")


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=sorted(SCALES), default="default")
    ap.add_argument("--out", required=True, help="directory for the files")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (1 thread each)")
    ap.add_argument("--optimizers", default=",".join(OPTIMIZERS),
                    help="comma-separated subset (the tables and checks need all)")
    ap.add_argument("--radvar", default=os.path.join("build", "bin", "radvar"),
                    help="the radvar program, for radvar gradients (default build/bin/radvar)")
    ap.add_argument("--seeds", help="comma-separated seeds (default: the scale's)")
    ap.add_argument("--steps", type=int, help="parameter updates S (default: the scale's)")
    ap.add_argument("--warmup", type=int, help="W = K (default: the scale's)")
    a = ap.parse_args()
    if a.jobs < 1:
        ap.error("--jobs must be >= 1")
    sc = dict(SCALES[a.scale])
    if a.seeds:
        sc["seeds"] = [int(x) for x in a.seeds.split(",")]
    if a.steps is not None:
        sc["steps"] = a.steps
    if a.warmup is not None:
        sc["warmup"] = a.warmup
    if sc["steps"] < 20 or not 1 <= sc["warmup"] <= sc["steps"]:
        ap.error("--steps must be >= 20 and --warmup in [1, steps]")
    sc["window"] = max(10, sc["steps"] // 6)  # radvar gradients' windows: 6 over the run
    names = a.optimizers.split(",")
    for o in names:
        if o not in OPTIMIZERS:
            ap.error("unknown optimizer %r (valid: %s)" % (o, ",".join(OPTIMIZERS)))
    os.makedirs(a.out, exist_ok=True)
    sc["jobs"] = a.jobs
    jobs = [dict(optimizer=o, seed=s, sc=sc, out=a.out)
            for s in sc["seeds"] for o in names]
    # the longest first (adam-2k makes K more steps), so the two workers end together
    jobs.sort(key=lambda j: -(sc["steps"] + (sc["warmup"] if j["optimizer"] == "adam-2k" else 0)))
    t0, load0 = time.perf_counter(), os.getloadavg()[0]
    ctx = multiprocessing.get_context("spawn")
    rows = []
    pool = ctx.Pool(a.jobs)
    pending_bridge = pool.apply_async(bridge_check, (dict(steps=12),))
    for r in pool.imap_unordered(run_one, jobs):
        rows.append(r)
        print("transformer: %-15s seed %d: final loss %.4g, steps to 0.99 %s (%.1f s CPU)"
              % (r["optimizer"], r["seed"], r["final_loss"],
                 r["steps_to"] if r["steps_to"] is not None else "never", r["cpu_seconds"]),
              file=sys.stderr, flush=True)
    bridge = pending_bridge.get()
    print("transformer: the bridge check took %.1f s CPU" % bridge["cpu_seconds"], file=sys.stderr)
    pool.close()
    pool.join()
    complete = set(names) == set(OPTIMIZERS)
    grads = {o: analyse_gradients(a.radvar, a.out, "%s_s%d" % (o, sc["seeds"][0]), sc["window"])
             for o in HIST_OPTIMIZERS} if complete else None
    wall = time.perf_counter() - t0
    # this process, its workers (joined) and radvar gradients; torch's import included
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    if complete:
        write_tables(a.out, rows, bridge, sc, wall, cpu, (load0, os.getloadavg()[0]), grads)
    print("transformer: %d runs in %.0f s wall, %.0f s CPU" % (len(rows), wall, cpu),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
