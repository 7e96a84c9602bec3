"""What every generated PyTorch optimizer shares: argument checks, param groups, Keras 2.3's
clipnorm/clipvalue over all gradients of the step, low-precision parameters, state, and the
per-tensor and multi-tensor (``torch._foreach_*``) paths.

Per param group: ``lr`` (the spec's ``learning_rate``, so every ``torch.optim.lr_scheduler``
works), the spec's other hyperparameters and flags, ``decay``, ``maximize``, ``foreach``, and
the group's step count ``iterations`` and ``scalar_state`` (Keras keeps one step count per
optimizer; a group is as close as torch comes). Per parameter: the spec's state tensors,
in float32 for float16 and bfloat16 parameters, whose arithmetic is float32 too.
"""

import collections
import copy
import math
from typing import Callable, NamedTuple

import torch

from ._keras import clip_scale, clip_value
from .._shared import CHECKPOINT_FORMAT, MAX_STEP, SpecAttributes, check_checkpoint, flag, real

SUPPORTED_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
LOW_PRECISION = (torch.float16, torch.bfloat16)


class Kernel(NamedTuple):
    state: tuple
    step: Callable  # (hyper, scalar_state, global_reductions, t) -> (scalars, new scalar state)
    apply: Callable  # (p, g, state tensors, scalars) -> None, one tensor, in place
    apply_foreach: Callable | None  # (ps, gs, state lists, scalars) -> None; None: loop only
    partials: Callable | None
    global_ops: tuple
    global_names: tuple
    native: str | None  # C name stem of the fused C/CUDA kernels, or None


