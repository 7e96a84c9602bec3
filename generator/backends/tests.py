"""Generated tests: ``generated/tests/test_<module>.py`` per spec."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Spec
from . import cuda
from ..render import Output
from ..testing import common_cases


@dataclass(frozen=True)
class TestView:
    name: str
    keras_name: str
    spec_path: str
    flag_cases: tuple[str, ...]  # Python dict literals
    flag_ids: tuple[str, ...]
    common_cases: tuple[str, ...]
    fused: bool  # the spec has generated C/CUDA kernels


def outputs(specs: list[Spec]) -> list[Output]:
    out = []
    for s in specs:
        out.append(Output(f"tests/test_{s.module}.py", "tests/test_optimizer.py.j2", {"t": view(s)}, s.path))
        out.append(Output(f"tests/test_torch_{s.module}.py", "tests/test_torch_optimizer.py.j2", {"t": view(s)}, s.path))
    return out


def view(spec: Spec) -> TestView:
    variants = spec.variants()
    cases = tuple("{" + ", ".join(f"{n!r}: {v}" for n, v in v.flags) + "}" for v in variants)
    return TestView(
        name=spec.name,
        keras_name=spec.keras_name,
        spec_path=spec.path,
        flag_cases=cases,
        flag_ids=tuple(v.suffix for v in variants),
        common_cases=tuple(common_cases(spec)),
        fused=cuda.supported(spec),
    )
