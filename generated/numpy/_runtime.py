# copied from generator/runtime/numpy/_runtime.py by python -m generator build — do not edit
"""What every generated NumPy optimizer shares: argument checks, per-parameter state,
scratch buffers, Keras 2.3's clipnorm/clipvalue, and the step loop.

The per-spec modules beside this one supply the printed equations (``Kernel``s).
"""

import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

from ._keras import clip_scale, clip_value
from .._shared import (
    DEFAULT_RANK,
    CHECKPOINT_FORMAT,
    MAX_STEP,
    SpecAttributes,
    check_checkpoint,
    check_derived_flags,
    common_argument,
    derived_flag_values,
    flag,
    nan_max,
    real,
)

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# NumPy cannot fuse, so each ufunc is a pass over its arrays. Over blocks this small (512 KB of
# float32 per array) a block's arrays stay in the CPU cache between passes, and main memory sees
# about one read and one write of each array per step. Measured on Adam, 16M float32: 68 ms
# whole, 56 ms in blocks of 8K elements (call overhead), 35 ms in blocks of 128K.
BLOCK = 131072
# The hyperparameter that may also be a schedule: a callable of the completed steps, as
# Keras's LearningRateSchedule objects are called (Keras 3: schedule(iterations) before the
# step increments iterations, so 0 on the first step).
SCHEDULED = "learning_rate"
# The optimizer's own public names, as strings so that generator/names.py reserves them: a
# hyperparameter of the same name would hide one of them (its attribute is a property).
PUBLIC_NAMES = (
    "apply_gradients",
    "get_config",
    "from_config",
    "state_of",
    "scalar_state",
    "export_state",
    "import_state",
    "iterations",
    "fused",
)


class Kernel(NamedTuple):
    """One flag combination of a spec, printed from its IR."""

    state: tuple  # names of the per-parameter state arrays
    step: Callable  # (hyper, scalar_state, global_reductions, t) -> (scalars, new scalar state)
    apply: Callable  # (p, g, state arrays, scalars, scratch) -> None, in place
    scratch: int  # scratch arrays apply needs
    partials: Callable | None  # (p, g, state, hyper, t, scratch) -> global reduction partials
    global_ops: tuple  # ("sum" | "max", ...) for the partials, in order
    global_names: tuple
    native: str | None  # C name stem of the fused kernels, or None
    elementwise: bool  # no reduction: any slice of the arrays can be updated on its own
    masks: int = 0  # true/false scratch arrays apply needs (per-element conditions), after
    # the scratch arrays and the clipped gradient's buffer
    # a rule of row or column means: the C name stem of its CPU kernel in passes, or None
    staged: str | None = None


