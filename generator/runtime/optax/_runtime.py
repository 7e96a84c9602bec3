"""What every generated optax transformation shares: argument checks, Keras 2.3's clipnorm
(one norm over all gradients) and clipvalue, the per-leaf state pytrees, and the step.

The per-spec modules beside this one supply the printed equations (``Kernel``s): the host's
step function, called here with JAX arrays (``step_math`` takes them), and a pure update
function in ``jax.numpy`` returning one leaf's update ``p_new - p`` and its new state.
Everything is functional: ``init`` and ``update`` trace under ``jax.jit`` and ``jax.vmap``.
"""

import math
from typing import Callable, NamedTuple

import jax
import optax
from jax import numpy as jnp

from ._keras import clip_scale, clip_value
from .._shared import (
    state_shape,
    DEFAULT_RANK,
    common_argument,
    derived_flag_values,
    flag,
    kept_state,
    real,
)

# The transformation's own names, as strings so that generator/names.py reserves them.
PUBLIC_NAMES = ("init", "update", "count", "params", "updates", "state")


class Kernel(NamedTuple):
    """One flag combination of a spec, printed from its IR."""

    state: tuple  # names of the per-parameter state pytrees
    step: Callable  # (hyper, scalar_state, global_reductions, t) -> (scalars, new scalar state)
    update: Callable  # (p, g, state leaves, scalars) -> (p_new - p, new state leaves)
    partials: Callable | None  # (p, g, state, hyper, t) -> this leaf's global reduction parts
    global_ops: tuple  # ("sum" | "max", ...)
    global_names: tuple
    reads_params: bool  # update() needs params


