"""Generated tests: ``generated/tests/test_<module>.py`` (NumPy) and ``test_torch_<module>.py``,
``test_keras_<module>.py``, ``test_optax_<module>.py`` per spec. They call ``generator.verify``; the build itself imports nothing from there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..common import common_cases
from ..ir import LoweredSpec
from ..render import Output
from .base import AllSpecs, Build, Target


@dataclass(frozen=True)
class TestView:
    name: str
    keras_name: str
    spec_path: str
    flag_cases: tuple[str, ...]  # Python dict literals
    flag_ids: tuple[str, ...]
    # of those, the variants whose state may be stored in fewer bits, and those that refuse
    # it (a root kept non-negative by a relation between states: generator.signs)
    stored_cases: tuple[str, ...]
    stored_ids: tuple[str, ...]
    refused_cases: tuple[str, ...]
    refused_ids: tuple[str, ...]
    # (flags, common case, id) of the tests against the reference: the default flags with
    # every common case, the other flag combinations with "plain" and "all" (the common
    # arguments act outside the update rule: pairs cover them, at half the tests)
    reference_cases: tuple[tuple[str, str, str], ...]
    fused: bool  # the spec has generated C/CUDA kernels
    stored_state: bool  # its torch optimizer takes state_precision="bfloat16" and "int8"
    module: str
    spec_from_tests: str  # the spec file, relative to the generated tests folder


class TestsBackend(AllSpecs):
    name = "tests"

    def outputs(self, build: Build) -> list[Output]:
        out = []
        for t in build.each_spec(
            self.name, lambda spec: view(spec, build.supports("cuda", spec), build.target)
        ):
            out.append(
                Output(
                    f"tests/test_{t.module}.py", "tests/test_optimizer.py.j2", {"t": t}, t.spec_path
                )
            )
            for backend in ("torch", "keras", "optax"):
                out.append(
                    Output(
                        f"tests/test_{backend}_{t.module}.py",
                        f"tests/test_{backend}_optimizer.py.j2",
                        {"t": t},
                        t.spec_path,
                    )
                )
        return out


BACKEND = TestsBackend()


def view(lowered: LoweredSpec, fused: bool, target: Target) -> TestView:
    spec = lowered.spec
    # a rank flag's variants all run on the standard problem (a matrix, a vector, a 0-d
    # tensor take each their own): one case per combination of the arguments' flags
    variants = [
        ir.variant
        for ir in lowered.variants
        if all(ir.variant.flag_dict[f.name] == f.default for f in spec.rank_flags)
    ]
    cases = tuple("{" + ", ".join(f"{n!r}: {v}" for n, v in v.flags) + "}" for v in variants)
    bound = {ir.variant.suffix for ir in lowered.variants if ir.relation_bound}
    stored = [(case, v.suffix) for v, case in zip(variants, cases) if v.suffix not in bound]
    refused = [(case, v.suffix) for v, case in zip(variants, cases) if v.suffix in bound]
    default = spec.variant().flags
    reference_cases = tuple(
        (case, common, f"{v.suffix}-{common}")
        for v, case in zip(variants, cases)
        for common in common_cases(spec.common)
        if v.flags == default or common in ("plain", "all")
    )
    return TestView(
        name=spec.name,
        keras_name=spec.keras_name,
        spec_path=spec.path,
        flag_cases=cases,
        flag_ids=tuple(v.suffix for v in variants),
        stored_cases=tuple(case for case, _ in stored),
        stored_ids=tuple(suffix for _, suffix in stored),
        refused_cases=tuple(case for case, _ in refused),
        refused_ids=tuple(suffix for _, suffix in refused),
        reference_cases=reference_cases,
        fused=fused,
        # reductions need whole tensors, not decoded pieces; a whole-tensor rule has no kernel
        stored_state=not spec.reductions and not any(v.whole_array for v in variants),
        module=spec.module,
        spec_from_tests=Path(
            os.path.relpath(target.spec_file(spec), target.out / "tests")
        ).as_posix(),
    )
