#!/usr/bin/python3
r"""Sequence reversal with a small post-LN Transformer encoder.

The task behind the paper's motivation, at a size that trains on one CPU core:
a random sequence of L tokens from a vocabulary of V goes in, and at every
position the encoder predicts the token at the mirrored position (position i
predicts x[L-1-i]).  Chance loss is ln V.  A deep post-LN encoder trained with
plain Adam and no warmup stays at chance for most seeds; with linear warmup or
RAdam it learns the task.

Everything is deterministic for a given seed: the initial weights
(torch.manual_seed(seed)), the training batches (a torch.Generator seeded with
seed + 1000003) and the held-out batch (a fixed generator, the same for every
seed).  Each training batch is fresh, so the accuracy on it, measured before
the update, is an accuracy on data the model has not seen.

Use it as a module (train(cfg, optimizer_factory)) or from the command line:

    /usr/bin/python3 experiments/transformer/reversal.py --optimizer adam \
        --lr 3e-3 --beta2 0.98 --steps 300 --seed 1 --warmup 150 --layers 8 --batch 16

prints a TSV of step, loss, accuracy, lr and '#' lines with a summary.  The
defaults are the recommended default scale (see SEARCH.md); --warmup applies to
adam, adam-warmup and adam-eps, and is adam-2k's number of v-only steps unless
--v-only-steps is given; --steps counts every step, adam-2k's v-only ones too.
"""

import argparse
import math
import os
import sys
import time

# One thread everywhere, before torch loads: torch.set_num_threads does not reach
# the BLAS library's own threads, and the summation order of its kernels (so the
# trajectory, which is chaotic near the failure of Adam) depends on their number.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import torch  # noqa: E402
from torch import nn  # noqa: E402

HELDOUT_SEED = 20200401
HELDOUT_SIZE = 1024
DATA_SEED_OFFSET = 1000003
TARGET_ACCURACY = 0.99
ACC_WINDOW = 10  # steps to reach 0.99: mean training-batch accuracy over this many steps


# ---------------------------------------------------------------- task, model


def reversal_batch(gen, batch, length, vocab):
    """A batch of random sequences and their reversals (int64, batch x length)."""
    x = torch.randint(0, vocab, (batch, length), generator=gen)
    return x, torch.flip(x, dims=[1])


class Reverser(nn.Module):
    """Token + learned position embeddings, a post-LN TransformerEncoder, a linear head.

    The embeddings are drawn with std d^-1/2 and their sum is scaled by sqrt(d),
    so the encoder's input has unit variance per coordinate.

    layer_init: "clone" keeps what nn.TransformerEncoder does (it deep-copies
    one layer, so every layer starts from the same weights); "independent"
    draws each layer afresh, with the same distributions."""

    def __init__(self, vocab, length, d_model, heads, ff, layers, dropout=0.0, norm_first=False,
                 layer_init="clone"):
        super().__init__()
        self.scale = math.sqrt(d_model)
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.empty(length, d_model))
        nn.init.normal_(self.tok.weight, std=d_model ** -0.5)
        nn.init.normal_(self.pos, std=d_model ** -0.5)
        layer = nn.TransformerEncoderLayer(d_model, heads, ff, dropout=dropout, batch_first=True,
                                           norm_first=norm_first)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        if layer_init == "independent":
            for lay in self.encoder.layers:  # as at construction, fresh draws per layer
                lay.self_attn.out_proj.reset_parameters()
                lay.self_attn._reset_parameters()
                lay.linear1.reset_parameters()
                lay.linear2.reset_parameters()
        elif layer_init != "clone":
            raise ValueError(f"layer_init must be 'clone' or 'independent' (got {layer_init!r})")
        self.head = nn.Linear(d_model, vocab)

    def forward(self, x):
        h = (self.tok(x) + self.pos) * self.scale
        return self.head(self.encoder(h))


# ---------------------------------------------------------------- optimizers


