"""A spec: its parts (``types``), its flag variants (``spec``) and reading it from YAML
(``reader``). Import from here; the submodules are the split by job."""

from .reader import MAX_ENTRIES, MAX_EQUATIONS, MAX_FLAGS, MAX_SPEC_BYTES, load_spec, parse_spec
from .spec import MAX_OPERATIONS, Spec, Variant
from .types import (
    DerivedFlag,
    RankFlag,
    Equation,
    Hyperparameter,
    Kind,
    MatrixFunction,
    ReduceOp,
    Reduction,
    Reference,
    ScalarStateVar,
    Scope,
    StateVar,
)

__all__ = [
    "DerivedFlag",
    "RankFlag",
    "Equation",
    "Hyperparameter",
    "Kind",
    "MAX_ENTRIES",
    "MAX_EQUATIONS",
    "MAX_FLAGS",
    "MAX_OPERATIONS",
    "MAX_SPEC_BYTES",
    "MatrixFunction",
    "ReduceOp",
    "Reduction",
    "Reference",
    "ScalarStateVar",
    "Scope",
    "Spec",
    "StateVar",
    "Variant",
    "load_spec",
    "parse_spec",
]
