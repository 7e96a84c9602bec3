# copied from generator/runtime/_shared.py by python -m generator build — do not edit
"""What every backend's runtime shares: argument checks and the checkpoint format."""

import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

CHECKPOINT_FORMAT = "optimizer-codegen/1"  # see README, Checkpoints
MAX_STEP = 2**53  # step counts beyond it are not exact as floats (t**n, 1 + decay*t)


class SpecAttributes:
    """What a generated optimizer class says about its spec, the same in every backend (the
    generated module of each spec sets them)."""

    keras_name: str = ""
    spec: str = ""
    hyperparameters: tuple = ()
    flags: tuple = ()  # the constructor's flags
    derived_flags: tuple = ()  # DerivedFlag: set by a hyperparameter's value, not an argument
    rank_flags: tuple = ()  # RankFlag: set by each tensor's rank, per tensor
    variant_flags: tuple = ()  # flags, derived and rank flags, sorted: the key of ``kernels``
    variant_flag_defaults: dict = {}  # the arguments' flags' values for the default arguments
    common: tuple = ()
    kernels: dict = {}
    native_module: str | None = None
    state_shapes: dict = {}  # state name -> "rows" or "columns" (``state_shape``)

    @classmethod
    def state_shape_of(cls, name: str, shape) -> tuple:
        """The shape of the state ``name`` of a parameter of ``shape``."""
        return state_shape(cls.state_shapes.get(name), shape)

    @classmethod
    def optimizer_flags(cls) -> tuple:
        """The flags that are the optimizer's, not each tensor's: the constructor's flags
        (those that pick no variant too) and derived flags, sorted (a checkpoint's)."""
        return tuple(sorted([*cls.flags, *(d.name for d in cls.derived_flags)]))

    def checkpoint_state_names(self, flags: dict, params):
        """What ``check_checkpoint`` takes for ``params``' state: the one kernel's names, or,
        for a spec with rank flags, each parameter's rank's (by index)."""
        if not self.rank_flags:
            return self.kernel_of(flags, DEFAULT_RANK).state
        return lambda index: self.kernel_of(flags, len(params[index].shape)).state

    def kernel_of(self, flags: dict, rank: int):
        """The kernel of a tensor of ``rank`` axes, for the arguments' (and derived)
        ``flags``: its rank flags' variant (the only one for a spec without rank flags)."""
        values = {**flags, **{f.name: bool(f.holds(rank)) for f in self.rank_flags}}
        return self.kernels[tuple(values[f] for f in self.variant_flags)]


def state_shape(kind, shape) -> tuple:
    """The shape of a state of ``kind`` (None: shaped like its parameter; "rows": one value
    per row, the last axis 1; "columns": one per column, the axis before it 1) for a
    parameter of ``shape`` (two axes or more for rows and columns: a rank flag sees to it)."""
    shape = tuple(int(n) for n in shape)
    if kind == "rows":
        return shape[:-1] + (1,)
    if kind == "columns":
        return shape[:-2] + (1,) + shape[-1:]
    return shape


class step_math:
    """The functions the host's step programs call (printed ``step_math.sqrt``), for per-step
    values that are Python numbers (every eager step: the ``math`` functions themselves) or
    arrays: torch tensors (torch's graph steps, under torch.compile or capturable=True; Keras
    on its torch backend) through their methods, and other arrays (JAX, Keras on JAX) through
    their array-API namespace (``x.__array_namespace__()``), or, for arrays with neither
    (TensorFlow's, under Keras), the namespace a runtime put in ``fallback`` (the Keras
    runtime: ``keras.ops``). Duck-typed, so that the host modules import no array library."""

    fallback = None

    @staticmethod
    def sqrt(x):
        return _unary(x, "sqrt", math.sqrt)

    @staticmethod
    def exp(x):
        return _unary(x, "exp", math.exp)

    @staticmethod
    def log(x):
        return _unary(x, "log", math.log)

    @staticmethod
    def sign(x):
        if isinstance(x, numbers.Real):
            if x != x:  # NaN, kept as the reference keeps it
                return x
            return 0.0 if x == 0 else math.copysign(1.0, x)
        if hasattr(x, "new_tensor"):  # torch: its sign maps NaN to 0, the reference keeps it
            return x.sign().where(~x.isnan(), x)
        xp = _namespace(x)
        return xp.where(xp.isnan(x), x, xp.sign(x))

    @staticmethod
    def select(cond, a, b):
        """``a() if cond else b()``: lazy for numbers (a branch may be undefined where it is
        not taken, as sqrt of a negative number), both evaluated and selected for arrays."""
        if isinstance(cond, (bool, numbers.Real)) or type(cond).__name__ == "bool_":
            return a() if cond else b()
        x, y = a(), b()
        if hasattr(cond, "new_tensor"):  # torch: numbers become float64 tensors on its device
            like = cond.double()
            x, y = (like.new_tensor(v) if isinstance(v, numbers.Real) else v for v in (x, y))
            return x.where(cond, y)
        return _namespace(cond).where(cond, x, y)

    @staticmethod
    def maximum(*xs):
        return _fold(xs, "maximum", _nan_max2)

    @staticmethod
    def minimum(*xs):
        return _fold(xs, "minimum", _nan_min2)


