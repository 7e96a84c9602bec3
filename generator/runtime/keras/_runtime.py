"""What every generated Keras 3 optimizer shares: a ``keras.optimizers.Optimizer`` subclass
with Keras 2.3's semantics (one clipnorm over all gradients, then clipvalue; the inverse-time
``decay``), the spec's state as optimizer variables, and one step program per step.

The per-spec modules beside this one supply the printed equations (``Kernel``s): the host's
step function, called here with tensors, and an update function in ``keras.ops`` that returns
new values. Nothing here depends on the Keras backend: the step runs under the torch and
JAX backends' jit and stateless application (``stateless_apply``) alike.
"""

import contextlib
from typing import Callable, NamedTuple

import keras
import numpy as np
from keras import ops

from ._keras import clip_scale, clip_value
from .._shared import (
    DEFAULT_RANK,
    MAX_STEP,
    SpecAttributes,
    check_derived_flags,
    common_argument,
    derived_flag_values,
    flag,
    kept_state,
    real,
    step_math,
)

# The step programs' functions for tensors without an array-API namespace (TensorFlow's).
step_math.fallback = ops

# Keras's Optimizer attributes and arguments, as strings so that generator/names.py reserves
# them: a hyperparameter of the same name would hide one of them.
PUBLIC_NAMES = (
    "state_of",
    "scalar_state",
    "add_optimizer_variables",
    "add_variable",
    "add_variable_from_reference",
    "apply",
    "apply_gradients",
    "assign",
    "assign_add",
    "assign_sub",
    "build",
    "built",
    "clipnorm",
    "clipvalue",
    "ema_momentum",
    "ema_overwrite_frequency",
    "exclude_from_weight_decay",
    "finalize_variable_values",
    "from_config",
    "get_config",
    "global_clipnorm",
    "gradient_accumulation_steps",
    "iterations",
    "load_own_variables",
    "loss_scale_factor",
    "name",
    "save_own_variables",
    "scale_loss",
    "set_weights",
    "stateless_apply",
    "update_step",
    "use_ema",
    "variables",
    "weight_decay",
)
FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


class Kernel(NamedTuple):
    """One flag combination of a spec, printed from its IR."""

    state: tuple  # names of the per-variable state
    step: Callable  # (hyper, scalar_state, global_reductions, t) -> (scalars, new scalar state)
    update: Callable  # (p, g, state values, scalars) -> (new p, new state values)
    partials: Callable | None  # (p, g, state, hyper, t) -> this tensor's global reduction parts
    global_ops: tuple  # ("sum" | "max", ...) for the partials, in order
    global_names: tuple


def register(cls):
    """Registers a generated class with Keras's serialization under its package's name
    (``generated.keras``), so that ``keras.optimizers.deserialize`` and
    ``keras.models.load_model`` find it without ``custom_objects``."""
    package = cls.__module__.rpartition(".")[0]
    return keras.saving.register_keras_serializable(package=package)(cls)


