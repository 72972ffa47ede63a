"""radvar.torch: radvar's reference optimizers as a torch.optim.Optimizer.

    opt = radvar.torch.Optimizer(model.parameters(), method="radam", preset="pytorch",
                                 lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                                 **knobs)

Every step calls the C library's own step (radvar_optim_step_f32 / _f64) on
each parameter's data, so a model trained here follows exactly the update
`radvar replay` and `radvar train` compute.  Methods: sgd adam adamw radam
adam-warmup adam-2k adam-eps; presets (radam): paper official
official-2019-10-10 official-2019-08-08 pytorch optax tfa; knobs: every knob of
radvar_optim_config_set (radvar/optim.h), by name, parsed by the library:
eps_root momentum warmup_steps v_only_steps total_steps warmup_proportion
min_lr threshold threshold_cmp below eps_placement wd_kind rect nesterov
amsgrad (and lr beta1 beta2 eps weight_decay).

The state of each parameter lives in a radvar handle; opt.state[p] holds
live views of it under PyTorch's names ('step', 'exp_avg', 'exp_avg_sq',
'max_exp_avg_sq'; SGD: 'momentum_buffer'; with rect='kurtosis' also
'exp_avg_g4', the EMA of g^4), so state_dict() and
load_state_dict() work as for torch.optim (and load torch.optim.Adam's state).
"""
import collections
import ctypes
from ctypes import byref, c_int, c_void_p, create_string_buffer

import torch

from radvar import _lib
from radvar._lib import ENOMEM, ENONFINITE, FLOAT32, FLOAT64, SUCCESS, Config, Diagnostics, lib

__all__ = ["Optimizer", "make_config", "StepDiagnostics"]

RADAM, SGD = 3, 0
_DTYPES = {
    torch.float32: (FLOAT32, ctypes.c_float, lib.radvar_optim_step_f32),
    torch.float64: (FLOAT64, ctypes.c_double, lib.radvar_optim_step_f64),
}
# the knobs a parameter group may carry beside lr, betas, eps and weight_decay
_GROUP_KNOBS = tuple(k for k in _lib.KNOBS if k not in ("lr", "eps", "weight_decay"))


def _text(value):
    """a knob's value as the text radvar_optim_config_set parses"""
    if type(value).__name__ in ("bool", "bool_"):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    try:
        return repr(float(value))  # shortest text that reads back as the same double
    except (TypeError, ValueError):
        return str(value)


def _set(cfg, name, value):
    why = create_string_buffer(256)
    status = lib.radvar_optim_config_set(byref(cfg), str(name).encode(), _text(value).encode(),
                                         why, 256)
    if status != SUCCESS:
        raise ValueError("%s: %s" % (name, why.value.decode()))


def make_config(method="radam", preset=None, lr=None, betas=None, eps=None, weight_decay=None,
                **knobs):
    """The radvar_optim_config (radvar._lib.Config) of a method, preset and
    knobs, exactly as `radvar replay --method ... --preset ... --knob ...`
    resolves it: the method's defaults, the preset's convention, then lr,
    betas, eps, weight_decay and the knobs by name through
    radvar_optim_config_set.  None keeps the default.  ValueError (with the
    library's message) for a bad name or value."""
    m = c_int()
    if not isinstance(method, str) \
            or lib.radvar_optim_method_from_name(method.encode(), byref(m)) != SUCCESS:
        raise ValueError("method: '%s' is not a method (valid: %s)"
                         % (method, ", ".join(_lib.METHODS)))
    cfg = Config()
    lib.radvar_optim_defaults(m.value, byref(cfg))
    if preset is not None:
        if m.value != RADAM:
            raise ValueError("preset: applies to method 'radam' only (got method '%s')" % method)
        if not isinstance(preset, str) \
                or lib.radvar_optim_preset(preset.encode(), byref(cfg)) != SUCCESS:
            raise ValueError("preset: '%s' is not valid (valid: %s)"
                             % (preset, ", ".join(_lib.PRESETS)))
    if lr is not None:
        _set(cfg, "lr", lr)
    if betas is not None:
        if len(betas) != 2:
            raise ValueError("betas: needs two values (beta1, beta2), got %r" % (betas,))
        _set(cfg, "beta1", betas[0])
        _set(cfg, "beta2", betas[1])
    if eps is not None:
        _set(cfg, "eps", eps)
    if weight_decay is not None:
        _set(cfg, "weight_decay", weight_decay)
    for name, value in knobs.items():
        _set(cfg, name, value)
    if cfg.weight_decay > 0 and cfg.wd_kind == 0:
        raise ValueError("weight_decay: %r is not applied by the %s preset (it has no weight "
                         "decay); give wd_kind to choose one"
                         % (cfg.weight_decay, cfg.preset.decode()))
    # the checks of radvar_optim_alloc, now rather than at the first step
    h = c_void_p()
    status = lib.radvar_optim_alloc(byref(cfg), 1, FLOAT64, byref(h))
    lib.radvar_optim_free(h)
    if status != SUCCESS:
        raise ValueError("the optimizer refused its configuration: %s" % _lib.strerror(status))
    return cfg