class Adam2k(torch.optim.Optimizer):
    """Adam that, for its first K steps, updates only exp_avg_sq (the paper's Adam-2k).

    During those steps the parameters and exp_avg stay fixed.  After them the
    update is torch.optim.Adam's (1.13, single tensor), with v's bias correction
    counted from step 1 and m's from step K + 1, when m starts.  K = 0 is Adam."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, v_only_steps=2000):
        if v_only_steps < 0:
            raise ValueError(f"v_only_steps must be >= 0 (got {v_only_steps})")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, v_only_steps=v_only_steps))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, k = group["lr"], group["eps"], group["v_only_steps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                step = state["step"]
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                if step <= k:
                    continue
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                bias_correction1 = 1 - beta1 ** (step - k)
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                denom = (exp_avg_sq.sqrt() / math.sqrt(bias_correction2)).add_(eps)
                p.addcdiv_(exp_avg, denom, value=-step_size)
        return loss


RADAM_PRESETS = {
    # threshold on rho_t, comparison, eps placement, what happens below the threshold
    "paper": dict(rho_min=4.0, strict=True, eps_on="vhat", below="momentum"),
    "official": dict(rho_min=5.0, strict=False, eps_on="v", below="skip"),
    "pytorch": dict(rho_min=5.0, strict=True, eps_on="v", below="momentum"),
}


class RAdam(torch.optim.Optimizer):
    """RAdam with the conventions of the paper, the official code or PyTorch.

    paper:    rectify when rho_t > 4, else p -= lr m_hat; eps added to sqrt(v_hat).
    official: rectify when rho_t >= 5, else no step; eps added to sqrt(v).
    pytorch:  rectify when rho_t > 5, else p -= lr m_hat; eps added to sqrt(v)
              (torch.optim.RAdam 1.13, with its order of operations)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, preset="pytorch"):
        if preset not in RADAM_PRESETS:
            raise ValueError(f"preset must be one of {sorted(RADAM_PRESETS)} (got {preset!r})")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, preset=preset))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps = group["lr"], group["eps"]
            pr = RADAM_PRESETS[group["preset"]]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                step = state["step"]
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                m_hat = exp_avg / bias_correction1
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                rectify = rho_t > pr["rho_min"] if pr["strict"] else rho_t >= pr["rho_min"]
                if rectify:
                    rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                     / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                    if pr["eps_on"] == "v":
                        adaptive_lr = math.sqrt(bias_correction2) / exp_avg_sq.sqrt().add_(eps)
                        p.add_(m_hat * lr * adaptive_lr * rect, alpha=-1.0)
                    else:
                        denom = (exp_avg_sq / bias_correction2).sqrt().add_(eps)
                        p.add_(rect * m_hat / denom, alpha=-lr)
                elif pr["below"] == "momentum":
                    p.add_(m_hat * lr, alpha=-1.0)
        return loss


class Scheduled:
    """An optimizer and an LR scheduler stepped together (for linear warmup)."""

    def __init__(self, optimizer, scheduler):
        self.optimizer, self.scheduler = optimizer, scheduler

    def zero_grad(self, set_to_none=True):
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self):
        self.optimizer.step()
        self.scheduler.step()


def linear_warmup(optimizer, warmup):
    """lr_t = lr min(t, W)/W at step t = 1, 2, ... (LambdaLR's epoch e is t - 1)."""
    return Scheduled(optimizer, torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda e: min(e + 1, warmup) / warmup))


OPTIMIZERS = ["adam", "adam-warmup", "adam-eps", "adam-2k", "radam", "radam-paper",
              "radam-official", "radam-pytorch"]


def optimizer_factory(name, lr, beta1=0.9, beta2=0.999, eps=1e-8, warmup=0, v_only_steps=0):
    """A function params -> optimizer (anything with zero_grad() and step()).

    adam:           torch.optim.Adam; with warmup > 0, linear warmup over that many steps.
    adam-warmup:    torch.optim.Adam with linear warmup (warmup must be > 0).
    adam-eps:       torch.optim.Adam with eps = 1e-4 (unless eps is given other than 1e-8).
    adam-2k:        Adam2k with K = v_only_steps.
    radam:          torch.optim.RAdam (the pytorch preset).
    radam-PRESET:   RAdam above with preset paper, official or pytorch."""
    betas = (beta1, beta2)
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS} (got {name!r})")
    if name == "adam-warmup" and warmup <= 0:
        raise ValueError("adam-warmup needs --warmup > 0")
    if name == "adam-eps" and eps == 1e-8:
        eps = 1e-4

    def make(params):
        if name in ("adam", "adam-warmup", "adam-eps"):
            opt = torch.optim.Adam(params, lr=lr, betas=betas, eps=eps)
            return linear_warmup(opt, warmup) if warmup > 0 else opt
        if name == "adam-2k":
            return Adam2k(params, lr=lr, betas=betas, eps=eps, v_only_steps=v_only_steps)
        if name == "radam":
            return torch.optim.RAdam(params, lr=lr, betas=betas, eps=eps)
        return RAdam(params, lr=lr, betas=betas, eps=eps, preset=name.split("-", 1)[1])

    return make


