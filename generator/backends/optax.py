"""JAX/optax backend: ``generated/optax/<module>.py`` per spec, one function named by the
spec's Keras name (``adam(...)``) returning an ``optax.GradientTransformation``, pure and
functional in ``jax.numpy``; the shared runtime is copied from
``generator/runtime/optax/_runtime.py``. The update returns optax's updates, ``p_new - p``
(printed from the IR: SymPy cancels the ``p`` of ``p + ...``), so ``optax.apply_updates``
gives the new parameters."""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import LoweredSpec
from ..printers.functional import FunctionalPrinter
from ..render import Output, runtime_output
from . import functional_common, python_common
from .base import AllSpecs, Build


def printer(like: str | None = None) -> FunctionalPrinter:
    """``jax.numpy`` as it is: Python floats stay exact, ``jnp.sign`` keeps NaN."""
    return FunctionalPrinter("jnp")


@dataclass(frozen=True)
class OptaxModule:
    base: python_common.ModuleView
    variants: tuple[functional_common.FunctionalVariant, ...]
    signature: tuple[str, ...]
    state_class: str
    state_fields: tuple[str, ...]  # every variant's state arrays, in order of first use
    scalar_fields: tuple[str, ...]  # the scalar state


class OptaxBackend(AllSpecs):
    name = "optax"

    def outputs(self, build: Build) -> list[Output]:
        modules = build.each_spec(self.name, module_view)
        out = [
            Output(
                f"optax/{m.base.module}.py",
                "optax/transformation.py.j2",
                {"m": m},
                m.base.spec_path,
            )
            for m in modules
        ]
        out.append(runtime_output("optax/_runtime.py"))
        out.append(
            Output(
                "optax/_keras.py",
                "optax/common.py.j2",
                functional_common.common_view(printer),
            )
        )
        out.append(
            Output(
                "optax/__init__.py", "optax/registry.py.j2", {"modules": [m.base for m in modules]}
            )
        )
        return out


BACKEND = OptaxBackend()


def module_view(lowered: LoweredSpec) -> OptaxModule:
    base, variants = functional_common.module_variants(lowered, printer(), delta=True)
    fields: list[str] = []
    for ir in lowered.variants:
        fields += [s for s in ir.state if s not in fields]
    signature = tuple(a for a in base.signature if a != "fused=False")
    scalars = tuple(s.name for s in lowered.spec.scalar_state)
    return OptaxModule(base, variants, signature, f"{base.name}State", tuple(fields), scalars)