def _nan_max2(a, b):
    """max and min of two numbers that keep a NaN wherever it is, as numpy.maximum does (the
    builtins keep it only when it comes first)."""
    return a if a != a else (b if b != b else max(a, b))


def _nan_min2(a, b):
    return a if a != a else (b if b != b else min(a, b))


def _unary(x, name, number_op):
    if isinstance(x, numbers.Real):
        return number_op(x)
    if hasattr(x, "new_tensor"):  # a torch tensor
        return getattr(x, name)()
    return getattr(_namespace(x), name)(x)


def _namespace(x):
    if hasattr(x, "__array_namespace__"):
        return x.__array_namespace__()
    if step_math.fallback is None:
        raise TypeError(f"step_math: no array namespace for {type(x).__name__}")
    return step_math.fallback


def _fold(values, method, number_op):
    """``values`` combined pairwise: ``number_op`` on numbers, else the arrays' ``method``
    (a number beside a tensor becomes a tensor like it)."""
    out = values[0]
    for x in values[1:]:
        if isinstance(out, numbers.Real) and isinstance(x, numbers.Real):
            out = number_op(out, x)
            continue
        array = out if not isinstance(out, numbers.Real) else x
        if hasattr(array, "new_tensor"):  # torch.maximum takes tensors only
            a, b = (array.new_tensor(v) if isinstance(v, numbers.Real) else v for v in (out, x))
            out = getattr(a, method)(b)
        else:
            out = getattr(_namespace(array), method)(out, x)
    return out


class Hyperparameter(NamedTuple):
    name: str
    default: float
    domain: str  # as written in the spec, e.g. "0 < beta_1 < 1"; "" when any real
    check: Callable[[float], bool]


class DerivedFlag(NamedTuple):
    name: str
    hyperparameter: str
    condition: str  # as written in the spec, e.g. "momentum > 0"
    holds: Callable[[float], bool]


def kept_state(kernels, variant_flags, flags: dict, order) -> tuple:
    """The state names some tensor keeps under the arguments' (and derived) ``flags``: its
    rank's kernel's, over every rank (``kernels`` by ``variant_flags``' values), in the
    order of ``order`` (the spec's declaration order)."""
    kept = set()
    for key, kernel in kernels.items():
        if all(value == flags[f] for f, value in zip(variant_flags, key) if f in flags):
            kept |= set(kernel.state)
    return tuple(name for name in order if name in kept)


class RankFlag(NamedTuple):
    name: str
    condition: str  # as written in the spec, e.g. "rank >= 2"
    holds: Callable[[int], bool]


# The rank the default kernel is chosen for (``kernel_of``): its state names are every
# tensor's (a rank flag may not pick state), and a spec without rank flags has one kernel.
DEFAULT_RANK = 2


def nan_max(values) -> float:
    """The maximum of a global reduction's parts (one per tensor): NaN if any is NaN, as the
    element-wise maximum of every backend and the reference (Python's max keeps a NaN only
    where it comes first); -inf for no parts."""
    values = [float(v) for v in values]
    if any(math.isnan(v) for v in values):
        return math.nan
    return max(values, default=-math.inf)


def derived_flag_values(derived_flags, hyper: dict) -> dict:
    """Each derived flag's value for the (checked, numeric) hyperparameters ``hyper``."""
    return {d.name: bool(d.holds(hyper[d.hyperparameter])) for d in derived_flags}


def check_derived_flags(owner, derived_flags, flags: dict, name, value) -> None:
    """Refuse ``name = value`` where it would change a derived flag fixed at construction:
    that flag picked the update rule and the state the optimizer keeps."""
    for d in derived_flags:
        if d.hyperparameter == name and bool(d.holds(value)) != flags[d.name]:
            raise ValueError(
                f"{owner}: {name}={value!r} would turn {d.name} ({d.condition}) "
                f"{'on' if not flags[d.name] else 'off'}; it was fixed at construction (it "
                "picks the update rule and its state): make a new optimizer"
            )


