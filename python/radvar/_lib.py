"""radvar._lib: find libradvar, declare its prototypes, mirror its structs.

The shared library is found, in this order, at
  1. the path in the environment variable RADVAR_LIBRARY;
  2. the build tree beside the package (python/radvar/../../build/lib), so that
     PYTHONPATH=python works after `make`;
  3. the directory `make install` recorded (radvar/_install.py, LIBDIR);
  4. the system loader: libradvar.so.0 (after `make install` and ldconfig),
     then ctypes.util.find_library("radvar").
The first that loads is used; radvar_init() is called once, the library's
version is checked against the package's, and the ctypes mirrors of the
structs passed by pointer are checked against the library's own writes, so
that a layout drift fails at import instead of corrupting memory.
"""
import ctypes
import ctypes.util
import os

from ctypes import (POINTER, Structure, byref, c_char, c_char_p, c_double, c_int, c_size_t,
                    c_uint64, c_void_p)

__version__ = "0.2.0"  # tests/test_python.py checks it against RADVAR_VERSION

SONAME = "libradvar.so.0"

# radvar/common.h enum radvar_status
SUCCESS, EDOM, EMAXITER, EINVAL, ENOMEM, EIO, EFORMAT, EINTR, ENONFINITE = 0, 1, 2, 3, 4, 5, 6, 7, 8

# radvar/optim.h enums (C enums are int-sized on every ABI radvar builds for)
METHODS = ("sgd", "adam", "adamw", "radam", "adam-warmup", "adam-2k", "adam-eps")
PRESETS = ("paper", "official", "official-2019-10-10", "official-2019-08-08", "pytorch", "optax",
           "tfa")
FLOAT32, FLOAT64 = 0, 1
# names of the enum values, for display only (parsing is the library's:
# radvar_optim_config_set)
BELOW_NAMES = ("momentum", "skip")
EPS_PLACEMENT_NAMES = ("sqrt-v", "sqrt-vhat")
WD_KIND_NAMES = ("none", "l2", "decoupled", "decoupled-taken", "decoupled-in-lr")
RECT_NAMES = ("paper", "sma-exact", "moment")
CMP_NAMES = ("gt", "ge")
# the knob names radvar_optim_config_set accepts (radvar/optim.h); a parameter
# group's keys with these names configure its optimizer (the test checks that
# the library accepts each)
KNOBS = ("lr", "beta1", "beta2", "eps", "eps_root", "weight_decay", "momentum", "warmup_steps",
         "v_only_steps", "total_steps", "warmup_proportion", "min_lr", "threshold",
         "threshold_cmp", "below", "eps_placement", "wd_kind", "rect", "nesterov", "amsgrad")


class Result(Structure):
    """radvar_result (radvar/common.h)"""
    _fields_ = [("val", c_double), ("err", c_double)]


class Threshold(Structure):
    """radvar_rectify_threshold (radvar/rectify.h)"""
    _fields_ = [("name", c_char * 16), ("rho_min", c_double), ("cmp", c_int)]


class Config(Structure):
    """radvar_optim_config (radvar/optim.h), field by field"""
    _fields_ = [
        ("method", c_int),
        ("lr", c_double), ("beta1", c_double), ("beta2", c_double), ("eps", c_double),
        ("eps_root", c_double), ("weight_decay", c_double),
        ("wd_kind", c_int),
        ("momentum", c_double),
        ("nesterov", c_int),
        ("amsgrad", c_int),
        ("threshold", Threshold),
        ("below", c_int),
        ("eps_placement", c_int),
        ("rect", c_int),
        ("warmup_steps", c_double), ("v_only_steps", c_double),
        ("total_steps", c_double),
        ("warmup_proportion", c_double), ("min_lr", c_double),
        ("preset", c_char * 32),
    ]


class Diagnostics(Structure):
    """radvar_optim_diagnostics (radvar/optim.h)"""
    _fields_ = [("step", c_uint64), ("rho_t", c_double), ("r_t", c_double), ("rectified", c_int),
                ("moved", c_int), ("lr_adaptive", c_double), ("lr_momentum", c_double),
                ("lr", c_double)]


class ExactMoments(Structure):
    """radvar_exact_moments (radvar/exact.h)"""
    _fields_ = [("mean_psi", c_double), ("mean_psi2", c_double), ("var_psi", c_double),
                ("abs_err", c_double), ("evaluations", c_size_t)]


def _candidates():
    env = os.environ.get("RADVAR_LIBRARY")
    if env:
        # an explicit choice is the only candidate: a wrong path must not fall
        # back silently to another copy
        return [("RADVAR_LIBRARY", env)]
    here = os.path.dirname(os.path.abspath(__file__))
    found = [("build tree", os.path.join(here, "..", "..", "build", "lib", SONAME))]
    try:
        from radvar import _install  # written by `make install`
        found.append(("make install", os.path.join(_install.LIBDIR, SONAME)))
    except ImportError:
        pass
    found.append(("system loader", SONAME))
    name = ctypes.util.find_library("radvar")
    if name:
        found.append(("system loader", name))
    return found