# ---------------------------------------------------------------- training


# The recommended default scale (SEARCH.md); search.py --scale full uses batch 32, 600 steps.
DEFAULTS = dict(vocab=16, length=16, d_model=64, heads=4, ff=256, layers=8, batch=16, steps=300,
                seed=0, dropout=0.0, norm_first=False, layer_init="clone")


def steps_to_target(acc, target=TARGET_ACCURACY, window=ACC_WINDOW):
    """First step t (1-based) whose mean accuracy over steps t-window+1..t is >= target."""
    s = 0.0
    for i, a in enumerate(acc):
        s += a
        if i >= window:
            s -= acc[i - window]
        if i >= window - 1 and s / window >= target:
            return i + 1
    return None


def setup_torch():
    torch.set_num_threads(1)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception:  # pragma: no cover - older or unusual builds
        pass


@torch.no_grad()
def evaluate(model, x, y, vocab):
    model.eval()
    logits = model(x)
    model.train()
    loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1)).item()
    acc = (logits.argmax(-1) == y).float().mean().item()
    return loss, acc


def train(cfg, make_optimizer, log=None, grad_hook=None):
    """Train a Reverser; return a dict with the per-step history and a summary.

    cfg: dict with the keys of DEFAULTS (missing keys take the defaults).
    make_optimizer: params -> object with zero_grad() and step().
    log: optional function (step, loss, acc, lr) called after every step.
    grad_hook: optional function (step, model) called after backward, before step.

    loss and acc are those of the training batch of the step, before the update;
    the batch is fresh, so acc is measured on unseen data."""
    c = dict(DEFAULTS)
    c.update(cfg)
    setup_torch()
    torch.manual_seed(c["seed"])
    model = Reverser(c["vocab"], c["length"], c["d_model"], c["heads"], c["ff"], c["layers"],
                     c["dropout"], c["norm_first"], c["layer_init"])
    opt = make_optimizer(model.parameters())
    inner = opt.optimizer if isinstance(opt, Scheduled) else opt
    gen = torch.Generator().manual_seed(c["seed"] + DATA_SEED_OFFSET)
    hgen = torch.Generator().manual_seed(HELDOUT_SEED)
    hx, hy = reversal_batch(hgen, HELDOUT_SIZE, c["length"], c["vocab"])
    V = c["vocab"]
    losses, accs = [], []
    t0, c0 = time.perf_counter(), time.process_time()
    for step in range(1, c["steps"] + 1):
        x, y = reversal_batch(gen, c["batch"], c["length"], V)
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if grad_hook is not None:
            grad_hook(step, model)
        lr = inner.param_groups[0]["lr"]
        opt.step()
        lv = loss.item()
        acc = (logits.detach().argmax(-1) == y).float().mean().item()
        losses.append(lv)
        accs.append(acc)
        if log is not None:
            log(step, lv, acc, lr)
        if not math.isfinite(lv):
            break
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    h_loss, h_acc = evaluate(model, hx, hy, V)
    tail = losses[-ACC_WINDOW:]
    return dict(loss=losses, acc=accs, seconds=seconds, cpu_seconds=cpu_seconds, heldout_loss=h_loss, heldout_acc=h_acc,
                final_train_loss=sum(tail) / len(tail), steps_to_target=steps_to_target(accs),
                config=c)


