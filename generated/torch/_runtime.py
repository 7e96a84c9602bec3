# copied from generator/runtime/torch/_runtime.py by python -m generator build — do not edit
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
import contextlib
import functools
import math
import subprocess
import sys
import warnings
from typing import Callable, NamedTuple

import torch

from ._keras import clip_scale, clip_value
from .._kernel_layout import CHUNK as _CHUNK
from . import _state_precision as _precision
from .._shared import (
    CHECKPOINT_FORMAT,
    DEFAULT_RANK,
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
from .._shared import state_shape as _state_shape

SUPPORTED_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
LOW_PRECISION = (torch.float16, torch.bfloat16)


def matrix_product_plus(z, beta, a, b, alpha):
    """beta*z + alpha*(a @ b), for a spec's matrix functions: of matrices, one BLAS call that
    scales and adds as it multiplies (torch.addmm; torch.optim.Muon's Newton-Schulz does the
    same), not three more passes over the result; stacks of them, a scale that is a tensor,
    or a scale of 0 (BLAS skips what it scales: its NaN and infinities would vanish),
    as separate operations."""
    numbers = isinstance(beta, (int, float)) and isinstance(alpha, (int, float))
    if numbers and beta != 0 and alpha != 0 and z.dim() == 2 and a.dim() == 2 and b.dim() == 2:
        return torch.addmm(z, a, b, beta=beta, alpha=alpha)
    return beta * z + alpha * (a @ b)


class Kernel(NamedTuple):
    state: tuple
    step: Callable  # (hyper, scalar_state, global_reductions, t) -> (scalars, new scalar state)
    apply: Callable  # (p, g, state tensors, scalars) -> None, one tensor, in place
    apply_foreach: Callable | None  # (ps, gs, state lists, scalars) -> None; None: loop only
    partials: Callable | None
    global_ops: tuple
    global_names: tuple
    native: str | None  # C name stem of the fused C/CUDA kernels, or None
    tensor_ops: tuple = ()  # the ops of the spec's per-tensor reductions
    apply_graph: Callable | None = None  # one tensor, out-of-place ops; None: no graph path
    nonnegative: tuple = ()  # state never negative (generator.signs): unsigned int8 codes
    # arguments of roots kept >= 0 by a relation between states (generator.signs), which
    # states rounded each on its own would not keep: no state in fewer bits
    relation_bound: tuple = ()
    # a rule of row or column means: the C name stem of its CPU kernel in passes, or None
    staged: str | None = None


class Optimizer(torch.optim.Optimizer, SpecAttributes):
    """Base class of the generated PyTorch optimizers (Keras 2.3 semantics)."""

    # "shim" runs the CUDA launchers on CPU tensors through the CPU shim (tests without a GPU)
    _native_target_for_cpu = "cpu"
    torch_difference = ""  # the spec's "differences: torch:" text
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
        weight_decay=None,
        maximize=False,
        foreach=None,
        fused=None,
        capturable=False,
        torch_args=None,
        shard_group=None,
        state_precision="float32",
    ):
        name = type(self).__name__
        hyper = self._hyper_from_torch_args(dict(hyper), torch_args or {})
        # None: torch.optim's "choose": the fused kernels for state in fewer bits where they
        # take the step (_fuses_by_default), otherwise foreach or the loop
        fused = bool(flag(name, "fused", fused)) if fused is not None else None
        if fused and foreach:  # the arguments' combination first, whatever the spec
            raise ValueError(f"{name}: fused=True and foreach=True cannot be used together")
        if fused and self.native_module is None:
            raise ValueError(
                f"{name}: fused=True needs generated C/CUDA kernels, which this build of it does not have"
            )
        defaults = {}
        for hp in self.hyperparameters:
            value = hyper[hp.name]  # a one-element tensor stays one (a graph input)
            checked = _real(name, _key(hp.name), value, hp.domain, hp.check)
            defaults[hp.name] = value if isinstance(value, torch.Tensor) else checked
        defaults = self._group_keys(defaults)
        for f in self.flags:
            defaults[f] = flag(name, f, flags[f])
        # a group key, as the flags are; add_param_group sets it from the group's own value
        numbers = {hp.name: float(_number(hyper[hp.name])) for hp in self.hyperparameters}
        defaults.update(derived_flag_values(self.derived_flags, numbers))
        if "decay" in self.common:
            defaults["decay"] = common_argument(name, "decay", _one_number(decay))
        if "weight_decay" in self.common:  # a group key: param groups may each have their own
            defaults["weight_decay"] = common_argument(
                name, "weight_decay", _one_number(weight_decay)
            )
        defaults["maximize"] = flag(name, "maximize", maximize)
        if foreach is not None:
            foreach = flag(name, "foreach", foreach)
        defaults["foreach"] = foreach
        defaults["fused"] = fused
        defaults["capturable"] = flag(name, "capturable", capturable)
        defaults["state_precision"] = _precision.check_precision(name, state_precision)
        self.clipnorm = common_argument(name, "clipnorm", _one_number(clipnorm))
        self.clipvalue = common_argument(name, "clipvalue", _one_number(clipvalue))
        self.shard_group = _shard_group(name, shard_group)
        self._graph_counts = {}  # id(group) -> its count tensors as _init_group last saw them
        h = {hp.name: float(_number(hyper[hp.name])) for hp in self.hyperparameters}
        h["decay"] = float(decay) if "decay" in self.common else 0.0
        h["weight_decay"] = 0.0
        self._scalar_state_names = tuple(self.scalar_state_init(h))
        super().__init__(params, defaults)  # checks each group through add_param_group

    @functools.cached_property  # read several times per group per step; fixed per class
    def _has_betas(self) -> bool:
        """The spec has beta_1 and beta_2: param groups hold them as torch's ``betas`` pair, so
        that OneCycleLR and CyclicLR (cycle_momentum=True) find and cycle beta_1."""
        names = {hp.name for hp in self.hyperparameters}
        return "beta_1" in names and "beta_2" in names

    def _group_keys(self, by_spec_name: dict) -> dict:
        """Spec hyperparameters by name -> param-group keys (lr, betas)."""
        out = {
            _key(k): v for k, v in by_spec_name.items() if k not in _BETAS or not self._has_betas
        }
        if self._has_betas:
            out["betas"] = (by_spec_name["beta_1"], by_spec_name["beta_2"])
        return out

    def _hyper_from_torch_args(self, hyper: dict, torch_args: dict) -> dict:
        """torch.optim's habits, taken where they mean what the spec means and refused with a
        message where they would silently compute something else: ``betas=(b1, b2)`` (or the
        pair given positionally for beta_1), torch's ``eps`` and ``weight_decay``."""
        name = type(self).__name__
        defaults = {hp.name: hp.default for hp in self.hyperparameters}
        betas = torch_args.get("betas")
        if self._has_betas and isinstance(hyper["beta_1"], (tuple, list)):
            if hyper["beta_2"] != defaults["beta_2"] or betas is not None:
                raise ValueError(
                    f"{name}: beta_1 was given the pair {tuple(hyper['beta_1'])!r} (torch's betas, "
                    "positionally) and beta_2 or betas too; give betas=(beta_1, beta_2) or "
                    "beta_1= and beta_2=, once (torch's positional eps would land in beta_2)"
                )
            betas, hyper["beta_1"] = hyper["beta_1"], defaults["beta_1"]
        if betas is not None:
            if not self._has_betas:
                raise TypeError(f"{name}: betas= needs a spec with beta_1 and beta_2")
            if not isinstance(betas, (tuple, list)) or len(betas) != 2:
                raise TypeError(f"{name}: betas must be a pair (beta_1, beta_2), not {betas!r}")
            if (hyper["beta_1"], hyper["beta_2"]) != (defaults["beta_1"], defaults["beta_2"]):
                raise ValueError(f"{name}: give betas= or beta_1= and beta_2=, not both")
            hyper["beta_1"], hyper["beta_2"] = betas
        if torch_args.get("eps") is not None:
            raise ValueError(
                f"{name}: eps is torch.optim's argument and is not taken here: this optimizer's is "
                f"epsilon=, with Keras 2.3's meaning. {self.torch_difference}"
            )
        weight_decay = torch_args.get("weight_decay")
        if weight_decay is not None and weight_decay != 0:  # a spec that leaves it out of common
            raise ValueError(
                f"{name}: weight_decay is not taken by this spec (its `common:` list leaves it "
                "out): torch.optim's weight_decay adds weight_decay*p to the gradient (L2), "
                "Keras 3's subtracts learning_rate*weight_decay*p from p before the update; "
                "add weight_decay*p to the gradients yourself for L2"
            )
        return hyper

    def add_param_group(self, param_group):
        """torch.optim's, and every value of the group checked: a refused group is not kept.
        A group may name the learning rate by the spec's name (``learning_rate``) and the betas
        as ``beta_1``/``beta_2``; torch's names whose meaning differs here are refused, as the
        constructor refuses them, and so is a parameter listed twice (torch only warns)."""
        if isinstance(param_group, dict):
            self._torch_group_keys(param_group)
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        try:
            # a derived flag copied from the defaults is set from the group's own value there
            checked = self._checked_group(group)
        except BaseException:
            self.param_groups.pop()
            raise
        self._update_group(group, checked)

    def _torch_group_keys(self, group: dict) -> None:
        """A group as the user wrote it, before torch fills in the defaults: ``learning_rate``
        becomes ``lr``; ``betas`` with ``beta_1`` or ``beta_2``, ``eps`` (where the spec has
        none) and a non-zero ``weight_decay`` (where the spec has none) are refused; so is a
        parameter listed twice."""
        name = type(self).__name__
        spec_names = {hp.name for hp in self.hyperparameters}
        for d in self.derived_flags:
            if d.name in group:
                raise ValueError(
                    f"{name}: a param group gives {d.name}, which {d.hyperparameter} sets "
                    f"({d.condition}); give {d.hyperparameter}"
                )
        for f in self.rank_flags:
            if f.name in group:
                raise ValueError(
                    f"{name}: a param group gives {f.name}, which each tensor's rank sets "
                    f"({f.condition})"
                )
        if "learning_rate" in group:
            if "lr" in group:
                raise ValueError(f"{name}: a param group gives both lr and learning_rate")
            group["lr"] = group.pop("learning_rate")
        if self._has_betas and "betas" in group and any(b in group for b in _BETAS):
            raise ValueError(f"{name}: a param group gives betas and beta_1 or beta_2; give one")
        torch_args = {k: group[k] for k in ("eps", "weight_decay") if k in group}
        torch_args = {
            k: v for k, v in torch_args.items() if k not in spec_names and k not in self.common
        }
        self._hyper_from_torch_args(
            {hp.name: hp.default for hp in self.hyperparameters}, torch_args
        )
        params = group.get("params")
        params = [params] if isinstance(params, torch.Tensor) else params
        if isinstance(params, (list, tuple)) and len({id(p) for p in params}) != len(params):
            raise ValueError(
                f"{name}: a param group lists a parameter twice; each parameter is stepped once"
            )

    def _checked_group(self, group, with_params=True, in_graph=False) -> dict:
        """The values of a param group, each checked (numbers and one-element tensors in their
        domains, flags True or False, the step count an integer >= 0, the scalar state by
        name); raises naming the first bad one and changes nothing, except a derived flag,
        which follows its hyperparameter in the group until the group's first step."""
        name = type(self).__name__
        # the settings as they were when last checked, if every one is a plain Python value (a
        # tensor may change in place): the same values, the same result, without checking
        if in_graph or torch.compiler.is_compiling():  # a traced cache would be a guard
            return self._checked_counts(group, self._checked_settings(group, in_graph), with_params)
        cache = self.__dict__.setdefault("_settings_checked", {})
        kept = cache.get(id(group))
        if kept is not None and kept[0] == _settings_snapshot(group):
            out = dict(kept[1])
        else:
            out = self._checked_settings(group, in_graph)
            snapshot = _settings_snapshot(group)  # after the check: it may set a derived flag
            if snapshot is not None:
                if len(cache) > 2 * len(self.param_groups):  # groups replaced since
                    current = {id(g) for g in self.param_groups}
                    for key in [k for k in cache if k not in current]:
                        del cache[key]
                cache[id(group)] = (snapshot, dict(out))
        return self._checked_counts(group, out, with_params)

    def _checked_settings(self, group, in_graph) -> dict:
        """_checked_group's values of a group but its parameters, step count and scalar state."""
        name = type(self).__name__
        hyper = self._group_hyper(group, check_tensors=not in_graph)
        out = self._group_keys(hyper)
        for f in self.flags:
            out[f] = flag(name, f, group.get(f))
        for d in self.derived_flags:
            out[d.name] = flag(name, d.name, group.get(d.name))
            value = hyper[d.hyperparameter]
            if isinstance(value, torch.Tensor):  # a graph step would read it without a check
                raise TypeError(
                    f"{name}: {d.hyperparameter} sets {d.name} ({d.condition}), which picks the "
                    "update rule: give it as a Python number, not a tensor"
                )
            if d.holds(value) != out[d.name] and _number(group.get("iterations", 0)) == 0:
                # the group's first step fixes it, as torch.optim makes its state then (a
                # scheduler's cycle_momentum may set momentum before it); later, refused
                out[d.name] = group[d.name] = d.holds(value)
            check_derived_flags(name, (d,), out, d.hyperparameter, value)
        if "decay" in self.common:
            out["decay"] = common_argument(name, "decay", _one_number(group.get("decay")))
        if "weight_decay" in self.common:
            out["weight_decay"] = common_argument(
                name, "weight_decay", _one_number(group.get("weight_decay"))
            )
        out["maximize"] = flag(name, "maximize", group.get("maximize"))
        out["foreach"] = (
            None if group.get("foreach") is None else flag(name, "foreach", group["foreach"])
        )
        out["fused"] = None if group.get("fused") is None else flag(name, "fused", group["fused"])
        out["capturable"] = flag(name, "capturable", group.get("capturable", False))
        if out["capturable"] and out["fused"]:
            raise ValueError(
                f"{name}: capturable=True runs the graph path (per-step values as tensors on the "
                "device); fused=True computes them on the host: choose one"
            )
        if out["capturable"] and any(k.apply_graph is None for k in self.kernels.values()):
            raise ValueError(
                f"{name}: capturable=True needs a graph path, which specs with reductions "
                "(their reductions are host values) or rules of whole tensors do not have"
            )
        if out["fused"] and self.native_module is None:
            raise ValueError(
                f"{name}: fused=True needs generated C/CUDA kernels, which this build of it does not have"
            )
        if out["fused"] and out["foreach"]:
            raise ValueError(f"{name}: fused=True and foreach=True cannot be used together")
        precision = group.get("state_precision", "float32")
        out["state_precision"] = _precision.check_precision(name, precision)
        if precision != "float32" and out["capturable"]:
            raise ValueError(
                f"{name}: state_precision={precision!r} runs on the foreach, loop and fused "
                "paths; the graph path (capturable=True) for it is not generated yet"
            )
        if precision != "float32" and self.state_shapes:
            shaped = ", ".join(sorted(self.state_shapes))
            raise ValueError(
                f"{name}: state_precision={precision!r} is not available for this spec: its "
                f"state {shaped} is one value per row or column for some tensors, already "
                "small, and the other state is not stored apart from it; use float32 state"
            )
        if precision != "float32":
            for key, kernel in self.kernels.items():
                flags = dict(zip(self.variant_flags, key))
                if kernel.relation_bound and all(out[f] == v for f, v in flags.items() if f in out):
                    chosen = ", ".join(f"{f}={v}" for f, v in flags.items() if f in self.flags)
                    raise ValueError(
                        f"{name}: state_precision={precision!r} rounds each state on its own, "
                        f"and {kernel.relation_bound[0]} (under a root{', with ' + chosen if chosen else ''}) "
                        "stays non-negative only while its states keep their relation: "
                        "use float32 state"
                    )
        return out

    def _checked_counts(self, group, out, with_params) -> dict:
        """_checked_group's parameter dtypes, step count and scalar state, into ``out``."""
        name = type(self).__name__
        if with_params:  # a step checks each tensor it steps (_problem)
            for p in group["params"]:
                if p.dtype not in SUPPORTED_DTYPES:
                    raise TypeError(
                        f"{name}: parameters of dtype {p.dtype} are not supported (float16, bfloat16, float32, float64 are)"
                    )
        # A graph step keeps the step count and scalar state as one-element float64 tensors (see
        # _init_group); their values are checked where reading them costs no device sync.
        iterations = group.get("iterations", 0)
        count = iterations
        if _is_step_tensor(iterations):  # a float64 holding an integer, read outside steps
            count = iterations.item() if with_params else 0
            count = int(count) if math.isfinite(count) and count == int(count) else None
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_STEP:
            raise ValueError(
                f"{name}: a group's iterations must be an integer from 0 to 2**53, not {iterations!r}"
            )
        out["iterations"] = iterations
        if "scalar_state" in group:  # its names only: a tensor hyperparameter is not read
            scalar_state, expected = group["scalar_state"], self._scalar_state_names
        else:
            scalar_state = self.scalar_state_init(self._hyper(out))
            expected = scalar_state
        if not isinstance(scalar_state, dict) or set(scalar_state) != set(expected):
            raise ValueError(
                f"{name}: a group's scalar_state must hold {sorted(expected)}, not {scalar_state!r}"
            )
        out["scalar_state"] = {}
        for key, value in scalar_state.items():
            if _is_step_tensor(value):
                if with_params:
                    _real(name, f"scalar_state[{key!r}]", value.item(), "any", lambda x: True)
                out["scalar_state"][key] = value
            else:
                value = _real(name, f"scalar_state[{key!r}]", value, "any", lambda x: True)
                out["scalar_state"][key] = value
        return out

    def _group_hyper(self, group, check_tensors=True) -> dict:
        """The spec's hyperparameters of a param group by spec name, each checked (one-element
        tensors are kept as tensors). A group's own beta_1 or beta_2 (a spec name given to
        add_param_group) wins over its betas pair, into which it is folded."""
        name = type(self).__name__
        given = {}
        if self._has_betas:
            betas = group.get("betas")
            if betas is None and all(b in group for b in _BETAS):  # a state dict of before
                betas = (group[_BETAS[0]], group[_BETAS[1]])
            if not isinstance(betas, (tuple, list)) or len(betas) != 2:
                raise TypeError(
                    f"{name}: a group's betas must be a pair (beta_1, beta_2), not {betas!r}"
                )
            given = dict(zip(_BETAS, betas))
            given.update({b: group[b] for b in _BETAS if b in group})
        out = {}
        for hp in self.hyperparameters:
            key = hp.name if hp.name in given else _key(hp.name)
            value = given[hp.name] if hp.name in given else group.get(key)
            if isinstance(value, torch.Tensor) and not check_tensors:  # a graph step: no sync
                if value.numel() != 1 or not value.is_floating_point():
                    raise TypeError(f"{name}: {key} must be a real number, not {value!r}")
                out[hp.name] = value
                continue
            checked = _real(name, key, value, hp.domain, hp.check)
            out[hp.name] = value if isinstance(value, torch.Tensor) else checked
        return out

    def _update_group(self, group, checked) -> None:
        """Write checked values into a param group (a beta_1/beta_2 key is folded into betas)."""
        group.update(checked)
        if self._has_betas:
            for b in _BETAS:
                group.pop(b, None)

    def _hyper(self, values, device=None) -> dict:
        """The spec's hyperparameters (and decay, weight_decay) by spec name, from checked group values: as
        floats, or for a graph step (``device``) with one-element tensors kept as float64
        tensors on that device (no host sync)."""
        h = {}
        for hp in self.hyperparameters:
            if hp.name in _BETAS and self._has_betas:
                value = values["betas"][_BETAS.index(hp.name)]
            else:
                value = values[_key(hp.name)]
            if device is not None and isinstance(value, torch.Tensor):
                h[hp.name] = value.reshape(()).to(device=device, dtype=torch.float64)
            else:
                h[hp.name] = float(value)
        h["decay"] = float(values.get("decay", 0.0))
        h["weight_decay"] = float(values.get("weight_decay") or 0.0)  # None disables it
        return h

    def _params(self):
        return [p for group in self.param_groups for p in group["params"]]

    def export_state(self) -> dict:
        """The state in the format every backend reads (float tensors on the CPU, decoded
        where it is stored in fewer bits); parameters are indexed in param-group order. Keras
        has one step count: every group must have taken the same steps."""
        name = type(self).__name__
        groups = self.param_groups
        counts = [(_number(g["iterations"]), _numbers(g["scalar_state"])) for g in groups]
        if any(count != counts[0] for count in counts):
            raise ValueError(
                f"{name}: param groups have taken different steps; export them separately"
            )
        # checked first: a derived flag follows its hyperparameter until the group's first step
        flags = [self._checked_group(g, with_params=False) for g in groups]
        flags = [tuple(values[f] for f in self.optimizer_flags()) for values in flags]
        if any(f != flags[0] for f in flags):
            raise ValueError(f"{name}: param groups have different flags; export them separately")
        state = {}
        for index, p in enumerate(self._params()):
            if self.state.get(p):  # state stored in fewer bits is exported decoded
                names = [k for k in self.state[p] if not k.endswith(_precision.ABSMAX)]
                problem = _precision.saved_problem(
                    self.state[p], names, p, lambda s: self.state_shape_of(s, p.shape)
                )
                if problem is not None:
                    raise ValueError(f"{name}: parameter {index}: {problem}")
                values = _precision.saved_values(self.state[p], names, p, _work_dtype(p))
                # host tensors, whatever the device: NumPy's import_state reads them too
                state[index] = {k: v.cpu() for k, v in values.items()}
        return {
            "format": CHECKPOINT_FORMAT,
            "optimizer": self.keras_name,
            "flags": dict(zip(self.optimizer_flags(), flags[0])),
            "step": int(counts[0][0]),
            "scalar_state": counts[0][1],
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
            flags = {f: values[f] for f in self.optimizer_flags()}
            checked = check_checkpoint(
                name,
                self.keras_name,
                flags,
                checkpoint,
                self.checkpoint_state_names(flags, params),
                self.scalar_state_init(self._hyper(values)),
                [tuple(p.shape) for p in params],
                self.variant_flag_defaults,
                self.state_shapes,
            )
        if checked is None:
            return
        step, scalar_state, arrays = checked
        state, owner = {}, {}
        for group in self.param_groups:
            owner.update(
                {
                    id(p): (self.kernel_of(group, p.dim()), group["state_precision"])
                    for p in group["params"]
                }
            )
        for index, by_name in arrays.items():
            p = params[index]
            values = {
                k: torch.as_tensor(v, device=p.device).detach().to(_work_dtype(p)).clone()
                for k, v in by_name.items()
            }
            state[p] = self._stored(values, p, *owner[id(p)])
        for p, values in state.items():
            self.state[p] = values
        for group in self.param_groups:
            group["iterations"] = step
            group["scalar_state"] = dict(scalar_state)

    def _stored_state(self, p, kernel, precision, init) -> dict:
        """``self.state[p]``, made from the initial values (``init``) in ``precision`` if
        the parameter has none yet."""
        state = self.state[p]
        if not state:
            values = {s: torch.full_like(p, init[s], dtype=_work_dtype(p)) for s in kernel.state}
            state.update(self._stored(values, p, kernel, precision))
        return state

    def _stored(self, values: dict, p, kernel, precision) -> dict:
        """A parameter's state entries from its values (by state name), in ``precision``;
        float32 keeps the values themselves."""
        if precision == "float32":
            return dict(values)
        out = {}
        for s, value in values.items():
            encoded = _precision.encode_state(precision, p, value, s in kernel.nonnegative)
            out.update({s + suffix: v for suffix, v in encoded.items()})
        return out

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
        groups, id_map, kernel_of, precision_of = [], {}, {}, {}
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
            # how this optimizer steps is its own, as the constructor set it: the state is stored
            # as it keeps it, whatever precision it was saved in, and fused/foreach stay (a
            # checkpoint of an earlier version holds fused=False for "not asked", which would
            # turn the fused default of state in fewer bits off)
            new_group["state_precision"] = group.get("state_precision", "float32")
            for key in ("fused", "foreach"):
                new_group[key] = group.get(key)
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            self._update_group(new_group, self._checked_group(new_group))
            for saved_id, p in zip(saved["params"], group["params"]):
                if saved_id in id_map:
                    raise ValueError(
                        f"{name}: parameter id {saved_id!r} appears twice in the state dict"
                    )
                id_map[saved_id] = p
                kernel_of[saved_id] = self.kernel_of(new_group, p.dim())
                precision_of[saved_id] = new_group["state_precision"]
            groups.append(new_group)
        state = collections.defaultdict(dict)
        for saved_id, values in saved_state.items():
            if saved_id not in id_map:
                raise ValueError(
                    f"{name}: the state dict has state for parameter id {saved_id!r}, which no group lists"
                )
            p, names = id_map[saved_id], kernel_of[saved_id].state
            scales = {k for k in values if isinstance(k, str) and k.endswith(_precision.ABSMAX)}
            if not isinstance(values, dict) or set(values) - scales != set(names):
                held = sorted(values) if isinstance(values, dict) else type(values).__name__
                raise ValueError(
                    f"{name}: the state of parameter id {saved_id!r} holds {held}, expected {sorted(names)}"
                )
            for key, value in values.items():  # before any is read
                if isinstance(value, torch.Tensor) and _past_storage(value):
                    raise ValueError(
                        f"{name}: state {key!r} of parameter id {saved_id!r} reaches past the "
                        "end of its storage"
                    )
            for key in names:
                value = values[key]
                if (
                    not isinstance(value, torch.Tensor)
                    or not (value.is_floating_point() or value.dtype in _CODES)
                    or value.shape != self.state_shape_of(key, p.shape)
                    or value.layout != torch.strided
                ):
                    raise ValueError(
                        f"{name}: state {key!r} of parameter id {saved_id!r} must be a strided floating-point "
                        f"tensor of shape {self.state_shape_of(key, p.shape)}, not {_describe(value)}"
                    )
            # saved in any precision: checked, then kept as saved when this group stores it so
            # (decoding and encoding again would not give the same codes: stochastic
            # rounding), else decoded and stored as this group's precision asks
            problem = _precision.saved_problem(
                values, names, p, lambda s: self.state_shape_of(s, p.shape)
            )
            if problem is not None:
                raise ValueError(f"{name}: parameter id {saved_id!r}: {problem}")
            kernel, precision = kernel_of[saved_id], precision_of[saved_id]
            same = _precision.same_format(values, names, p, precision, kernel.nonnegative)
            if same is None:
                decoded = _precision.saved_values(values, names, p, _work_dtype(p))
                same = self._stored(decoded, p, kernel, precision)
            state[p] = same
        self.__setstate__({"state": state, "param_groups": groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._graph_counts = {}
        self.__dict__.setdefault("shard_group", None)
        if "_scalar_state_names" not in self.__dict__:  # an optimizer pickled before them
            self._scalar_state_names = tuple(self.scalar_state_init(self._hyper(self.defaults)))
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("fused", None)
            group.setdefault("capturable", False)
            group.setdefault("state_precision", "float32")

    @torch.no_grad()
    def step(self, closure=None):
        """One optimizer step over every parameter that has a gradient. Every group, gradient
        and state is checked (and, with fused=True, the kernels are built) before anything
        changes, so a refused step leaves every group as it was."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        compiling = torch.compiler.is_compiling()
        # first, before the graph reads any param group: torch.compile runs it eagerly
        self._init_group(compiling)
        outside = self._outside_the_graph() if compiling else None
        if outside is not None:  # one graph break, which fullgraph=True reports with its reason
            _STEPS_OUTSIDE_THE_GRAPH[outside](self)
        else:
            self._step(compiling)
        return loss

    def _outside_the_graph(self) -> str | None:
        """Why a compiled step runs eagerly (a key of _STEPS_OUTSIDE_THE_GRAPH), or None when
        it is traced."""
        if any(k.apply_graph is None for k in self.kernels.values()):
            return "host"
        if any(
            group["fused"] or group.get("state_precision", "float32") != "float32"
            for group in self.param_groups
        ):
            return "native"
        return None

    def _step(self, compiling):
        graph = [self._graph_group(group, compiling) for group in self.param_groups]
        per_group = [self._plans(i, group, graph[i]) for i, group in enumerate(self.param_groups)]
        plans = [plan for group_plans in per_group for plan in group_plans if plan.params]
        all_grads = [p.grad for plan in plans for p in plan.params]
        if any(graph) and self.shard_group is None:
            scale = self._graph_clip_scale(all_grads)
        elif self._fused_on_device(plans):
            scale = self._fused_clip_scale(all_grads)
        else:
            scale = self._clip_scale(all_grads)
        for group_plans, in_graph in zip(per_group, graph):
            # the group's step count and scalar state before the step, for its other plans
            before = _saved_counts(group_plans[0].group) if len(group_plans) > 1 else None
            for index, plan in enumerate(group_plans):
                if index:  # the same step again, for another rank's tensors
                    _restore_counts(plan.group, before)
                self._step_plan(plan, in_graph, scale)

    def _step_plan(self, plan, in_graph, scale):
        """One plan's step, by the path its group takes."""
        if plan.native is not None and plan.precision != "float32":
            self._step_fused_stored(plan, scale)
        elif plan.native is not None:
            self._step_fused(plan, scale)
        elif plan.params and plan.precision != "float32":
            self._step_group_stored(plan, scale)
        elif plan.params and in_graph and plan.kernel.apply_graph is not None:
            self._step_graph(plan, scale)
        elif plan.params:
            self._step_group(plan, scale)
        elif self.shard_group is not None and plan.kernel.partials is not None:
            self._global_reductions(plan.kernel, [])  # other ranks' shards wait for ours

    def _graph_group(self, group, compiling) -> bool:
        """Whether a group takes the graph step: under torch.compile, with capturable=True,
        or once its step count is a tensor; never fused, and only with a graph path."""
        return (
            not group["fused"]
            and group.get("state_precision", "float32") == "float32"
            and (compiling or group["capturable"] or _is_step_tensor(group["iterations"]))
            and all(k.apply_graph is not None for k in self.kernels.values())
        )

    def _init_group(self, compiling):
        """Before a graph step (torch.compile, capturable=True), for each group that takes
        it: the state of every parameter with a gradient, and the group's step count and
        scalar state as one-element float64 tensors on its device, so that a compiled step reads them
        as inputs rather than specialising on their values, and a captured one advances them
        on the device. torch.compile runs a torch.optim.Optimizer's ``_init_group`` outside
        the graph (its arguments must be constants), so the first call is not compiled again
        once state exists. Unlike an eager step, it may create initial state before a later
        check refuses the step (no parameter or state value changes)."""
        for group in self.param_groups:
            if not group["params"] or not self._graph_group(group, compiling):
                continue
            known = self._graph_counts.get(id(group))
            tensors = _group_tensors(group)
            new = known is None or len(known) != len(tensors)
            new = new or any(a is not b for a, b in zip(tensors, known))
            # Tensors this optimizer has not seen in the group (assigned, loaded) are checked
            # once, a device sync; in-place changes to them later are not (that would sync
            # every step): a graph step reads them as they are.
            values = self._checked_group(group, with_params=new, in_graph=not new)
            init = None  # the hyperparameters are read (a sync for tensors) only to make state
            for p in group["params"]:
                if p.grad is not None and not self.state.get(p) and p.dtype in _SUPPORTED:
                    init = init or self.state_init(self._hyper(values))
                    self.state[p] = {
                        s: torch.full_like(
                            p, init[s], dtype=_work_dtype(p), memory_format=torch.preserve_format
                        )
                        for s in self.kernel_of(values, p.dim()).state  # its rank's
                    }
            device = group["params"][0].device
            group["iterations"] = _step_tensor(group["iterations"], device)
            group["scalar_state"] = {
                k: _step_tensor(v, device) for k, v in group["scalar_state"].items()
            }
            self._graph_counts[id(group)] = _group_tensors(group)

    def _graph_clip_scale(self, grads):
        """clipnorm's factor as a 0-d tensor, computed on the device without a host sync:
        Keras 2.3's clip_scale (ocg_config.h and _keras.py print it from generator/common.py),
        written with torch.where: clipnorm/norm when clipnorm <= norm, else 1 (NaN gives 1)."""
        if not self.clipnorm or not grads:
            return 1.0
        device = grads[0].device
        norm = torch.sqrt(sum(n.to(device) ** 2 for n in _group_norms(grads)))
        return torch.where(self.clipnorm <= norm, self.clipnorm / norm, torch.ones_like(norm))

    def _step_graph(self, plan, scale):
        """One group's graph step: the scalars from the step count and scalar state tensors,
        then each tensor's out-of-place element program; the counts advance in place."""
        kernel, group = plan.kernel, plan.group
        group["iterations"].add_(1)
        t = group["iterations"][0]
        h = self._hyper(group, t.device)
        scalar_state = {k: v[0] for k, v in group["scalar_state"].items()}
        scalars, scalar_state = kernel.step(h, scalar_state, {}, t)  # step_math takes tensors
        by_dtype = {}
        factor = -scale if plan.maximize else scale
        for p in plan.params:
            work_dtype = _work_dtype(p)
            g = _prepared_gradient(p.grad, work_dtype, factor, self.clipvalue)
            state = self.state[p]
            work = p.float() if p.dtype in LOW_PRECISION else p
            if work_dtype not in by_dtype:  # float64 per-step values, rounded once, as eager
                by_dtype[work_dtype] = tuple(
                    x.to(work_dtype) if isinstance(x, torch.Tensor) else x for x in scalars
                )
            tensors = [work, g, *(state[s] for s in kernel.state)]
            if work.dim() == 0:  # torch.compile (2.13) loses in-place updates of 0-d state
                tensors = [t.view(1) for t in tensors]
            kernel.apply_graph(tensors[0], tensors[1], tensors[2:], by_dtype[work_dtype])
            if work is not p:
                p.copy_(work)
        for key, value in scalar_state.items():
            group["scalar_state"][key].copy_(value)

    def _plans(self, group_index, group, graph=False) -> list["_Plan"]:
        """What one group's step will do: one plan, or, for a spec with rank flags, one per
        kernel its tensors take (each the same step, from the same step count and scalar
        state: a rank flag picks no step equation)."""
        if not self.rank_flags:
            return [self._plan(group_index, group, graph)]
        values = self._checked_group(group, with_params=False, in_graph=graph)
        dims = {p.dim() for p in group["params"] if p.grad is not None}
        ranks = {id(self.kernel_of(values, dim)): dim for dim in sorted(dims)}  # one per kernel
        return [
            self._plan(group_index, group, graph, rank, values) for rank in ranks.values() or [None]
        ]

    def _plan(self, group_index, group, graph=False, rank=None, values=None) -> "_Plan":
        """What one group's step will do, with everything it needs checked: for the tensors
        of ``rank``'s kernel (every tensor's where the spec has no rank flags); ``values``:
        the group checked already."""
        if values is None:
            values = self._checked_group(group, with_params=False, in_graph=graph)
        kernel = self.kernel_of(values, DEFAULT_RANK if rank is None else rank)
        h = None if graph else self._hyper(values)  # a graph step reads tensors as they are
        params = [p for p in group["params"] if p.grad is not None]
        if rank is not None:
            mine = {d for d in {p.dim() for p in params} if self.kernel_of(values, d) is kernel}
            params = [p for p in params if p.dim() in mine]
        precision = values["state_precision"]
        stored = precision != "float32"
        # a rule that needs whole tensors (reductions, matrix functions) steps state in fewer
        # bits decoded a tensor at a time, with torch code (_step_group_stored_whole); under
        # fused=True too where it has no fused kernel at all (Muon's for matrices, as with
        # float32 state), while one with float32 kernels (Lamb's) refuses
        whole = stored and _takes_whole_tensors(kernel)
        if whole and values["fused"] and kernel.native is not None:
            whose = f"for tensors of {rank} axes " if rank is not None else ""
            raise ValueError(
                f"{type(self).__name__}: fused=True with state_precision={precision!r} runs "
                f"kernels for element-wise rules; this spec's rule {whose}(with reductions) "
                "steps such state with torch code, a tensor at a time: use fused=False, or "
                "leave fused as None"
            )
        fused = bool(values["fused"]) and kernel.native is not None
        # a rule of row or column means has no multi-tensor kernel: fused=True runs its CPU
        # tensors through its kernel in passes (one call a tensor), others as torch code
        staged = bool(values["fused"]) and kernel.native is None and kernel.staged is not None
        names, state_of = kernel.state, self.state.get
        # fused and foreach left to choose (None): state in fewer bits takes the fused kernels
        # where they take the step (_fuses_by_default)
        auto = stored and values["fused"] is None and values["foreach"] is None and bool(params)
        auto = auto and kernel.native is not None and not whole
        shaped = {s: k for s, k in self.state_shapes.items() if s in names}
        # the common case (one device) is checked in C++ (and a fused step's table built there)
        plain = graph or stored or not params or shaped
        table = None if plain else _cpp_table(params, self.state, names)
        fast = None  # ... and so is a fused step's with its state in fewer bits
        if stored and (fused or auto) and params:
            fast = _cpp_stored_table(params, self.state, kernel, precision)
        if auto:
            fused = self._fuses_by_default(params, fast)
            fast = fast if fused else None
        for p in params if table is None and fast is None else ():
            if stored:
                problem = _stored_problem(p, state_of(p), kernel, precision, fused)
                if problem is not None and auto and fused:
                    # chosen, not asked for: a tensor the fused kernels refuse and foreach
                    # takes (a lazily negated gradient) sends the step foreach; the tensors
                    # before it passed the fused checks, which include foreach's
                    if _stored_problem(p, state_of(p), kernel, precision, False) is None:
                        fused, problem = False, None
            elif _is_dtensor(p) and (fused or not kernel.tensor_ops):  # updated through shards
                problem = _dtensor_problem(p, state_of(p))
                if problem is None:
                    state = {k: _local(v) for k, v in state_of(p).items()} if state_of(p) else None
                    problem = _problem(_local(p), _local(p.grad), state, names, fused)
            else:
                problem = _problem(p, p.grad, state_of(p), names, fused, shaped)
            if problem is None and kernel.tensor_ops and _is_dtensor(p):
                problem = TypeError, (
                    "the spec's per-tensor reductions cannot run on DTensor parameters such as "
                    f"{_WHERE} (a sharded sum reads as the rank's partial sum, and a rank whose "
                    "shard is empty has no maximum); every rank refuses"
                )
            if problem is not None:
                error, message = problem
                where = f"parameter {_position_in(group, p)}" + (
                    f" of group {group_index}" if len(self.param_groups) > 1 else ""
                )
                raise error(f"{type(self).__name__}: {message.replace(_WHERE, where)}")
        native = foreach = None
        if fused and params and stored:
            native = self._plan_fused_stored(kernel, params, precision, fast)
        elif fused and params:
            if table is not None:  # checked in C++: one device, its table built
                native = self._fast_fused(kernel, params, table)
            else:
                native = self._plan_fused(kernel, params)
        elif params and not staged:
            foreach = self._use_foreach(values, kernel, params)
        return _Plan(
            group,
            params,
            kernel,
            h,
            None if graph else int(_number(values["iterations"])) + 1,  # graph: the tensor
            values["maximize"],
            foreach,
            native,
            table is not None,
            table is not None and table[3],
            precision,
            self._staged_apply(kernel) if staged and params else None,
        )

    def _clip_scale(self, grads) -> float:
        """Keras 2.3's clipnorm factor: the norm is over every gradient of the step, so over
        every rank's shard under ZeroRedundancyOptimizer (shard_group); DTensor gradients
        (FSDP2) reduce their own shards' norms."""
        if not self.clipnorm:  # None or 0 disables it, as in Keras 2.3
            return 1.0
        if not grads and self.shard_group is None:
            return 1.0
        total = sum(float(norm) ** 2 for norm in _group_norms(grads))
        if self.shard_group is not None:
            (total,) = _all_reduce([total], self.shard_group, torch.distributed.ReduceOp.SUM)
        norm = math.sqrt(total)
        return clip_scale(self.clipnorm, norm)

    def _step_group(self, plan, scale):
        kernel, h, t, group = plan.kernel, plan.h, plan.t, plan.group
        init = self.state_init(h)
        # An elementwise program (no per-tensor reduction) runs on DTensors' local shards,
        # which _plan checked are laid out alike: DTensor lacks some foreach operations.
        local = _local if not kernel.tensor_ops else (lambda tensor: tensor)
        factor = -scale if plan.maximize else scale
        if plan.checked:  # plain float32/float64 tensors, one device, their state (_cpp_table)
            state_of, clipvalue = self.state, self.clipvalue
            grads = [_prepared_gradient(p.grad, p.dtype, factor, clipvalue) for p in plan.params]
            states = [[state_of[p][s] for s in kernel.state] for p in plan.params]
            originals = plan.params
        else:
            grads, states, originals = [], [], []
            for p in plan.params:
                work_dtype = _work_dtype(p)
                g = _prepared_gradient(local(p.grad), work_dtype, factor, self.clipvalue)
                state = self.state[p]
                if not state:
                    for s in kernel.state:
                        state[s] = torch.full_like(
                            p, init[s], dtype=work_dtype, memory_format=torch.preserve_format
                        )
                        if s in self.state_shapes:  # one value per row or column
                            state[s] = state[s].new_full(self.state_shape_of(s, p.shape), init[s])
                grads.append(g)
                states.append([local(state[s]) for s in kernel.state])
                originals.append(local(p))
        work = [p.float() if p.dtype in LOW_PRECISION else p for p in originals]

        reductions = {}
        scalar_state = _numbers(group["scalar_state"])
        if kernel.partials is not None:
            layout = _dtensor_layout(type(self).__name__, plan.params)
            local = lambda ts: [_local(x) for x in ts]  # noqa: E731
            # a reduction over the update's values reads scalar state, as before the step
            before = {**h, **scalar_state}
            parts = [
                kernel.partials(_local(p), _local(g), local(st), before, t)
                for p, g, st in zip(work, grads, states)
            ]
            reductions = self._global_reductions(kernel, parts, layout)
        scalars, scalar_state = _eager_step(kernel)(h, scalar_state, reductions, t)

        if plan.foreach:
            lists = [list(column) for column in zip(*states)] if kernel.state else []
            # batches (the CPU's cache) reorder the writes: only where none overlap; a GPU's
            # launches would only multiply (W1 on an H200: 22.9 ms batched, 2.3 ms whole)
            if plan.distinct and work and work[0].device.type == "cpu":
                for p_batch, g_batch, *state_batch in _cpu_batches([work, grads, *lists]):
                    kernel.apply_foreach(p_batch, g_batch, state_batch, scalars)
            else:
                kernel.apply_foreach(work, grads, lists, scalars)
        else:
            apply = plan.staged or kernel.apply
            for p, g, st in zip(work, grads, states):
                apply(p, g, st, scalars)
        for p, w in zip(originals, work):
            if w is not p:
                p.copy_(w)
        group["iterations"] = t
        group["scalar_state"] = scalar_state

    def _step_group_stored(self, plan, scale):
        """One group's step with its state stored in fewer bits (state_precision): pieces of
        the parameters are stepped with their state decoded into working copies, which are
        then encoded back (generated/torch/_state_precision.py). Pieces of several tensors
        run together on the foreach path, up to _precision.piece(device) elements."""
        if _takes_whole_tensors(plan.kernel):
            return self._step_group_stored_whole(plan, scale)
        kernel, h, t, group = plan.kernel, plan.h, plan.t, plan.group
        names = kernel.state
        factor = -scale if plan.maximize else scale
        init = self.state_init(h)
        pieces, copies, position = [], [], 0
        for p in plan.params:
            work_dtype = _work_dtype(p)
            g = _prepared_gradient(p.grad, work_dtype, factor, self.clipvalue).contiguous()
            state = self._stored_state(p, kernel, plan.precision, init)
            work = p
            if p.dtype in LOW_PRECISION or not p.is_contiguous():
                work = p.detach().to(work_dtype, memory_format=torch.contiguous_format, copy=True)
                copies.append((p, work))
            flat_p, flat_g = work.view(-1), g.view(-1)
            entries = _stored_entries(state, names, t, position)
            position += _precision.in_fewer_bits(state, names)
            length = _precision.piece(p.device)
            for begin in range(0, p.numel(), length):
                end = min(p.numel(), begin + length)
                pieces.append((flat_p[begin:end], flat_g[begin:end], entries, begin, end))
        scalar_state = _numbers(group["scalar_state"])
        scalars, scalar_state = _eager_step(kernel)(h, scalar_state, {}, t)
        batch, size = [], 0
        limit = _precision.piece(pieces[0][0].device) if pieces else 0  # one device per group
        for piece in [*pieces, None]:
            if batch and (piece is None or size + piece[0].numel() > limit):
                self._step_pieces(kernel, batch, scalars, plan.foreach)
                batch, size = [], 0
            if piece is not None:
                batch.append(piece)
                size += piece[0].numel()
        for p, work in copies:
            p.copy_(work)
        group["iterations"] = t
        group["scalar_state"] = scalar_state

    def _step_group_stored_whole(self, plan, scale):
        """_step_group_stored for a rule that needs whole tensors (per-tensor reductions,
        matrix functions, global reductions): a tensor at a time, its state decoded whole,
        stepped by the float32 rule's torch code and encoded back, so that one tensor's state
        is ever decoded at once (global reductions decode each tensor's twice: once for
        their parts, once for the step)."""
        kernel, h, t, group = plan.kernel, plan.h, plan.t, plan.group
        names = kernel.state
        factor = -scale if plan.maximize else scale
        init = self.state_init(h)
        rows, position = [], 0
        for p in plan.params:
            work_dtype = _work_dtype(p)
            g = _prepared_gradient(p.grad, work_dtype, factor, self.clipvalue)
            state = self._stored_state(p, kernel, plan.precision, init)
            rows.append((p, g, _stored_entries(state, names, t, position), work_dtype))
            position += _precision.in_fewer_bits(state, names)

        def work_of(p):
            return p.float() if p.dtype in LOW_PRECISION else p

        reductions = {}
        scalar_state = _numbers(group["scalar_state"])
        if kernel.partials is not None:
            before = {**h, **scalar_state}  # as _step_group: the scalar state before the step
            parts = [
                kernel.partials(
                    work_of(p), g, [_precision.decode_state(e, dtype) for e in entries], before, t
                )
                for p, g, entries, dtype in rows
            ]
            reductions = self._global_reductions(kernel, parts)
        scalars, scalar_state = _eager_step(kernel)(h, scalar_state, reductions, t)
        for p, g, entries, dtype in rows:
            work = work_of(p)
            values = [_precision.decode_state(e, dtype) for e in entries]
            kernel.apply(work, g, values, scalars)
            for e, value in zip(entries, values):
                _precision.encode_whole(e, value, e["key"])
            if work is not p:
                p.copy_(work)
        group["iterations"] = t
        group["scalar_state"] = scalar_state

    @staticmethod
    def _step_pieces(kernel, batch, scalars, foreach):
        """Decode the state of a batch of pieces, step them, encode the new state."""
        states = [
            [(entries[i], begin, end) for _, _, entries, begin, end in batch]
            for i in range(len(kernel.state))
        ]
        dtypes = [p.dtype for p, *_ in batch]
        decoded = [_precision.decode_pieces(pieces, dtypes) for pieces in states]
        columns = [d.values for d in decoded]
        ps, gs = [piece[0] for piece in batch], [piece[1] for piece in batch]
        if foreach and len({p.dtype for p in ps}) == 1:
            kernel.apply_foreach(ps, gs, columns, scalars)
        else:
            for j, (p, g) in enumerate(zip(ps, gs)):
                kernel.apply(p, g, [column[j] for column in columns], scalars)
        for pieces, values in zip(states, decoded):
            _precision.encode_pieces(pieces, values)

    def _global_reductions(self, kernel, parts, layout=None) -> dict:
        """A spec's global reductions from each tensor's part (a tuple per tensor, of the
        rank's local shard for DTensors), reduced over the ranks that hold other shards: the
        DTensors' mesh dimensions that shard them (``layout``), or the shard group (every rank
        calls this, in group order)."""
        out = {}
        for i, (rname, op) in enumerate(zip(kernel.global_names, kernel.global_ops)):
            column = [float(part[i]) for part in parts]
            if op == "max":
                out[rname] = nan_max(column)
            else:
                out[rname] = math.fsum(column)
        groups = [self.shard_group] if self.shard_group is not None else []
        if layout is not None:
            mesh, placements = layout
            groups += [mesh.get_group(d) for d, pl in enumerate(placements) if pl.is_shard()]
        dist = torch.distributed
        for group in groups:
            for op, reduce_op in (("max", dist.ReduceOp.MAX), ("sum", dist.ReduceOp.SUM)):
                names = [n for n, o in zip(kernel.global_names, kernel.global_ops) if o == op]
                if names:
                    reduced = _all_reduce([out[n] for n in names], group, reduce_op)
                    out.update(zip(names, reduced))
        return out

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

    def _library(self, device):
        """The native target for ``device`` and its library of this optimizer's kernels (built
        on first use)."""
        from .. import _native

        target = self._target(device)
        return target, _native.library(self.native_module, target, _arch(device))

    def _device_table(self, table, device, key):
        """A checked pointer table's copy on its GPU, kept from step to step while the table
        stays the same (the same tensors): no host-to-device copy in a steady step. None off
        a GPU. ``key`` tells a group's tables apart."""
        if device.type != "cuda":
            return None
        cache = self.__dict__.setdefault("_device_tables", {})
        kept = cache.get((key, device))
        stream = torch.cuda.current_stream(device)
        if kept is not None and kept[0] == table:
            if kept[2] != stream:  # its copy was queued on another stream: wait for it
                stream.wait_stream(kept[2])
                cache[(key, device)] = (kept[0], kept[1], stream)
            return kept[1]
        on_device = _precision.host_to_device(torch.frombuffer(table, dtype=torch.int64), device)
        cache[(key, device)] = (bytes(table), on_device, stream)
        return on_device

    def _staged_apply(self, kernel) -> Callable:
        """``kernel.apply`` through the kernels in passes of a rule of row or column means,
        for the tensors they take (CPU or CUDA, float32 or float64, contiguous, with the
        state's shapes): the C function on the CPU, the CUDA launcher on a GPU (and through
        the CPU shim for tests); any other tensor goes to ``kernel.apply`` (torch code)."""
        from .. import _native

        kinds = [self.state_shapes.get(s) for s in kernel.state]  # None: p's shape
        # the step's scalars on a device, copied once per step and device: (scalars, device,
        # tensor), holding the scalars so that a new step's tuple is never taken for them
        on_device = [None, None, None]

        def apply(p, g, states, scalars):
            # checked and handed over with no Python of the user's in between (a mode could
            # change what the check sees or what data_ptr returns); torch code otherwise
            with _hand_over():
                if _staged_takes(p, g, states, kinds):
                    call(p, g, states, scalars)
                    return
            kernel.apply(p, g, states, scalars)

        def call(p, g, states, scalars):
            dtype = "f32" if p.dtype is torch.float32 else "f64"
            addresses = [t.data_ptr() for t in (p, g, *states)]
            target, library = self._library(p.device)
            if target == "cpu":
                _native.call_staged(
                    library, kernel.staged, dtype, addresses, p.shape, scalars, type(self).__name__
                )
                return
            if on_device[0] is not scalars or on_device[1] != p.device:
                values = _precision.host_to_device(
                    torch.tensor(scalars, dtype=torch.float64), p.device
                )
                on_device[:] = [scalars, p.device, values]
            values = on_device[2]
            size = _native.staged_work(library, kernel.staged, dtype, p.shape)
            launch = _native.staged_launcher(library, kernel.staged, dtype)
            rows, columns = p.shape[-2], p.shape[-1]
            with _on(p.device):  # the launches go to p's GPU, on its current stream
                work = torch.empty(max(size, 1), dtype=torch.float64, device=p.device)
                code = launch(
                    _native.pointers(addresses),
                    p.numel() // (rows * columns),
                    rows,
                    columns,
                    values.data_ptr(),
                    work.data_ptr(),
                    work.numel(),
                    _stream(p.device),
                )
            # freed tensors' memory is reused only by work ordered after the launch
            _native.check(code, f"{kernel.staged}_{dtype}_staged")

        return apply

    def _fast_fused(self, kernel, params, table) -> "_FastTable":
        """A fused step over the pointer table that _cpp_table built and checked (every
        tensor on the first parameter's device: the C library's call on the CPU, a launch on a
        GPU or through the CPU shim)."""
        from .. import _native

        pointers, n_chunks, dtype, _, keep, witness = table
        device = params[0].device
        target, library = self._library(device)
        suffix = _DTYPE_SUFFIX[getattr(torch, dtype)]
        work = bool(kernel.tensor_ops)  # the CUDA launchers' buffer for the reductions
        update = _native.update_function(library, kernel.native, suffix, target, work)
        return _FastTable(
            pointers, len(params), n_chunks, update, keep, witness, target, device, suffix
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
            target, library = self._library(device)
            low_on_cpu = target == "cpu" and dtype in LOW_PRECISION  # the CPU library is f32/f64
            suffix = "f32" if low_on_cpu else _DTYPE_SUFFIX[dtype]
            work = bool(kernel.tensor_ops)  # the CUDA launchers' buffer for the reductions
            update = _native.update_function(library, kernel.native, suffix, target, work)
            out[(device, dtype)] = (target, suffix, low_on_cpu, update, bucket)
        return out

    def _fuses_by_default(self, params, fast) -> bool:
        """Whether a step with state in fewer bits, fused and foreach left to choose (None),
        is planned on the fused kernels: every parameter on the CPU or a GPU, and the kernels
        build there (``fast``: the C++ checks took every tensor, on one device). The Python
        checks of a step the C++ ones declined may still send it foreach (_plan). The
        foreach path encodes with torch operations, piece by piece: about 30 times the fused
        step's time on W1 (``python -m generator bench --only adam``, its int8 rows)."""
        if fast is not None:
            return self._fused_builds(params[0].device)
        devices = {p.device: None for p in params}
        return all(d.type in ("cpu", "cuda") for d in devices) and all(
            self._fused_builds(d) for d in devices
        )

    def _fused_builds(self, device) -> bool:
        """Whether this optimizer's kernels build (or are built) for ``device``, asked once per
        device: a library that does not build (no compiler, no writable cache) is reported
        once, and the steps that would have chosen it take the foreach path."""
        from .. import _native

        known = self.__dict__.setdefault("_fused_builds_on", {})
        if device not in known:
            try:
                self._library(device)
                known[device] = True
            except (_native.NativeBuildError, OSError, subprocess.SubprocessError) as err:
                known[device] = False
                warnings.warn(
                    f"{type(self).__name__}: state_precision steps take the foreach path, "
                    f"more slowly: the fused kernels could not be built for {device} ({err})",
                    RuntimeWarning,
                    stacklevel=5,
                )
        return known[device]

    def _plan_fused_stored(self, kernel, params, precision, fast=None) -> "dict | _FastStored":
        """Per device: the target, the update for float32 parameters with their state stored
        in ``precision`` (the C library's on the CPU, the CUDA launchers' on a GPU or through
        the CPU shim) and the float32 update for (int8's) tensors too small to quantise; or,
        with the tables _cpp_stored_table built and checked (``fast``), the CPU's updates."""
        from .. import _native

        kind = "int8" if precision == "int8" else "bf16"
        if fast is not None:  # every tensor on the first parameter's device
            device = params[0].device
            target, library = self._library(device)
            return _FastStored(
                *fast,
                _native.stored_update_function(library, kernel.native, kind, target),
                _native.update_function(library, kernel.native, "f32", target),
                target,
                device,
            )
        out = {}
        for device in {p.device: None for p in params}:  # first-seen order
            target, library = self._library(device)
            out[device] = (
                target,
                _native.stored_update_function(library, kernel.native, kind, target),
                _native.update_function(library, kernel.native, "f32", target),
            )
        return out

    def _step_fused_stored(self, plan, scale):
        """Per device, one call or launch of the kernels that decode, update and encode the
        state block by block (ocg_state.h) for the tensors whose state is stored in fewer
        bits, and one of the float32 kernels for the others (int8's small tensors)."""
        if isinstance(plan.native, _FastStored):  # checked, and its tables built, in C++
            self._step_fast_stored(plan, scale)
            return
        from .. import _native

        kernel, names, precision = plan.kernel, plan.kernel.state, plan.precision
        init = self.state_init(plan.h)
        rows, copies = [], []  # the state made and the copies taken first: torch operations
        for p in plan.params:
            state = self._stored_state(p, kernel, precision, init)
            work = p if p.is_contiguous() else p.contiguous()
            if work is not p:
                copies.append((p, work))
            entries = {k: state[k] for k in sorted(state)}
            rows.append((work, p.grad.contiguous(), entries))  # alive until the kernels return
        lists = {}  # (device, fewer bits) -> (pointers, numels)
        scalars, scalar_state = _eager_step(kernel)(
            plan.h, _numbers(plan.group["scalar_state"]), {}, plan.t
        )
        factor = -1.0 if plan.maximize else 1.0
        clipvalue = float(self.clipvalue or 0.0)
        with _hand_over():  # each tensor checked again, as the kernels will see it
            for work, grad, entries in rows:
                _check_handed_over(self, [work, grad], work.device, [torch.float32] * 2)
                unsigned = set(kernel.nonnegative)
                if _precision.state_problem(entries, names, work, precision, unsigned) or any(
                    _raw_memory_problem("", tensor) for tensor in entries.values()
                ):
                    raise RuntimeError(_changed(self))
                tensors = [work, grad]
                for s in names:
                    tensors.append(entries[s])
                    if s + _precision.ABSMAX in entries:
                        tensors.append(entries[s + _precision.ABSMAX])
                fewer = _precision.in_fewer_bits(entries, names) or not names
                pointers, numels = lists.setdefault((work.device, fewer), ([], []))
                pointers += [x.data_ptr() for x in tensors]
                numels.append(work.numel())
            for (device, fewer), (pointers, numels) in lists.items():
                target, stored_update, float32_update = plan.native[device]
                update, suffix = float32_update, "f32"
                if fewer:
                    update, suffix = _with_step(stored_update, plan.t & 0xFFFFFFFF), "f32_stored"
                launch = (scalars, scale, factor, clipvalue, kernel, len(pointers) // len(numels))
                table, n_chunks = _native.table(pointers, numels)
                self._launch(table, len(numels), n_chunks, target, device, update, suffix, launch)
        for p, work in copies:
            p.copy_(work)
        plan.group["iterations"] = plan.t
        plan.group["scalar_state"] = scalar_state

    def _step_fast_stored(self, plan, scale):
        """_step_fused_stored over the tables that _cpp_stored_table built and checked."""
        kernel, t, group, fast = plan.kernel, plan.t, plan.group, plan.native
        scalars, scalar_state = _eager_step(kernel)(plan.h, _numbers(group["scalar_state"]), {}, t)
        factor = -1.0 if plan.maximize else 1.0
        clipvalue = float(self.clipvalue or 0.0)
        stored_update = _with_step(fast.stored_update, t & 0xFFFFFFFF)
        scale = _host_float(scale) if fast.target == "cpu" else scale
        with _hand_over():  # Python ran since the checks (the clip scale): rechecked
            if not _table_extension().recheck(fast.keep, fast.witness):
                raise RuntimeError(_changed(self))
            for (table, n, n_chunks), update, suffix in (
                (fast.stored, stored_update, "f32_stored"),
                (fast.plain, fast.float32_update, "f32"),
            ):
                if n:
                    width = (len(table) // 8 - 2 * n - 1) // n
                    launch = (scalars, scale, factor, clipvalue, kernel, width)
                    on_device = self._device_table(table, fast.device, (id(group), suffix))
                    self._launch(
                        table,
                        n,
                        n_chunks,
                        fast.target,
                        fast.device,
                        update,
                        suffix,
                        launch,
                        on_device,
                    )
        group["iterations"] = t
        group["scalar_state"] = scalar_state

    def _fused_on_device(self, plans) -> bool:
        """clipnorm runs on the device (no host sync) when every gradient of a fused step is on
        one device that runs the CUDA launchers."""
        if not self.clipnorm or not plans or not all(plan.native is not None for plan in plans):
            return False
        if self.shard_group is not None or any(
            _is_dtensor(p) for plan in plans for p in plan.params
        ):
            return False  # the norm is reduced over ranks: _clip_scale
        devices = {p.grad.device for plan in plans for p in plan.params}
        return len(devices) == 1 and self._target(next(iter(devices))) != "cpu"

    def _fused_clip_scale(self, grads):
        """Keras 2.3's global norm with ocg_sumsq_* and ocg_clip_scale: a one-element float64
        tensor on the gradients' device, which the update kernels read."""
        device = grads[0].device
        _, library = self._library(device)
        with _hand_over(), _on(device):  # the launches go to the gradients' GPU
            return self._launch_clip_scale(grads, device, library)

    def _launch_clip_scale(self, grads, device, library):
        from .. import _native

        by_dtype = {}
        for g in grads:
            g = g.contiguous()
            _check_handed_over(self, [g], device, [g.dtype])
            by_dtype.setdefault(g.dtype, []).append(g)
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
            on_device = _precision.host_to_device(
                torch.frombuffer(table, dtype=torch.int64), device
            )
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
        kernel, h, t, group = plan.kernel, plan.h, plan.t, plan.group
        init = self.state_init(h)
        reductions = self._fused_global_reductions(plan, scale, init)
        scalars, scalar_state = _eager_step(kernel)(
            h, _numbers(group["scalar_state"]), reductions, t
        )
        factor = -1.0 if plan.maximize else 1.0
        clipvalue = float(self.clipvalue or 0.0)
        if isinstance(plan.native, _FastTable):  # checked, and its table built, in C++
            fast = plan.native
            scale = _host_float(scale) if fast.target == "cpu" else scale
            launch = (scalars, scale, factor, clipvalue, kernel, 2 + len(kernel.state))
            with _hand_over():  # Python ran since the checks (the clip scale): rechecked
                if not _table_extension().recheck(fast.keep, fast.witness):
                    raise RuntimeError(_changed(self))
                on_device = self._device_table(fast.table, fast.device, (id(group), ""))
                self._launch(
                    fast.table,
                    fast.n,
                    fast.n_chunks,
                    fast.target,
                    fast.device,
                    fast.update,
                    fast.suffix,
                    launch,
                    on_device,
                )
        else:
            launch = (scalars, scale, factor, clipvalue, kernel, 2 + len(kernel.state))
            self._launch_buckets(plan, init, launch)
        group["iterations"] = t
        group["scalar_state"] = scalar_state

    def _fused_global_reductions(self, plan, scale, init) -> dict:
        """A spec's global reductions for a fused step, by the same array code as the other
        paths, over the gradients as the kernels will see them and the state (made here on a
        first step, as the launches would make it). The step program reads them on the host:
        on CUDA, a synchronization that fused steps without global reductions avoid."""
        kernel = plan.kernel
        if kernel.partials is None:
            return {}
        factor = -_host_float(scale) if plan.maximize else _host_float(scale)
        # a reduction over the update's values reads scalar state, as before the step
        before = {**plan.h, **_numbers(plan.group["scalar_state"])}
        parts = []
        for p in plan.params:
            state = self.state[p]
            if not state:
                for s in kernel.state:
                    state[s] = torch.full_like(
                        p, init[s], dtype=_work_dtype(p), memory_format=torch.contiguous_format
                    )
            work_dtype = _work_dtype(p)
            g = _prepared_gradient(_local(p.grad), work_dtype, factor, self.clipvalue)
            work = _local(p).to(work_dtype)  # float16/bfloat16 parameters: as the kernels read them
            columns = [_local(state[s]) for s in kernel.state]
            parts.append(kernel.partials(work, g, columns, before, plan.t))
        layout = _dtensor_layout(type(self).__name__, plan.params)
        return self._global_reductions(kernel, parts, layout)

    def _launch_buckets(self, plan, init, launch):
        """The Python path's launches: per device and dtype, a pointer table of the tensors
        (contiguous or low-precision copies where needed, written back after). The state is
        made and the copies taken first (torch operations, which modes see); then, handed
        over (_hand_over), each tensor is checked again and the kernel runs."""
        from .. import _native

        names = plan.kernel.state
        prepared, copies = [], []
        for (device, dtype), (target, suffix, low_on_cpu, update, bucket) in plan.native.items():
            # one row per tensor: p, g, state; kept lean, it runs for every tensor
            rows, kinds = [], []
            for p in bucket:
                state = self.state[p]
                if not state:
                    for s in names:
                        state[s] = torch.full_like(
                            p, init[s], dtype=_work_dtype(p), memory_format=torch.contiguous_format
                        )
                row = []
                for role, tensor in enumerate((p, p.grad, *[state[s] for s in names])):
                    tensor = _local(tensor)
                    work = tensor.float() if low_on_cpu and role < 2 else tensor
                    if not work.is_contiguous():
                        work = work.contiguous()
                    if work is not tensor and role != 1:  # the gradient is only read
                        copies.append((tensor, work))
                    row.append(work)  # alive until the kernel returns, whatever else runs
                rows.append(row)
                kinds.append(
                    [torch.float32 if low_on_cpu else dtype] * 2 + [_work_dtype(p)] * len(names)
                )
            prepared.append((device, target, suffix, update, rows, kinds))
        # every bucket checked before the first runs: a tensor changed since (a mode's Python
        # ran while the rows were made) refuses the group's step with none of it done
        with _hand_over():
            # and what the copies go back to: a state made by a mode as an expanded tensor was
            # stepped through its copy, then refused at the write-back, the kernel run
            for tensor, _ in copies:
                if _overlaps(tensor) or not _in_storage(tensor):
                    raise RuntimeError(_changed(self))
            tables = []
            for device, target, suffix, update, rows, kinds in prepared:
                pointers = []
                for row, kind in zip(rows, kinds):
                    _check_handed_over(self, row, device, kind)
                    pointers += [work.data_ptr() for work in row]
                tables.append(_native.table(pointers, [row[0].numel() for row in rows]))
            for (device, target, suffix, update, rows, _), (table, n_chunks) in zip(
                prepared, tables
            ):
                self._launch(table, len(rows), n_chunks, target, device, update, suffix, launch)
        for tensor, work in copies:
            tensor.copy_(work)

    @staticmethod
    def _launch(table, n, n_chunks, target, device, update, suffix, launch, on_device=None):
        """One call (CPU) or launch (CUDA) of a generated update over a pointer table (on a
        GPU: copied there, unless ``on_device`` is that copy already)."""
        from .. import _native

        scalars, scale, factor, clipvalue, kernel, width = launch
        if target == "cpu":
            tensors = _native.tensor_list(_native.address(table), n, width, n_chunks)
            grad_scale = (
                float(scale) if not isinstance(scale, torch.Tensor) else float(scale.item())
            )
            code = update(tensors, _native.doubles(scalars), None, factor * grad_scale, clipvalue)
            _native.check(code, f"{kernel.native}_{suffix}")
            return
        if on_device is None:
            on_device = _precision.host_to_device(
                torch.frombuffer(table, dtype=torch.int64), device
            )
        values = _precision.host_to_device(torch.tensor(scalars, dtype=torch.float64), device)
        grad_scale = None  # clipnorm's factor where it lies on the device (ocg_clip.cu) ...
        if isinstance(scale, torch.Tensor) and scale.device == device:
            grad_scale = scale.data_ptr()
        else:  # ... else folded into the factor (+-1): no copy to the device, the same bits
            factor = factor * _host_float(scale)
        tensors = _native.tensor_list(on_device.data_ptr(), n, width, n_chunks)
        arguments = [tensors, values.data_ptr(), grad_scale, factor, clipvalue]
        if kernel.tensor_ops:  # the per-tensor reductions' partial values and totals
            size = (n_chunks + n) * len(kernel.tensor_ops)
            work = torch.empty(size, dtype=torch.float64, device=device)
            arguments.append(work.data_ptr())
        with _on(device):  # the launch goes to the tensors' GPU, not the current one
            code = update(*arguments, _stream(device))
        # The launch runs later on the stream; freeing these tensors is safe because the
        # caching allocator reuses their memory only for work ordered after it.
        _native.check(code, f"{kernel.native}_{suffix}")


class _FastTable(NamedTuple):
    """A fused step's pointer table, checked in C++ (see _cpp_table)."""

    table: bytearray  # int64, laid out as _native.table lays it out
    n: int
    n_chunks: int
    update: Callable
    keep: list  # every tensor of the table, held until the kernel has returned
    witness: bytearray  # ... as they were: rechecked at the kernel call (_fused_table.cpp)
    target: str  # "cpu", "cuda" or "shim"
    device: torch.device  # every tensor's
    suffix: str  # the update's dtype suffix (f32, f64), for errors


class _FastStored(NamedTuple):
    """A fused step with state in fewer bits, its tables checked in C++ (see
    _cpp_stored_table): each (table, tensors, chunks)."""

    stored: tuple  # the tensors whose state is stored in fewer bits
    plain: tuple  # int8's small tensors, with float32 state
    keep: list  # every tensor of the tables, held until the kernels have returned
    witness: bytearray  # ... as they were: rechecked at the kernel calls (_fused_table.cpp)
    stored_update: Callable
    float32_update: Callable
    target: str  # "cpu", "cuda" or "shim"
    device: torch.device  # every tensor's


def _cpp_stored_table(params, state, kernel, precision):
    """torch/_fused_table.cpp's stored_table(): _stored_problem's checks for a fused step, made
    in C++, for the common case: float32 parameters and gradients on one device, plain and
    contiguous, with their state in exactly the layout of ``precision`` (each code array shaped like its
    parameter, int8's scales one per block; int8's small tensors float32), no two sharing a
    storage. Returns (stored table, float32 table, tensors held, their witness), each table
    (bytes, tensors, chunks), or None where the Python path must check the step."""
    extension = _table_extension()
    if extension is None:
        return None
    names = tuple(kernel.state)
    if precision == "int8":
        unsigned = set(kernel.nonnegative)
        codes = tuple(torch.uint8 if s in unsigned else torch.int8 for s in names)
        scales = tuple(s + _precision.ABSMAX for s in names)
        smallest = _precision.MIN_INT8_NUMEL
    else:
        codes, scales, smallest = (torch.bfloat16,) * len(names), (), 0
    return extension.stored_table(
        params, state, names, scales, codes, _PLAIN, _CHUNK, _precision.BLOCK, smallest
    )


def _cpp_table(params, state, names):
    """torch/_fused_table.cpp's table(): _problem's checks, made in C++, for the common case:
    every parameter, gradient and state tensor plain, contiguous, on one device (the CPU or a
    GPU), of one dtype (float32 or float64), within its storage, with the state the step needs. Returns (pointer
    table, chunks, dtype name, whether no two parameters or states share a storage, a list
    holding every tensor of the table), or None where the Python path must check (and copy, or
    refuse) the step: several devices, other dtypes, first steps, views, subclasses, DTensors."""
    extension = _table_extension()
    if extension is None:
        return None
    return extension.table(params, state, names, _PLAIN, _CHUNK)


@functools.lru_cache(maxsize=None)
def _table_extension():
    """torch/_fused_table.cpp as a module, built on first use; None (and one warning) when it
    cannot be built here: steps then check every tensor in Python, a few microseconds each."""
    from .. import _native

    try:
        return _native.torch_extension()
    except (_native.NativeBuildError, ImportError, OSError) as err:
        warnings.warn(
            f"steps check each tensor in Python, more slowly: the C++ checks could not be built ({err})",
            RuntimeWarning,
            stacklevel=4,
        )
        return None


def _position_in(group, p) -> int:
    """``p``'s index in its group's list, as the user gave it (an error names it)."""
    return next(i for i, q in enumerate(group["params"]) if q is p)


def _stored_entries(state, names, t, position) -> list[dict]:
    """Each state's stored tensors (codes, and int8's scales) and its stochastic rounding's
    key, for the tensor at ``position`` among those whose state is stored in fewer bits (as
    the fused kernels' lists count them)."""
    return [
        {
            "": state[s],
            _precision.ABSMAX: state.get(s + _precision.ABSMAX),
            "key": _precision.rounding_key(t, position, index),
        }
        for index, s in enumerate(names)
    ]


def _takes_whole_tensors(kernel) -> bool:
    """Whether a rule reads whole tensors (per-tensor or global reductions, or a matrix rule,
    which has no element-wise kernel): its state in fewer bits cannot be stepped piece by
    piece."""
    return kernel.partials is not None or bool(kernel.tensor_ops) or kernel.native is None


def _saved_counts(group) -> tuple:
    """A group's step count and scalar state before its step (tensors: copies)."""
    copy = lambda x: x.clone() if isinstance(x, torch.Tensor) else x  # noqa: E731
    return copy(group["iterations"]), {k: copy(v) for k, v in group["scalar_state"].items()}


def _restore_counts(group, saved) -> None:
    """Back to ``_saved_counts``'s values: in place for a graph step's tensors."""
    iterations, scalar_state = saved
    if isinstance(group["iterations"], torch.Tensor) and isinstance(iterations, torch.Tensor):
        group["iterations"].copy_(iterations)
        for k, v in scalar_state.items():
            group["scalar_state"][k].copy_(v)
    else:
        group["iterations"], group["scalar_state"] = iterations, dict(scalar_state)


def _staged_takes(p, g, states, shapes) -> bool:
    """Whether a staged kernel may take ``p`` and its gradient and state by raw pointers:
    tensors of one device (CPU or CUDA) and float type, contiguous, of two axes or more and
    some elements, each state of its shape."""
    if p.device.type not in ("cpu", "cuda") or p.dtype not in (torch.float32, torch.float64):
        return False
    if p.dim() < 2 or not p.numel():
        return False
    if g.shape != p.shape or len(states) != len(shapes):
        return False
    for tensor, shape in [(p, None), (g, None), *zip(states, shapes)]:
        if (
            tensor.device != p.device
            or tensor.dtype is not p.dtype
            or not tensor.is_contiguous()
            or tensor.shape != _state_shape(shape, p.shape)
            or _raw_memory_problem("", tensor) is not None  # plain, within its storage
        ):
            return False
    return True


class _Plan(NamedTuple):
    """One group's step, checked: see Optimizer._plan."""

    group: dict
    params: list
    kernel: Kernel
    h: dict
    t: int
    maximize: bool
    foreach: bool | None  # the multi-tensor path (None when fused)
    # fused: {(device, dtype): (target, suffix, low_on_cpu, update, params)}, or a _FastTable
    native: "dict | _FastTable | None"
    checked: bool  # by _cpp_table: plain float32/float64 CPU tensors with their state
    distinct: bool  # checked, and no two parameters or states share a storage
    precision: str = "float32"  # how the state is stored (_state_precision)
    staged: Callable | None = None  # a rule of row or column means: its kernel in passes


_PLAIN = (torch.Tensor, torch.nn.Parameter)
_CODES = (torch.int8, torch.uint8)


def _problem(p, g, state, names, plain, shaped=None):
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
                or value.shape != (_state_shape(shaped.get(key), shape) if shaped else shape)
                or value.device != device
            ):
                return RuntimeError, (
                    f"state {key!r} of {_WHERE} is {_describe(value)}; the parameter needs {work} of "
                    f"shape {_state_shape((shaped or {}).get(key), shape)} on {device} (was the parameter changed through .data, or "
                    "the state loaded for another model?)"
                )
            tensors.append((f"state {key!r} of {_WHERE}", value))
    for role, tensor in tensors:
        # (not while compiling: dynamo cannot trace is_inference(); a compiled step is left
        # to torch's own refusal of in-place updates to inference tensors)
        if (
            not torch.compiler.is_compiling()
            and tensor.is_inference()
            and not torch.is_inference_mode_enabled()
        ):
            return RuntimeError, (
                f"{role} is an inference tensor (made under torch.inference_mode(), or loaded "
                "there): it cannot be updated in place outside inference mode"
            )
        if tensor.layout is not _STRIDED or (not tensor.is_contiguous() and _overlaps(tensor)):
            return RuntimeError, (
                f"{role} has elements that share memory (an expanded tensor?) or is not strided: "
                "it cannot be updated in place"
            )
    if plain:
        for role, tensor in (*tensors, (f"the gradient of {_WHERE}", g)):
            problem = _raw_memory_problem(role, tensor)
            if problem is not None:
                return problem
    elif not torch.compiler.is_compiling():  # (a traced tensor's storage is not its memory)
        for role, tensor in (*tensors, (f"the gradient of {_WHERE}", g)):
            if _past_storage(tensor):
                return RuntimeError, f"{role} reaches past the end of its storage"
    return None


def _past_storage(tensor) -> bool:
    """A plain strided tensor with elements past the end of its storage (resized under it
    by ``untyped_storage().resize_``): torch's operations, as the kernels, would read and
    write memory that is not there. Checked when a step is planned, about 0.6 us a tensor
    (the C++ table checks the common case itself); tensors without memory of their own
    (functional, nested, subclasses) are left to their own checks."""
    if type(tensor) not in _PLAIN or tensor.layout is not _STRIDED or tensor.is_nested:
        return False
    if torch._is_functional_tensor(tensor):
        return False
    try:
        return not _in_storage(tensor)
    except (RuntimeError, NotImplementedError):  # a device whose storage is not inspectable
        return False


def _raw_memory_problem(role, tensor):
    """What stops a kernel from reading and writing ``tensor`` through its raw pointer."""
    if type(tensor) not in _PLAIN:
        return TypeError, (
            "fused=True passes raw pointers to C/CUDA kernels and takes plain tensors; "
            f"{role} is a {type(tensor).__name__}; use foreach or the loop"
        )
    if torch._is_functional_tensor(tensor) or (
        tensor.device.type in ("cpu", "cuda") and tensor.numel() and not tensor.data_ptr()
    ):
        return TypeError, (
            f"fused=True reads raw memory, and {role} has none (its storage freed or resized "
            "to nothing, or a functional tensor, as torch.func.functionalize makes); use "
            "foreach or the loop for functional tensors"
        )
    if tensor.is_neg() or tensor.is_conj():
        return TypeError, (
            f"fused=True reads raw memory, and {role} is a lazily negated or conjugated "
            "view (torch._neg_view, .conj()); pass tensor.resolve_neg() or use foreach"
        )
    if not _in_storage(tensor):
        return RuntimeError, f"{role} reaches past the end of its storage"
    return None


def _stored_problem(p, state, kernel, precision, fused=False):
    """_problem for a parameter whose state is stored in fewer bits (state_precision): the
    parameter and gradient as always, the stored state in its format; for the fused kernels,
    float32 CPU tensors whose memory a kernel may use."""
    problem = _problem(p, p.grad, None, kernel.state, fused)
    if problem is None and _is_dtensor(p):
        problem = (
            TypeError,
            f"state_precision={precision!r} does not take DTensor parameters ({_WHERE})",
        )
    if problem is None and type(p) not in _PLAIN:
        # the state is decoded and encoded in pieces by element counts the parameter reports:
        # a subclass's numel that lied had the step refused midway, other tensors stepped
        problem = TypeError, (
            f"state_precision={precision!r} takes plain tensors (torch.Tensor, "
            f"nn.Parameter); {_WHERE} is a {type(p).__name__}"
        )
    if problem is None and fused and p.dtype is not torch.float32:
        problem = TypeError, (
            f"fused=True with state_precision={precision!r} takes float32 parameters (kernels "
            f"for other dtypes are not generated yet); {_WHERE} is {_describe(p)}: use "
            "foreach or the loop"
        )
    if problem is None and state:
        message = _precision.state_problem(
            state, kernel.state, p, precision, set(kernel.nonnegative)
        )
        if message is not None:
            problem = RuntimeError, f"{_WHERE}: {message}"
        for key, tensor in sorted(state.items()) if problem is None and fused else ():
            problem = _raw_memory_problem(f"state {key!r} of {_WHERE}", tensor)
            if problem is not None:
                break
    return problem


# Bytes per batch of the CPU foreach path: a batch's arrays (parameters, gradients, state and
# a temporary) stay in the last-level cache from one foreach operation to the next, so that a
# step streams each array through memory about once rather than once per operation. NAdam's
# foreach on W1 (16M float32) went from 1.62x torch.optim's foreach in one batch to about 0.5x
# (python -m generator bench, foreach_ratios); 6 MB and 24 MB batches timed within 10% of 12 MB
# on this machine's 32 MB of L3.
_CPU_BATCH_BYTES = 12 << 20


def _cpu_batches(columns):
    """``columns`` (lists of tensors shaped alike position by position: parameters,
    gradients, each state) in batches of about _CPU_BATCH_BYTES (a temporary counted with
    them): small tensors together, a larger one whose tensors are all contiguous in equal
    pieces (views: writing one writes the tensor). A group that three batches would hold runs
    as one: the cache holds most of it anyway, and each batch costs a call per operation
    (SGD, three operations, ran 1.2x slower on 33 MB in batches). Elementwise programs compute
    the same numbers batch by batch."""
    first = columns[0]
    limit = max(1, _CPU_BATCH_BYTES // (first[0].element_size() * (len(columns) + 1)))
    if sum(t.numel() for t in first) <= 3 * limit:
        yield columns
        return
    batch, size = [[] for _ in columns], 0
    for i, numel in enumerate(t.numel() for t in first):
        if size and size + numel > limit:
            yield batch
            batch, size = [[] for _ in columns], 0
        if numel > limit and all(column[i].is_contiguous() for column in columns):
            piece = -(-numel // -(-numel // limit))  # equal pieces, none of them a small rest
            pieces = [column[i].view(-1).split(piece) for column in columns]
            yield from ([[piece] for piece in row] for row in zip(*pieces))
            continue
        for column, part in zip(columns, batch):
            part.append(column[i])
        size += numel
    if batch[0]:
        yield batch


def _group_norms(grads) -> list:
    """The L2 norm of each (device, dtype) group of gradients, as float64 0-d tensors on
    their device (float16/bfloat16 gradients in float32): clipnorm's global norm is the
    square root of the sum of their squares."""
    by_device = {}
    for g in grads:
        by_device.setdefault((g.device, g.dtype), []).append(g)
    out = []
    for group in by_device.values():
        norms = torch._foreach_norm([g.float() if g.dtype in LOW_PRECISION else g for g in group])
        out.append(torch.linalg.vector_norm(torch.stack(norms).double()))
    return out


def _prepared_gradient(g, work_dtype, factor, clipvalue):
    """The gradient the element program reads: in the working dtype, times ``factor``
    (maximize's -1 and clipnorm's scale), clipped to [-clipvalue, clipvalue]. At most one new
    tensor, written in place after it is made; the gradient itself is only read."""
    fresh = False
    if g.dtype != work_dtype:
        g, fresh = g.to(work_dtype), True
    if isinstance(factor, torch.Tensor) or factor != 1.0:  # a tensor: a graph step's
        g, fresh = (g.mul_(factor) if fresh else g * factor), True
    if clipvalue:
        g = clip_value(g, clipvalue, g if fresh else torch.empty_like(g))
    return g


def _dtensor_layout(owner, params):
    """(mesh, placements) shared by a group's DTensor parameters, or None when it has none. A
    global reduction sums or maxes each rank's local shards and then reduces over the mesh
    dimensions that shard them, so every DTensor of the group must be laid out alike, each
    placement a Shard or a Replicate."""
    layouts = {(p.device_mesh, tuple(p.placements)) if _is_dtensor(p) else None for p in params}
    if layouts == {None}:
        return None
    if len(layouts) != 1 or None in layouts:
        raise TypeError(
            f"{owner}: a spec's global reductions over DTensor parameters need every tensor of "
            "the param group to be a DTensor on one mesh with the same placements"
        )
    (layout,) = layouts
    if not all(pl.is_shard() or pl.is_replicate() for pl in layout[1]):
        raise TypeError(
            f"{owner}: a spec's global reductions take DTensors placed Shard or Replicate, "
            f"not {layout[1]}"
        )
    return layout


def _dtensor_problem(p, state):
    """A DTensor parameter is updated through its local shard (fused, or an elementwise
    program on any path): its gradient and state must be DTensors laid out the same way (mesh
    and placements), so that the shards line up element for element. As _problem:
    (exception type, message) or None."""
    layout = (p.device_mesh, tuple(p.placements))
    tensors = [(f"the gradient of {_WHERE}", p.grad)]
    tensors += [(f"state {k!r} of {_WHERE}", v) for k, v in (state or {}).items()]
    for role, tensor in tensors:
        if not _is_dtensor(tensor) or (tensor.device_mesh, tuple(tensor.placements)) != layout:
            shown = (
                f"placed {tuple(tensor.placements)}"
                if _is_dtensor(tensor)
                else f"a {type(tensor).__name__}"
            )
            return TypeError, (
                f"a DTensor parameter is updated through its local shard: {role} must be "
                f"a DTensor on the same mesh placed {tuple(p.placements)}, not {shown}"
            )
    return None


def _group_tensors(group) -> tuple:
    """The tensors a param group holds besides its parameters (step count, scalar state,
    tensor hyperparameters), in key order."""
    out = []
    for key in sorted(k for k in group if k != "params"):
        value = group[key]
        values = value.values() if isinstance(value, dict) else value
        values = values if isinstance(values, (tuple, list, type({}.values()))) else (value,)
        out.extend(v for v in values if isinstance(v, torch.Tensor))
    return tuple(out)


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


_BETAS = ("beta_1", "beta_2")
_STRIDED = torch.strided
_SUPPORTED = frozenset(SUPPORTED_DTYPES)
_WHERE = "<where>"  # replaced by the parameter's place in Optimizer._plan, only on failure


def _shard_group(owner, group):
    """The process group over which this optimizer's parameters are sharded, rank by rank, so
    that Keras 2.3's global reductions (clipnorm's norm over all gradients, a spec's global
    reductions) are reduced over it: ``shard_group=`` when given, else the group of a
    ZeroRedundancyOptimizer that is constructing this optimizer for its rank's shard (it
    passes only the rank's parameters, and no argument of its own), else None. FSDP2's
    DTensor parameters need none: their norms are reduced by DTensor itself."""
    if group is not None:
        if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
            raise ValueError(f"{owner}: shard_group needs an initialized torch.distributed")
        return group
    if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
        return None
    from torch.distributed.optim import ZeroRedundancyOptimizer

    frame = sys._getframe(1)
    for _ in range(8):  # Optimizer.__init__ <- the generated __init__ <- ZeRO's
        if frame is None:
            break
        zero = frame.f_locals.get("self")
        if isinstance(zero, ZeroRedundancyOptimizer):
            return zero.process_group
        frame = frame.f_back
    return None


def _all_reduce(values, group, op):
    """``values`` (Python floats) reduced over ``group`` with torch.distributed's ``op``, in
    float64 on a device the group's backend takes (the gloo and NCCL groups both)."""
    backend = torch.distributed.get_backend(group)
    device = torch.device("cuda", torch.cuda.current_device()) if backend == "nccl" else "cpu"
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    torch.distributed.all_reduce(tensor, op=op, group=group)
    return tensor.tolist()


def _local(tensor):
    """The rank's local shard of a DTensor (a view: writing it writes the DTensor), else the
    tensor itself."""
    return tensor.to_local() if _is_dtensor(tensor) else tensor


def _is_dtensor(tensor) -> bool:
    return _DTensor is not None and isinstance(tensor, _DTensor)


try:
    from torch.distributed.tensor import DTensor as _DTensor
except ImportError:  # a torch built without distributed
    _DTensor = None


def _is_step_tensor(value) -> bool:
    """A graph step's count or scalar state: a float64 tensor of shape (1,). Not 0-d:
    torch.compile (2.13, with AOT autograd) loses in-place updates of 0-d float64 CPU
    tensors that it reads from a dict; the step reads them through 0-d views."""
    return isinstance(value, torch.Tensor) and value.shape == (1,) and value.dtype == torch.float64


def _step_tensor(value, device):
    """A step count or scalar state value as a graph step keeps it (see _is_step_tensor), on
    ``device``: the same tensor when it already is one there."""
    if _is_step_tensor(value):
        return value if value.device == device else value.to(device)
    return torch.tensor([float(value)], dtype=torch.float64, device=device)


def _number(value):
    return value.item() if isinstance(value, torch.Tensor) else value


def _numbers(values: dict) -> dict:
    return {k: float(_number(v)) for k, v in values.items()}


@contextlib.contextmanager
def _hand_over():
    """While the tensors of a kernel call are gathered, checked and handed over: no Python of
    the user's runs (no __torch_function__ of modes or subclasses, no __torch_dispatch__), so
    nothing can resize, free or replace a tensor between its last check and the kernel."""
    with torch._C.DisableTorchFunction(), torch._C._DisableTorchDispatch():
        yield


def _changed(opt) -> str:
    return (
        f"{type(opt).__name__}: a parameter, gradient or state tensor changed during the step "
        "(between its checks and its kernel): this group was not updated (groups stepped "
        "before it in this step were, with their step counts)"
    )


def _check_handed_over(opt, row, device, dtypes) -> None:
    """The tensors of one kernel row as the kernel will use them: plain, contiguous, of the
    row's element count, dtype and device, with real memory (checked at the kernel call)."""
    numel = row[0].numel()
    for tensor, dtype in zip(row, dtypes):
        if (
            type(tensor) not in _PLAIN
            or tensor.dtype is not dtype
            or tensor.device != device
            or tensor.numel() != numel
            or not tensor.is_contiguous()
            or _raw_memory_problem("", tensor) is not None
        ):
            raise RuntimeError(_changed(opt))


_PLAIN_VALUES = (float, int, bool, str, type(None))
_COUNTS = ("params", "iterations", "scalar_state")  # checked on every step


def _settings_snapshot(group: dict) -> tuple | None:
    """A param group's values but its parameters, step count and scalar state, with their
    types (1 == 1.0 == True) and floats by their bits (-0.0 == 0.0): None if one is not a
    plain Python value or a pair of them."""
    out = []
    for key, value in group.items():
        if key in _COUNTS:
            continue
        kind = type(value)
        if kind is tuple or kind is list:
            if not all(type(x) in _PLAIN_VALUES for x in value):
                return None
            value = tuple((type(x), x.hex() if type(x) is float else x) for x in value)
        elif kind is float:
            value = value.hex()
        elif kind not in _PLAIN_VALUES:
            return None
        out.append((key, kind, value))
    return tuple(out)


def _host_float(scale) -> float:
    """clipnorm's factor as a Python float (its .item() may run a mode's Python: before the
    hand-over)."""
    return float(scale.item()) if isinstance(scale, torch.Tensor) else float(scale)


def _with_step(update, step: int):
    """A stored-state update called as the float32 updates are (_launch): the step, the key of
    its rounding, goes after their five arguments and before a CUDA launcher's stream."""

    def call(*arguments):
        return update(*arguments[:5], step, *arguments[5:])

    return call


def _eager_step(kernel):
    """The kernel's step program, run eagerly: made once per program (making it costs more
    than a small step's foreach operations)."""
    function = _EAGER_STEPS.get(kernel.step)
    if function is None:
        function = _EAGER_STEPS[kernel.step] = _eager(kernel.step)
    return function


_EAGER_STEPS: dict = {}


def _eager(function, reason=None):
    """``function`` run eagerly, outside any torch.compile graph; ``reason`` is what dynamo
    reports where it may not break the graph (fullgraph=True)."""
    disable = getattr(getattr(torch, "_dynamo", None), "disable", None)
    if disable is None:
        return function
    return disable(function) if reason is None else disable(function, reason=reason)


def _step_eagerly(opt):
    opt._step(False)


# made here, not under a trace (dynamo cannot trace a call of disable with a reason); the
# reason is what torch.compile(fullgraph=True) reports
_STEPS_OUTSIDE_THE_GRAPH = {
    "host": _eager(
        _step_eagerly,
        "this optimizer's spec has reductions (norms, means) or rules of whole tensors "
        "(matrix functions), computed on the host: it has no graph path, and its compiled "
        "step runs eagerly (one graph break); compile it without fullgraph=True",
    ),
    "native": _eager(
        _step_eagerly,
        "fused=True, or state_precision other than 'float32', steps through native C/CUDA "
        "kernels, which torch.compile cannot trace: the compiled step runs them eagerly (one "
        "graph break); compile it without fullgraph=True, or use fused=False and float32 state",
    ),
}


def _key(name: str) -> str:
    """The param-group key of a spec hyperparameter: learning_rate is torch's lr."""
    return "lr" if name == "learning_rate" else name


def _work_dtype(p) -> torch.dtype:
    """State and arithmetic dtype: float32 for float16 and bfloat16 parameters."""
    return torch.float32 if p.dtype in LOW_PRECISION else p.dtype


_describe = _precision.describe


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


def _on(device):
    """A context that makes ``device`` the current CUDA device (nothing for the CPU shim), so
    that a launch, which goes to the current device, reaches the tensors' GPU."""
    return torch.cuda.device(device) if device.type == "cuda" else contextlib.nullcontext()


def _stream(device):
    return torch.cuda.current_stream(device).cuda_stream if device.type == "cuda" else None


def _one_number(value):
    """A one-element tensor's number (other values as they are, for real() to check)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value


def _real(owner, name, value, domain, check):
    return real(owner, name, _one_number(value), domain, check)