def _load():
    tried = []
    for origin, path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append("%s (%s): no such file" % (path, origin))
            continue
        try:
            return ctypes.CDLL(path), os.path.normpath(path) if os.sep in path else path
        except OSError as e:
            tried.append("%s (%s): %s" % (path, origin, e))
    raise ImportError("radvar: cannot load the radvar shared library (%s); build it with `make`, "
                      "install it with `make install`, or set RADVAR_LIBRARY to its path. Tried: %s"
                      % (SONAME, "; ".join(tried)))


lib, path = _load()


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_proto("radvar_version", c_char_p)
_proto("radvar_strerror", c_char_p, c_int)
_proto("radvar_init", c_int)
_proto("radvar_dispatch_name", c_char_p)

# the optimizer (radvar/optim.h)
P = c_void_p  # an opaque handle, or an array of the handle's dtype
_proto("radvar_optim_defaults", c_int, c_int, POINTER(Config))
_proto("radvar_optim_preset", c_int, c_char_p, POINTER(Config))
_proto("radvar_optim_config_set", c_int, POINTER(Config), c_char_p, c_char_p, c_char_p, c_size_t)
_proto("radvar_optim_method_from_name", c_int, c_char_p, POINTER(c_int))
_proto("radvar_optim_alloc", c_int, POINTER(Config), c_size_t, c_int, POINTER(c_void_p))
_proto("radvar_optim_free", None, P)
_proto("radvar_optim_set_threads", c_int, P, c_int)
_proto("radvar_optim_step_f32", c_int, P, P, P)
_proto("radvar_optim_step_f64", c_int, P, P, P)
_proto("radvar_optim_diag", None, P, POINTER(Diagnostics))
_proto("radvar_optim_m", c_void_p, P)
_proto("radvar_optim_v", c_void_p, P)
_proto("radvar_optim_vmax", c_void_p, P)
_proto("radvar_optim_u4", c_void_p, P)
_proto("radvar_optim_set_u4", c_int, P, P)
_proto("radvar_optim_dtype", c_int, P)
_proto("radvar_optim_steps", c_uint64, P)
_proto("radvar_optim_size", c_size_t, P)
_proto("radvar_optim_reset", None, P)
_proto("radvar_optim_set_state", c_int, P, c_uint64, P, P, P)

# the rest: exact moments, thresholds (the scalar functions are declared in
# radvar._functions)
_proto("radvar_exact_moments_ema", c_int, c_double, c_double, c_double, c_double,
       POINTER(ExactMoments))
_proto("radvar_exact_moments_weights", c_int, POINTER(c_double), c_size_t, c_double, c_double,
       POINTER(ExactMoments))
_proto("radvar_rectify_kind_from_name", c_int, c_char_p, POINTER(c_int))
_proto("radvar_rectify_first_step", c_int, c_double, POINTER(Threshold), POINTER(c_uint64))

lib.radvar_init()


def version():
    """The version of the loaded library ("0.2.0")."""
    return lib.radvar_version().decode()


def strerror(status):
    return lib.radvar_strerror(status).decode()


def _check_version():
    have = version()
    if have.split(".")[:2] != __version__.split(".")[:2]:
        raise ImportError("radvar: the library at %s is version %s; this package is %s (the "
                          "struct layouts may differ): use a matching build, or set RADVAR_LIBRARY"
                          % (path, have, __version__))


class LayoutError(ImportError):
    pass


def _guarded(struct_type):
    """A struct_type in a buffer with 64 guard bytes after it."""
    size = ctypes.sizeof(struct_type)
    buf = (ctypes.c_ubyte * (size + 64))()
    ctypes.memset(buf, 0xA5, size + 64)
    return buf, struct_type.from_buffer(buf), size


def _guard_ok(buf, size):
    return all(b == 0xA5 for b in bytes(buf)[size:])


def _fail(what):
    raise LayoutError("radvar: the ctypes mirror of %s does not match the library at %s (version "
                      "%s): %s" % (what, path, version(),
                                   "a layout drift; update python/radvar/_lib.py"))