# ---------------------------------------------------------------- command line


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--optimizer", default="adam", choices=OPTIMIZERS)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.98)
    ap.add_argument("--eps", type=float, default=1e-8,
                    help="Adam's eps (adam-eps uses 1e-4 unless this is set)")
    ap.add_argument("--warmup", type=int, default=0,
                    help="linear warmup steps for adam, adam-warmup, adam-eps (0: none)")
    ap.add_argument("--v-only-steps", type=int, default=None,
                    help="adam-2k: steps that update only v (default: --warmup)")
    ap.add_argument("--steps", type=int, default=DEFAULTS["steps"], help="total steps")
    ap.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    ap.add_argument("--layers", type=int, default=DEFAULTS["layers"])
    ap.add_argument("--d-model", type=int, default=DEFAULTS["d_model"])
    ap.add_argument("--heads", type=int, default=DEFAULTS["heads"])
    ap.add_argument("--ff", type=int, default=DEFAULTS["ff"])
    ap.add_argument("--batch", type=int, default=DEFAULTS["batch"])
    ap.add_argument("--length", type=int, default=DEFAULTS["length"])
    ap.add_argument("--vocab", type=int, default=DEFAULTS["vocab"])
    ap.add_argument("--pre-ln", action="store_true", help="pre-LN layers (norm_first=True)")
    ap.add_argument("--layer-init", choices=["clone", "independent"], default="clone",
                    help="clone: nn.TransformerEncoder's copies of one layer; independent: "
                         "fresh draws per layer")
    ap.add_argument("--every", type=int, default=1, help="print every N-th step (1: all)")
    ap.add_argument("--summary", action="store_true", help="print only the summary line")
    a = ap.parse_args(argv)
    for k in ("steps", "layers", "d_model", "heads", "ff", "batch", "length", "vocab", "every"):
        if getattr(a, k) < 1:
            ap.error(f"--{k.replace('_', '-')} must be >= 1 (got {getattr(a, k)})")
    if not (a.lr > 0 and math.isfinite(a.lr)):
        ap.error(f"--lr must be a positive finite number (got {a.lr})")
    if not (0 <= a.beta1 < 1 and 0 <= a.beta2 < 1):
        ap.error("--beta1 and --beta2 must be in [0, 1)")
    if a.warmup < 0 or (a.v_only_steps is not None and a.v_only_steps < 0):
        ap.error("--warmup and --v-only-steps must be >= 0")
    if a.d_model % a.heads:
        ap.error(f"--d-model ({a.d_model}) must be a multiple of --heads ({a.heads})")
    if a.optimizer == "adam-warmup" and a.warmup == 0:
        ap.error("adam-warmup needs --warmup > 0")
    return a


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    k = a.v_only_steps if a.v_only_steps is not None else a.warmup
    warm = a.warmup if a.optimizer in ("adam", "adam-warmup", "adam-eps") else 0
    make = optimizer_factory(a.optimizer, a.lr, a.beta1, a.beta2, a.eps, warmup=warm,
                             v_only_steps=k if a.optimizer == "adam-2k" else 0)
    cfg = dict(vocab=a.vocab, length=a.length, d_model=a.d_model, heads=a.heads, ff=a.ff,
               layers=a.layers, batch=a.batch, steps=a.steps, seed=a.seed,
               norm_first=a.pre_ln, layer_init=a.layer_init)
    out = sys.stdout
    print("# " + " ".join(["reversal.py"] + (sys.argv[1:] if argv is None else list(argv))), file=out)
    if not a.summary:
        print("step\tloss\taccuracy\tlr", file=out)

    def log(step, loss, acc, lr):
        if step % a.every == 0 or step == 1 or step == a.steps:
            print(f"{step}\t{loss:.6g}\t{acc:.6g}\t{lr:.6g}", file=out)

    r = train(cfg, make, log=None if a.summary else log)
    s = r["steps_to_target"]
    print(f"# optimizer={a.optimizer} seed={a.seed} final_train_loss={r['final_train_loss']:.6g} "
          f"heldout_loss={r['heldout_loss']:.6g} heldout_acc={r['heldout_acc']:.6g} "
          f"steps_to_{TARGET_ACCURACY}={s if s is not None else 'never'} "
          f"seconds={r['seconds']:.2f} cpu_seconds={r['cpu_seconds']:.2f}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