def real(owner, name, value, domain, check) -> float:
    """A finite real argument inside its domain, as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, not {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an int beyond float's range
        raise ValueError(f"{owner}: {name}={value!r} is not finite as a float") from None
    # x - x is 0 for a finite x only: unlike math.isfinite, torch.compile traces it for a
    # float it treats as symbolic (a recompiled step whose float lr changed)
    if not value - value == 0:
        raise ValueError(f"{owner}: {name}={value!r} is not finite")
    if not check(value):
        raise ValueError(f"{owner}: {name}={value!r} is outside its domain {domain}")
    return value


def common_argument(owner, name, value):
    """The common arguments, checked alike by every backend: ``clipnorm``, ``clipvalue``
    and ``weight_decay`` are None or a real >= 0 (0 and None disable them), ``decay`` a
    real >= 0."""
    if name in ("clipnorm", "clipvalue", "weight_decay"):
        return None if value is None else real(owner, name, value, "None or >= 0", _non_negative)
    return real(owner, name, value, ">= 0", _non_negative)


def _non_negative(x) -> bool:
    return x >= 0


def flag(owner, name, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, not {value!r}")
    return bool(value)


def check_checkpoint(
    owner,
    keras_name,
    flags,
    checkpoint,
    state_names,
    scalar_names,
    shapes,
    flag_defaults=None,
    state_shapes=None,
):
    """Everything a checkpoint must be, checked before anything changes: the format, optimizer
    and flags; ``step`` an integer >= 0; the scalar state by name; and per parameter index
    (an integer in range(len(shapes))) the state arrays by name, floating point, shaped like
    their parameter (or, for a name in ``state_shapes``, its rows or columns: state_shape):
    ``state_names``, or ``state_names(index)`` where each parameter's rank picks its own.
    Returns (step, scalar state as floats, {index: {name: array}})."""
    state_shapes = state_shapes or {}
    per_rank = callable(state_names)  # each parameter's rank picks its names
    names_at = state_names if per_rank else (lambda index: state_names)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{owner}: not a {CHECKPOINT_FORMAT} checkpoint")
    missing = {"optimizer", "flags", "step", "scalar_state", "state"} - set(checkpoint)
    if missing:
        raise ValueError(f"{owner}: the checkpoint has no {', '.join(sorted(missing))}")
    saved_flags = checkpoint["flags"]
    if isinstance(saved_flags, dict) and flag_defaults:
        # a spec that gained a flag (RMSprop's centered) reads its checkpoints from before:
        # a flag they do not name had its default, the rule they were made with
        missing = {k: v for k, v in flag_defaults.items() if k not in saved_flags}
        saved_flags = {**saved_flags, **missing}
    if checkpoint["optimizer"] != keras_name or saved_flags != flags:
        raise ValueError(
            f"{owner}: the checkpoint is of {checkpoint['optimizer']} with {checkpoint['flags']}, "
            f"this optimizer is {keras_name} with {flags}"
        )
    step = checkpoint["step"]
    if not _is_integer(step) or not 0 <= step <= MAX_STEP:
        raise ValueError(
            f"{owner}: the checkpoint's step must be an integer from 0 to 2**53, not {step!r}"
        )
    scalar_state = checkpoint["scalar_state"]
    if not isinstance(scalar_state, dict) or set(scalar_state) != set(scalar_names):
        raise ValueError(f"{owner}: the checkpoint's scalar state must hold {sorted(scalar_names)}")
    for name, value in scalar_state.items():
        if (
            isinstance(value, (bool, np.bool_))
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
        ):
            raise TypeError(
                f"{owner}: the checkpoint's scalar state {name} must be a finite number, not {value!r}"
            )
    state = checkpoint["state"]
    if not isinstance(state, dict):
        raise TypeError(f"{owner}: the checkpoint's state must be a dict by parameter index")
    arrays_by_index = {}
    for index, arrays in state.items():
        if not _is_integer(index) or not 0 <= index < len(shapes):
            raise ValueError(
                f"{owner}: the checkpoint has state for parameter {index!r}; the indices of "
                f"these {len(shapes)} parameters are 0 to {len(shapes) - 1}"
            )
        names = names_at(int(index))
        if not isinstance(arrays, dict) or set(arrays) != set(names):
            held = sorted(arrays) if isinstance(arrays, dict) else type(arrays).__name__
            why = f" (what its rank, {len(shapes[index])}, keeps)" if per_rank else ""
            raise ValueError(
                f"{owner}: checkpoint state {index} has {held}, expected {sorted(names)}{why}"
            )
        for name in names:
            shape, floating = _array_info(arrays[name])
            if shape is None or not floating:
                raise TypeError(
                    f"{owner}: checkpoint state {index} {name!r} must be a floating-point array"
                )
            wanted = state_shape(state_shapes.get(name), shapes[index])
            if tuple(shape) != wanted:
                wanted = wanted if name in state_shapes else None
                kept = f"expected {wanted}, the {state_shapes[name]} of " if wanted else ""
                raise ValueError(
                    f"{owner}: checkpoint state {index} {name!r} has shape {tuple(shape)}, "
                    f"{kept}its parameter {tuple(shapes[index])}"
                )
        arrays_by_index[int(index)] = arrays
    return int(step), {k: float(v) for k, v in scalar_state.items()}, arrays_by_index


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _array_info(value):
    """(shape, floating) of a NumPy array or a torch tensor (without importing torch)."""
    if isinstance(value, np.ndarray):
        return value.shape, bool(np.issubdtype(value.dtype, np.floating))
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "is_floating_point"):
        strided = str(getattr(value, "layout", "")) == "torch.strided"  # not sparse
        return tuple(value.shape), bool(value.is_floating_point()) and strided
    return None, False
