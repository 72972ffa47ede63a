"""radvar: the variance analysis behind RAdam, from Python.

A ctypes bridge to libradvar (no compiler needed): the closed forms of the
adaptive learning rate's moments, the rectification schedule and the exact
EMA moments over numpy arrays, and (radvar.torch.Optimizer) radvar's reference
optimizers -- SGD, Adam, AdamW, RAdam in the conventions of the paper, the
official code, PyTorch, optax and TensorFlow Addons, Adam with warmup,
Adam-2k, Adam-eps -- as a torch.optim.Optimizer.

    import numpy as np, radvar
    radvar.var_psi(np.array([3.0, 5.0, 100.0]))      # Theorem 1
    radvar.r_t(0.999, np.arange(1, 10001))            # NaN where rho_t <= 4
    radvar.exact_moments(0.999, [10, 100, np.inf])    # by quadrature

    import radvar.torch
    opt = radvar.torch.Optimizer(model.parameters(), method="radam", preset="official",
                                 lr=1e-3)

The shared library is found through RADVAR_LIBRARY, then the build tree
beside this package, then where `make install` put it, then the system
loader (radvar._lib).
"""
from radvar._lib import __version__, path as library_path, strerror, version
from radvar._lib import lib as _clib
from radvar._functions import (Moments, cdf_psi2, ema_decay_rate, exact_moments,
                               exact_moments_weights, mean_psi, mean_psi2, pdf_psi2, r_t, rectify,
                               rectify_effective_warmup, rectify_first_step, rectify_moment,
                               rectify_paper, rectify_paper_from_rho, rectify_sma_exact,
                               rectify_sma_exact_from_rho, rho_from_var, rho_inf, rho_moment, rho_t,
                               sma_length, threshold, var_psi, var_psi_approx,
                               warmup_effective_length, warmup_exp_untuned, warmup_linear,
                               warmup_linear_untuned)

__all__ = ["__version__", "library_path", "version", "strerror", "dispatch_name", "Moments",
           "mean_psi", "mean_psi2", "var_psi", "var_psi_approx", "pdf_psi2", "cdf_psi2",
           "rho_from_var", "ema_decay_rate", "rho_inf", "rho_t", "rho_moment", "sma_length",
           "warmup_linear", "warmup_exp_untuned", "warmup_linear_untuned",
           "warmup_effective_length", "r_t", "rectify_paper", "rectify_paper_from_rho",
           "rectify_sma_exact", "rectify_sma_exact_from_rho", "rectify_moment", "rectify",
           "threshold", "rectify_first_step", "rectify_effective_warmup", "exact_moments",
           "exact_moments_weights"]


def dispatch_name():
    """The instruction-set path of the vectorised loops: "avx2" or "portable"."""
    return _clib.radvar_dispatch_name().decode()


def __getattr__(name):
    # radvar.torch is imported on first use, so that `import radvar` does not
    # need (or load) PyTorch
    if name == "torch":
        import importlib
        return importlib.import_module("radvar.torch")
    raise AttributeError("module 'radvar' has no attribute '%s'" % name)