def describe(cfg):
    """A radvar._lib.Config as a dict of plain values (enums by name)."""
    d = {name: getattr(cfg, name) for name, _ in Config._fields_}
    d["method"] = _lib.METHODS[cfg.method]
    d["preset"] = cfg.preset.decode()
    d["wd_kind"] = _lib.WD_KIND_NAMES[cfg.wd_kind]
    d["below"] = _lib.BELOW_NAMES[cfg.below]
    d["eps_placement"] = _lib.EPS_PLACEMENT_NAMES[cfg.eps_placement]
    d["rect"] = _lib.RECT_NAMES[cfg.rect]
    d["nesterov"], d["amsgrad"] = bool(cfg.nesterov), bool(cfg.amsgrad)
    d["threshold"] = cfg.threshold.rho_min
    d["threshold_cmp"] = _lib.CMP_NAMES[cfg.threshold.cmp]
    d["threshold_name"] = cfg.threshold.name.decode()
    return d


StepDiagnostics = collections.namedtuple(
    "StepDiagnostics", "step rho_t r_t rectified moved lr_adaptive lr_momentum lr")
StepDiagnostics.__doc__ = """The last step of a handle (radvar_optim_diagnostics):
its t, rho_t (NaN for methods without it), the r_t applied (1 for Adam, NaN
below the threshold), whether the rectified update was used and whether the
parameters moved, the multiplier of the update direction, and the scheduled
learning rate."""


class _Handle:
    """One radvar_optim of n values: freed when the last reference (the
    optimizer, or a state view) goes."""

    def __init__(self, cfg, n, tdtype, threads):
        self.code, self.ctype, self.step_fn = _DTYPES[tdtype]
        self.tdtype, self.n = tdtype, n
        ptr = c_void_p()
        status = lib.radvar_optim_alloc(byref(cfg), n, self.code, byref(ptr))
        if status == ENOMEM:
            raise MemoryError("radvar: no memory for the state of %d values" % n)
        if status != SUCCESS:
            raise ValueError("the optimizer refused its configuration: %s" % _lib.strerror(status))
        self.ptr = ptr.value
        if lib.radvar_optim_set_threads(self.ptr, int(threads)) != SUCCESS:
            raise ValueError("threads: %r is out of range: must be in [1, 1024]" % (threads,))

    def __reduce__(self):  # a copy would free the same handle twice
        raise TypeError("a radvar optimizer handle cannot be copied or pickled; copy the "
                        "Optimizer (or its state_dict) instead")

    def __del__(self, free=lib.radvar_optim_free):
        if getattr(self, "ptr", None):
            free(self.ptr)
            self.ptr = None

    def view(self, which, shape):
        """a tensor of the given shape over the handle's m, v, vmax or u4"""
        addr = getattr(lib, "radvar_optim_" + which)(self.ptr)
        if not addr:
            return None
        arr = (self.ctype * self.n).from_address(addr)
        arr._owner = self  # the view keeps the handle alive
        return torch.frombuffer(arr, dtype=self.tdtype).view(shape)

    def diag(self):
        d = Diagnostics()
        lib.radvar_optim_diag(self.ptr, byref(d))
        return StepDiagnostics(int(d.step), d.rho_t, d.r_t, bool(d.rectified), bool(d.moved),
                               d.lr_adaptive, d.lr_momentum, d.lr)


def _state_array(value, n, tdtype, what):
    """a state tensor (or None) as a flat contiguous tensor of tdtype"""
    if value is None:
        return None
    a = torch.as_tensor(value).detach().to(device="cpu", dtype=tdtype).contiguous().reshape(-1)
    if a.numel() != n:
        raise ValueError("state %s: %d values for a parameter of %d" % (what, a.numel(), n))
    return a