def transformation(owner, spec, host, kernels, state_class, hyper, flags, common):
    """The ``optax.GradientTransformation`` of a spec's arguments, checked here, once."""
    values = {}
    for hp in host.HYPERPARAMETERS:
        value = hyper[hp.name]
        if hp.name == "learning_rate" and callable(value):
            values[hp.name] = value  # an optax schedule: a function of the completed steps
        else:
            if hasattr(value, "shape"):  # an array (optax.inject_hyperparams passes them)
                raise TypeError(
                    f"{owner}: {hp.name} must be a Python number, not an array: the update "
                    "rule checks it against its domain once, at construction (the learning "
                    "rate may also be a schedule, a function of the step count)"
                )
            values[hp.name] = real(owner, hp.name, value, hp.domain, hp.check)
    flags = {name: flag(owner, name, value) for name, value in flags.items()}
    clipnorm = common_argument(owner, "clipnorm", common.get("clipnorm"))
    clipvalue = common_argument(owner, "clipvalue", common.get("clipvalue"))
    if "decay" in common:
        values["decay"] = common_argument(owner, "decay", common["decay"])
    if "weight_decay" in common:  # None disables it: the step program reads 0
        values["weight_decay"] = common_argument(owner, "weight_decay", common["weight_decay"])
        values["weight_decay"] = values["weight_decay"] or 0.0
    flags.update(derived_flag_values(host.DERIVED_FLAGS, values))

    def kernel_of(rank):
        """A leaf's kernel: its rank flags' variant (the only one without rank flags)."""
        chosen = {**flags, **{f.name: bool(f.holds(rank)) for f in host.RANK_FLAGS}}
        return kernels[tuple(chosen[f] for f in host.VARIANT_FLAGS)]

    # the global reductions: every leaf's (a rank flag picks none); each leaf's update and
    # state are its rank's kernel's, and a leaf whose rank keeps no array of a state some
    # other leaf keeps holds a 0-d placeholder there (as Keras 3's Adafactor does)
    kernel = kernel_of(DEFAULT_RANK)
    state_names = kept_state(kernels, host.VARIANT_FLAGS, flags, state_class._fields)
    reads_params = any(  # any rank's kernel of these flags
        k.reads_params
        for key, k in kernels.items()
        if all(v == flags[f] for f, v in zip(host.VARIANT_FLAGS, key) if f in flags)
    )
    scalar_names = tuple(host.scalar_state_init(_numbers_at(values, 0)))

    def init(params):
        leaves, _ = jax.tree_util.tree_flatten(params)
        for index, leaf in enumerate(leaves):
            _check_leaf(owner, "parameter", index, leaf)
        start = _numbers_at(values, 0)
        init_values = host.state_init(start)

        def made(p, name):
            if name in kernel_of(jnp.ndim(p)).state:  # a state of rows or columns: its shape
                shape = state_shape(host.STATE_SHAPES.get(name), jnp.shape(p))
                return jnp.full(shape, init_values[name], _state_dtype(p))
            return jnp.zeros([], _state_dtype(p))

        arrays = {
            name: jax.tree_util.tree_map(lambda p, name=name: made(p, name), params)
            for name in state_names
        }
        dtype = _compute_dtype(leaves)
        scalars = {
            name: jnp.asarray(value, dtype) for name, value in host.scalar_state_init(start).items()
        }
        return state_class(count=jnp.zeros([], jnp.int32), **arrays, **scalars)

    def update(updates, state, params=None):
        _check_state(owner, state, state_class, scalar_names)
        for name in state_class._fields:  # a state these flags do not keep: another variant's
            if (
                name not in ("count", *state_names, *scalar_names)
                and getattr(state, name) is not None
            ):
                raise ValueError(
                    f"{owner}: state.{name} is set, and these flags ({flags}) keep none: the "
                    "state of another flag combination; pass the state this optimizer's init() made"
                )
        grads, treedef = jax.tree_util.tree_flatten(updates)
        for index, leaf in enumerate(grads):
            _check_leaf(owner, "gradient", index, leaf)
        if params is None:
            if reads_params or values.get("weight_decay"):
                raise ValueError(
                    f"{owner}: update(updates, state, params) needs params: this update rule "
                    "reads the parameters" + (" (weight_decay)" if not reads_params else "")
                )
            param_leaves = [None] * len(grads)
        else:
            param_leaves = _leaves_like(owner, "params", params, treedef)
            for index, (p, g) in enumerate(zip(param_leaves, grads)):
                _check_leaf(owner, "parameter", index, p)  # as init() checks them
                if jnp.shape(p) != jnp.shape(g):
                    raise ValueError(
                        f"{owner}: gradient {index} has shape {jnp.shape(g)}, its parameter "
                        f"{jnp.shape(p)}"
                    )
        state_leaves = {
            name: _leaves_like(owner, f"state.{name}", getattr(state, name), treedef)
            for name in state_names
        }
        owns = [kernel_of(jnp.ndim(g)) for g in grads]  # each leaf's rank's
        for name, leaves in state_leaves.items():  # shapes and dtypes, as init() made them
            for index, (g, array) in enumerate(zip(grads, leaves)):
                _check_leaf(owner, f"state.{name} leaf", index, array)
                own = name in owns[index].state
                shape = state_shape(host.STATE_SHAPES.get(name), jnp.shape(g)) if own else ()
                if jnp.shape(array) != shape or jnp.dtype(
                    array.dtype
                ) != jax.dtypes.canonicalize_dtype(_state_dtype(g)):
                    kept = "" if shape else f" (its rank keeps no {name!r}: a 0-d placeholder)"
                    raise ValueError(
                        f"{owner}: gradient {index} is {jnp.dtype(g.dtype)} {jnp.shape(g)}, its "
                        f"state {name!r} {jnp.dtype(array.dtype)} {jnp.shape(array)}, expected "
                        f"{shape}{kept}: pass the gradients of the parameters init() was given"
                    )
        dtype = _compute_dtype(grads)
        count = state.count
        # count + 1 in the count's integer type, then one rounding to the step's dtype; at
        # that type's largest value (safe_int32_increment's count stays there) the count
        # itself: count + 1 wrapped, and every update was NaN
        count = jnp.asarray(count)
        t = jnp.where(count < jnp.iinfo(count.dtype).max, count + 1, count).astype(dtype)
        hyper = {}
        for name, value in values.items():
            if callable(value):
                value = value(count)
                if jnp.shape(value) != ():
                    raise ValueError(
                        f"{owner}: the {name} schedule returned shape {jnp.shape(value)}; a "
                        "schedule returns one number per step"
                    )
            hyper[name] = jnp.asarray(value, dtype)
        work = [g.astype(_state_dtype(g)) for g in grads]
        if clipnorm:
            total = sum(jnp.sum(jnp.square(g.astype(dtype))) for g in work)
            scale = clip_scale(jnp.asarray(clipnorm, dtype), jnp.sqrt(total))
            work = [g * scale.astype(g.dtype) for g in work]
        if clipvalue:
            work = [clip_value(g, clipvalue) for g in work]
        p_work = [None if p is None else p.astype(_state_dtype(p)) for p in param_leaves]

        def leaf_state(index, names=kernel.state):
            return [state_leaves[name][index] for name in names]

        reductions = {}
        scalar_state = {name: getattr(state, name) for name in scalar_names}
        if kernel.partials is not None:
            # a reduction over the update's values reads scalar state, as before the step
            before = {**hyper, **scalar_state}
            parts = [
                kernel.partials(p, g, leaf_state(i), before, t)
                for i, (p, g) in enumerate(zip(p_work, work))
            ]
            for index, (name, op) in enumerate(zip(kernel.global_names, kernel.global_ops)):
                column = [jnp.asarray(part[index], dtype) for part in parts]
                if op == "max":
                    reductions[name] = jnp.max(jnp.stack(column)) if column else -math.inf
                else:
                    reductions[name] = sum(column) if column else jnp.zeros([], dtype)
        _, new_scalar_state = kernel.step(hyper, scalar_state, reductions, t)
        scalars_of = {}  # each leaf kernel's step program values (one scalar state for all)
        new_updates, new_state = [], {name: [] for name in state_names}
        for index, (p, g) in enumerate(zip(p_work, work)):
            own = owns[index]
            if id(own) not in scalars_of:
                scalars_of[id(own)] = own.step(hyper, scalar_state, reductions, t)[0]
            leaf_scalars = tuple(jnp.asarray(s, g.dtype) for s in scalars_of[id(own)])
            change, arrays = own.update(p, g, leaf_state(index, own.state), leaf_scalars)
            new_updates.append(change.astype(grads[index].dtype))
            new = dict(zip(own.state, arrays))
            for name in state_names:  # a placeholder stays as it is
                kept = new[name].astype(g.dtype) if name in new else state_leaves[name][index]
                new_state[name].append(kept)
        rebuilt = {
            name: jax.tree_util.tree_unflatten(treedef, leaves)
            for name, leaves in new_state.items()
        }
        scalars_out = {name: jnp.asarray(value, dtype) for name, value in new_scalar_state.items()}
        return jax.tree_util.tree_unflatten(treedef, new_updates), state._replace(
            count=optax.safe_int32_increment(count), **rebuilt, **scalars_out
        )

    return optax.GradientTransformation(init, update)