class Optimizer(SpecAttributes):
    """Base class of the generated NumPy optimizers (Keras 2.3 semantics).

    Every hyperparameter, ``clipnorm``, ``clipvalue``, ``decay`` and ``weight_decay`` is an attribute: assigning
    one is checked against its domain (a ``ValueError`` naming it, nothing changed) and read by
    the next step, and ``get_config()`` reports it. Flags are fixed at construction (they pick
    the update rule and its state); any other public attribute cannot be set, so that nothing
    assigned is silently ignored. ``learning_rate`` may be a callable ``schedule(iterations)``
    of the completed steps (0 on the first step, as Keras calls its schedules), checked each
    step before anything changes; ``decay`` applies on top of it, as in Keras 2.3.

    State follows each parameter's position in the list given to ``apply_gradients`` (see
    ``_check_params``).
    """

    state_init: Callable = staticmethod(lambda h: {})
    scalar_state_init: Callable = staticmethod(lambda h: {})

    def __init_subclass__(cls, **kwargs):
        """Each hyperparameter, clip argument and flag of the spec becomes a property."""
        super().__init_subclass__(**kwargs)
        cls._hyperparameter_of = {hp.name: hp for hp in cls.hyperparameters}
        for name in cls._settable_names():
            cls._add_property(name, _hyper_property(name))
        for name in cls.flags:
            cls._add_property(name, _flag_property(name))

    @classmethod
    def _settable_names(cls) -> tuple:
        common = tuple(c for c in cls.common if c not in ("clipnorm", "clipvalue"))
        return (*(hp.name for hp in cls.hyperparameters), "clipnorm", "clipvalue", *common)

    @classmethod
    def _add_property(cls, name, prop):
        held = getattr(cls, name, None)
        if isinstance(held, property):
            return  # a subclass of a generated class: it has them already
        if held is not None or name.startswith("_"):
            raise TypeError(f"{cls.__name__}: the argument {name} would hide {cls.__name__}.{name}")
        setattr(cls, name, prop)

    def __init__(self, hyper: dict, flags: dict, **common):
        name = type(self).__name__
        values = {}
        for hp in self.hyperparameters:
            values[hp.name] = self._checked(hp.name, hyper[hp.name])
        for f in self.flags:
            flags[f] = flag(name, f, flags[f])
        for key in ("clipnorm", "clipvalue"):
            values[key] = self._checked(key, common.get(key))
        if "decay" in self.common:
            values["decay"] = self._checked("decay", common.get("decay", 0.0))
        if "weight_decay" in self.common:
            values["weight_decay"] = self._checked("weight_decay", common.get("weight_decay"))
        self.fused = common.get("fused", False)
        self._hyper = values
        self._flags = {f: flags[f] for f in self.flags}
        self._flags.update(derived_flag_values(self.derived_flags, values))
        # the global reductions: every tensor's (a rank flag picks none); each tensor's
        # update and state are its rank's kernel's (kernel_of, _state_names)
        self._kernel = self.kernel_of(self._flags, DEFAULT_RANK)
        self.iterations = 0  # completed steps; equations see t = iterations + 1
        # an initial value may be an expression of hyperparameters: a schedule's is its value at 0
        self._scalar_state = dict(self.scalar_state_init(self._hyper_at(0)))
        # Built by the first apply_gradients (or import_state), see _check_params:
        self._layout = None  # [(shape, dtype)] of each parameter, by position
        self._state = []  # by position: the state arrays, or None until its first step
        self._last = []  # the arrays of the last step, by position (held, as torch.optim does)
        self._scratch = {}  # dtype -> list of flat buffers

    # ------------------------------------------------------------------ attributes

    def __setattr__(self, name, value):
        if not name.startswith("_") and not isinstance(getattr(type(self), name, None), property):
            settable = ", ".join(self._settable_names())
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r} to set: no step would read it "
                f"(settable: {settable}, iterations, fused)"
            )
        super().__setattr__(name, value)

    @property
    def iterations(self) -> int:
        """Completed steps (Keras's ``iterations``); the equations see t = iterations + 1."""
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        if (
            not isinstance(value, numbers.Integral)
            or isinstance(value, (bool, np.bool_))
            or not 0 <= value <= MAX_STEP
        ):
            raise ValueError(
                f"{type(self).__name__}: iterations must be an integer from 0 to 2**53, not {value!r}"
            )
        self._iterations = int(value)

    @property
    def fused(self) -> bool:
        return self._fused

    @fused.setter
    def fused(self, value):
        value = flag(type(self).__name__, "fused", value)
        if value and self.native_module is None:
            raise ValueError(
                f"{type(self).__name__}: fused=True needs generated C kernels, which this build "
                "of it does not have"
            )
        self._fused = value

    def _checked(self, key, value):
        """``value`` of hyperparameter or common argument ``key``, checked as the constructor
        checks it (a schedule is checked when it is called, each step)."""
        owner = type(self).__name__
        if key in ("clipnorm", "clipvalue", "decay", "weight_decay"):
            return common_argument(owner, key, value)
        if key == SCHEDULED and callable(value):
            return value
        hp = self._hyperparameter_of[key]
        return real(owner, key, value, hp.domain, hp.check)

    def _hyper_at(self, iterations) -> dict:
        """The hyperparameters of the step after ``iterations`` completed steps: a schedule
        is called and its value checked, before anything changes."""
        hyper = self._hyper
        if hyper.get("weight_decay", 0.0) is None:  # the step programs read a number
            hyper = {**hyper, "weight_decay": 0.0}
        schedule = hyper.get(SCHEDULED)
        if not callable(schedule):
            return hyper
        hp = self._hyperparameter_of[SCHEDULED]
        value = schedule(iterations)
        try:
            value = real(type(self).__name__, SCHEDULED, value, hp.domain, hp.check)
        except (TypeError, ValueError) as err:
            raise type(err)(
                f"{err} (returned by the learning_rate schedule for iterations={iterations})"
            ) from None
        return {**hyper, SCHEDULED: value}

    # ------------------------------------------------------------------ public API

    def apply_gradients(self, grads_and_vars):
        """Update each parameter in place from its gradient, as one optimizer step.

        Every pair is checked before anything changes; a bad pair, a list of parameters other
        than the one the optimizer was built with, or a schedule's value outside its domain
        raises and leaves the parameters, the state and the step count as they were.
        """
        checked = [self._check_pair(i, pair) for i, pair in enumerate(grads_and_vars)]
        pairs = [(g, p) for g, p, _ in checked]
        params = [p for _, p in pairs]
        given = [p for _, _, p in checked]  # the arrays as passed: their identities
        self._check_distinct(given, "the same parameter appears twice")
        self._check_params(params, "apply_gradients", given)
        h = self._hyper_at(self.iterations)
        t = self.iterations + 1
        if t > MAX_STEP:  # the step counts a checkpoint keeps (and any backend reads)
            raise ValueError(
                f"{type(self).__name__}: the step count would pass 2**53 (float steps lose exactness)"
            )
        kernel = self._kernel
        by_rank = {}  # each parameter's rank's kernel, looked up once per rank
        for p in params if self.rank_flags else ():
            by_rank.setdefault(p.ndim, self.kernel_of(self._flags, p.ndim))
        kernels = [by_rank[p.ndim] if self.rank_flags else kernel for p in params]
        native = self._native_update(kernels) if self.fused else None  # builds now, not later
        scale = self._clip_scale([g for g, _ in pairs])
        slots = self._slots(params, h, given)

        reductions = {}
        if kernel.partials is not None:
            # a reduction over the update's values reads scalar state, as before the step
            before, parts = {**h, **self._scalar_state}, []
            for (g, p), state in zip(pairs, slots):
                scratch = self._buffers(p, kernel.scratch + 1)
                grad = self._prepare(g, scale, scratch[-1])
                masks = self._buffers(p, kernel.masks, np.dtype(bool))
                parts.append(kernel.partials(p, grad, state, before, t, scratch + masks))
            for index, (rname, op) in enumerate(zip(kernel.global_names, kernel.global_ops)):
                column = [part[index] for part in parts]
                reductions[rname] = (
                    (nan_max if op == "max" else math.fsum)(column) if column else 0.0
                )

        # the step program: the same scalar state in every tensor's kernel (a rank flag
        # picks no step equation), and each kernel's own hoisted values
        scalars_of = {}
        scalars_of[id(kernel)], scalar_state = kernel.step(h, self._scalar_state, reductions, t)
        for k in kernels:
            if id(k) not in scalars_of:
                scalars_of[id(k)], _ = k.step(h, self._scalar_state, reductions, t)
        if self.fused:
            for k in {id(k): k for k in kernels}.values():
                mine = [i for i, other in enumerate(kernels) if other is k]
                if k.native is None:  # a rule of row or column means: NumPy's code below
                    continue
                self._apply_fused(
                    native[k.native],
                    [pairs[i] for i in mine],
                    [slots[i] for i in mine],
                    scalars_of[id(k)],
                    scale,
                )
        if self.fused:  # (loaded only then: ctypes and the C libraries)
            from .. import _native

        for (g, p), state, own in zip(pairs, slots, kernels):
            if self.fused and own.native is not None:
                continue
            scalars = scalars_of[id(own)]
            if own.elementwise and p.size > BLOCK and p.flags.c_contiguous and g.flags.c_contiguous:
                self._apply_blocked(own, p, g, state, scalars, scale)
                continue
            scratch = self._buffers(p, own.scratch + 1)
            grad = self._prepare(g, scale, scratch[-1])
            if self.fused and own.staged is not None and self._staged_takes(own, p, grad, state):
                _native.call_staged(
                    _native.library(self.native_module, "cpu"),  # built once, then cached
                    own.staged,
                    "f32" if p.dtype == np.float32 else "f64",
                    [a.ctypes.data for a in (p, grad, *state)],
                    p.shape,
                    scalars,
                    type(self).__name__,
                )
                continue
            masks = self._buffers(p, own.masks, np.dtype(bool))
            own.apply(p, grad, state, scalars, scratch + masks)
        self._scalar_state = scalar_state
        self._iterations = t

    def get_config(self) -> dict:
        """The constructor's arguments, as they are now (assignments included). A callable
        ``learning_rate`` is refused: a config holds plain values only."""
        config = self._config()
        schedule = config.get(SCHEDULED)
        if callable(schedule):
            raise TypeError(
                f"{type(self).__name__}.get_config(): learning_rate is a callable "
                f"({schedule!r}), which a config of plain values cannot hold (Keras 3 serialises "
                "its LearningRateSchedule objects; there is no registry here to rebuild a callable "
                "from): keep the schedule and pass it again to the new optimizer"
            )
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def state_of(self, param) -> dict:
        """The state arrays of a parameter: ``param`` is its index in the list the optimizer
        was built with, or the array passed at that index in the last step (empty before its
        first step, and for any other array)."""
        index = self._index_of(param)
        arrays = self._state[index] if index is not None else None
        return dict(zip(self._state_names(index), arrays)) if arrays else {}

    @property
    def scalar_state(self) -> dict:
        return dict(self._scalar_state)

    def export_state(self, params=None) -> dict:
        """This optimizer's state, in the format every backend reads (state by parameter
        index). ``params``, if given, must be the list it was built with (same count, order,
        shapes and dtypes)."""
        if params is not None:
            params = list(params)
            self._check_arrays(params)
            self._check_params(params, "export_state")
        state = {}
        for index, arrays in enumerate(self._state):
            if arrays:
                state[index] = {s: a.copy() for s, a in zip(self._state_names(index), arrays)}
        return {
            "format": CHECKPOINT_FORMAT,
            "optimizer": self.keras_name,
            "flags": dict(self._flags),
            "step": self.iterations,
            "scalar_state": dict(self._scalar_state),
            "state": state,
        }

    def import_state(self, checkpoint: dict, params) -> None:
        """Continue from ``export_state`` of any backend (arrays may be torch CPU tensors),
        with ``params`` as the list of parameters (state by index): the optimizer is built
        with that list, as a first apply_gradients would. Everything is checked and converted
        first: a refused checkpoint changes nothing."""
        name = type(self).__name__
        params = list(params)
        self._check_arrays(params)
        self._check_distinct(params, "a parameter appears twice in params")
        step, scalar_state, arrays = check_checkpoint(
            name,
            self.keras_name,
            self._flags,
            checkpoint,
            self.checkpoint_state_names(self._flags, params),
            self._scalar_state,  # its names
            [p.shape for p in params],
            self.variant_flag_defaults,
            self.state_shapes,
        )
        state = [None] * len(params)
        for index, by_name in arrays.items():
            p = params[index]
            state[index] = []
            for s in self.kernel_of(self._flags, p.ndim).state:
                # a copy in C order: the steps update state in place, some through flat views
                # (a Fortran-ordered or transposed array's flat view is a copy, and the
                # state stopped changing)
                value = np.array(_host_array(name, by_name[s]), dtype=p.dtype, order="C")
                wanted = tuple(self.state_shape_of(s, p.shape))
                if value.shape != wanted:  # the array's own shape, not what it says it is
                    raise ValueError(
                        f"{name}: state {s!r} of parameter {index} has shape {value.shape}, "
                        f"expected {wanted}"
                    )
                state[index].append(value)
        self._build(params)
        self._state = state
        self.iterations = step
        self._scalar_state = scalar_state

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"

    def __getstate__(self):
        """Copies and pickles keep the state by position, not the last step's arrays (a copy
        steps other arrays)."""
        return {**self.__dict__, "_last": []}

    # ------------------------------------------------------------------ internals

    def _config(self) -> dict:
        config = {hp.name: self._hyper[hp.name] for hp in self.hyperparameters}
        config.update({f: self._flags[f] for f in self.flags})  # derived ones are not arguments
        config["clipnorm"] = self._hyper["clipnorm"]
        config["clipvalue"] = self._hyper["clipvalue"]
        for key in ("decay", "weight_decay"):
            if key in self.common:
                config[key] = self._hyper[key]
        return config

    def _check_pair(self, index, pair):
        name = type(self).__name__
        try:
            g, p = pair
        except (TypeError, ValueError):
            raise TypeError(f"{name}: item {index} must be a (gradient, parameter) pair") from None
        if isinstance(g, np.floating):  # NumPy's arithmetic on a 0-d array gives a scalar
            g = np.asarray(g)
        for what, array in (("parameter", p), ("gradient", g)):
            if not isinstance(array, np.ndarray):
                raise TypeError(
                    f"{name}: {what} {index} must be a numpy.ndarray, not {type(array).__name__}"
                )
        # a subclass's shape, size, flags and ctypes are Python it may override (and the fused
        # path hands its memory to C): from here on the step sees plain views of the same
        # memory, written in place as before; the parameter as given is returned too, for the
        # identity checks (a view is a new object at each step)
        given = p
        g, p = (a if type(a) is np.ndarray else np.ndarray.view(a, np.ndarray) for a in (g, p))
        for what, array in (("parameter", p), ("gradient", g)):
            if array.dtype not in SUPPORTED_DTYPES:
                raise TypeError(
                    f"{name}: {what} {index} has dtype {array.dtype}; float32 and float64 are supported"
                )
        if g.shape != p.shape:
            raise ValueError(
                f"{name}: gradient {index} has shape {g.shape}, its parameter {p.shape}"
            )
        if g.dtype != p.dtype:
            raise TypeError(f"{name}: gradient {index} is {g.dtype}, its parameter {p.dtype}")
        if not p.flags.writeable:
            raise ValueError(f"{name}: parameter {index} is read-only; it is updated in place")
        if p.size and any(stride == 0 and size > 1 for size, stride in zip(p.shape, p.strides)):
            # as torch's check: an expanded (broadcast) array's elements share memory
            raise ValueError(
                f"{name}: parameter {index} has elements that share memory (a broadcast or "
                "as_strided view with a zero stride): it cannot be updated in place"
            )
        return g, p, given

    def _check_arrays(self, params):
        for index, p in enumerate(params):
            if not isinstance(p, np.ndarray) or p.dtype not in SUPPORTED_DTYPES:
                raise TypeError(
                    f"{type(self).__name__}: parameter {index} must be a float32 or float64 "
                    "numpy.ndarray"
                )

    def _check_distinct(self, params, message):
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{type(self).__name__}: {message}")

    # State is kept by position, as Keras 3 keeps it (build() on the first apply_gradients
    # indexes the variables; Keras 2.3's get_updates made its slots in list order too), and as
    # checkpoints store it, not by id() of an array: a NumPy parameter has no identity other
    # than the array object, and keyed by id() a user who passed new arrays for the same
    # parameters (copies, views made anew each step) silently restarted their state while the
    # old state stayed alive. The first apply_gradients (or import_state) builds the optimizer: it records
    # each position's shape and dtype. Every later list must have as many parameters, with the
    # same shapes and dtypes, and no array of the last step at another position (a reordered
    # list; same-shaped new arrays cannot be told from copies): anything else raises, naming
    # the position, before anything changes. Only the last step's arrays are held (as
    # torch.optim holds its parameters; a weak reference would make NumPy refuse to resize the
    # array, which _check_params reports instead), so earlier arrays are freed.
    def _check_params(self, params, what, given=None):
        """``params`` against the built list; ``given``: the arrays as passed, whose
        identities tell a reordered list (``params`` may hold views of them)."""
        if self._layout is None:
            return
        name = type(self).__name__
        if len(params) != len(self._layout):
            raise ValueError(
                f"{name}: {what} got a list of {len(params)} parameters, this optimizer was built "
                f"with {len(self._layout)} (its first apply_gradients or import_state). State follows "
                "each parameter's position: pass the same parameters in the same order, or make "
                "a new optimizer for other parameters"
            )
        last = {id(array): index for index, array in enumerate(self._last)}  # alive: held
        for index, (p, passed) in enumerate(zip(params, params if given is None else given)):
            before = last.get(id(passed), index)
            if before != index:
                raise ValueError(
                    f"{name}: parameter {index} is the array that was parameter {before} in the "
                    "last step: the list was reordered. State follows each parameter's position: "
                    "pass the parameters in the order the optimizer was built with"
                )
            shape, dtype = self._layout[index]
            if p.shape != shape or p.dtype != dtype:
                state = self._state[index]
                held = (
                    f"its state {self._state_names(index)[0]!r} {state[0].dtype} {state[0].shape}"
                    if state
                    else f"the optimizer was built with {dtype} {shape} there"
                )
                raise ValueError(
                    f"{name}: parameter {index} is {p.dtype} {p.shape}, {held}: it changed since "
                    "the optimizer was built. State follows each parameter's position: pass the "
                    "same parameters in the same order, or make a new optimizer"
                )
            for state_name, array in zip(self._state_names(index), self._state[index] or ()):
                if (
                    not isinstance(array, np.ndarray)
                    or array.dtype != p.dtype
                    or array.shape != self.state_shape_of(state_name, p.shape)
                ):  # a state array reshaped or resized in place since it was made
                    shown = (
                        f"{array.dtype} {array.shape}"
                        if isinstance(array, np.ndarray)
                        else type(array).__name__
                    )
                    raise ValueError(
                        f"{name}: parameter {index} is {p.dtype} {p.shape}, its state "
                        f"{state_name!r} {shown}: it changed since its state was created"
                    )

    def _build(self, params):
        """Record the list of parameters (the first step, or import_state)."""
        self._layout = [(p.shape, p.dtype) for p in params]
        self._state = [None] * len(params)
        self._last = list(params)

    def _slots(self, params, hyper, given=None):
        """The state arrays of each position (made on its first step), after _check_params;
        ``given``: the arrays as passed (ndarray subclasses: ``params`` holds plain views of
        them), kept for the next step's identity checks."""
        if self._layout is None and params:
            self._build(params)
        for index, p in enumerate(params):
            if self._state[index] is None:
                init = self.state_init(hyper)
                self._state[index] = [
                    np.full(self.state_shape_of(s, p.shape), init[s], dtype=p.dtype)
                    for s in self._state_names(index)
                ]
        self._last = list(params if given is None else given)
        return self._state[: len(params)]

    def _state_names(self, index) -> tuple:
        """The state of the parameter at ``index`` (of the built list): its rank's kernel's."""
        if not self.rank_flags:
            return self._kernel.state
        return self.kernel_of(self._flags, len(self._layout[index][0])).state

    def _index_of(self, param):
        if isinstance(param, numbers.Integral) and not isinstance(param, (bool, np.bool_)):
            return int(param) if 0 <= param < len(self._state) else None
        for index, array in enumerate(self._last):
            if array is param:
                return index
        return None

    def _buffers(self, p, count, dtype=None):
        """``count`` scratch arrays shaped like ``p`` (of its dtype, or ``dtype``), views of
        reusable flat buffers."""
        flat = self._flat_buffers(dtype or p.dtype, p.size, count)
        return [b.reshape(p.shape) for b in flat]

    def _flat_buffers(self, dtype, size, count):
        """``count`` flat scratch arrays of ``size`` elements, views of reusable buffers."""
        if not count:
            return []
        flat = self._scratch.get(dtype)
        if flat is None or len(flat) < count or flat[0].size < size:
            capacity = max(size, flat[0].size if flat else 0)
            flat = [np.empty(capacity, dtype=dtype) for _ in range(count)]
            self._scratch[dtype] = flat
        return [b[:size] for b in flat[:count]]

    def _clip_scale(self, grads) -> float:
        clipnorm = self._hyper["clipnorm"]
        if not clipnorm:  # None or 0 disables it, as in Keras 2.3
            return 1.0
        total = math.fsum(float(np.vdot(g, g)) for g in grads)
        norm = math.sqrt(total)
        return clip_scale(clipnorm, norm)

    def _apply_blocked(self, kernel, p, g, state, scalars, scale):
        """The same ufuncs over BLOCK elements at a time (contiguous arrays, no reductions)."""
        flat_p, flat_g = p.reshape(-1), g.reshape(-1)
        flat_state = [s.reshape(-1) for s in state]
        buffers = self._flat_buffers(p.dtype, BLOCK, kernel.scratch + 1)
        masks = self._flat_buffers(np.dtype(bool), BLOCK, kernel.masks)
        for start in range(0, p.size, BLOCK):
            stop = min(start + BLOCK, p.size)
            scratch = [b[: stop - start] for b in buffers]
            grad = self._prepare(flat_g[start:stop], scale, scratch[-1])
            scratch += [b[: stop - start] for b in masks]
            kernel.apply(
                flat_p[start:stop], grad, [s[start:stop] for s in flat_state], scalars, scratch
            )

    def _staged_takes(self, kernel, p, grad, state) -> bool:
        """Whether the staged kernel may take ``p`` with its gradient and state by raw
        pointers: float32 or float64 arrays, C-contiguous and aligned, p and the state
        writable, each state of its shape."""
        if p.dtype not in (np.float32, np.float64) or p.ndim < 2:
            return False
        if len(state) != len(kernel.state):
            return False
        arrays = [(p, p.shape), (grad, p.shape)]
        arrays += [(s, self.state_shape_of(n, p.shape)) for n, s in zip(kernel.state, state)]
        return all(
            isinstance(a, np.ndarray)
            and a.dtype == p.dtype
            and a.shape == shape
            and a.flags.c_contiguous
            and a.flags.aligned
            and (a is grad or a.flags.writeable)  # the gradient is only read
            for a, shape in arrays
        )

    def _native_update(self, kernels):
        """The fused update of each dtype, from the C library (built on first use), for each
        of ``kernels`` (by C name)."""
        from .. import _native

        library = _native.library(self.native_module, "cpu")
        # one per parameter's kernel; a rule of row or column means has none (NumPy's code)
        distinct = {k.native: k for k in (self._kernel, *kernels) if k.native is not None}
        return {
            native: {
                suffix: _native.update_function(library, native, suffix, "cpu")
                for suffix in ("f32", "f64")
            }
            for native in distinct
        }

    def _apply_fused(self, native, pairs, slots, scalars, scale):
        """One call of the generated C library per dtype; non-contiguous arrays are updated
        through contiguous copies. Every array was checked (_check_pair: dtype and shape of
        the parameter, its gradient and its state), so each pointer covers numel elements."""
        from .. import _native

        values = _native.doubles(scalars)
        for dtype, suffix in ((np.dtype(np.float32), "f32"), (np.dtype(np.float64), "f64")):
            rows, numels, copies = [], [], []
            for (g, p), state in zip(pairs, slots):
                if p.dtype != dtype:
                    continue
                row = []
                for array in (p, g, *state):
                    # contiguous and aligned (np.frombuffer at an odd offset is not): a copy if not
                    work = np.require(array, requirements="CA")
                    if work is not array and array is not g:
                        copies.append((array, work))
                    row.append(work)
                rows.append(row)
                numels.append(p.size)
            if not rows:
                continue
            for row, numel in zip(rows, numels):
                if any(
                    a.dtype != dtype
                    or a.size != numel
                    or not (a.flags.c_contiguous and a.flags.aligned)
                    for a in row
                ):  # pragma: no cover
                    raise AssertionError("an unchecked array reached the C library")
            table, _ = _native.table([a.ctypes.data for row in rows for a in row], numels)
            tensors = _native.tensor_list(_native.address(table), len(rows), len(rows[0]), 0)
            native[suffix](tensors, values, None, scale, self._hyper["clipvalue"] or 0.0)
            for array, work in copies:
                array[...] = work

    def _prepare(self, g, scale, buffer):
        clipvalue = self._hyper["clipvalue"]
        if scale == 1.0 and not clipvalue:
            return g
        np.multiply(g, scale, out=buffer)
        if clipvalue:
            clip_value(buffer, clipvalue, buffer)
        return buffer