def _check_config_layout(config=None):
    """check a mirror of radvar_optim_config (default Config) against the
    library's writes: LayoutError on a drift"""
    config = config or Config
    buf, cfg, size = _guarded(config)
    ptr = ctypes.cast(ctypes.addressof(cfg), POINTER(Config))  # the C function's view of it
    # radvar_optim_defaults clears sizeof(radvar_optim_config) bytes first: a
    # C struct larger than the mirror overwrites the guard
    if lib.radvar_optim_defaults(1, ptr) != SUCCESS or not _guard_ok(buf, size):
        _fail("radvar_optim_config (its size)")
    if not (cfg.method == 1 and cfg.lr == 1e-3 and cfg.beta1 == 0.9 and cfg.beta2 == 0.999
            and cfg.eps == 1e-8 and cfg.preset == b"adam" and cfg.warmup_steps == 2000
            and cfg.v_only_steps == 2000 and cfg.warmup_proportion == 0.1 and cfg.momentum == 0.9
            and cfg.wd_kind == 1 and cfg.eps_placement == 1):
        _fail("radvar_optim_config (the defaults of adam)")
    lib.radvar_optim_defaults(3, ptr)
    if not (cfg.method == 3 and cfg.preset == b"pytorch" and cfg.threshold.rho_min == 5.0
            and cfg.threshold.cmp == 0 and cfg.threshold.name == b"pytorch"
            and cfg.eps_placement == 0 and cfg.below == 0):
        _fail("radvar_optim_config (the defaults of radam)")
    # every knob by name: exactly the mirror's field changes, nothing else
    why = ctypes.create_string_buffer(256)
    cases = [(k, "0.375", k) for k in ("lr", "beta1", "beta2", "eps", "eps_root", "weight_decay",
                                       "momentum", "warmup_proportion", "min_lr")]
    cases += [("warmup_steps", "17.5", "warmup_steps"), ("v_only_steps", "23", "v_only_steps"),
              ("total_steps", "29", "total_steps"), ("below", "skip", "below"),
              ("eps_placement", "sqrt-vhat", "eps_placement"),
              ("wd_kind", "decoupled-in-lr", "wd_kind"), ("rect", "moment", "rect"),
              ("nesterov", "1", "nesterov"), ("amsgrad", "1", "amsgrad"),
              ("threshold_cmp", "ge", "threshold.cmp"), ("threshold", "6.5", "threshold.rho_min")]
    expect = {"below": 1, "eps_placement": 1, "wd_kind": 4, "rect": 2, "nesterov": 1, "amsgrad": 1,
              "threshold.cmp": 1, "warmup_steps": 17.5, "v_only_steps": 23.0, "total_steps": 29.0,
              "threshold.rho_min": 6.5}
    for knob, text, field in cases:
        lib.radvar_optim_defaults(3, ptr)
        before = bytes(buf)
        if lib.radvar_optim_config_set(ptr, knob.encode(), text.encode(), why, 256) != SUCCESS:
            _fail("radvar_optim_config (knob %s refused: %s)" % (knob, why.value.decode()))
        obj, name = (cfg.threshold, field.split(".")[1]) if "." in field else (cfg, field)
        got = getattr(obj, name)
        if got != expect.get(field, 0.375):
            _fail("radvar_optim_config (knob %s set %r, the mirror reads %r)" % (knob, text, got))
        off = (config.threshold.offset + getattr(Threshold, name).offset) if "." in field \
            else getattr(config, name).offset
        width = ctypes.sizeof(c_double) if isinstance(got, float) else ctypes.sizeof(c_int)
        changed = [i for i, (a, b) in enumerate(zip(before, bytes(buf))) if a != b]
        extra = [i for i in changed if not off <= i < off + width]
        if knob == "threshold":  # also names the threshold "custom"
            tn = config.threshold.offset + Threshold.name.offset
            extra = [i for i in extra if not tn <= i < tn + 16]
        if extra:
            _fail("radvar_optim_config (knob %s also changed bytes %s)" % (knob, extra))


def _check_diagnostics_layout():
    cfg = Config()
    lib.radvar_optim_defaults(1, byref(cfg))
    h = c_void_p()
    if lib.radvar_optim_alloc(byref(cfg), 1, FLOAT64, byref(h)) != SUCCESS:
        _fail("radvar_optim_config (alloc refused the defaults of adam)")
    try:
        p, g = c_double(0.0), c_double(1.0)
        lib.radvar_optim_step_f64(h, byref(p), byref(g))
        buf, d, size = _guarded(Diagnostics)
        lib.radvar_optim_diag(h, byref(d))
        m = ctypes.cast(lib.radvar_optim_m(h), POINTER(c_double))[0]
        ok = (_guard_ok(buf, size) and d.step == 1 and d.r_t == 1.0 and d.rectified == 0
              and d.moved == 1 and d.lr == 1e-3 and d.lr_adaptive == 1e-3 / (1.0 - 0.9 ** 1.0)
              and lib.radvar_optim_steps(h) == 1 and m == (1.0 - 0.9) * 1.0)
    finally:
        lib.radvar_optim_free(h)
    if not ok:
        _fail("radvar_optim_diagnostics")


def _check_exact_layout():
    buf, r, size = _guarded(ExactMoments)
    w = (c_double * 3)(1.0, 1.0, 1.0)
    # psi^-2 = chi2(3): E[psi^2] = 1/(3-2) = 1; n = 2 gives E[psi] only
    st = lib.radvar_exact_moments_weights(w, 3, 0.0, 1.0, byref(r))
    if not (st == SUCCESS and _guard_ok(buf, size) and abs(r.mean_psi2 - 1.0) < 1e-9
            and r.evaluations > 0 and r.abs_err >= 0):
        _fail("radvar_exact_moments")


_check_version()
_check_config_layout()
_check_diagnostics_layout()
_check_exact_layout()