class Optimizer(SpecAttributes, keras.optimizers.Optimizer):
    """Base class of the generated Keras 3 optimizers (Keras 2.3 semantics).

    - ``clipnorm`` scales every gradient by ``clipnorm / norm`` when the one L2 norm over all
      gradients of the step reaches it, then ``clipvalue`` clips each element (Keras 2.3 takes
      both at once; Keras 3's ``clipnorm`` is per variable and excludes ``clipvalue``). Both
      replace Keras 3's clipping, so ``global_clipnorm`` is refused.
    - ``decay``: ``lr = learning_rate / (1 + decay * iterations)``, inside the step program.
    - ``weight_decay`` (Keras 3's decoupled decay, ``p = p*(1 - lr*weight_decay)`` before the
      update) is part of the step program every backend computes, not the base class's
      ``_apply_weight_decay``; a spec that leaves it out of ``common`` refuses a non-zero one.
    - Every other hyperparameter is an attribute checked on assignment, like Keras 3's own
      (a Python float: a compiled train function keeps the value it was traced with, as with
      Keras 3's optimizers; ``learning_rate`` is Keras's variable or schedule). Flags are
      fixed at construction: they pick the update rule and its state.
    - State: one optimizer variable per state array and model variable, named
      ``<variable path>_<state name>``, in the spec's dtype rules: the model variable's
      dtype; per-step values are computed in float64 where the backend has it.
    """

    state_init: Callable = staticmethod(lambda h: {})
    scalar_state_init: Callable = staticmethod(lambda h: {})

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._hyperparameter_of = {hp.name: hp for hp in cls.hyperparameters}
        for name in cls._settable_names():
            _add_property(cls, name, _hyper_property(name))
        for name in cls.flags:
            _add_property(cls, name, _flag_property(name))

    @classmethod
    def _settable_names(cls) -> tuple:
        reals = tuple(hp.name for hp in cls.hyperparameters if hp.name != "learning_rate")
        decays = tuple(c for c in ("decay", "weight_decay") if c in cls.common)
        return (*reals, "clipnorm", "clipvalue", *decays)

    def __init__(
        self,
        hyper: dict,
        flags: dict,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        global_clipnorm=None,
        **kwargs,
    ):
        owner = type(self).__name__
        if "weight_decay" not in self.common and weight_decay is not None and weight_decay != 0:
            raise ValueError(
                f"{owner}: weight_decay={weight_decay!r} is refused: this spec leaves Keras 3's "
                "decoupled weight decay out of its `common:` list"
            )
        if global_clipnorm is not None:
            raise ValueError(
                f"{owner}: global_clipnorm is refused: clipnorm is already one norm over all "
                "gradients (Keras 2.3's meaning); pass clipnorm"
            )
        values = {}
        for hp in self.hyperparameters:
            value = hyper[hp.name]
            if hp.name == "learning_rate" and callable(value):
                values[hp.name] = value  # a LearningRateSchedule (or callable), as Keras takes
            else:
                values[hp.name] = real(owner, hp.name, value, hp.domain, hp.check)
        checked_flags = {f: flag(owner, f, flags[f]) for f in self.flags}
        learning_rate = values.pop("learning_rate", 0.0)
        _check_base_arguments(owner, kwargs)
        super().__init__(learning_rate=learning_rate, **kwargs)
        values["clipnorm"] = common_argument(owner, "clipnorm", clipnorm)
        values["clipvalue"] = common_argument(owner, "clipvalue", clipvalue)
        if "decay" in self.common:
            values["decay"] = common_argument(owner, "decay", decay)
        elif decay:
            # as Python (and every other backend) refuses an argument the signature lacks
            raise TypeError(f"{owner}: this optimizer takes no decay")
        if "weight_decay" in self.common:
            values["weight_decay"] = common_argument(owner, "weight_decay", weight_decay)
        self._hyper = values
        # the learning rate at step 0 as a number, for initial values that use it: taken
        # here, eagerly (build() may run inside a tf.function, where a schedule cannot be read)
        self._start_learning_rate = (
            float(ops.convert_to_numpy(learning_rate(0)))
            if callable(learning_rate)
            else learning_rate
        )
        self._flags = {**checked_flags, **derived_flag_values(self.derived_flags, values)}
        # the global reductions: every variable's (a rank flag picks none); each variable's
        # update and state are its rank's kernel's (kernel_of)
        self._kernel = self.kernel_of(self._flags, DEFAULT_RANK)
        self._slots = ()
        self._slot_names = ()  # the state some variable keeps, one list of slots per name
        self._scalar_variables = {}

    # ------------------------------------------------------------------ Keras's protocol

    def build(self, var_list):
        if self.built:
            return
        owner = type(self).__name__
        var_list = list(var_list)
        for index, variable in enumerate(var_list):
            dtype = keras.backend.standardize_dtype(variable.dtype)
            if dtype not in FLOAT_DTYPES:
                raise TypeError(
                    f"{owner}: variable {index} ({variable.path}) is {dtype}; floating-point "
                    f"variables are supported ({', '.join(FLOAT_DTYPES)})"
                )
        super().build(var_list)
        self._compute_dtype = _compute_dtype()
        hyper = {**self._hyper, "learning_rate": self._start_learning_rate}
        init = self.state_init(hyper)
        names = kept_state(self.kernels, self.variant_flags, self._flags, init)
        self._slot_names = names
        if names and not self.rank_flags:
            self._slots = tuple(
                self.add_optimizer_variables(
                    var_list,
                    list(names),
                    initializer=[_Exactly(float(init[n])) for n in names],
                )
            )
        elif names:  # a variable's rank picks its state: a 0-d placeholder for the others
            self._slots = tuple([] for _ in names)
            for variable in var_list:
                own = self.kernel_of(self._flags, len(variable.shape)).state
                for name, slots in zip(names, self._slots):
                    if self._overwrite_variable_with_gradient(variable):
                        slots.append(None)
                    elif name in own and name in self.state_shapes:  # per row or column
                        slots.append(
                            self.add_variable(
                                shape=self.state_shape_of(name, variable.shape),
                                initializer=_Exactly(float(init[name])),
                                dtype=variable.dtype,
                                name=f"{getattr(variable, 'path', variable.name)}_{name}".replace(
                                    "/", "_"
                                ),
                            )
                        )
                    elif name in own:
                        slots.append(
                            self.add_variable_from_reference(
                                variable, name=name, initializer=_Exactly(float(init[name]))
                            )
                        )
                    else:  # as Keras 3's Adafactor keeps its vectors' factors
                        slots.append(
                            self.add_variable(
                                shape=(),
                                initializer=_Exactly(0.0),
                                dtype=variable.dtype,
                                name=f"{getattr(variable, 'path', variable.name)}_{name}".replace(
                                    "/", "_"
                                ),
                            )
                        )
        self._scalar_variables = {
            name: self.add_variable(
                shape=(),
                initializer=_Exactly(float(value)),
                dtype=self._compute_dtype,
                name=name,
            )
            for name, value in self.scalar_state_init(hyper).items()
        }

    def _clip_gradients(self, grads):
        """Keras 2.3's clipping: one norm over all gradients, then each element."""
        clipnorm, clipvalue = self._hyper["clipnorm"], self._hyper["clipvalue"]
        if clipnorm:
            dtype = self._compute_dtype
            total = None
            for g in grads:
                if g is not None:
                    part = ops.sum(ops.square(ops.cast(g, dtype)))
                    total = part if total is None else total + part
            if total is not None:
                scale = clip_scale(_tensor(clipnorm, dtype), ops.sqrt(total))
                grads = [g if g is None else g * ops.cast(scale, g.dtype) for g in grads]
        if clipvalue:
            grads = [g if g is None else clip_value(g, _tensor(clipvalue, g.dtype)) for g in grads]
        return grads

    @property
    def learning_rate(self):
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        """Checked against the spec's domain, as the constructor checks it (a schedule's
        values cannot be checked inside a compiled step)."""
        hp = self._hyperparameter_of.get("learning_rate")
        if hp is not None and not callable(value):
            value = real(type(self).__name__, "learning_rate", value, hp.domain, hp.check)
        keras.optimizers.Optimizer.learning_rate.fset(self, value)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Keras 3's: the variables listed, or whose names contain one of ``var_names``, take
        no weight decay (their step program runs with weight_decay 0). Refused for a spec
        whose weight_decay is its own (AdamW's, Lion's): it is part of its update rule."""
        if "weight_decay" not in self.common:
            raise NotImplementedError(
                f"{type(self).__name__}: exclude_from_weight_decay is not supported: this "
                "spec's own weight_decay is part of its update rule for every variable"
            )
        super().exclude_from_weight_decay(var_list=var_list, var_names=var_names)

    def save_own_variables(self, store):
        """Keras's saving, and the flag combination under its own key: two combinations may
        keep as many variables of the same shapes (RMSprop's centered=True and
        momentum_on=True), and loading one into the other must be refused."""
        super().save_own_variables(store)
        if self.optimizer_flags():  # a rank flag is each variable's own
            store[_VARIANT_KEY] = np.array([self._flags[f] for f in self.optimizer_flags()])

    def load_own_variables(self, store):
        """Keras's loading (model.load_weights, keras.models.load_model), with the saved
        values checked first, as every backend checks a checkpoint: the same flag combination
        (where the store says it), as many variables of the same shapes, a step count that is
        an integer >= 0, finite scalar state. A refused store changes nothing."""
        owner = type(self).__name__
        if _VARIANT_KEY in store.keys():
            saved = [bool(x) for x in np.asarray(store[_VARIANT_KEY]).reshape(-1)]
            names = self.optimizer_flags()
            mine = [self._flags[f] for f in names]
            if len(saved) != len(names):
                raise ValueError(
                    f"{owner}: the saved optimizer has the flags {saved}, {len(saved)} of them; "
                    f"this one has {len(names)} ({dict(zip(names, mine))}): nothing was loaded"
                )
            if saved != mine:
                raise ValueError(
                    f"{owner}: the saved optimizer has {dict(zip(names, saved))}, "
                    f"this one {dict(zip(names, mine))}: nothing was loaded"
                )
            store = _WithoutKey(store, _VARIANT_KEY)
        variables = self.variables
        if len(store.keys()) != len(variables):
            if not self.built:  # Keras warns that the optimizer is not built, and loads nothing
                super().load_own_variables(store)
                return
            raise ValueError(
                f"{owner}: the saved optimizer has {len(store.keys())} variables, this one "
                f"{len(variables)} (another optimizer, flag combination or model): nothing "
                "was loaded"
            )
        # every variable Keras will assign, built or not (unbuilt: the step count and the
        # learning rate), each checked as the constructor and the setters check
        scalars = {id(v) for v in self._scalar_variables.values()}
        rate = getattr(self, "_learning_rate", None)
        hp = self._hyperparameter_of.get("learning_rate")
        for index, variable in enumerate(variables):
            value = np.asarray(store[str(index)])
            if value.shape != tuple(variable.shape):
                raise ValueError(
                    f"{owner}: saved variable {index} ({variable.path}) has shape "
                    f"{value.shape}, this optimizer's {tuple(variable.shape)}: nothing was "
                    "loaded"
                )
            if variable is self._iterations:
                # within the variable's integer type too: assigning 2**31 to an int32 step
                # count wrapped it negative (NaN steps), 2**32 + 5 to 5
                largest = min(MAX_STEP, int(np.iinfo(np.dtype(variable.dtype)).max))
                if not (np.issubdtype(value.dtype, np.integer) and 0 <= value <= largest):
                    raise ValueError(
                        f"{owner}: the saved step count {value!r} is not an integer from 0 to "
                        f"{largest}: nothing was loaded"
                    )
            if id(variable) in scalars and not np.isfinite(value).all():
                raise ValueError(
                    f"{owner}: the saved scalar state {variable.path} is {value!r}, not finite"
                )
            if variable is rate and hp is not None:
                try:
                    real(owner, "learning_rate", float(value), hp.domain, hp.check)
                except ValueError as err:
                    raise ValueError(
                        f"{err} (the saved learning rate): nothing was loaded"
                    ) from None
        super().load_own_variables(store)

    def _apply_weight_decay(self, variables):
        """Nothing: Keras 3's weight decay is in the step program (before the update, as
        Keras 3 applies it), and a spec's own ``weight_decay`` (AdamW's) in its update rule."""

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        """One step over all variables: global reductions, the step program once, then
        each variable's update."""
        _refuse_replicas(type(self).__name__)
        with _no_grad():
            self._step(grads, trainable_variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError(
            f"{type(self).__name__} steps all variables at once (clipnorm's norm, global "
            "reductions and the scalar state are per step, not per variable): call apply() or "
            "apply_gradients()"
        )

    def _step(self, grads, variables, learning_rate):
        """Every check first, then every new value computed, then the assignments: a refused
        step changes nothing."""
        kernel, dtype = self._kernel, self._compute_dtype
        owner = type(self).__name__
        if len(grads) != len(variables):  # zip would step the first ones and skip the rest
            raise ValueError(
                f"{owner}: {len(grads)} gradients for {len(variables)} variables: one each"
            )
        rows = []
        for g, variable in zip(grads, variables):
            if tuple(g.shape) != tuple(variable.shape):
                raise ValueError(
                    f"{owner}: the gradient of {variable.path} has shape {tuple(g.shape)}, the "
                    f"variable {tuple(variable.shape)}"
                )
            index = self._get_variable_index(variable)
            own = self.kernel_of(self._flags, len(variable.shape)).state  # its rank's
            state = [
                slots[index] for name, slots in zip(self._slot_names, self._slots) if name in own
            ]
            rows.append((variable, ops.cast(g, variable.dtype), state))
        t = ops.cast(self.iterations + 1, dtype)
        hyper = {
            name: _tensor(0.0 if value is None else value, dtype)  # weight_decay: None is 0
            for name, value in self._hyper.items()
            if name not in ("clipnorm", "clipvalue")
        }
        hyper["learning_rate"] = ops.cast(learning_rate, dtype)
        reductions = {}
        scalar_state = {n: v.value for n, v in self._scalar_variables.items()}
        if kernel.partials is not None:
            parts = []
            # a reduction over the update's values reads scalar state, as before the step
            before = {**hyper, **scalar_state}
            for v, g, state in rows:
                # in the variable's dtype: TensorFlow does not promote float32 * float64
                local = {k: ops.cast(x, v.dtype) for k, x in before.items()}
                if "weight_decay" in local and not self._use_weight_decay(v):
                    local["weight_decay"] = local["weight_decay"] * 0  # as its update reads p
                values = [s.value for s in state]
                parts.append(kernel.partials(v.value, g, values, local, ops.cast(t, v.dtype)))
            for index, (name, op) in enumerate(zip(kernel.global_names, kernel.global_ops)):
                column = ops.stack([ops.cast(part[index], dtype) for part in parts])
                # ops.max, not ops.maximum: that returns float32 on the torch backend
                reductions[name] = ops.max(column) if op == "max" else ops.sum(column)
        scalars, new_scalar_state = kernel.step(hyper, scalar_state, reductions, t)
        undecayed_hyper = {**hyper, "weight_decay": hyper.get("weight_decay", 0.0) * 0}
        # (kernel, decayed): the step program's values (a weight decay of None or 0 is none)
        scalars_of = {(id(kernel), bool(self._hyper.get("weight_decay"))): scalars}
        updates = []
        for variable, g, state in rows:
            own = self.kernel_of(self._flags, len(variable.shape))
            # variables excluded from the weight decay take none (Keras 3's habit)
            decayed = bool(self._hyper.get("weight_decay")) and self._use_weight_decay(variable)
            if (id(own), decayed) not in scalars_of:
                chosen = hyper if decayed or "weight_decay" not in hyper else undecayed_hyper
                scalars_of[id(own), decayed] = own.step(chosen, scalar_state, reductions, t)[0]
            values = tuple(_tensor(s, variable.dtype) for s in scalars_of[id(own), decayed])
            new_p, new_state = own.update(variable.value, g, [s.value for s in state], values)
            updates += [*zip(state, new_state), (variable, new_p)]
        for name, value in new_scalar_state.items():
            updates.append((self._scalar_variables[name], _tensor(value, dtype)))
        for target, value in updates:
            self.assign(target, value)

    def state_of(self, variable) -> dict:
        """The optimizer variables that hold ``variable``'s state, by the spec's names (empty
        before the optimizer is built, and for a variable it was not built with)."""
        index = (
            self._trainable_variables_indices.get(self._var_key(variable)) if self.built else None
        )
        if index is None:
            return {}
        own = self.kernel_of(self._flags, len(variable.shape)).state  # its rank's
        return {
            name: slots[index] for name, slots in zip(self._slot_names, self._slots) if name in own
        }

    @property
    def scalar_state(self) -> dict:
        """The scalar state (Nadam's ``m_schedule``), as floats."""
        return {n: float(ops.convert_to_numpy(v)) for n, v in self._scalar_variables.items()}

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("weight_decay", "global_clipnorm"):
            config.pop(key, None)
        for hp in self.hyperparameters:
            if hp.name != "learning_rate":
                config[hp.name] = self._hyper[hp.name]
        config.update({f: self._flags[f] for f in self.flags})  # derived ones are not arguments
        config["clipnorm"] = self._hyper["clipnorm"]
        config["clipvalue"] = self._hyper["clipvalue"]
        for key in ("decay", "weight_decay"):
            if key in self.common:
                config[key] = self._hyper[key]
        return config


class _Exactly(keras.initializers.Initializer):
    """A constant, exact in the variable's dtype: keras.initializers.Constant takes its value
    through float32 on TensorFlow (0.01 becomes 0.009999999776482582 in a float64 variable),
    ops.full does not."""

    def __init__(self, value: float):
        self.value = value

    def __call__(self, shape, dtype=None):
        return ops.full(shape, self.value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}


def _compute_dtype() -> str:
    """Per-step values (``1 - beta_2``, bias corrections) in float64 wherever the backend has
    it, as the other backends compute them, then cast to each variable's dtype; in float32 on
    JAX without jax_enable_x64, as Keras 2.3 computed them in floatx."""
    if keras.backend.backend() == "jax":
        import jax

        return "float64" if jax.config.jax_enable_x64 else "float32"
    return "float64"


def axis_mean(x, axis):
    """The mean over ``axis``, kept with length 1: a sum and a division, because
    ``ops.mean`` on Keras 3.15's torch backend computes float64 through float32 (2e-8 off)."""
    return ops.sum(x, axis=axis, keepdims=True) / ops.cast(ops.shape(x)[axis], x.dtype)


def nan_sign(x):
    """The sign of each element, NaN where it is NaN, as the reference and the C kernels have
    it (``keras.ops.sign`` on the torch backend gives 0 for NaN)."""
    return ops.where(ops.isnan(x), x, ops.sign(x))


def _tensor(value, dtype):
    """``value`` as a tensor of ``dtype``: a Python number converted directly (TensorFlow's
    cast of a Python float goes through float32), a tensor cast."""
    if isinstance(value, (int, float)):
        return ops.convert_to_tensor(value, dtype=dtype)
    return ops.cast(value, dtype)


def _check_base_arguments(owner, kwargs):
    """Keras's own base-class arguments that its __init__ takes unchecked."""
    steps = kwargs.get("gradient_accumulation_steps")
    # below 2**31: Keras counts them in an integer variable (int32 on JAX without x64), and a
    # larger count failed at the first step with the backend's OverflowError
    if steps is not None and (
        not isinstance(steps, int) or isinstance(steps, bool) or not 2 <= steps < 2**31
    ):
        raise ValueError(
            f"{owner}: gradient_accumulation_steps must be None or an integer from 2 to "
            f"2**31 - 1, not {steps!r}"
        )
    scale = kwargs.get("loss_scale_factor")
    if scale is not None:
        real(owner, "loss_scale_factor", scale, "None or > 0", lambda x: x > 0)


def _refuse_replicas(owner):
    """Under a TensorFlow distribution strategy with several replicas, Keras's own step
    all-reduces the gradients and updates through the strategy; this one does neither, so
    it refuses rather than step each replica on its own gradients."""
    if keras.backend.backend() != "tensorflow":
        return
    import tensorflow as tf

    if tf.distribute.has_strategy() and tf.distribute.get_strategy().num_replicas_in_sync > 1:
        raise NotImplementedError(
            f"{owner}: TensorFlow distribution strategies with several replicas are not "
            "supported (the gradients would not be all-reduced); use one replica, or Keras's "
            "JAX or torch backend for data-parallel training"
        )


def _no_grad():
    """torch.no_grad() on Keras's torch backend (updates must not build autograd graphs)."""
    if keras.backend.backend() == "torch":
        import torch

        return torch.no_grad()
    return contextlib.nullcontext()


_VARIANT_KEY = "variant_flags"  # beside Keras's "0", "1", ... in a saved optimizer


class _WithoutKey:
    """A saved optimizer's store without one key, for Keras's own loading, which expects its
    variables' keys only."""

    def __init__(self, store, key):
        self._store, self._key = store, key

    def keys(self):
        return [k for k in self._store.keys() if k != self._key]

    def __getitem__(self, key):
        return self._store[key]


def _add_property(cls, name, prop):
    if isinstance(getattr(cls, name, None), property):
        return  # a subclass of a generated class: it has them already
    setattr(cls, name, prop)


def _hyper_property(name):
    def get(self):
        hyper = self.__dict__.get("_hyper")  # None while Keras's base __init__ runs
        return None if hyper is None else hyper[name]

    def set(self, value):
        hyper = self.__dict__.get("_hyper")
        if hyper is None:
            # Keras's base __init__ sets clipnorm and clipvalue to the None this class passes
            # it; the spec's values are set right after.
            return
        owner = type(self).__name__
        if name in ("clipnorm", "clipvalue", "decay", "weight_decay"):
            hyper[name] = common_argument(owner, name, value)
        else:
            hp = self._hyperparameter_of[name]
            value = real(owner, name, value, hp.domain, hp.check)
            check_derived_flags(owner, self.derived_flags, self._flags, name, value)
            hyper[name] = value

    return property(get, set, doc=f"{name}: set it to change the next step (checked)")


def _flag_property(name):
    def get(self):
        return self.__dict__.get("_flags", {}).get(name)

    def set(self, value):
        raise AttributeError(
            f"{type(self).__name__}: {name} is fixed at construction (it picks the update rule "
            "and its state): make a new optimizer"
        )

    return property(get, set, doc=f"{name}: fixed at construction")