class Optimizer(torch.optim.Optimizer, SpecAttributes):
    """Base class of the generated PyTorch optimizers (Keras 2.3 semantics)."""

    # "shim" runs the CUDA launchers on CPU tensors through the CPU shim (tests without a GPU)
    _native_target_for_cpu = "cpu"
    state_init: Callable = staticmethod(lambda h: {})
    scalar_state_init: Callable = staticmethod(lambda h: {})

    def __init__(
        self,
        params,
        hyper: dict,
        flags: dict,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        maximize=False,
        foreach=None,
        fused=None,
    ):
        name = type(self).__name__
        fused = bool(flag(name, "fused", fused)) if fused is not None else False
        if fused and self.native_module is None:
            raise ValueError(
                f"{name}: fused=True needs generated C/CUDA kernels, which specs with reductions do not have"
            )
        if fused and foreach:
            raise ValueError(f"{name}: fused=True and foreach=True cannot be used together")
        defaults = {}
        for hp in self.hyperparameters:
            defaults[_key(hp.name)] = _real(
                name, _key(hp.name), hyper[hp.name], hp.domain, hp.check
            )
        for f in self.flags:
            defaults[f] = flag(name, f, flags[f])
        if "decay" in self.common:
            defaults["decay"] = _real(name, "decay", decay, ">= 0", lambda x: x >= 0)
        defaults["maximize"] = flag(name, "maximize", maximize)
        if foreach is not None:
            foreach = flag(name, "foreach", foreach)
        defaults["foreach"] = foreach
        defaults["fused"] = fused
        self.clipnorm = (
            None
            if clipnorm is None
            else _real(name, "clipnorm", clipnorm, "None or >= 0", lambda x: x >= 0)
        )
        self.clipvalue = (
            None
            if clipvalue is None
            else _real(name, "clipvalue", clipvalue, "None or >= 0", lambda x: x >= 0)
        )
        super().__init__(params, defaults)  # checks each group through add_param_group

    def add_param_group(self, param_group):
        """torch.optim's, and every value of the group checked: a refused group is not kept."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        try:
            checked = self._checked_group(group)
        except BaseException:
            self.param_groups.pop()
            raise
        group.update(checked)

    def _checked_group(self, group, with_params=True) -> dict:
        """The values of a param group, each checked (numbers and one-element tensors in their
        domains, flags True or False, the step count an integer >= 0, the scalar state by
        name); raises naming the first bad one and changes nothing."""
        name = type(self).__name__
        out = {}
        for hp in self.hyperparameters:
            key = _key(hp.name)
            value = _real(name, key, group.get(key), hp.domain, hp.check)
            out[key] = group[key] if isinstance(group[key], torch.Tensor) else value
        for f in self.flags:
            out[f] = flag(name, f, group.get(f))
        if "decay" in self.common:
            out["decay"] = _real(name, "decay", group.get("decay"), ">= 0", lambda x: x >= 0)
        out["maximize"] = flag(name, "maximize", group.get("maximize"))
        out["foreach"] = (
            None if group.get("foreach") is None else flag(name, "foreach", group["foreach"])
        )
        out["fused"] = False if group.get("fused") is None else flag(name, "fused", group["fused"])
        if out["fused"] and self.native_module is None:
            raise ValueError(
                f"{name}: fused=True needs generated C/CUDA kernels, which specs with reductions do not have"
            )
        if out["fused"] and out["foreach"]:
            raise ValueError(f"{name}: fused=True and foreach=True cannot be used together")
        if with_params:  # a step checks each tensor it steps (_problem)
            for p in group["params"]:
                if p.dtype not in SUPPORTED_DTYPES:
                    raise TypeError(
                        f"{name}: parameters of dtype {p.dtype} are not supported (float16, bfloat16, float32, float64 are)"
                    )
        iterations = group.get("iterations", 0)
        if (
            isinstance(iterations, bool)
            or not isinstance(iterations, int)
            or not 0 <= iterations <= MAX_STEP
        ):
            raise ValueError(
                f"{name}: a group's iterations must be an integer from 0 to 2**53, not {iterations!r}"
            )
        out["iterations"] = iterations
        expected = self.scalar_state_init(self._hyper(out))
        scalar_state = group.get("scalar_state", expected)
        if not isinstance(scalar_state, dict) or set(scalar_state) != set(expected):
            raise ValueError(
                f"{name}: a group's scalar_state must hold {sorted(expected)}, not {scalar_state!r}"
            )
        for key, value in scalar_state.items():
            _real(name, f"scalar_state[{key!r}]", value, "any", lambda x: True)
        out["scalar_state"] = {k: float(v) for k, v in scalar_state.items()}
        return out

    def _hyper(self, values) -> dict:
        """The spec's hyperparameters (and decay) as floats, from checked group values."""
        h = {hp.name: float(values[_key(hp.name)]) for hp in self.hyperparameters}
        h["decay"] = float(values.get("decay", 0.0))
        return h

    def _params(self):
        return [p for group in self.param_groups for p in group["params"]]

    def export_state(self) -> dict:
        """The state in the format every backend reads; parameters are indexed in param-group
        order. Keras has one step count: every group must have taken the same steps."""
        name = type(self).__name__
        groups = self.param_groups
        if any(
            g["iterations"] != groups[0]["iterations"]
            or g["scalar_state"] != groups[0]["scalar_state"]
            for g in groups
        ):
            raise ValueError(
                f"{name}: param groups have taken different steps; export them separately"
            )
        if any(
            tuple(g[f] for f in self.flags) != tuple(groups[0][f] for f in self.flags)
            for g in groups
        ):
            raise ValueError(f"{name}: param groups have different flags; export them separately")
        state = {}
        for index, p in enumerate(self._params()):
            if self.state.get(p):
                state[index] = {k: v.detach().clone() for k, v in self.state[p].items()}
        return {
            "format": CHECKPOINT_FORMAT,
            "optimizer": self.keras_name,
            "flags": {f: groups[0][f] for f in self.flags},
            "step": groups[0]["iterations"],
            "scalar_state": dict(groups[0]["scalar_state"]),
            "state": state,
        }

    def import_state(self, checkpoint: dict) -> None:
        """Continue from ``export_state`` of any backend (arrays may be NumPy arrays).
        Everything is checked and converted first: a refused checkpoint changes nothing."""
        name = type(self).__name__
        params = self._params()
        checked = None
        for group in self.param_groups:
            values = self._checked_group(group)
            flags = {f: values[f] for f in self.flags}
            kernel = self.kernels[tuple(flags.values())]
            checked = check_checkpoint(
                name,
                self.keras_name,
                flags,
                checkpoint,
                kernel.state,
                self.scalar_state_init(self._hyper(values)),
                [tuple(p.shape) for p in params],
            )
        if checked is None:
            return
        step, scalar_state, arrays = checked
        state = {}
        for index, by_name in arrays.items():
            p = params[index]
            state[p] = {
                k: torch.as_tensor(v, device=p.device).detach().to(_work_dtype(p)).clone()
                for k, v in by_name.items()
            }
        for p, values in state.items():
            self.state[p] = values
        for group in self.param_groups:
            group["iterations"] = step
            group["scalar_state"] = dict(scalar_state)

    def load_state_dict(self, state_dict) -> None:
        """torch.optim's ``load_state_dict``, but everything is checked before anything changes
        (groups, their values, state names, shapes and dtypes), and the state of float16 and
        bfloat16 parameters stays float32: torch.optim would cast it to the parameter's dtype,
        and a resumed run would no longer be the same run."""
        name = type(self).__name__
        state_dict = dict(state_dict)
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        saved_groups = state_dict.get("param_groups")
        saved_state = state_dict.get("state")
        if not isinstance(saved_groups, list) or not isinstance(saved_state, dict):
            raise ValueError(
                f"{name}: a state dict holds 'state' (a dict) and 'param_groups' (a list)"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: the state dict has {len(saved_groups)} param groups, this optimizer {len(self.param_groups)}"
            )
        groups, id_map, kernel_of = [], {}, {}
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if (
                not isinstance(saved, dict)
                or not isinstance(saved.get("params"), list)
                or len(saved["params"]) != len(group["params"])
            ):
                raise ValueError(
                    f"{name}: param group {index} of the state dict does not match this optimizer's"
                )
            new_group = copy.deepcopy({k: v for k, v in saved.items() if k != "params"})
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            new_group.update(self._checked_group(new_group))
            kernel = self.kernels[tuple(new_group[f] for f in self.flags)]
            for saved_id, p in zip(saved["params"], group["params"]):
                if saved_id in id_map:
                    raise ValueError(
                        f"{name}: parameter id {saved_id!r} appears twice in the state dict"
                    )
                id_map[saved_id] = p
                kernel_of[saved_id] = kernel
            groups.append(new_group)
        state = collections.defaultdict(dict)
        for saved_id, values in saved_state.items():
            if saved_id not in id_map:
                raise ValueError(
                    f"{name}: the state dict has state for parameter id {saved_id!r}, which no group lists"
                )
            p, names = id_map[saved_id], kernel_of[saved_id].state
            if not isinstance(values, dict) or set(values) != set(names):
                held = sorted(values) if isinstance(values, dict) else type(values).__name__
                raise ValueError(
                    f"{name}: the state of parameter id {saved_id!r} holds {held}, expected {sorted(names)}"
                )
            for key in names:
                value = values[key]
                if (
                    not isinstance(value, torch.Tensor)
                    or not value.is_floating_point()
                    or value.shape != p.shape
                    or value.layout != torch.strided
                ):
                    raise ValueError(
                        f"{name}: state {key!r} of parameter id {saved_id!r} must be a strided floating-point "
                        f"tensor of shape {tuple(p.shape)}, not {_describe(value)}"
                    )
            state[p] = {
                key: values[key].detach().to(device=p.device, dtype=_work_dtype(p), copy=True)
                for key in names
            }
        self.__setstate__({"state": state, "param_groups": groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("fused", False)

    @torch.no_grad()
    def step(self, closure=None):
        """One optimizer step over every parameter that has a gradient. Every group, gradient
        and state is checked (and, with fused=True, the kernels are built) before anything
        changes, so a refused step leaves every group as it was."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        plans = [self._plan(index, group) for index, group in enumerate(self.param_groups)]
        plans = [plan for plan in plans if plan.params]
        all_grads = [p.grad for plan in plans for p in plan.params]
        scale = (
            self._fused_clip_scale(all_grads)
            if self._fused_on_device(plans)
            else self._clip_scale(all_grads)
        )
        for plan in plans:
            if plan.native is not None:
                self._step_fused(plan, scale)
            else:
                self._step_group(plan, scale)
        return loss

    def _plan(self, group_index, group) -> "_Plan":
        """What one group's step will do, with everything it needs checked."""
        values = self._checked_group(group, with_params=False)
        kernel = self.kernels[tuple(values[f] for f in self.flags)]
        h = self._hyper(values)
        params = [p for p in group["params"] if p.grad is not None]
        names, fused, state_of = kernel.state, values["fused"], self.state.get
        for position, p in enumerate(params):
            problem = _problem(p, p.grad, state_of(p), names, fused)
            if problem is not None:
                error, message = problem
                where = f"parameter {position}" + (
                    f" of group {group_index}" if len(self.param_groups) > 1 else ""
                )
                raise error(f"{type(self).__name__}: {message.replace(_WHERE, where)}")
        native = foreach = None
        if values["fused"] and params:
            native = self._plan_fused(kernel, params)
        elif params:
            foreach = self._use_foreach(values, kernel, params)
        return _Plan(
            group, params, kernel, h, values["iterations"] + 1, values["maximize"], foreach, native
        )

    def _clip_scale(self, grads) -> float:
        if not self.clipnorm or not grads:  # None or 0 disables it, as in Keras 2.3
            return 1.0
        by_device = {}
        for g in grads:
            by_device.setdefault((g.device, g.dtype), []).append(g)
        total = 0.0
        for group in by_device.values():
            norms = torch._foreach_norm(
                [g.float() if g.dtype in LOW_PRECISION else g for g in group]
            )
            total += float(torch.linalg.vector_norm(torch.stack(norms).double())) ** 2
        norm = math.sqrt(total)
        return clip_scale(self.clipnorm, norm)

    def _step_group(self, plan, scale):
        kernel, h, t, group = plan.kernel, plan.h, plan.t, plan.group
        init = self.state_init(h)
        grads, states, originals = [], [], []
        for p in plan.params:
            g = p.grad
            if plan.maximize:
                g = -g
            work_dtype = _work_dtype(p)
            if g.dtype != work_dtype:
                g = g.to(work_dtype)
            if scale != 1.0:
                g = g * scale
            if self.clipvalue:
                g = clip_value(g, self.clipvalue, torch.empty_like(g))
            state = self.state[p]
            if not state:
                for s in kernel.state:
                    state[s] = torch.full_like(
                        p, init[s], dtype=work_dtype, memory_format=torch.preserve_format
                    )
            grads.append(g)
            states.append([state[s] for s in kernel.state])
            originals.append(p)
        work = [p.float() if p.dtype in LOW_PRECISION else p for p in originals]

        reductions = {}
        if kernel.partials is not None:
            parts = [kernel.partials(p, g, st, h, t) for p, g, st in zip(work, grads, states)]
            for i, (rname, op) in enumerate(zip(kernel.global_names, kernel.global_ops)):
                column = [part[i] for part in parts]
                reductions[rname] = max(column) if op == "max" else math.fsum(column)
        scalars, scalar_state = _host(kernel.step)(h, group["scalar_state"], reductions, t)

        if plan.foreach:
            lists = [list(column) for column in zip(*states)] if kernel.state else []
            kernel.apply_foreach(work, grads, lists, scalars)
        else:
            for p, g, st in zip(work, grads, states):
                kernel.apply(p, g, st, scalars)
        for p, w in zip(originals, work):
            if w is not p:
                p.copy_(w)
        group["iterations"] = t
        group["scalar_state"] = scalar_state

    def _use_foreach(self, values, kernel, params) -> bool:
        if kernel.apply_foreach is None or values["foreach"] is False:
            return False
        devices = {(p.device, _work_dtype(p)) for p in params}
        if values["foreach"] is None:
            return len(devices) == 1 and not torch.jit.is_scripting()
        if len(devices) != 1:
            raise RuntimeError(
                f"{type(self).__name__}: foreach=True needs every tensor of a group on one device and dtype"
            )
        return True

    # ------------------------------------------------------------ fused: generated C/CUDA

    def _target(self, device) -> str:
        if device.type == "cuda":
            return "cuda"
        if device.type == "cpu":
            return self._native_target_for_cpu
        raise RuntimeError(
            f"{type(self).__name__}: fused=True runs on CPU and CUDA tensors, not {device.type}"
        )

    def _plan_fused(self, kernel, params) -> dict:
        """Per (device, dtype): the update function of the generated library (built now, so
        that no group is stepped before a failing build) and its parameters (each checked by
        _problem: plain strided tensors, state and gradient shaped like the parameter)."""
        from .. import _native

        buckets = {}
        for p in params:
            buckets.setdefault((p.device, p.dtype), []).append(p)
        out = {}
        for (device, dtype), bucket in buckets.items():
            target = self._target(device)
            low_on_cpu = target == "cpu" and dtype in LOW_PRECISION  # the CPU library is f32/f64
            suffix = "f32" if low_on_cpu else _DTYPE_SUFFIX[dtype]
            library = _native.library(self.native_module, target, _arch(device))
            update = _native.update_function(library, kernel.native, suffix, target)
            out[(device, dtype)] = (target, suffix, low_on_cpu, update, bucket)
        return out

    def _fused_on_device(self, plans) -> bool:
        """clipnorm runs on the device (no host sync) when every gradient of a fused step is on
        one device that runs the CUDA launchers."""
        if not self.clipnorm or not plans or not all(plan.native is not None for plan in plans):
            return False
        devices = {p.grad.device for plan in plans for p in plan.params}
        return len(devices) == 1 and self._target(next(iter(devices))) != "cpu"

    def _fused_clip_scale(self, grads):
        """Keras 2.3's global norm with ocg_sumsq_* and ocg_clip_scale: a one-element float64
        tensor on the gradients' device, which the update kernels read."""
        from .. import _native

        device = grads[0].device
        target = self._target(device)
        library = _native.library(self.native_module, target, _arch(device))
        by_dtype = {}
        for g in grads:
            by_dtype.setdefault(g.dtype, []).append(g.contiguous())
        partials = torch.zeros(
            _native.MAX_BLOCKS * len(by_dtype), dtype=torch.float64, device=device
        )
        offset, keep = 0, []
        for dtype, group in by_dtype.items():
            table, n_chunks = _native.table(
                [g.data_ptr() for g in group], [g.numel() for g in group]
            )
            if n_chunks == 0:
                continue
            on_device = torch.frombuffer(table, dtype=torch.int64).to(device)
            keep.append((group, on_device))
            blocks = min(n_chunks, _native.MAX_BLOCKS)
            sumsq = _native.sumsq_function(library, _DTYPE_SUFFIX[dtype])
            tensors = _native.tensor_list(on_device.data_ptr(), len(group), 1, n_chunks)
            _native.check(
                sumsq(tensors, partials.data_ptr() + 8 * offset, blocks, _stream(device)),
                "ocg_sumsq",
            )
            offset += blocks
        scale = torch.ones(1, dtype=torch.float64, device=device)
        clip_scale = _native.clip_scale_function(library)
        _native.check(
            clip_scale(
                partials.data_ptr(),
                max(offset, 1),
                self.clipnorm,
                scale.data_ptr(),
                _stream(device),
            ),
            "ocg_clip_scale",
        )
        return scale

    def _step_fused(self, plan, scale):
        """One launch (CUDA) or call (CPU) of the generated kernels per device and dtype."""
        from .. import _native

        kernel, h, t, group = plan.kernel, plan.h, plan.t, plan.group
        init = self.state_init(h)
        scalars, scalar_state = _host(kernel.step)(h, group["scalar_state"], {}, t)
        factor = -1.0 if plan.maximize else 1.0
        clipvalue = float(self.clipvalue or 0.0)
        names = kernel.state
        width = 2 + len(names)
        for (device, dtype), (target, suffix, low_on_cpu, update, bucket) in plan.native.items():
            # one row of pointers per tensor: p, g, state; kept lean, it runs for every tensor
            pointers, numels, copies, keep = [], [], [], []
            for p in bucket:
                state = self.state[p]
                if not state:
                    for s in names:
                        state[s] = torch.full_like(
                            p, init[s], dtype=_work_dtype(p), memory_format=torch.contiguous_format
                        )
                for role, tensor in enumerate((p, p.grad, *[state[s] for s in names])):
                    work = tensor.float() if low_on_cpu and role < 2 else tensor
                    if not work.is_contiguous():
                        work = work.contiguous()
                    if work is not tensor:
                        keep.append(work)
                        if role != 1:  # the gradient is only read
                            copies.append((tensor, work))
                    pointers.append(work.data_ptr())
                numels.append(p.numel())
            table, n_chunks = _native.table(pointers, numels)
            if target == "cpu":
                tensors = _native.tensor_list(_native.address(table), len(numels), width, n_chunks)
                grad_scale = (
                    float(scale) if not isinstance(scale, torch.Tensor) else float(scale.item())
                )
                update(tensors, _native.doubles(scalars), None, factor * grad_scale, clipvalue)
            else:
                on_device = torch.frombuffer(table, dtype=torch.int64).to(device)
                values = torch.tensor(scalars, dtype=torch.float64).to(device)
                if not isinstance(scale, torch.Tensor):
                    scale = torch.tensor([scale], dtype=torch.float64).to(device)
                tensors = _native.tensor_list(on_device.data_ptr(), len(numels), width, n_chunks)
                code = update(
                    tensors, values.data_ptr(), scale.data_ptr(), factor, clipvalue, _stream(device)
                )
                # The launch runs later on the stream; freeing these tensors is safe because
                # the caching allocator reuses their memory only for work ordered after it.
                _native.check(code, f"{kernel.native}_{suffix}")
            for tensor, work in copies:
                tensor.copy_(work)
        group["iterations"] = t
        group["scalar_state"] = scalar_state


class _Plan(NamedTuple):
    """One group's step, checked: see Optimizer._plan."""

    group: dict
    params: list
    kernel: Kernel
    h: dict
    t: int
    maximize: bool
    foreach: bool | None  # the multi-tensor path (None when fused)
    native: dict | None  # fused: {(device, dtype): (target, suffix, low_on_cpu, update, params)}


_PLAIN = (torch.Tensor, torch.nn.Parameter)


def _problem(p, g, state, names, plain):
    """What stops ``p`` from being stepped, as (exception type, message with _WHERE where the
    parameter's place goes), or None. Checked for every tensor of every step, before anything
    changes: the gradient and the state (if any) have the parameter's shape, device and
    (working) dtype; nothing is sparse; no element of the parameter or its state shares memory
    with another (an expanded tensor cannot be updated in place); and with ``plain`` (fused:
    the kernels get raw pointers) every tensor is a plain strided tensor within its storage.
    Messages are built only on failure: this runs at about 2 us per tensor."""
    shape, dtype, device = p.shape, p.dtype, p.device
    if g.layout is not _STRIDED:
        return RuntimeError, f"sparse gradients are not supported ({_WHERE})"
    if dtype not in _SUPPORTED or g.dtype is not dtype:
        if torch.is_complex(p) or torch.is_complex(g):
            return RuntimeError, f"complex parameters or gradients are not supported ({_WHERE})"
        if dtype not in _SUPPORTED:
            return (
                TypeError,
                f"{_WHERE} has dtype {dtype} (float16, bfloat16, float32, float64 are supported)",
            )
        return (
            RuntimeError,
            f"a gradient of dtype {g.dtype} for a parameter of dtype {dtype} ({_WHERE})",
        )
    if g.shape != shape or g.device != device:
        return RuntimeError, f"a gradient {_describe(g)} for a parameter {_describe(p)} ({_WHERE})"
    tensors = [(_WHERE, p)]
    if state:
        if len(state) != len(names) or any(key not in state for key in names):
            return (
                RuntimeError,
                f"the state of {_WHERE} holds {sorted(state)}, this step needs {sorted(names)}",
            )
        work = torch.float32 if dtype in LOW_PRECISION else dtype
        for key in names:
            value = state[key]
            if (
                not isinstance(value, torch.Tensor)
                or value.dtype is not work
                or value.shape != shape
                or value.device != device
            ):
                return RuntimeError, (
                    f"state {key!r} of {_WHERE} is {_describe(value)}; the parameter needs {work} of "
                    f"shape {tuple(shape)} on {device} (was the parameter changed through .data, or "
                    "the state loaded for another model?)"
                )
            tensors.append((f"state {key!r} of {_WHERE}", value))
    for role, tensor in tensors:
        if tensor.layout is not _STRIDED or (not tensor.is_contiguous() and _overlaps(tensor)):
            return RuntimeError, (
                f"{role} has elements that share memory (an expanded tensor?) or is not strided: "
                "it cannot be updated in place"
            )
    if plain:
        for role, tensor in (*tensors, (f"the gradient of {_WHERE}", g)):
            if type(tensor) not in _PLAIN:
                return TypeError, (
                    "fused=True passes raw pointers to C/CUDA kernels and takes plain tensors; "
                    f"{role} is a {type(tensor).__name__}; use foreach or the loop"
                )
            if not _in_storage(tensor):
                return RuntimeError, f"{role} reaches past the end of its storage"
    return None


def _overlaps(t) -> bool:
    """Some elements of ``t`` share memory (an expanded tensor): it cannot be written in place.
    torch answers yes (1), no (0) or too hard to tell (2, strided views such as p[:, ::2],
    whose in-place operations torch checks itself)."""
    return torch._debug_has_internal_overlap(t) == 1


def _in_storage(t) -> bool:
    """Every element of ``t`` lies within its storage (a storage resized under a tensor, say
    by ``untyped_storage().resize_``, would hand a kernel memory that is not there)."""
    numel = t.numel()
    if numel == 0:
        return True
    if t.is_contiguous():  # the usual case, and the cheap one
        end = t.storage_offset() + numel
    else:
        end = (
            t.storage_offset()
            + 1
            + sum((size - 1) * stride for size, stride in zip(t.shape, t.stride()))
        )
    return end * t.element_size() <= t.untyped_storage().nbytes()


_STRIDED = torch.strided
_SUPPORTED = frozenset(SUPPORTED_DTYPES)
_WHERE = "<where>"  # replaced by the parameter's place in Optimizer._plan, only on failure


def _key(name: str) -> str:
    """The param-group key of a spec hyperparameter: learning_rate is torch's lr."""
    return "lr" if name == "learning_rate" else name


def _work_dtype(p) -> torch.dtype:
    """State and arithmetic dtype: float32 for float16 and bfloat16 parameters."""
    return torch.float32 if p.dtype in LOW_PRECISION else p.dtype


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        layout = "" if value.layout == torch.strided else f" ({value.layout})"
        return f"{value.dtype} of shape {tuple(value.shape)} on {value.device}{layout}"
    return f"a {type(value).__name__}"


_DTYPE_SUFFIX = {
    torch.float32: "f32",
    torch.float64: "f64",
    torch.float16: "f16",
    torch.bfloat16: "bf16",
}


def _arch(device) -> str | None:
    if device.type != "cuda":
        return None
    major, minor = torch.cuda.get_device_capability(device)
    return f"{major}{minor}"


def _stream(device):
    return torch.cuda.current_stream(device).cuda_stream if device.type == "cuda" else None


def _host(function):
    """Per-step scalars are Python floats computed on the host: torch.compile runs them as
    plain Python rather than tracing them (traced, Nadam's scalar state went stale)."""
    disable = getattr(getattr(torch, "_dynamo", None), "disable", None)
    return disable(function) if disable is not None else function


def _real(owner, name, value, domain, check):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    return real(owner, name, value, domain, check)
