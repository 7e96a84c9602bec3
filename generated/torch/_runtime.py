# generated from specs/*.yaml by templates/torch/_runtime.py.j2 — do not edit
"""What every generated PyTorch optimizer shares: argument checks, param groups, Keras 2.3's
clipnorm/clipvalue over all gradients of the step, low-precision parameters, state, and the
per-tensor and multi-tensor (``torch._foreach_*``) paths.

Per param group: ``lr`` (the spec's ``learning_rate``, so every ``torch.optim.lr_scheduler``
works), the spec's other hyperparameters and flags, ``decay``, ``maximize``, ``foreach``, and
the group's step count ``iterations`` and ``scalar_state`` (Keras keeps one step count per
optimizer; a group is as close as torch comes). Per parameter: the spec's state tensors,
in float32 for float16 and bfloat16 parameters, whose arithmetic is float32 too.
"""

import math
from typing import Callable, NamedTuple

import torch

from .._shared import CHECKPOINT_FORMAT, check_checkpoint, flag, real

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


class Optimizer(torch.optim.Optimizer):
    """Base class of the generated PyTorch optimizers (Keras 2.3 semantics)."""

    keras_name: str = ""
    spec: str = ""
    hyperparameters: tuple = ()
    flags: tuple = ()
    common: tuple = ()
    kernels: dict = {}
    native_module: str | None = None
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
            key = "lr" if hp.name == "learning_rate" else hp.name
            defaults[key] = _real(name, key, hyper[hp.name], hp.domain, hp.check)
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
        super().add_param_group(param_group)
        self._check_group(self.param_groups[-1])

    def _check_group(self, group):
        name = type(self).__name__
        for hp in self.hyperparameters:
            key = "lr" if hp.name == "learning_rate" else hp.name
            if not isinstance(group[key], torch.Tensor):
                group[key] = _real(name, key, group[key], hp.domain, hp.check)
        for f in self.flags:
            group[f] = flag(name, f, group[f])
        for p in group["params"]:
            if p.dtype not in SUPPORTED_DTYPES:
                raise TypeError(
                    f"{name}: parameters of dtype {p.dtype} are not supported (float16, bfloat16, float32, float64 are)"
                )
        group.setdefault("iterations", 0)
        group.setdefault("scalar_state", dict(self.scalar_state_init(self._hyper(group))))

    def _hyper(self, group) -> dict:
        h = {}
        for hp in self.hyperparameters:
            value = group["lr" if hp.name == "learning_rate" else hp.name]
            h[hp.name] = float(value)
        h["decay"] = float(group.get("decay", 0.0))
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
            if self.state[p]:
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
        """Continue from ``export_state`` of any backend (arrays may be NumPy arrays)."""
        name = type(self).__name__
        for group in self.param_groups:
            flags = {f: group[f] for f in self.flags}
            kernel_state = self.kernels[tuple(flags.values())].state
            check_checkpoint(name, self.keras_name, flags, checkpoint, kernel_state)
        params = self._params()
        for index, arrays in checkpoint["state"].items():
            p = params[int(index)]
            dtype = torch.float32 if p.dtype in LOW_PRECISION else p.dtype
            values = {
                k: torch.as_tensor(v, dtype=dtype, device=p.device).clone()
                for k, v in arrays.items()
            }
            if any(v.shape != p.shape for v in values.values()):
                raise ValueError(
                    f"{name}: checkpoint state {index} does not match its parameter's shape {tuple(p.shape)}"
                )
            self.state[p] = values
        for group in self.param_groups:
            group["iterations"] = int(checkpoint["step"])
            group["scalar_state"] = {k: float(v) for k, v in checkpoint["scalar_state"].items()}

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("fused", False)

    @torch.no_grad()
    def step(self, closure=None):
        """One optimizer step over every parameter that has a gradient."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        work = []
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            for p in params:
                self._check_grad(p)
            work.append((group, params))
        all_grads = [p.grad for _, params in work for p in params]
        scale = (
            self._fused_clip_scale(all_grads)
            if self._fused_on_device(work)
            else self._clip_scale(all_grads)
        )
        for group, params in work:
            if params:
                self._step_group(group, params, scale)
        return loss

    def _check_grad(self, p):
        name = type(self).__name__
        g = p.grad
        if g.is_sparse:
            raise RuntimeError(f"{name} does not support sparse gradients")
        if torch.is_complex(p) or torch.is_complex(g):
            raise RuntimeError(f"{name} does not support complex parameters or gradients")
        if g.shape != p.shape:
            raise RuntimeError(
                f"{name}: a gradient of shape {tuple(g.shape)} for a parameter of shape {tuple(p.shape)}"
            )
        if g.device != p.device:
            raise RuntimeError(f"{name}: a gradient on {g.device} for a parameter on {p.device}")

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
        return self.clipnorm / norm if norm >= self.clipnorm else 1.0

    def _step_group(self, group, params, scale):
        kernel = self.kernels[tuple(group[f] for f in self.flags)]
        h = self._hyper(group)
        t = group["iterations"] + 1
        init = self.state_init(h)
        if group.get("fused"):
            self._step_fused(group, kernel, params, scale, h, t, init)
            return
        grads, states, originals = [], [], []
        for p in params:
            g = p.grad
            if group["maximize"]:
                g = -g
            low = p.dtype in LOW_PRECISION
            work_dtype = torch.float32 if low else p.dtype
            if g.dtype != work_dtype:
                g = g.to(work_dtype)
            if scale != 1.0:
                g = g * scale
            if self.clipvalue:
                g = torch.clamp(g, -self.clipvalue, self.clipvalue)
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

        if self._use_foreach(group, kernel, work, grads):
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

    def _use_foreach(self, group, kernel, params, grads) -> bool:
        if kernel.apply_foreach is None or group["foreach"] is False:
            return False
        devices = {(t.device, t.dtype) for t in (*params, *grads)}
        if group["foreach"] is None:
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

    def _fused_on_device(self, work) -> bool:
        """clipnorm runs on the device (no host sync) when every gradient of a fused step is on
        one device that runs the CUDA launchers."""
        if not self.clipnorm or not all(group.get("fused") for group, params in work if params):
            return False
        devices = {p.grad.device for _, params in work for p in params}
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

    def _step_fused(self, group, kernel, params, scale, h, t, init):
        """One launch (CUDA) or call (CPU) of the generated kernels per device and dtype."""
        from .. import _native

        scalars, scalar_state = _host(kernel.step)(h, group["scalar_state"], {}, t)
        factor = -1.0 if group["maximize"] else 1.0
        clipvalue = float(self.clipvalue or 0.0)
        names = kernel.state
        buckets = {}
        for p in params:
            state = self.state[p]
            if not state:
                work_dtype = torch.float32 if p.dtype in LOW_PRECISION else p.dtype
                for s in names:
                    state[s] = torch.full_like(
                        p, init[s], dtype=work_dtype, memory_format=torch.contiguous_format
                    )
            buckets.setdefault((p.device, p.dtype), []).append((p, state))
        for (device, dtype), bucket in buckets.items():
            target = self._target(device)
            low_on_cpu = target == "cpu" and dtype in LOW_PRECISION  # the CPU library is f32/f64
            # one row of pointers per tensor: p, g, state; kept lean, it runs for every tensor
            pointers, numels, copies, keep = [], [], [], []
            for p, state in bucket:
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
            width = 2 + len(names)
            suffix = "f32" if low_on_cpu else _DTYPE_SUFFIX[dtype]
            library = _native.library(self.native_module, target, _arch(device))
            update = _native.update_function(library, kernel.native, suffix, target)
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
