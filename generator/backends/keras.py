"""Keras 3 backend: ``generated/keras/<module>.py`` per spec, a ``keras.optimizers.Optimizer``
subclass whose update is ``keras.ops`` only (it runs under every Keras backend's jit and
stateless application), and a registry; the shared runtime is copied from
``generator/runtime/keras/_runtime.py``. The step program is the host's, called with tensors."""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import LoweredSpec
from ..printers.functional import FunctionalPrinter
from ..symbols import P
from ..render import Output, runtime_output
from . import functional_common, python_common
from .base import AllSpecs, Build


def printer(like: str = P.name) -> FunctionalPrinter:
    """``keras.ops``, with the workarounds its torch and TensorFlow backends need (see the
    printer): numbers passed to functions as tensors of ``like``'s dtype, max and min as
    selects, and the runtime's NaN-keeping ``nan_sign`` (``ops.sign`` maps NaN to 0 on torch)."""
    return FunctionalPrinter(
        "ops", literal_like=like, select_minmax=True, sign="nan_sign", mean="axis_mean"
    )


@dataclass(frozen=True)
class KerasModule:
    base: python_common.ModuleView
    variants: tuple[functional_common.FunctionalVariant, ...]
    signature: tuple[str, ...]


class KerasBackend(AllSpecs):
    name = "keras"

    def outputs(self, build: Build) -> list[Output]:
        modules = build.each_spec(self.name, module_view)
        out = [
            Output(f"keras/{m.base.module}.py", "keras/optimizer.py.j2", {"m": m}, m.base.spec_path)
            for m in modules
        ]
        out.append(runtime_output("keras/_runtime.py"))
        out.append(
            Output(
                "keras/_keras.py",
                "keras/common.py.j2",
                functional_common.common_view(printer),
            )
        )
        registry = {"modules": [m.base for m in modules], "backend": self.name}
        out.append(Output("keras/__init__.py", "package/registry.py.j2", registry))
        return out


BACKEND = KerasBackend()


def module_view(lowered: LoweredSpec) -> KerasModule:
    base, variants = functional_common.module_variants(lowered, printer(), delta=False)
    # Keras's own base-class arguments follow the spec's (see the runtime's Optimizer).
    signature = tuple(a for a in base.signature if a != "fused=False") + ("**kwargs",)
    return KerasModule(base, variants, signature)
