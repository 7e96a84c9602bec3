"""Keras 3 backend: ``generated/keras/<module>.py`` per spec, a ``keras.optimizers.Optimizer``
subclass whose update is ``keras.ops`` only (it runs under every Keras backend's jit and
stateless application), and a registry; the shared runtime is copied from
``generator/runtime/keras/_runtime.py``. The step program is the host's, called with tensors."""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import LoweredSpec
from ..render import Output, runtime_output
from . import functional_common, python_common
from .base import AllSpecs, Build

NAMESPACE = "ops"
SIGN = "nan_sign"  # generator/runtime/keras/_runtime.py: keras.ops.sign maps NaN to 0 on torch


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
                functional_common.common_view(NAMESPACE, True),
            )
        )
        registry = {"modules": [m.base for m in modules], "backend": self.name}
        out.append(Output("keras/__init__.py", "package/registry.py.j2", registry))
        return out


BACKEND = KerasBackend()


def module_view(lowered: LoweredSpec) -> KerasModule:
    base, variants = functional_common.module_variants(lowered, NAMESPACE, False, True, SIGN)
    # Keras's own base-class arguments follow the spec's (see the runtime's Optimizer).
    signature = tuple(a for a in base.signature if a != "fused=False") + ("**kwargs",)
    return KerasModule(base, variants, signature)
