"""Host backend: ``generated/host/<module>.py`` per spec, the part every backend runs in Python
(argument domains, initial state, per-step scalars), and ``generated/_shared.py``."""

from __future__ import annotations

from ..model import Spec
from ..render import Output
from . import cuda
from . import numpy as numpy_backend


def outputs(specs: list[Spec]) -> list[Output]:
    out = [
        Output(f"host/{s.module}.py", "host/host.py.j2", {"m": numpy_backend.module_view(s)}, s.path)
        for s in specs
    ]
    out.append(Output("host/__init__.py", "host/__init__.py.j2", {}, "specs/*.yaml"))
    out.append(Output("_shared.py", "package/_shared.py.j2", {}, "specs/*.yaml"))
    native = {"chunk": cuda.CHUNK, "max_blocks": cuda.MAX_BLOCKS}
    out.append(Output("_native.py", "package/_native.py.j2", native, "specs/*.yaml"))
    return out
