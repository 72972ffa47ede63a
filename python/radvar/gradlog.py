"""radvar.gradlog: log the gradients of a PyTorch model during training, in
the formats `radvar train --log-grads/--log-params/--grad-hist` writes, for
`radvar gradients` (statistics, noise-model fits, the variance of psi_t) and
`radvar replay` (the optimizer run again on the logged gradients).

    import radvar.gradlog
    log = radvar.gradlog.GradientLogger(model, "grads.tsv", params="params.tsv",
                                        hist="hist.tsv", coords=16, seed=1)
    for x, y in loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        log.before_step()      # the gradients (parameters' .grad) of step t
        opt.step()
        log.after_step()       # the parameters after step t, the update histogram
    log.close()                # or: with GradientLogger(...) as log:

The files (tab-separated, '#' lines first):
  grads   columns c0 .. c(K-1); the first row holds the K coordinates'
          initial values, then one row of their gradients per logged step:
          replay's input format.  '#' lines name the layers and, for each
          coordinate, its layer and flat index ("# coords c0-c7: name:index
          ...").  With every = 1 (the default), replaying this file with the
          optimizer, hyper-parameters and dtype of the run reproduces the
          logged parameters bit for bit for radvar's own optimizers
          (radvar.torch.Optimizer), and to a few ulps for torch.optim's
          (their kernels round differently); with every = N > 1 the rows are
          steps N, 2N, ... and cannot be replayed.
  params  columns step c0 .. c(K-1): step 0 (the initial values), then the
          values after each logged step.
  hist    columns step bin grad_count update_count: at steps 1, N+1, 2N+1,
          ... (N = hist_every, default 100), over all parameters, the number
          of gradient entries g and of updates |delta theta| with
          floor(log2 |x|) = bin, for every bin from -149 to 127 (float32's
          whole range: each float32 value has its own bin, found exactly
          with frexp; float64 values beyond it go to the end bins), and a
          first row with bin = -150 counting the exact zeros (the bin below
          the smallest, so that the bins stay a regular grid, which gnuplot
          draws "with image").  NaN and
          infinite values are not counted.

The K coordinates are chosen by the C library (radvar_gradstats_choose_coords):
round-robin over the parameter tensors in the order of model.parameters()
(or named_parameters()), an index uniform within each from the seed, no
duplicates -- for the same tensor sizes and seed, the coordinates radvar
train chooses for its perceptron (W1, b1, W2, b2, as torch.nn.Linear lays
them out).
"""
import ctypes

import numpy as np

from radvar import _lib

__all__ = ["GradientLogger", "choose_coords", "log2_histogram", "BIN_MIN", "BIN_MAX"]

BIN_MIN, BIN_MAX = -149, 127
_BINS = BIN_MAX - BIN_MIN + 1
_COORDS_PER_LINE = 8

_choose = _lib.lib.radvar_gradstats_choose_coords
_choose.restype = ctypes.c_int
_choose.argtypes = [ctypes.c_uint64, ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t,
                    ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t)]


def choose_coords(sizes, k, seed):
    """[(layer, index)] of k distinct coordinates of tensors of the given sizes"""
    sizes = [int(s) for s in sizes]
    n = len(sizes)
    arr = (ctypes.c_size_t * n)(*sizes)
    layer = (ctypes.c_size_t * max(k, 1))()
    index = (ctypes.c_size_t * max(k, 1))()
    status = _choose(int(seed) & (2 ** 64 - 1), arr, n, int(k), layer, index)
    if status != _lib.SUCCESS:
        raise ValueError("radvar.gradlog: cannot choose %d coordinates of %d parameters: %s"
                         % (k, sum(sizes), _lib.strerror(status)))
    return [(int(layer[i]), int(index[i])) for i in range(k)]


def log2_histogram(x):
    """(counts over the bins -149..127, zeros) of floor(log2 |x|) for an array"""
    a = np.abs(np.asarray(x, dtype=np.float64).ravel())
    a = a[np.isfinite(a)]
    zeros = int(np.count_nonzero(a == 0))
    a = a[a != 0]
    _, e = np.frexp(a)  # a = m 2^e, 0.5 <= m < 1: floor(log2 a) = e - 1, exactly
    b = np.clip(e.astype(np.int64) - 1, BIN_MIN, BIN_MAX) - BIN_MIN
    return np.bincount(b, minlength=_BINS), zeros


def _number(x):
    return repr(float(x))  # the shortest text that reads back as the same double


