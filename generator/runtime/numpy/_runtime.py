"""What every generated NumPy optimizer shares: argument checks, per-parameter state,
scratch buffers, Keras 2.3's clipnorm/clipvalue, and the step loop.

The per-spec modules beside this one supply the printed equations (``Kernel``s).
"""

import math
from typing import Callable, NamedTuple

import numpy as np

from ._keras import clip_scale, clip_value
from .._shared import CHECKPOINT_FORMAT, SpecAttributes, check_checkpoint, flag, real

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# NumPy cannot fuse, so each ufunc is a pass over its arrays. Over blocks this small (512 KB of
# float32 per array) a block's arrays stay in the CPU cache between passes, and main memory sees
# about one read and one write of each array per step. Measured on Adam, 16M float32: 68 ms
# whole, 56 ms in blocks of 8K elements (call overhead), 35 ms in blocks of 128K.
BLOCK = 131072


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


class Optimizer(SpecAttributes):
    """Base class of the generated NumPy optimizers (Keras 2.3 semantics)."""

    state_init: Callable = staticmethod(lambda h: {})
    scalar_state_init: Callable = staticmethod(lambda h: {})

    def __init__(self, hyper: dict, flags: dict, **common):
        name = type(self).__name__
        values = {}
        for hp in self.hyperparameters:
            values[hp.name] = real(name, hp.name, hyper[hp.name], hp.domain, hp.check)
        for f in self.flags:
            flags[f] = flag(name, f, flags[f])
        for key in ("clipnorm", "clipvalue"):
            value = common.get(key)
            if value is not None:
                value = real(name, key, value, "None or >= 0", lambda x: x >= 0)
            values[key] = value
        if "decay" in self.common:
            values["decay"] = real(
                name, "decay", common.get("decay", 0.0), ">= 0", lambda x: x >= 0
            )
        self.fused = flag(name, "fused", common.get("fused", False))
        if self.fused and self.native_module is None:
            raise ValueError(
                f"{name}: fused=True needs generated C kernels, which specs with reductions do not have"
            )
        self._hyper = values
        self._flags = {f: flags[f] for f in self.flags}
        self._kernel = self.kernels[tuple(self._flags[f] for f in self.flags)]
        self.iterations = 0  # completed steps; equations see t = iterations + 1
        self._scalar_state = dict(self.scalar_state_init(values))
        self._slots = {}  # id(param) -> (param, {state name: array})
        self._scratch = {}  # dtype -> list of flat buffers

    # ------------------------------------------------------------------ public API

    def apply_gradients(self, grads_and_vars):
        """Update each parameter in place from its gradient, as one optimizer step.

        Every pair is checked before anything changes; a bad pair raises and leaves the
        parameters, the state and the step count as they were.
        """
        pairs = [self._check_pair(i, pair) for i, pair in enumerate(grads_and_vars)]
        seen = set()
        for _, p in pairs:
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: the same parameter appears twice")
            seen.add(id(p))
        t = self.iterations + 1
        h = self._hyper
        kernel = self._kernel
        native = self._native_update() if self.fused else None  # builds now: no failure later
        scale = self._clip_scale([g for g, _ in pairs])
        slots = [self._slot(p) for _, p in pairs]

        reductions = {}
        if kernel.partials is not None:
            parts = []
            for (g, p), state in zip(pairs, slots):
                scratch = self._buffers(p, kernel.scratch + 1)
                parts.append(
                    kernel.partials(p, self._prepare(g, scale, scratch[-1]), state, h, t, scratch)
                )
            for index, (rname, op) in enumerate(zip(kernel.global_names, kernel.global_ops)):
                column = [part[index] for part in parts]
                reductions[rname] = (max if op == "max" else math.fsum)(column) if column else 0.0

        scalars, scalar_state = kernel.step(h, self._scalar_state, reductions, t)
        if self.fused:
            self._apply_fused(native, pairs, slots, scalars, scale)
        else:
            for (g, p), state in zip(pairs, slots):
                if (
                    kernel.elementwise
                    and p.size > BLOCK
                    and p.flags.c_contiguous
                    and g.flags.c_contiguous
                ):
                    self._apply_blocked(p, g, state, scalars, scale)
                    continue
                scratch = self._buffers(p, kernel.scratch + 1)
                kernel.apply(p, self._prepare(g, scale, scratch[-1]), state, scalars, scratch)
        self._scalar_state = scalar_state
        self.iterations = t

    def get_config(self) -> dict:
        config = {hp.name: self._hyper[hp.name] for hp in self.hyperparameters}
        config.update(self._flags)
        config["clipnorm"] = self._hyper["clipnorm"]
        config["clipvalue"] = self._hyper["clipvalue"]
        if "decay" in self.common:
            config["decay"] = self._hyper["decay"]
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def state_of(self, param) -> dict:
        """The state arrays of ``param`` (empty before its first step)."""
        slot = self._slots.get(id(param))
        if slot is None or slot[0] is not param:
            return {}
        return dict(zip(self._kernel.state, slot[1]))

    @property
    def scalar_state(self) -> dict:
        return dict(self._scalar_state)

    def export_state(self, params) -> dict:
        """This optimizer's state for ``params`` (a list), in the format every backend reads."""
        state = {}
        for index, p in enumerate(params):
            arrays = self.state_of(p)
            if arrays:
                state[index] = {name: array.copy() for name, array in arrays.items()}
        return {
            "format": CHECKPOINT_FORMAT,
            "optimizer": self.keras_name,
            "flags": dict(self._flags),
            "step": self.iterations,
            "scalar_state": dict(self._scalar_state),
            "state": state,
        }

    def import_state(self, checkpoint: dict, params) -> None:
        """Continue from ``export_state`` of any backend (arrays may be torch CPU tensors).
        Everything is checked and converted first: a refused checkpoint changes nothing."""
        name = type(self).__name__
        params = list(params)
        for index, p in enumerate(params):
            if not isinstance(p, np.ndarray) or p.dtype not in SUPPORTED_DTYPES:
                raise TypeError(
                    f"{name}: parameter {index} must be a float32 or float64 numpy.ndarray"
                )
        step, scalar_state, arrays = check_checkpoint(
            name,
            self.keras_name,
            self._flags,
            checkpoint,
            self._kernel.state,
            self.scalar_state_init(self._hyper),
            [p.shape for p in params],
        )
        slots = {}
        for index, by_name in arrays.items():
            p = params[index]
            if id(p) in slots:
                raise ValueError(f"{name}: parameter {index} appears twice in params")
            slots[id(p)] = (
                p,
                [
                    _host_array(name, by_name[s]).astype(p.dtype, copy=True)
                    for s in self._kernel.state
                ],
            )
        self._slots = slots
        self.iterations = step
        self._scalar_state = scalar_state

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ internals

    def _check_pair(self, index, pair):
        name = type(self).__name__
        try:
            g, p = pair
        except (TypeError, ValueError):
            raise TypeError(f"{name}: item {index} must be a (gradient, parameter) pair") from None
        for what, array in (("parameter", p), ("gradient", g)):
            if not isinstance(array, np.ndarray):
                raise TypeError(
                    f"{name}: {what} {index} must be a numpy.ndarray, not {type(array).__name__}"
                )
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
        slot = self._slots.get(id(p))
        if slot is not None and slot[0] is p:
            for state_name, array in zip(self._kernel.state, slot[1]):
                if array.dtype != p.dtype or array.shape != p.shape:
                    raise ValueError(
                        f"{name}: parameter {index} is {p.dtype} {p.shape}, its state {state_name!r} "
                        f"{array.dtype} {array.shape}: it changed since its state was created"
                    )
        return g, p

    def _slot(self, p):
        slot = self._slots.get(id(p))
        if slot is None or slot[0] is not p:
            init = self.state_init(self._hyper)
            arrays = [np.full(p.shape, init[s], dtype=p.dtype) for s in self._kernel.state]
            slot = (p, arrays)
            self._slots[id(p)] = slot
        return slot[1]

    def _buffers(self, p, count):
        """``count`` scratch arrays shaped like ``p``, views of reusable flat buffers."""
        return [b.reshape(p.shape) for b in self._flat_buffers(p.dtype, p.size, count)]

    def _flat_buffers(self, dtype, size, count):
        """``count`` flat scratch arrays of ``size`` elements, views of reusable buffers."""
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

    def _apply_blocked(self, p, g, state, scalars, scale):
        """The same ufuncs over BLOCK elements at a time (contiguous arrays, no reductions)."""
        flat_p, flat_g = p.reshape(-1), g.reshape(-1)
        flat_state = [s.reshape(-1) for s in state]
        buffers = self._flat_buffers(p.dtype, BLOCK, self._kernel.scratch + 1)
        for start in range(0, p.size, BLOCK):
            stop = min(start + BLOCK, p.size)
            scratch = [b[: stop - start] for b in buffers]
            grad = self._prepare(flat_g[start:stop], scale, scratch[-1])
            self._kernel.apply(
                flat_p[start:stop], grad, [s[start:stop] for s in flat_state], scalars, scratch
            )

    def _native_update(self):
        """The fused update of each dtype, from the C library (built on first use)."""
        from .. import _native

        library = _native.library(self.native_module, "cpu")
        return {
            suffix: _native.update_function(library, self._kernel.native, suffix, "cpu")
            for suffix in ("f32", "f64")
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


def _host_array(owner, value) -> np.ndarray:
    """A NumPy array of a checkpoint's array or CPU tensor."""
    if not isinstance(value, np.ndarray):
        device = getattr(value, "device", None)
        if device is not None and getattr(device, "type", "cpu") != "cpu":
            raise TypeError(
                f"{owner}: checkpoint arrays must be NumPy arrays or CPU tensors, not on {device}"
            )
        value = value.detach() if hasattr(value, "detach") else value
    return np.asarray(value)
