"""Host backend: ``generated/host/<module>.py`` per spec, the part every backend runs in Python
(argument domains, initial state, per-step scalars), and the shared runtime of the package
(``_shared.py``, ``_native.py``, ``_kernel_layout.py``, ``_state_codes.py``, copied from ``generator/runtime/``).
"""

from __future__ import annotations

from ..render import Output, runtime_output
from . import python_common
from .base import AllSpecs, Build


class HostBackend(AllSpecs):
    name = "host"

    def outputs(self, build: Build) -> list[Output]:
        modules = build.each_spec(
            self.name, lambda spec: python_common.module_view(spec, build.supports("cuda", spec))
        )
        out = [
            Output(f"host/{m.module}.py", "host/host.py.j2", {"m": m}, m.spec_path) for m in modules
        ]
        out.append(runtime_output("host/__init__.py"))
        out += [
            runtime_output(name)
            for name in ("_shared.py", "_native.py", "_kernel_layout.py", "_state_codes.py")
        ]
        return out


BACKEND = HostBackend()