def _hyper_property(name):
    def get(self):
        return self._hyper[name]

    def set(self, value):
        value = self._checked(name, value)
        check_derived_flags(type(self).__name__, self.derived_flags, self._flags, name, value)
        self._hyper[name] = value

    return property(get, set, doc=f"{name}: set it to change the next step (checked)")


def _flag_property(name):
    def get(self):
        return self._flags[name]

    def set(self, value):
        raise AttributeError(
            f"{type(self).__name__}: {name} is fixed at construction (it picks the update rule "
            "and its state): make a new optimizer"
        )

    return property(get, set, doc=f"{name}: fixed at construction")


def _host_array(owner, value) -> np.ndarray:
    """A NumPy array of a checkpoint's array or CPU tensor."""
    if not isinstance(value, np.ndarray):
        device = getattr(value, "device", None)
        if device is not None and getattr(device, "type", "cpu") != "cpu":
            raise TypeError(
                f"{owner}: checkpoint arrays must be NumPy arrays or CPU tensors, not on {device}"
            )
        value = value.detach() if hasattr(value, "detach") else value
    try:
        return np.asarray(value)
    except (TypeError, ValueError, RuntimeError) as err:  # a bfloat16 tensor, say
        raise TypeError(
            f"{owner}: a checkpoint array must convert to a NumPy array; "
            f"{type(value).__name__} does not ({err})"
        ) from None