class Optimizer(torch.optim.Optimizer):
    """A torch.optim.Optimizer over radvar's reference optimizer (see the
    module's help).  Arguments:

      method        sgd adam adamw radam adam-warmup adam-2k adam-eps
      preset        RAdam's convention (method radam only; default "pytorch"):
                    paper official official-2019-10-10 official-2019-08-08
                    pytorch optax tfa
      lr, betas, eps, weight_decay   None: the method's (and preset's) default
      threads       threads of each step's element loop (1 .. 1024; results
                    do not depend on it)
      **knobs       any knob of radvar_optim_config_set by name, e.g.
                    amsgrad=True, threshold=4, threshold_cmp="ge",
                    below="skip", rect="moment", warmup_steps=300,
                    v_only_steps=300, wd_kind="decoupled"

    Parameter groups may override any of these (a group's lr, betas, eps and
    weight_decay are applied after its preset).  A change of a group's
    settings between steps (an lr scheduler) takes effect at the next step,
    with the state kept.  Parameters must be float32 or float64 CPU tensors;
    contiguous ones are updated in place, others through a contiguous copy.
    An optimizer must not be stepped from two threads at once.
    """

    def __init__(self, params, method="radam", preset=None, lr=None, betas=None, eps=None,
                 weight_decay=None, threads=1, **knobs):
        if "beta1" in knobs or "beta2" in knobs:
            b = list(betas) if betas is not None else [None, None]
            b[0] = knobs.pop("beta1", b[0])
            b[1] = knobs.pop("beta2", b[1])
            betas = tuple(b)
        if betas is not None and None in betas:
            cfg0 = make_config(method, preset)
            betas = (cfg0.beta1 if betas[0] is None else betas[0],
                     cfg0.beta2 if betas[1] is None else betas[1])
        cfg = make_config(method, preset, lr, betas, eps, weight_decay, **knobs)
        if not (isinstance(threads, int) and 1 <= threads <= 1024):
            raise ValueError("threads: %r is out of range: must be in [1, 1024]" % (threads,))
        defaults = dict(method=method, preset=preset, lr=cfg.lr, betas=(cfg.beta1, cfg.beta2),
                        eps=cfg.eps, weight_decay=cfg.weight_decay, threads=threads, **knobs)
        self._init_handles()
        super().__init__(params, defaults)

    def _init_handles(self):
        self._handles = {}      # parameter -> _Handle
        self._configs = {}      # id(group) -> (group, settings, Config)
        self._last = {}         # id(group) -> the _Handle stepped last

    def __setstate__(self, state):
        super().__setstate__(state)
        # groups loaded from another optimizer's state_dict (torch.optim.Adam's)
        # lack radvar's settings: this optimizer's defaults fill them in
        for group in self.param_groups:
            for key, value in self.defaults.items():
                group.setdefault(key, value)
        # the handles are rebuilt from self.state at the next step
        self._init_handles()

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        try:
            self._group_config(self.param_groups[-1])
        except ValueError:
            self.param_groups.pop()
            raise

    @staticmethod
    def _group_config(group):
        # settings of torch.optim's optimizers that radvar has no equivalent for
        if group.get("maximize", False):
            raise ValueError("maximize: not supported (minimise the negated objective)")
        if group.get("dampening", 0) != 0:
            raise ValueError("dampening: not supported (radvar's SGD is PyTorch's with "
                             "dampening 0)")
        knobs = {k: group[k] for k in _GROUP_KNOBS if k in group}
        return make_config(group["method"], group.get("preset"), group["lr"], group["betas"],
                           group["eps"], group["weight_decay"], **knobs)

    @staticmethod
    def _settings(group):
        return {k: tuple(v) if isinstance(v, list) else v
                for k, v in group.items() if k != "params"}

    def _config_of(self, group):
        """the group's Config; when its settings changed since the last step,
        a new one, and its parameters' handles are rebuilt (state kept)"""
        settings = self._settings(group)
        entry = self._configs.get(id(group))
        if entry is not None and entry[0] is group:
            try:
                if entry[1] == settings:
                    return entry[2]
            except (RuntimeError, ValueError):  # settings holding tensors
                pass
            for p in group["params"]:
                self._handles.pop(p, None)
        cfg = self._group_config(group)
        self._configs[id(group)] = (group, settings, cfg)
        return cfg

    def _make_handle(self, p, group, cfg):
        if p.device.type != "cpu":
            raise TypeError("radvar.torch.Optimizer: a parameter is on %s; only CPU tensors are "
                            "supported" % p.device)
        if p.dtype not in _DTYPES:
            raise TypeError("radvar.torch.Optimizer: a parameter has dtype %s; only float32 and "
                            "float64 are supported" % p.dtype)
        n = p.numel()
        h = _Handle(cfg, n, p.dtype, group.get("threads", 1))
        state = self.state[p]
        sgd, amsgrad = cfg.method == SGD, bool(cfg.amsgrad)
        m_key = "momentum_buffer" if sgd else "exp_avg"
        if state:  # carry the state in: a loaded state_dict, or a changed group
            step = state.get("step")
            if step is None:  # torch.optim.SGD keeps no step count
                step = 1 if state.get(m_key) is not None else 0
            t = int(step.item() if isinstance(step, torch.Tensor) else step)
            zeros = torch.zeros(n, dtype=p.dtype)
            m = _state_array(state.get(m_key), n, p.dtype, m_key)
            m = zeros if m is None else m
            v = vmax = None
            if not sgd:
                v = _state_array(state.get("exp_avg_sq"), n, p.dtype, "exp_avg_sq")
                v = zeros if v is None else v
            if amsgrad:
                vmax = _state_array(state.get("max_exp_avg_sq"), n, p.dtype, "max_exp_avg_sq")
                vmax = zeros if vmax is None else vmax
            ptrs = [x.data_ptr() if x is not None else None for x in (m, v, vmax)]
            refused = t < 0 or lib.radvar_optim_set_state(h.ptr, t, *ptrs) != SUCCESS
            u4 = _state_array(state.get("exp_avg_g4"), n, p.dtype, "exp_avg_g4")
            if u4 is not None and lib.radvar_optim_u4(h.ptr):
                refused = refused or lib.radvar_optim_set_u4(h.ptr, u4.data_ptr()) != SUCCESS
            if refused:
                raise ValueError("radvar.torch.Optimizer: the state of a parameter was refused "
                                 "(a negative step, or a NaN or infinite moment)")
            state.clear()
        else:
            t = 0
        state["step"] = int(lib.radvar_optim_steps(h.ptr))
        state[m_key] = h.view("m", p.shape)
        if not sgd:
            state["exp_avg_sq"] = h.view("v", p.shape)
        if amsgrad:
            state["max_exp_avg_sq"] = h.view("vmax", p.shape)
        u4 = h.view("u4", p.shape)
        if u4 is not None:
            state["exp_avg_g4"] = u4
        self._handles[p] = h
        return h

    @torch.no_grad()
    def step(self, closure=None):
        """One step of every parameter with a gradient; closure (optional)
        re-evaluates the model and returns the loss, as for torch.optim."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            cfg = None
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if g.is_sparse:
                    raise RuntimeError("radvar.torch.Optimizer does not support sparse gradients")
                h = self._handles.get(p)
                if h is None or cfg is None:
                    if cfg is None:
                        cfg = self._config_of(group)  # may drop the group's handles
                        h = self._handles.get(p)
                    if h is None:
                        if p.numel() == 0:
                            continue
                        h = self._make_handle(p, group, cfg)
                if p.dtype is not h.tdtype or not p.is_cpu or p.numel() != h.n:
                    raise RuntimeError("radvar.torch.Optimizer: a parameter changed its dtype, "
                                       "size or device after its state was made")
                if p.is_contiguous() and g.is_contiguous():
                    status = h.step_fn(h.ptr, p.data_ptr(), g.data_ptr())
                else:
                    pc, gc = p.detach().contiguous(), g.contiguous()
                    status = h.step_fn(h.ptr, pc.data_ptr(), gc.data_ptr())
                    if pc.data_ptr() != p.data_ptr():
                        p.copy_(pc)
                if status != SUCCESS:
                    if status == ENONFINITE:
                        raise FloatingPointError(
                            "radvar.torch.Optimizer: a gradient of shape %s is NaN or infinite: "
                            "its step was refused (that parameter and its state are unchanged; "
                            "the parameters before it in the groups were updated)"
                            % (tuple(p.shape),))
                    raise RuntimeError("radvar: step failed: %s" % _lib.strerror(status))
                self.state[p]["step"] += 1
                self._last[id(group)] = h
        return loss

    def diagnostics(self, param=None):
        """The StepDiagnostics of the last step: of one parameter, or (None)
        a list with one per parameter group (None for a group not stepped
        yet), taken from the group's last parameter stepped."""
        if param is not None:
            h = self._handles.get(param)
            return h.diag() if h is not None else None
        out = []
        for group in self.param_groups:
            h = self._last.get(id(group))
            out.append(h.diag() if h is not None else None)
        return out

    def config(self, group=0):
        """The configuration group `group` resolves to, as a dict (enums by name)."""
        return describe(self._group_config(self.param_groups[group]))