class GradientLogger:
    """Log K coordinates' gradients and values, and histograms of log2 |g| and
    of log2 |update|, from a PyTorch model (see the module's help)."""

    def __init__(self, model, grads, params=None, hist=None, coords=16, seed=0, every=1,
                 hist_every=100):
        import torch  # only the logger needs PyTorch
        self._torch = torch
        if hasattr(model, "named_parameters"):
            named = [(n, p) for n, p in model.named_parameters()]
        else:
            named = [("p%d" % i, p) for i, p in enumerate(model)]
        if not named:
            raise ValueError("radvar.gradlog: the model has no parameters")
        if int(every) < 1 or int(hist_every) < 1:
            raise ValueError("radvar.gradlog: every and hist_every must be >= 1")
        self.names = [n for n, _ in named]
        self.tensors = [p for _, p in named]
        self.every, self.hist_every = int(every), int(hist_every)
        self.step = 0
        sizes = [p.numel() for p in self.tensors]
        self.coords = choose_coords(sizes, int(coords), seed)
        by_layer = {}
        for k, (layer, index) in enumerate(self.coords):
            by_layer.setdefault(layer, []).append((k, index))
        self._gather = [(layer, torch.tensor([i for _, i in v], dtype=torch.long),
                         [k for k, _ in v]) for layer, v in sorted(by_layer.items())]
        self._before = None
        self._hist_now = False
        self._grad_counts = None
        self._files = []
        head = ["# radvar %s (python/radvar/gradlog.py)" % _lib.__version__,
                "# layers: " + ", ".join("%s %d" % (n, s) for n, s in zip(self.names, sizes)),
                "# coords: %d" % len(self.coords), "# coord_seed: %d" % int(seed)]
        for first in range(0, len(self.coords), _COORDS_PER_LINE):
            chunk = self.coords[first:first + _COORDS_PER_LINE]
            head.append("# coords c%d-c%d: %s" % (first, first + len(chunk) - 1, " ".join(
                "%s:%d" % (self.names[layer], index) for layer, index in chunk)))
        cols = ["c%d" % k for k in range(len(self.coords))]
        self.grads = self._open(grads, head + ["# every: %d" % self.every], cols)
        self._row(self.grads, self._values(grad=False))
        self.params = None
        if params is not None:
            self.params = self._open(params, head + ["# every: %d" % self.every], ["step"] + cols)
            self._row(self.params, [0] + self._values(grad=False))
        self.hist = None
        if hist is not None:
            self.hist = self._open(hist, ["# radvar %s (python/radvar/gradlog.py)" % _lib.__version__,
                                          "# parameters: %d" % sum(sizes),
                                          "# hist_every: %d (steps 1, N+1, 2N+1, ...)" % self.hist_every,
                                          "# bins: floor(log2 |x|) from %d to %d; bin %d: exact zeros"
                                          % (BIN_MIN, BIN_MAX, BIN_MIN - 1)],
                                   ["step", "bin", "grad_count", "update_count"])

    # ---- files
    def _open(self, path, head, cols):
        f = open(path, "w")
        self._files.append(f)
        f.write("\n".join(head) + "\n" + "\t".join(cols) + "\n")
        return f

    @staticmethod
    def _row(f, values):
        f.write("\t".join(v if isinstance(v, str) else (str(v) if isinstance(v, int) else _number(v))
                          for v in values) + "\n")

    def _values(self, grad):
        torch = self._torch
        out = [0.0] * len(self.coords)
        with torch.no_grad():
            for layer, idx, ks in self._gather:
                p = self.tensors[layer]
                src = p.grad if grad else p
                if src is None:  # a parameter without a gradient this step: 0
                    vals = [0.0] * len(ks)
                else:
                    vals = src.detach().reshape(-1)[idx.to(src.device)].double().cpu().tolist()
                for k, v in zip(ks, vals):
                    out[k] = v
        return out

    def _flat(self, grad):
        torch = self._torch
        parts = []
        for p in self.tensors:
            src = p.grad if grad else p
            if src is None:
                parts.append(np.zeros(p.numel()))
            else:
                parts.append(src.detach().reshape(-1).cpu().numpy().copy())
        return parts

    # ---- the two calls of a step
    def before_step(self):
        """Call after backward(), before optimizer.step(): logs step t's gradients."""
        self.step += 1
        t = self.step
        if t % self.every == 0:
            self._row(self.grads, self._values(grad=True))
        self._hist_now = self.hist is not None and (t - 1) % self.hist_every == 0
        if self._hist_now:
            self._grad_counts = log2_histogram(np.concatenate([g.astype(np.float64).ravel()
                                                               for g in self._flat(grad=True)]))
            self._before = self._flat(grad=False)

    def after_step(self):
        """Call after optimizer.step(): logs the parameters after step t."""
        t = self.step
        if self.params is not None and t % self.every == 0:
            self._row(self.params, [t] + self._values(grad=False))
        if self._hist_now:
            after = self._flat(grad=False)
            # the update in double: exact for float32 values of close magnitude
            upd = np.concatenate([(a.astype(np.float64) - b.astype(np.float64)).ravel()
                                  for a, b in zip(after, self._before)])
            uc, uz = log2_histogram(upd)
            gc, gz = self._grad_counts
            self._row(self.hist, [t, BIN_MIN - 1, gz, uz])
            for b in range(_BINS):
                self._row(self.hist, [t, b + BIN_MIN, int(gc[b]), int(uc[b])])
            self._before = None
            self._hist_now = False

    def close(self):
        for f in self._files:
            f.close()
        self._files = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    @property
    def coordinate_names(self):
        """[(column, layer name, flat index)] of the logged coordinates"""
        return [("c%d" % k, self.names[layer], index) for k, (layer, index) in enumerate(self.coords)]