def _numbers_at(values, count):
    """The hyperparameters at a step count, a schedule called with it as optax calls
    schedules, an int32 array (initial values may use them)."""
    count = jnp.asarray(count, jnp.int32)
    return {k: (v(count) if callable(v) else v) for k, v in values.items()}


def _check_state(owner, state, state_class, scalar_names):
    """The state init() made: its class, an integer step count, scalar state of one number
    (static checks: they hold under jit)."""
    if not isinstance(state, state_class):
        raise TypeError(
            f"{owner}: the state must be the {state_class.__name__} that init() returns, not "
            f"{type(state).__name__}"
        )
    count = state.count
    if jnp.shape(count) != () or not jnp.issubdtype(jnp.result_type(count), jnp.integer):
        raise ValueError(
            f"{owner}: state.count must be one integer (the completed steps), not "
            f"{jnp.result_type(count)} {jnp.shape(count)}"
        )
    for name in scalar_names:
        value = getattr(state, name)
        if (
            value is None
            or jnp.shape(value) != ()
            or not jnp.issubdtype(jnp.result_type(value), jnp.floating)
        ):
            raise ValueError(f"{owner}: state.{name} must be one floating-point number")


def _check_leaf(owner, what, index, leaf):
    dtype = getattr(leaf, "dtype", None)
    if dtype is None or not jnp.issubdtype(dtype, jnp.floating):
        shown = dtype if dtype is not None else type(leaf).__name__
        raise TypeError(f"{owner}: {what} {index} must be a floating-point array, not {shown}")


def _leaves_like(owner, what, tree, treedef):
    leaves, other = jax.tree_util.tree_flatten(tree)
    if other != treedef:
        raise ValueError(
            f"{owner}: {what} has the structure {other}, the updates {treedef}: pass the "
            "pytrees init() was given"
        )
    return leaves


def _state_dtype(array):
    """float64 stays float64; float32, bfloat16 and float16 keep float32 state and arithmetic."""
    return jnp.float64 if jnp.dtype(array.dtype) == jnp.float64 else jnp.float32


def _compute_dtype(leaves):
    """Per-step values (``1 - beta_2``, bias corrections) in float64 wherever JAX has it
    (jax_enable_x64), as the other backends compute them, then cast to each leaf's dtype; in
    float32 otherwise, as Keras 2.3 computed them in floatx (``1 - beta_2**t`` then loses
    about 1e-5 of its value to cancellation at the first steps)."""
    return jnp.float64 if jax.config.jax_enable_x64 else jnp.float32
